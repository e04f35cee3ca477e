// The generated Swift bindings and the iOS Swift layer, on Linux, against the real static library.
import Foundation
import XCTest
@testable import ImageGuardKit
// Raw-module functions the SDK layer does not re-publish (hashing tools, test hooks): scoped imports, so
// the SDK's own names are not also visible from ImageGuardFFI.
import func ImageGuardFFI.pdqHashPixels
import func ImageGuardFFI.liveObjectCount
import func ImageGuardFFI.debugInducePanic
import func ImageGuardFFI.platformAnswer

let fixtures = URL(fileURLWithPath: ProcessInfo.processInfo.environment["IMAGEGUARD_FIXTURES"] ?? "fixtures")

func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: fixtures.appendingPathComponent(name))
}

func config(locale: String = "fr-CA", bundleIds: [String] = ["fixtures"]) throws -> ScannerConfig {
    ScannerConfig(
        trustedKeys: [try fixture("provider.pub")], threshold: 1, locale: locale, region: nil,
        overrides: AppOverrides(), reportContext: Data("surface=swift-test".utf8), bundleIds: bundleIds)
}

/// The fixtures' policy reports, which needs a device key: one is made when none is given.
func open(
    deviceKey: DeviceKey? = nil, bundle: String = "bundle-v1.bin", bundleIds: [String] = ["fixtures"], trustState: Data = Data()
) async throws -> ImageGuard {
    try await ImageGuard(
        bundle: try fixture(bundle), config: try config(bundleIds: bundleIds), trustState: trustState,
        deviceKey: deviceKey ?? ImageGuard.newDeviceKey())
}

/// Asserts that `body` throws an ImageGuardError for which `matches` holds and whose message contains `part`.
func assertThrows(
    _ part: String, file: StaticString = #filePath, line: UInt = #line,
    _ matches: (ImageGuardError) -> Bool, _ body: () async throws -> Void
) async {
    do {
        try await body()
        XCTFail("expected an error containing '\(part)'", file: file, line: line)
    } catch let error as ImageGuardError {
        XCTAssertTrue(matches(error), "unexpected case: \(error)", file: file, line: line)
        XCTAssertTrue(error.message.contains(part), "'\(error.message)' lacks '\(part)'", file: file, line: line)
        XCTAssertTrue(error.localizedDescription.contains(part), "localizedDescription: \(error.localizedDescription)", file: file, line: line)
        XCTAssertEqual(error.localizedDescription, error.description, file: file, line: line)
        XCTAssertEqual("\(error)", error.description, "interpolation gives the sentence, not the case", file: file, line: line)
    } catch {
        XCTFail("not an ImageGuardError: \(error)", file: file, line: line)
    }
}

final class Recorder: LogSink, @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(LogLevel, String)] = []

    func log(level: LogLevel, message: String) {
        lock.lock()
        entries.append((level, message))
        lock.unlock()
    }

    var messages: [(LogLevel, String)] {
        lock.lock()
        defer { lock.unlock() }
        return entries
    }
}

func rssKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}

final class ImageGuardTests: XCTestCase {
    let entry = MatchedEntry.perceptual(hashHex: String(repeating: "f0", count: 32), variant: .rotate90, strength: .strong)

    func testKeysAndReportsRoundTrip() async throws {
        let key = try ImageGuard.newDeviceKey()
        XCTAssertEqual(key.publicKey().count, 32)
        var report = try key.signReport(
            unixSeconds: 1_700_000_123, bundleId: "bundle-a", listId: "list-1", bundleSequence: 7, entry: entry,
            context: Data("ctx".utf8))
        let record = try verifyReport(report, trustedPublicKeys: [key.publicKey()])
        XCTAssertEqual(record.bundleId, "bundle-a")
        XCTAssertEqual(record.bundleSequence, 7)
        XCTAssertEqual(record.createdUnixSeconds, 1_700_000_123 / 60 * 60)
        XCTAssertEqual(record.entry, entry)
        XCTAssertEqual(record.deviceKeyIdHex, key.keyId())
        XCTAssertEqual(try ImageGuard.importDeviceKey(pkcs8: key.toPkcs8()).publicKey(), key.publicKey())

        report[30] ^= 1
        let tampered = report
        await assertThrows("signature is invalid", { if case .ReportRejected = $0 { true } else { false } }) {
            _ = try verifyReport(tampered, trustedPublicKeys: [key.publicKey()])
        }
    }

    func testBadInputThrowsWithReadableMessages() async throws {
        await assertThrows("PKCS#8", { if case .InvalidKey = $0 { true } else { false } }) {
            _ = try ImageGuard.importDeviceKey(pkcs8: Data("nope".utf8))
        }
        await assertThrows("bad magic", { if case .ReportRejected(reason: .malformed, _) = $0 { true } else { false } }) {
            _ = try verifyReport(Data(count: 9), trustedPublicKeys: [])
        }
        await assertThrows("stride", { if case .InvalidArgument = $0 { true } else { false } }) {
            _ = try pdqHashPixels(pixels: Data(count: 100), width: 10, height: 10, stride: 5, format: .rgba8)
        }
        await assertThrows("bad magic", { if case .BundleRejected = $0 { true } else { false } }) {
            _ = try await open(bundle: "known.jpg")
        }
        let guardian = try await open()
        // Not decodable by the core: its own case, for the platform fallback (no message matching).
        await assertThrows("unsupported image format", { if case .NeedsPlatformDecode = $0 { true } else { false } }) {
            _ = try await guardian.scan(Data("not an image".utf8))
        }
        await assertThrows("HEIF", { if case .NeedsPlatformDecode = $0 { true } else { false } }) {
            _ = try await guardian.scan(Data([0, 0, 0, 0x18]) + Data("ftypheic".utf8) + Data(count: 64))
        }
        await assertThrows("within", { if case .InvalidArgument = $0 { true } else { false } }) {
            _ = try await guardian.scanPixels(Data(), width: -1, height: 1, bytesPerRow: 4, format: .rgba8)
        }
    }

    /// The error `body` throws (failing the test if it throws none or another type).
    func thrown(file: StaticString = #filePath, line: UInt = #line, _ body: () async throws -> Void) async -> ImageGuardError? {
        do {
            try await body()
            XCTFail("expected an ImageGuardError", file: file, line: line)
        } catch let error as ImageGuardError {
            return error
        } catch {
            XCTFail("not an ImageGuardError: \(error)", file: file, line: line)
        }
        return nil
    }

    func testBundleRejectionsCarryTheirReason() async throws {
        func reason(_ body: () async throws -> Void) async -> BundleRejectReason? {
            guard case let .BundleRejected(reason, detail) = await thrown(body) else { return nil }
            XCTAssertTrue(detail.hasPrefix("bundle refused: "), detail)
            return reason
        }
        let malformed = await reason { _ = try await open(bundle: "known.jpg") }
        XCTAssertEqual(malformed, .malformed)
        let stranger = try ImageGuard.newDeviceKey().publicKey()
        var strangers = try config()
        strangers.trustedKeys = [stranger]
        let unsigned = await reason {
            _ = try await ImageGuard(bundle: try fixture("bundle-v1.bin"), config: strangers, deviceKey: try ImageGuard.newDeviceKey())
        }
        XCTAssertEqual(unsigned, .notEnoughSignatures)
        var other = try config()
        other.bundleIds = ["acme-csam"]
        let wrongId = await reason {
            _ = try await ImageGuard(bundle: try fixture("bundle-v1.bin"), config: other, deviceKey: try ImageGuard.newDeviceKey())
        }
        XCTAssertEqual(wrongId, .wrongBundleId)
        let guardian = try await open(bundle: "bundle-v2.bin")
        let v1 = try fixture("bundle-v1.bin"), delta = try fixture("delta-v1-v2.bin")
        let rollback = await reason { _ = try await guardian.updateBundle(v1) }
        XCTAssertEqual(rollback, .rollback)
        let wrongBase = await reason { _ = try await guardian.applyDelta(delta) }
        XCTAssertEqual(wrongBase, .wrongBase)
        XCTAssertEqual(guardian.bundleInfo.sequence, 2)
    }

    func testDecodeReportAndOtherErrorsCarryTheirReason() async throws {
        let guardian = try await open()
        guard case let .NeedsPlatformDecode(platform, _) = await thrown({
            _ = try await guardian.scan(Data([0, 0, 0, 0x18]) + Data("ftypheic".utf8) + Data(count: 64))
        }) else { return XCTFail("HEIC needs the platform decoder") }
        XCTAssertEqual(platform, .heif)
        guard case let .NeedsPlatformDecode(unknown, _) = await thrown({ _ = try await guardian.scan(Data("not an image".utf8)) })
        else { return XCTFail("unknown format") }
        XCTAssertEqual(unknown, .unknownFormat)
        guard case .Io = await thrown({ _ = try await guardian.scanFile(at: URL(fileURLWithPath: "/nonexistent/image.jpg")) })
        else { return XCTFail("a missing file is .Io") }
        guard case .InvalidState = await thrown({ _ = try await open(trustState: Data("junk".utf8)) })
        else { return XCTFail("junk trust state is .InvalidState") }

        let key = try ImageGuard.newDeviceKey()
        var report = try key.signReport(unixSeconds: 0, bundleId: "b", listId: "l", bundleSequence: 1, entry: entry, context: Data())
        let stranger = try ImageGuard.newDeviceKey().publicKey()
        guard case .ReportRejected(reason: .untrustedKey, _) = await thrown({ _ = try verifyReport(report, trustedPublicKeys: [stranger]) })
        else { return XCTFail("untrusted key") }
        report[30] ^= 1
        let tampered = report
        guard case .ReportRejected(reason: .badSignature, _) = await thrown({ _ = try verifyReport(tampered, trustedPublicKeys: [key.publicKey()]) })
        else { return XCTFail("bad signature") }
    }

    func testKnownImagePromptsAndReportsUnrelatedDoesNot() async throws {
        let key = try ImageGuard.newDeviceKey()
        let guardian = try await open(deviceKey: key)
        guard case let .match(kind, bundleId, listId, sequence, action, prompt, report) = try await guardian.scan(try fixture("known.jpg")) else {
            return XCTFail("known.jpg should match")
        }
        XCTAssertEqual(kind, .exact(algorithm: .blake3))
        XCTAssertEqual([bundleId, listId], ["fixtures", "synthetic-known"])
        XCTAssertEqual(sequence, 1)
        XCTAssertEqual(action, .promptAndReport)
        let shown = try XCTUnwrap(prompt)
        XCTAssertEqual(shown.locale, "fr")
        XCTAssertFalse(shown.title.isEmpty || shown.helpLinks.isEmpty)
        let record = try verifyReport(try XCTUnwrap(report), trustedPublicKeys: [key.publicKey()])
        XCTAssertEqual(record.context, Data("surface=swift-test".utf8))

        let unrelated = try await guardian.scan(try fixture("unrelated.jpg"))
        XCTAssertTrue(isNoMatch(unrelated), "\(unrelated)")
        let byFile = try await guardian.scanFile(at: fixtures.appendingPathComponent("unrelated.jpg"))
        XCTAssertTrue(isNoMatch(byFile), "\(byFile)")
        guard case let .match(rotatedKind, _, _, _, _, _, _) = try await guardian.scan(try fixture("known-rotated.jpg")),
              case .perceptual = rotatedKind
        else { return XCTFail("the rotated copy should match perceptually") }
        let pixels = try await guardian.scanPixels(try fixture("known.rgba"), width: 800, height: 600, bytesPerRow: 3200, format: .rgba8)
        guard case .match = pixels else { return XCTFail("pixels should match") }
    }

    func testBundleDeltaUpdateAndRollback() async throws {
        let guardian = try await open()
        XCTAssertEqual(guardian.bundleInfo.sequence, 1)
        let before = try await guardian.scan(try fixture("known-v2.jpg"))
        XCTAssertTrue(isNoMatch(before), "\(before)")
        let info = try await guardian.applyDelta(try fixture("delta-v1-v2.bin"))
        XCTAssertEqual(info.sequence, 2)
        XCTAssertEqual(guardian.bundleBytes, try fixture("bundle-v2.bin"))
        guard case .match = try await guardian.scan(try fixture("known-v2.jpg")) else { return XCTFail("v2 entry") }
        let v1 = try fixture("bundle-v1.bin")
        await assertThrows("rollback", { if case .BundleRejected = $0 { true } else { false } }) {
            _ = try await guardian.updateBundle(v1)
        }
        let state = guardian.trustState
        await assertThrows("rollback", { if case .BundleRejected = $0 { true } else { false } }) {
            _ = try await open(trustState: state)
        }
    }

    func testLoggerReceivesMessages() async throws {
        let recorder = Recorder()
        try ImageGuard.setLogger(recorder, level: .debug)
        _ = try await open().scan(try fixture("known.jpg"))
        ImageGuard.clearLogger()
        let messages = recorder.messages
        XCTAssertTrue(messages.contains { $0.1.contains("bundle fixtures v1 loaded") }, "\(messages)")
        // A match is logged at DEBUG at most, never INFO or WARN (issue 15).
        XCTAssertTrue(messages.contains { $0.0 == .debug && $0.1.hasPrefix("match (exact)") }, "\(messages)")
        XCTAssertFalse(messages.contains { ($0.0 == .info || $0.0 == .warn || $0.0 == .error) && $0.1.hasPrefix("match") }, "\(messages)")
        _ = try DeviceKey.generate()
        XCTAssertEqual(recorder.messages.count, messages.count, "no messages after clearLogger")
    }

    func testConcurrentScansFromTasks() async throws {
        let guardian = try await open()
        let known = try fixture("known.jpg"), unrelated = try fixture("unrelated.jpg")
        let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for i in 0..<16 {
                group.addTask {
                    let outcome = try await guardian.scan(i % 2 == 0 ? known : unrelated)
                    if case .match = outcome { return (i, true) }
                    return (i, false)
                }
            }
            var all: [Int: Bool] = [:]
            for try await (i, matched) in group { all[i] = matched }
            return all
        }
        XCTAssertEqual(results.count, 16)
        for (i, matched) in results { XCTAssertEqual(matched, i % 2 == 0) }
    }

    func testAKnownVideoIsOneVideoMatchAndAnUnrelatedOneIsNot() async throws {
        let guardian = try await open(bundle: "bundle-video.bin", bundleIds: ["fixtures-video"])
        let frames = try fixture("video-frames.rgba")
        let size = 320 * 240 * 4
        let session = guardian.startVideo()
        for i in 0..<4 {
            let frame = frames.subdata(in: (frames.startIndex + i * size)..<(frames.startIndex + (i + 1) * size))
            try session.addFrame(pixels: frame, width: 320, height: 240, stride: 320 * 4, format: .rgba8, timestampMs: UInt64(i * 1000))
        }
        let video = try session.finish()
        XCTAssertEqual(video.framesSampled, 4)
        XCTAssertEqual(video.distinctFrames, 4)
        // The very frames that were listed: their PDQ hashes are on the list exactly.
        guard case .match(.exact(.pdqExact), _, _, _, _, _, _) = video.outcome else {
            return XCTFail("four listed frames are a video match: \(video.outcome)")
        }
        XCTAssertThrowsError(try session.finish(), "a session finishes once")

        let unrelated = guardian.startVideo()
        let picture = try fixture("known.rgba")
        for i in 0..<4 {
            try unrelated.addFrame(pixels: picture, width: 800, height: 600, stride: 800 * 4, format: .rgba8, timestampMs: UInt64(i * 1000))
        }
        let other = try unrelated.finish()
        XCTAssertEqual(other.framesSampled, 4)
        guard case .noMatch = other.outcome else { return XCTFail("an unrelated video matched") }
    }

    func testConfirmationRoundTripWithThePlatformInProcess() async throws {
        let key = try ImageGuard.newDeviceKey()
        let guardian = try await open(deviceKey: key, bundle: "bundle-confirm.bin", bundleIds: ["fixtures-confirm"])
        guard case .noMatch = try await guardian.scan(try fixture("unrelated.jpg")) else { return XCTFail("unrelated matched") }
        guard case let .needsConfirmation(pending) = try await guardian.scan(try fixture("known.jpg")) else {
            return XCTFail("a filter hit is a candidate first")
        }
        XCTAssertNil(pending.provisionalPrompt())
        let response = try platformAnswer(platformLists: try fixture("platform-lists.bin"), request: pending.requestBytes())
        var tampered = response
        tampered[tampered.count - 1] ^= 1
        await assertThrows("confirmation refused", { if case .ConfirmationRejected = $0 { true } else { false } }) {
            _ = try await guardian.confirm(pending, response: tampered)
        }
        guard case let .match(_, bundleId, _, _, action, _, report) = try await guardian.confirm(pending, response: response) else {
            return XCTFail("the platform's answer proves the entry")
        }
        XCTAssertEqual(bundleId, "fixtures-confirm")
        XCTAssertEqual(action, .promptAndReport)
        let record = try verifyReport(try XCTUnwrap(report), trustedPublicKeys: [key.publicKey()])
        XCTAssertEqual(record.bundleId, "fixtures-confirm")
        await assertThrows("already used", { if case .ConfirmationRejected(reason: .alreadyUsed, _) = $0 { true } else { false } }) {
            _ = try await guardian.confirm(pending, response: response)
        }
    }

    func testObjectsAreFreed() async throws {
        let before = liveObjectCount()
        let round = {
            for _ in 0..<10_000 { _ = try DeviceKey.generate() }
            for _ in 0..<100 { _ = try await open() }
        }
        // The facade's last reference can be dropped on its work queue just after the caller resumes:
        // wait (boundedly) for the queue to let go, then the count must be back where it was, or lower: an
        // object of the previous test may still have been on its way out when `before` was read. A leak
        // leaves thousands more.
        func settled() async -> UInt64 {
            for _ in 0..<200 where liveObjectCount() > before { try? await Task.sleep(nanoseconds: 10_000_000) }
            return liveObjectCount()
        }
        try await round()
        let afterFirst = await settled()
        XCTAssertLessThanOrEqual(afterFirst, before)
        let rss = rssKiB()
        try await round()
        let afterSecond = await settled()
        XCTAssertLessThanOrEqual(afterSecond, before)
        XCTAssertLessThan(rssKiB() - rss, 8 * 1024, "RSS grew over 10k keys and 100 scanners")
    }

    func testInducedPanicArrivesAsInternalError() async throws {
        await assertThrows("deliberate panic", { if case .Internal = $0 { true } else { false } }) {
            try debugInducePanic()
        }
        XCTAssertEqual(try DeviceKey.generate().publicKey().count, 32)
    }
}

/// `ScanOutcome` is not Equatable (a pending confirmation is an object): match the case.
func isNoMatch(_ outcome: ScanOutcome) -> Bool {
    if case .noMatch = outcome { return true }
    return false
}
