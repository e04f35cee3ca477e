// Stand-in for PhotosUI's PhotosPickerItem (iOS 16+; developer.apple.com/documentation/photokit/photospickeritem).
@_exported import Foundation
import CoreTransferable

public struct PhotosPickerItem: Sendable {
    public var itemIdentifier: String? { nil }
    public func loadTransferable<T: Transferable>(type: T.Type) async throws -> T? { nil }
}
