// Stand-in for UIKit: the UIImage API the package reads (developer.apple.com/documentation/uikit/uiimage).
@_exported import Foundation
import CoreGraphics

open class UIImage: @unchecked Sendable {
    public init?(data: Data) { nil }
    open var cgImage: CGImage? { nil }
    open var size: CGSize { .zero }
    open var scale: CGFloat { 1 }
}
