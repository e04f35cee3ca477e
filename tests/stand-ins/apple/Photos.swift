// Stand-in for Photos: reading an asset's original image data
// (developer.apple.com/documentation/photokit/phimagemanager/requestimagedataandorientation(for:options:resulthandler:)).
@_exported import Foundation
import ImageIO

open class PHObject: @unchecked Sendable {
    open var localIdentifier: String { "" }
}

open class PHAsset: PHObject, @unchecked Sendable {}

public typealias PHImageRequestID = Int32

public enum PHImageRequestOptionsVersion: Int, Sendable {
    case current = 0, unadjusted, original
}

public enum PHImageRequestOptionsDeliveryMode: Int, Sendable {
    case opportunistic = 0, highQualityFormat, fastFormat
}

open class PHImageRequestOptions: @unchecked Sendable {
    public init() {}
    open var version: PHImageRequestOptionsVersion = .current
    open var deliveryMode: PHImageRequestOptionsDeliveryMode = .opportunistic
    open var isNetworkAccessAllowed: Bool = false
    open var isSynchronous: Bool = false
}

public let PHImageErrorKey = "PHImageErrorKey"
public let PHImageCancelledKey = "PHImageCancelledKey"

open class PHImageManager: @unchecked Sendable {
    open class func `default`() -> PHImageManager { PHImageManager() }
    @discardableResult
    open func requestImageDataAndOrientation(
        for asset: PHAsset, options: PHImageRequestOptions?,
        resultHandler: @escaping (Data?, String?, CGImagePropertyOrientation, [AnyHashable: Any]?) -> Void
    ) -> PHImageRequestID { 0 }
    open func cancelImageRequest(_ requestID: PHImageRequestID) {}
}
