// Stand-in for AVFoundation: what VideoFrames.swift uses (developer.apple.com/documentation/avfoundation).
// CMTime and CMTimeGetSeconds belong to CoreMedia, which AVFoundation re-exports on Apple platforms: they are
// declared here so that `import AVFoundation` alone brings them, as it does there.
@_exported import CoreGraphics

public typealias CMTimeValue = Int64
public typealias CMTimeScale = Int32

public struct CMTime: Sendable {
    public var value: CMTimeValue
    public var timescale: CMTimeScale
    public init(value: CMTimeValue, timescale: CMTimeScale) {
        self.value = value
        self.timescale = timescale
    }
    public static let zero = CMTime(value: 0, timescale: 1)
}

public func CMTimeGetSeconds(_ time: CMTime) -> Float64 { Float64(time.value) / Float64(time.timescale) }

/// `AVAsyncProperty<Root, Value>`: the keys of `load(_:)`.
public final class AVAsyncProperty<Root, Value>: @unchecked Sendable {
    init() {}
}

extension AVAsyncProperty where Root == AVAsset, Value == CMTime {
    public static var duration: AVAsyncProperty<AVAsset, CMTime> { AVAsyncProperty() }
}

open class AVAsset: @unchecked Sendable {
    public func load<T>(_ property: AVAsyncProperty<AVAsset, T>) async throws -> T { fatalError("stand-in") }
}

open class AVURLAsset: AVAsset, @unchecked Sendable {
    public init(url URL: URL, options: [String: Any]? = nil) {}
}

open class AVAssetImageGenerator: @unchecked Sendable {
    public init(asset: AVAsset) {}
    open var appliesPreferredTrackTransform: Bool = false
    open var requestedTimeToleranceBefore: CMTime = .zero
    open var requestedTimeToleranceAfter: CMTime = .zero
    /// iOS 16 / macOS 13.
    open func image(at time: CMTime) async throws -> (image: CGImage, actualTime: CMTime) { fatalError("stand-in") }
    /// Deprecated in iOS 16, still available.
    open func copyCGImage(at requestedTime: CMTime, actualTime: UnsafeMutablePointer<CMTime>?) throws -> CGImage {
        fatalError("stand-in")
    }
}
