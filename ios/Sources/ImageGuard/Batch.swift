// Batch scanning as an AsyncSequence: progress per image, cancellation within one image.
//
// The work happens in the consumer's own task, one image per `next()`, so a cancelled task (or a `break`
// out of `for await`) scans nothing more than the image in progress: no detached producer keeps going.

import Foundation

/// One image of a batch: its `index` among `total` (progress is `index + 1` of `total`), the `input`, and
/// its outcome or the error that image failed with (a failing image does not stop the batch).
public struct BatchItem<Input: Sendable>: Sendable {
    public let input: Input
    public let index: Int
    public let total: Int
    public let result: Result<ScanOutcome, ImageGuardError>
}

/// The images of a batch, scanned one per iteration step (see `ImageGuard.scanBatch`).
public struct ScanBatch<Input: Sendable>: AsyncSequence, Sendable {
    public typealias Element = BatchItem<Input>
    let scanner: ImageGuard
    let inputs: [Input]
    let scanOne: @Sendable (ImageGuard, Input) async throws -> ScanOutcome

    public struct AsyncIterator: AsyncIteratorProtocol {
        let batch: ScanBatch
        var next = 0

        public mutating func next() async -> BatchItem<Input>? {
            guard next < batch.inputs.count, !Task.isCancelled else { return nil }
            let (index, input) = (next, batch.inputs[next])
            next += 1
            let result: Result<ScanOutcome, ImageGuardError>
            do { result = .success(try await batch.scanOne(batch.scanner, input)) } catch { result = .failure(.wrap(error)) }
            return BatchItem(input: input, index: index, total: batch.inputs.count, result: result)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(batch: self) }
}

extension ImageGuard {
    /// Scans `inputs` one after another with `scanOne` (any of the scanner's calls), as an AsyncSequence.
    public func scanBatch<Input: Sendable>(
        _ inputs: [Input], scanOne: @escaping @Sendable (ImageGuard, Input) async throws -> ScanOutcome
    ) -> ScanBatch<Input> {
        ScanBatch(scanner: self, inputs: inputs, scanOne: scanOne)
    }

    /// `scanBatch` over image files (read by the library; other formats through ImageIO on Apple platforms).
    public func scanFiles(_ urls: [URL]) -> ScanBatch<URL> {
        scanBatch(urls) { scanner, url in try await scanner.scanFile(at: url) }
    }
}
