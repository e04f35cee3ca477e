// The app's entry point on iOS: a Sendable scanner with async, typed-throwing calls.
//
// Scanning decodes and hashes images (CPU work, 10-100 ms per photo), so every call hops off the caller's
// executor to a concurrent dispatch queue and never blocks the main actor or the cooperative pool. Nothing
// here touches the network: the app downloads bundle updates and sends reports itself.

import Foundation
import ImageGuardFFI

extension ImageGuardError {
    /// Any error thrown by the generated bindings, as an `ImageGuardError` (uniffi's own internal errors,
    /// which should never happen, become `.Internal`).
    static func wrap(_ error: any Error) -> ImageGuardError {
        (error as? ImageGuardError) ?? .Internal(detail: "internal error in imageguard: \(error)")
    }

    /// The readable sentence of any case (the same as `localizedDescription` and `description`).
    public var message: String { description }
}

/// Runs blocking imageguard work on a concurrent queue and resumes the caller with its typed result.
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(ImageGuardError) -> T {
    let result: Result<T, ImageGuardError> = await withCheckedContinuation { continuation in
        ImageGuard.queue.async {
            continuation.resume(returning: Result { try work() }.mapError(ImageGuardError.wrap))
        }
    }
    return try result.get()
}

/// One instance per app (per bundle), shared freely between tasks and threads. The native scanner is freed
/// when the last reference goes away. Persist `bundleBytes`, `trustState` and `decisionState`.
public final class ImageGuard: Sendable {
    static let queue = DispatchQueue(label: "org.imageguard.work", qos: .userInitiated, attributes: .concurrent)

    let scanner: ImageGuardFFI.Scanner

    /// Wraps a native scanner made elsewhere in the SDK (`open(directory:config:)`).
    init(scanner: ImageGuardFFI.Scanner) {
        self.scanner = scanner
    }

    /// Verifies `bundle` against `config`'s trusted keys and the saved `trustState` (anti-rollback), and
    /// restores the saved `decisionState`. Reports are signed with `deviceKey` when given.
    public init(
        bundle: Data,
        config: ScannerConfig,
        trustState: Data = Data(),
        decisionState: Data = Data(),
        deviceKey: DeviceKey? = nil
    ) async throws(ImageGuardError) {
        scanner = try await offload {
            try ImageGuardFFI.Scanner(bundle: bundle, config: config, trustState: trustState, decisionState: decisionState, deviceKey: deviceKey)
        }
    }

    /// A new report-signing key; keep `toPkcs8()` in the Keychain.
    public static func newDeviceKey() throws(ImageGuardError) -> DeviceKey {
        do { return try DeviceKey.generate() } catch { throw .wrap(error) }
    }

    /// Re-creates a key saved with `toPkcs8()`.
    public static func importDeviceKey(pkcs8: Data) throws(ImageGuardError) -> DeviceKey {
        do { return try DeviceKey.fromPkcs8(pkcs8: pkcs8) } catch { throw .wrap(error) }
    }

    /// Sends imageguard's log messages at `level` and above to `logger` (from any thread).
    public static func setLogger(_ logger: any LogSink, level: LogLevel = .info) throws(ImageGuardError) {
        do { try ImageGuardFFI.setLogger(logger: logger, levelFilter: level) } catch { throw .wrap(error) }
    }

    public static func clearLogger() {
        ImageGuardFFI.clearLogger()
    }

    /// Scans an encoded image (JPEG, PNG, WebP, GIF, BMP): exact and perceptual matching.
    public func scan(_ image: Data) async throws(ImageGuardError) -> ScanOutcome {
        try await offload { [scanner] in try scanner.scanBytes(bytes: image) }
    }

    /// Reads and scans a file (within the 64 MiB input limit).
    public func scanFile(at url: URL) async throws(ImageGuardError) -> ScanOutcome {
        try await offload { [scanner] in try scanner.scanFile(path: url.path) }
    }

    /// Scans raw pixels: `height` rows of `bytesPerRow` bytes, each starting with `width` pixels of
    /// `format`. Perceptual matching only (there are no file bytes to hash exactly).
    public func scanPixels(
        _ pixels: Data, width: Int, height: Int, bytesPerRow: Int, format: PixelFormat
    ) async throws(ImageGuardError) -> ScanOutcome {
        guard let w = UInt32(exactly: width), let h = UInt32(exactly: height), let stride = UInt32(exactly: bytesPerRow) else {
            throw .InvalidArgument(detail: "invalid argument: width, height and bytesPerRow must be within 0...\(UInt32.max)")
        }
        return try await offload { [scanner] in
            try scanner.scanPixels(pixels: pixels, width: w, height: h, stride: stride, format: format)
        }
    }

    /// Checks the platform's answer to a `.needsConfirmation(pending:)`: send `pending.requestBytes()` to the
    /// platform, pass its answer here. `.match` only when the answer proves a listed entry that matches,
    /// `.noMatch` (and no trace) otherwise. A refused answer throws `.ConfirmationRejected` and the handle
    /// stays usable for a proper answer; offline, keep the handle and retry later. A handle confirms once.
    public func confirm(_ pending: PendingConfirmation, response: Data) async throws(ImageGuardError) -> ScanOutcome {
        try await offload { [scanner] in try scanner.confirm(pending: pending, response: response) }
    }

    /// Replaces the bundle with a newer full bundle. Nothing changes if any check fails.
    public func updateBundle(_ bundle: Data) async throws(ImageGuardError) -> BundleInfo {
        try await offload { [scanner] in try scanner.updateBundle(bundle: bundle) }
    }

    /// Applies a delta to the active bundle. Nothing changes if any check fails.
    public func applyDelta(_ delta: Data) async throws(ImageGuardError) -> BundleInfo {
        try await offload { [scanner] in try scanner.applyDelta(delta: delta) }
    }

    /// Starts scanning a video with the active bundle: feed decoded frames (about one per second) with
    /// `addFrame`, then `finish()` for one outcome (see `scanVideo(asset:progress:)` on Apple platforms).
    public func startVideo() -> VideoSession { VideoSession(scanner: scanner) }

    public var bundleInfo: BundleInfo { scanner.bundleInfo() }
    public var bundleBytes: Data { scanner.bundleBytes() }
    public var trustState: Data { scanner.trustState() }
    public var decisionState: Data { scanner.decisionState() }
}

/// Verifies a report (platform side, or an app's own checks) against trusted device public keys.
public func verifyReport(_ report: Data, trustedPublicKeys: [Data]) throws(ImageGuardError) -> ReportRecord {
    do { return try ImageGuardFFI.verifyReport(report: report, trustedPublicKeys: trustedPublicKeys) } catch { throw .wrap(error) }
}
