// Readable errors: `localizedDescription`, `description` and string interpolation give the sentence
// (e.g. "bundle refused: bundle sequence 5 is not newer than the accepted 6 (rollback refused)"), not the
// enum case. The sentence is the Rust `Display` text, exported by uniffi as `description`.
//
// Apps decide by the case and its `reason`, never by the text:
//
//     do { try await guard.updateBundle(data) }
//     catch .BundleRejected(reason: .Rollback, _) { /* already newer: ignore */ }
//     catch .NeedsPlatformDecode(let reason, _) { /* decode with ImageIO, scan the pixels */ }

import Foundation

extension ImageGuardError: LocalizedError, CustomStringConvertible {
    public var errorDescription: String? { description }
}
