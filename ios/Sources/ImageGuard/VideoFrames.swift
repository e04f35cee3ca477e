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
            if let image = try? await Self.frame(generator, at: time), let pixels = Self.rgbaPixels(image) {
                try session.addFrame(
                    pixels: pixels.data, width: UInt32(image.width), height: UInt32(image.height),
                    stride: UInt32(pixels.bytesPerRow), format: .rgba8, timestampMs: UInt64(second) * 1000
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

    /// The image drawn into an RGBA8 buffer at its own size.
    private static func rgbaPixels(_ image: CGImage) -> (data: Data, bytesPerRow: Int)? {
        let (width, height) = (image.width, image.height)
        guard width > 0, height > 0 else { return nil }
        let bytesPerRow = width * 4
        var data = Data(count: bytesPerRow * height)
        let drawn = data.withUnsafeMutableBytes { raw -> Bool in
            guard let context = CGContext(
                data: raw.baseAddress, width: width, height: height, bitsPerComponent: 8, bytesPerRow: bytesPerRow,
                space: CGColorSpace(name: CGColorSpace.sRGB) ?? CGColorSpaceCreateDeviceRGB(),
                bitmapInfo: CGImageAlphaInfo.noneSkipLast.rawValue
            ) else { return false }
            context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
            return true
        }
        return drawn ? (data, bytesPerRow) : nil
    }
}
#endif
