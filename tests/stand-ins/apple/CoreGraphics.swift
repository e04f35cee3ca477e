// Stand-in for CoreGraphics: what the package draws with (developer.apple.com/documentation/coregraphics).
// CGRect, CGSize and CGFloat come from Foundation here, as they do on Apple platforms (re-exported). The
// Core Foundation types are the NS classes they are toll-free bridged to, so `url as CFURL` typechecks.
@_exported import Foundation

public typealias CFString = NSString
public typealias CFURL = NSURL
public typealias CFData = NSData
public typealias CFDictionary = NSDictionary

public final class CGImage: @unchecked Sendable {
    public var width: Int { 0 }
    public var height: Int { 0 }
}

public final class CGColorSpace {
    public static let sRGB: CFString = "kCGColorSpaceSRGB"
    public init?(name: CFString) { nil }
}

public func CGColorSpaceCreateDeviceRGB() -> CGColorSpace { fatalError("stand-in") }

public enum CGImageAlphaInfo: UInt32 {
    case none = 0, premultipliedLast, premultipliedFirst, last, first, noneSkipLast, noneSkipFirst, alphaOnly
}

public enum CGInterpolationQuality: Int32 {
    case `default` = 0, none, low, medium, high
}

public final class CGContext {
    public init?(data: UnsafeMutableRawPointer?, width: Int, height: Int, bitsPerComponent: Int, bytesPerRow: Int,
                 space: CGColorSpace, bitmapInfo: UInt32) { nil }
    public var interpolationQuality: CGInterpolationQuality = .default
    public func draw(_ image: CGImage, in rect: CGRect, byTiling: Bool = false) {}
}
