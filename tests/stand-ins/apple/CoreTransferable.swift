// Stand-in for CoreTransferable (iOS 16+): the protocol PhotosPickerItem loads into; Data conforms.
@_exported import Foundation

public protocol Transferable {}
extension Data: Transferable {}
