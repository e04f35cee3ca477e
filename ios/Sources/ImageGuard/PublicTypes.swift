// The generated bindings' types an app uses, under the SDK module's name.
//
// The raw FFI module (ImageGuardFFI) is imported, not re-exported: it declares `Scanner` and `Logger`, which
// would make `Scanner` ambiguous with Foundation.Scanner and `Logger` with os.Logger in every app file that
// imports those modules with the SDK. Apps see the names below instead; the native scanner is reached only
// through `ImageGuard`, and the log callback protocol is `LogSink`.

import ImageGuardFFI

/// Implemented by the app to receive imageguard's log messages (from any thread); see `OSLogSink`.
public typealias LogSink = ImageGuardFFI.Logger
public typealias LogLevel = ImageGuardFFI.LogLevel

public typealias ScannerConfig = ImageGuardFFI.ScannerConfig
public typealias DecodeLimits = ImageGuardFFI.DecodeLimits
public typealias AppOverrides = ImageGuardFFI.AppOverrides
public typealias Action = ImageGuardFFI.Action
public typealias ImageGuardError = ImageGuardFFI.ImageGuardError
public typealias BundleRejectReason = ImageGuardFFI.BundleRejectReason
public typealias DecodeErrorKind = ImageGuardFFI.DecodeErrorKind
public typealias PlatformDecodeReason = ImageGuardFFI.PlatformDecodeReason
public typealias ReportRejectReason = ImageGuardFFI.ReportRejectReason
public typealias ConfirmationRejectReason = ImageGuardFFI.ConfirmationRejectReason
public typealias DeviceKey = ImageGuardFFI.DeviceKey

public typealias BundleInfo = ImageGuardFFI.BundleInfo
public typealias StaleReason = ImageGuardFFI.StaleReason

public typealias ScanOutcome = ImageGuardFFI.ScanOutcome
public typealias MatchKind = ImageGuardFFI.MatchKind
public typealias MatchStrength = ImageGuardFFI.MatchStrength
public typealias MatchedEntry = ImageGuardFFI.MatchedEntry
public typealias HashKind = ImageGuardFFI.HashKind
public typealias Variant = ImageGuardFFI.Variant
public typealias PixelFormat = ImageGuardFFI.PixelFormat
public typealias PendingConfirmation = ImageGuardFFI.PendingConfirmation
public typealias VideoSession = ImageGuardFFI.VideoSession
public typealias VideoOutcome = ImageGuardFFI.VideoOutcome

public typealias PromptContent = ImageGuardFFI.PromptContent
public typealias HelpLink = ImageGuardFFI.HelpLink
public typealias HelpKind = ImageGuardFFI.HelpKind
public typealias TextDirection = ImageGuardFFI.TextDirection

public typealias ReportRecord = ImageGuardFFI.ReportRecord
public typealias VideoEvidence = ImageGuardFFI.VideoEvidence
public typealias PdqRecord = ImageGuardFFI.PdqRecord

extension DecodeLimits {
    /// The defaults (100 MP, 64 MiB files, 160 MiB of decoder buffers).
    public static var defaults: DecodeLimits { defaultDecodeLimits() }
    /// For app extensions, with `ScannerConfig.maxConcurrentScans = 1` (peak memory: BENCHMARKS.md).
    public static var lowMemory: DecodeLimits { lowMemoryDecodeLimits() }
}
