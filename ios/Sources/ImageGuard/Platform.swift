// Apple-only helpers: CGImage/UIImage pixels, ImageIO thumbnail decoding for formats the core does not
// decode (HEIC/HEIF, AVIF, RAW), and a log sink for os.Logger. Compiled out on Linux, where the rest is tested.

import Foundation

#if canImport(CoreGraphics)
import CoreGraphics

extension ImageGuard {
    /// Scans a CGImage's pixels (perceptual matching only). The image is drawn into an RGBA8 buffer at
    /// most 1024 pixels on its long side: PDQ works at 512x512, so a larger copy would only cost memory.
    public func scan(cgImage image: CGImage) async throws(ImageGuardError) -> ScanOutcome {
        // The draw is decode work too (a lazily decoded CGImage decodes here): on the SDK's queue.
        let drawn = try await offload { try Self.rgbaPixels(of: image) }
        return try await scanPixels(drawn.pixels, width: drawn.width, height: drawn.height, bytesPerRow: drawn.bytesPerRow, format: .rgba8)
    }

    struct DrawnPixels: Sendable {
        let pixels: Data
        let width: Int, height: Int, bytesPerRow: Int
    }

    /// The image drawn into an RGBA8 buffer, reduced to at most `maxSide` pixels on its long side (PDQ needs
    /// 512), or at its own size when `maxSide` is nil (video frames: vPDQ hashes them unresized).
    static func rgbaPixels(of image: CGImage, maxSide: Int? = 1024) throws(ImageGuardError) -> DrawnPixels {
        let scale = maxSide.map { min(1.0, Double($0) / Double(max(image.width, image.height))) } ?? 1.0
        let width = max(1, Int((Double(image.width) * scale).rounded()))
        let height = max(1, Int((Double(image.height) * scale).rounded()))
        let bytesPerRow = width * 4
        var pixels = Data(count: bytesPerRow * height)
        let drawn = pixels.withUnsafeMutableBytes { raw -> Bool in
            guard let context = CGContext(
                data: raw.baseAddress, width: width, height: height, bitsPerComponent: 8, bytesPerRow: bytesPerRow,
                space: CGColorSpace(name: CGColorSpace.sRGB) ?? CGColorSpaceCreateDeviceRGB(),
                bitmapInfo: CGImageAlphaInfo.noneSkipLast.rawValue
            ) else { return false }
            context.interpolationQuality = .medium
            context.draw(image, in: CGRect(x: 0, y: 0, width: width, height: height))
            return true
        }
        guard drawn else { throw .InvalidArgument(detail: "invalid argument: could not draw the CGImage") }
        return DrawnPixels(pixels: pixels, width: width, height: height, bytesPerRow: bytesPerRow)
    }
}
#endif

#if canImport(ImageIO) && canImport(CoreGraphics)
import ImageIO

extension ImageGuard {
    /// Scans an image file of any format iOS decodes. Its bytes go to the core first (exact matching, then
    /// perceptual matching with reference-exact decoding); files the core does not decode (HEIC, AVIF, RAW,
    /// arithmetic-coded JPEG: `.NeedsPlatformDecode`) are decoded by ImageIO as a thumbnail whose short
    /// side is at least 512 pixels, then scanned perceptually. If ImageIO cannot decode it either, the
    /// original error is thrown: fail closed (see docs/ios.md).
    public func scanImageFile(at url: URL) async throws(ImageGuardError) -> ScanOutcome {
        do {
            return try await scanFile(at: url)
        } catch .NeedsPlatformDecode(let reason, let detail) {
            let decoded = try await offload { CGImageSourceCreateWithURL(url as CFURL, nil).flatMap { Self.thumbnail(source: $0) } }
            guard let thumbnail = decoded else { throw .NeedsPlatformDecode(reason: reason, detail: detail) }
            return try await scan(cgImage: thumbnail)
        }
    }

    /// Like `scanImageFile(at:)`, for bytes already in memory (a download, a message attachment).
    public func scanImageData(_ data: Data) async throws(ImageGuardError) -> ScanOutcome {
        do {
            return try await scan(data)
        } catch .NeedsPlatformDecode(let reason, let detail) {
            let decoded = try await offload { CGImageSourceCreateWithData(data as CFData, nil).flatMap { Self.thumbnail(source: $0) } }
            guard let thumbnail = decoded else { throw .NeedsPlatformDecode(reason: reason, detail: detail) }
            return try await scan(cgImage: thumbnail)
        }
    }

    /// ImageIO's decode (run on the SDK's queue by the callers) at the smallest size whose short side is still >= 512 (EXIF orientation is not
    /// applied: the reference hashes stored pixels, and PDQ's rotations cover turned copies).
    static func thumbnail(source: CGImageSource) -> CGImage? {
        guard let properties = CGImageSourceCopyPropertiesAtIndex(source, 0, nil) as? [CFString: Any],
              let width = properties[kCGImagePropertyPixelWidth] as? Int,
              let height = properties[kCGImagePropertyPixelHeight] as? Int,
              width > 0, height > 0
        else { return nil }
        let short = min(width, height), long = max(width, height)
        let maxSide = short <= 512 ? long : Int((Double(long) * 512.0 / Double(short)).rounded(.up))
        let options: [CFString: Any] = [
            kCGImageSourceCreateThumbnailFromImageAlways: true,
            kCGImageSourceCreateThumbnailWithTransform: false,
            kCGImageSourceShouldCacheImmediately: true,
            kCGImageSourceThumbnailMaxPixelSize: maxSide,
        ]
        return CGImageSourceCreateThumbnailAtIndex(source, 0, options as CFDictionary)
    }
}
#endif

#if canImport(UIKit)
import UIKit

extension ImageGuard {
    /// Scans a UIImage's pixels (perceptual matching only).
    public func scan(uiImage image: UIImage) async throws(ImageGuardError) -> ScanOutcome {
        guard let cgImage = image.cgImage else {
            throw .InvalidArgument(detail: "invalid argument: the UIImage has no CGImage (CIImage-backed?)")
        }
        return try await scan(cgImage: cgImage)
    }
}
#endif

#if canImport(os)
import os

/// Forwards imageguard's log messages to the unified logging system. Messages are logged `.private`: the
/// system redacts them in collected logs unless the device is set up for debugging, so nothing about the
/// user's images (not even that a bundle matched) reaches a sysdiagnose in clear. Named `OSLogSink`, and
/// conforming to `LogSink`, so that no SDK name collides with `os.Logger` here or in an app importing both.
public final class OSLogSink: LogSink, @unchecked Sendable {
    private let logger: os.Logger

    public init(subsystem: String = "org.imageguard", category: String = "ImageGuard") {
        logger = os.Logger(subsystem: subsystem, category: category)
    }

    public func log(level: LogLevel, message: String) {
        switch level {
        case .error: logger.error("\(message, privacy: .private)")
        case .warn: logger.warning("\(message, privacy: .private)")
        case .info: logger.info("\(message, privacy: .private)")
        case .debug, .trace: logger.debug("\(message, privacy: .private)")
        }
    }
}
#endif
