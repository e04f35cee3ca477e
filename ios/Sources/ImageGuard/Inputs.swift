// Inputs apps get from the photo library and the system pickers, scanned from their original bytes.
//
// A PHAsset's or a PhotosPickerItem's original file (HEIC, JPEG, PNG...) is loaded as Data and goes through
// `scanImageData`: exact hashes of the original bytes first, then perceptual matching (ImageIO decodes
// what the core does not). Never the displayed, re-encoded rendition: its bytes would hash differently.

import Foundation

#if canImport(Photos) && canImport(ImageIO) && canImport(CoreGraphics)
import Photos

extension ImageGuard {
    /// Scans a photo library asset's original image (downloaded from iCloud if needed; needs photo
    /// library read access).
    public func scan(asset: PHAsset) async throws(ImageGuardError) -> ScanOutcome {
        let data: Data = try await withCheckedContinuation { (continuation: CheckedContinuation<Result<Data, ImageGuardError>, Never>) in
            let options = PHImageRequestOptions()
            options.version = .original
            options.deliveryMode = .highQualityFormat // one callback, with the full data
            options.isNetworkAccessAllowed = true
            PHImageManager.default().requestImageDataAndOrientation(for: asset, options: options) { data, _, _, _ in
                continuation.resume(returning: data.map { .success($0) }
                    ?? .failure(.InvalidArgument(detail: "invalid argument: the asset's image data could not be loaded")))
            }
        }.get()
        return try await scanImageData(data)
    }
}
#endif

#if canImport(PhotosUI) && canImport(CoreTransferable) && canImport(ImageIO) && canImport(CoreGraphics)
import CoreTransferable
import PhotosUI

@available(iOS 16.0, macOS 13.0, *)
extension ImageGuard {
    /// Scans the image a PhotosPicker returned, from its original data.
    public func scan(pickerItem item: PhotosPickerItem) async throws(ImageGuardError) -> ScanOutcome {
        let loaded: Data?
        do {
            loaded = try await item.loadTransferable(type: Data.self)
        } catch {
            throw .InvalidArgument(detail: "invalid argument: the picked item could not be loaded: \(error)")
        }
        guard let data = loaded else { throw .InvalidArgument(detail: "invalid argument: the picked item has no image data") }
        return try await scanImageData(data)
    }
}
#endif
