// Opening a scanner whose state the SDK keeps itself, in a directory the app names.

import Foundation
import ImageGuardFFI

extension ImageGuard {
    /// Opens a scanner whose bundle, trust state and decision state the library keeps in `directory`
    /// (created if needed; e.g. in Application Support, or an app group container shared with an
    /// extension), with crash-safe writes: the stored bundle, else the previous one, else
    /// `bootstrapBundle`, a bundle file shipped in the app bundle (`Bundle.main.url(forResource:)`).
    /// Bundles never pass through the app's memory: update with `updateBundle(fileAt:)` or `applyDelta`.
    public static func open(
        directory: URL, config: ScannerConfig, bootstrapBundle: URL? = nil, deviceKey: DeviceKey? = nil
    ) async throws(ImageGuardError) -> ImageGuard {
        let scanner = try await offload {
            try ImageGuardFFI.Scanner.open(
                directory: directory.path, config: config, bootstrapBundlePath: bootstrapBundle?.path, deviceKey: deviceKey)
        }
        return ImageGuard(scanner: scanner)
    }

    /// Installs the full bundle in the file at `url` (a finished download), read by the library; saved in
    /// the directory when the scanner came from `open(directory:config:)`. Nothing changes if a check fails.
    public func updateBundle(fileAt url: URL) async throws(ImageGuardError) -> BundleInfo {
        try await offload { [scanner] in try scanner.updateBundleFile(path: url.path) }
    }

    /// Saves the decision state in the scanner's directory: call when the app moves to the background.
    public func saveState() async throws(ImageGuardError) {
        try await offload { [scanner] in try scanner.saveState() }
    }
}
