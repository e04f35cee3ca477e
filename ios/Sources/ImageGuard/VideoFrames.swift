// Apple-only video helper: frames at one per second from an AVAsset, fed to a video session. Compiled
// out on Linux, where the session itself is tested through the bindings.

import Foundation

#if canImport(AVFoundation) && canImport(CoreGraphics)
import AVFoundation
import CoreGraphics

extension ImageGuard {
    /// Scans the video at `url` (see `scanVideo(asset:progress:)`).
    public func scanVideo(at url: URL, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> VideoOutcome {
        try await scanVideo(asset: AVURLAsset(url: url), progress: progress)
    }

    /// Scans a video: one frame per second from AVAssetImageGenerator at the video's own size and
    /// orientation as stored (vPDQ hashes frames unresized and unrotated), fed to a video session; one
    /// outcome for the whole video. Cancelling the task stops between frames and throws
    /// `CancellationError`; nothing is kept about the frames seen. `progress` gets (frames done, frames
    /// expected) after each second. A frame the generator cannot produce is skipped.
    public func scanVideo(asset: AVAsset, progress: (@Sendable (Int, Int) -> Void)? = nil) async throws -> VideoOutcome {
        let duration = try await asset.load(.duration)
        let seconds = CMTimeGetSeconds(duration)
        let total = seconds.isFinite && seconds > 0 ? Int(seconds.rounded(.down)) + 1 : 1
        let generator = AVAssetImageGenerator(asset: asset)
        generator.appliesPreferredTrackTransform = false
        generator.requestedTimeToleranceBefore = .zero
        generator.requestedTimeToleranceAfter = .zero
        let session = startVideo()
        for second in 0..<total {
            try Task.checkCancellation()
            let time = CMTime(value: CMTimeValue(second), timescale: 1)
            if let image = try? await Self.frame(generator, at: time), image.width > 0, image.height > 0,
                let drawn = try? Self.rgbaPixels(of: image, maxSide: nil)
            {
                try session.addFrame(
                    pixels: drawn.pixels, width: UInt32(drawn.width), height: UInt32(drawn.height),
                    stride: UInt32(drawn.bytesPerRow), format: .rgba8, timestampMs: UInt64(second) * 1000
                )
            }
            progress?(second + 1, total)
        }
        try Task.checkCancellation()
        return try session.finish()
    }

    private static func frame(_ generator: AVAssetImageGenerator, at time: CMTime) async throws -> CGImage {
        if #available(iOS 16, macOS 13, *) {
            return try await generator.image(at: time).image
        }
        return try generator.copyCGImage(at: time, actualTime: nil)
    }
}
#endif
