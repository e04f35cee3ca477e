// SDK-owned state, batch scanning and resource control (issue 16, items 4 and 5), on the real library.
import Foundation
import XCTest
// The test hooks, from the raw module (test builds only); scoped imports, so that the SDK's own names
// (ScannerConfig, ...) are not also visible from ImageGuardFFI.
import enum ImageGuardFFI.SaveStep
import func ImageGuardFFI.debugCrashNextSave
import func ImageGuardFFI.debugPeakConcurrentScans
@testable import ImageGuardKit

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

final class SdkTests: XCTestCase {
    /// A fresh key per use: an instance property would keep native objects alive while other suites count them.
    var key: DeviceKey { try! ImageGuard.newDeviceKey() }

    func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("imageguard-\(UUID().uuidString)")
    }

    func openStore(_ dir: URL, bootstrap: String? = nil) async throws -> ImageGuard {
        try await ImageGuard.open(
            directory: dir, config: try config(), bootstrapBundle: bootstrap.map { fixtures.appendingPathComponent($0) }, deviceKey: key)
    }

    func testOpenBootstrapsUpdatesFromFilesAndReopens() async throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try await openStore(dir, bootstrap: "bundle-v1.bin")
        XCTAssertEqual(first.bundleInfo.sequence, 1)
        let info = try await first.updateBundle(fileAt: fixtures.appendingPathComponent("bundle-v2.bin"))
        XCTAssertEqual(info.sequence, 2)
        try await first.saveState()
        let reopened = try await openStore(dir)
        XCTAssertEqual(reopened.bundleInfo.sequence, 2, "reopened from the directory alone")
    }

    func testACrashBetweenAnyTwoWritesReopensAndUpdatesAgain() async throws {
        for step in [SaveStep.bundleStaged, .previousKept, .bundleInstalled, .trustSaved] {
            let dir = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let guardian = try await openStore(dir, bootstrap: "bundle-v1.bin")
            debugCrashNextSave(scanner: guardian.scanner, step: step)
            do {
                _ = try await guardian.updateBundle(fileAt: fixtures.appendingPathComponent("bundle-v2.bin"))
                XCTFail("\(step): the simulated crash must fail the update")
            } catch .InvalidState {
            } catch {
                XCTFail("\(step): \(error)")
            }
            let reopened = try await openStore(dir)
            let expected: UInt64 = (step == .bundleStaged || step == .previousKept) ? 1 : 2
            XCTAssertEqual(reopened.bundleInfo.sequence, expected, "\(step)")
            _ = try? await reopened.updateBundle(fileAt: fixtures.appendingPathComponent("bundle-v2.bin"))
            XCTAssertEqual(reopened.bundleInfo.sequence, 2, "\(step)")
        }
    }

    func testBatchReportsProgressAndCancellationStopsWithinOneImage() async throws {
        let guardian = try await open()
        let images = [try fixture("known.jpg"), try fixture("unrelated.jpg"), try fixture("known.jpg").prefix(50)]
        var indices: [Int] = []
        for await item in guardian.scanBatch(images.map { Data($0) }, scanOne: { try await $0.scan($1) }) {
            indices.append(item.index)
            XCTAssertEqual(item.total, 3)
            switch (item.index, item.result) {
            case (0, .success(.match)), (1, .success(.noMatch)), (2, .failure(.Decode)): break
            default: XCTFail("unexpected item \(item.index): \(item.result)")
            }
        }
        XCTAssertEqual(indices, [0, 1, 2])

        // A task cancelled while an image is scanned scans nothing more.
        let started = Counter()
        let many = Array(repeating: try fixture("unrelated.jpg"), count: 30)
        let batch = guardian.scanBatch(many) { scanner, bytes in
            started.increment()
            return try await scanner.scan(bytes)
        }
        let consumer = Task {
            var seen = 0
            for await _ in batch {
                seen += 1
                if seen == 2 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return seen
        }
        let seen = await consumer.value
        XCTAssertEqual(seen, 2)
        XCTAssertEqual(started.value, 2, "no scan starts after the cancellation")
    }

    func testMaxConcurrentScansBoundsScansInFlight() async throws {
        let image = try fixture("unrelated.jpg")
        for (bound, overlap) in [(UInt32(1), false), (0, true)] {
            var bounded = try config()
            bounded.maxConcurrentScans = bound
            let guardian = try await ImageGuard(bundle: try fixture("bundle-v1.bin"), config: bounded, deviceKey: key)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<6 {
                    group.addTask { for _ in 0..<4 { _ = try await guardian.scan(image) } }
                }
                try await group.waitForAll()
            }
            let peak = debugPeakConcurrentScans(scanner: guardian.scanner)
            if overlap {
                XCTAssertGreaterThan(peak, 1, "unbounded: scans overlap")
            } else {
                XCTAssertTrue((1...UInt64(bound)).contains(peak), "peak \(peak) over \(bound)")
            }
        }
    }

    func testLowMemoryPresetScansAPhoto() async throws {
        var lowMemory = try config()
        lowMemory.decodeLimits = .lowMemory
        lowMemory.maxConcurrentScans = 1
        let guardian = try await ImageGuard(bundle: try fixture("bundle-v1.bin"), config: lowMemory, deviceKey: key)
        guard case .match = try await guardian.scan(try fixture("known.jpg")) else { return XCTFail("expected a match") }
    }
}
