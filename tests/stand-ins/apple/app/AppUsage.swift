// An app's file importing Foundation, os, UIKit and the SDK together, using each module's common names
// unqualified: `Logger` (os), `Scanner` (Foundation) and the SDK's own API must all resolve without
// ambiguity, and module-qualified SDK names (`ImageGuardKit.LogLevel`) must work. Typechecked by
// scripts/check-platform-code against the stand-ins; never built into anything.
import Foundation
import os
import UIKit
import Photos
import ImageGuardKit

enum LogLevel { case verbose } // an app's own type with an SDK type's name: qualified access must work

func appCode(config: ScannerConfig, bundle: Data, image: UIImage, url: URL, asset: PHAsset) async throws {
    let appLog = Logger(subsystem: "com.example.app", category: "upload")
    appLog.info("scanning \(url.lastPathComponent, privacy: .public)")
    let numbers = Scanner(string: "42")
    _ = numbers.scanInt()
    let level: ImageGuardKit.LogLevel = .info
    try ImageGuard.setLogger(OSLogSink(), level: level)
    let guardian = try await ImageGuard(bundle: bundle, config: config)
    switch try await guardian.scan(uiImage: image) {
    case .noMatch: break
    case .match: appLog.warning("matched")
    case .needsConfirmation: break
    }
    _ = try await guardian.scanImageFile(at: url)
    _ = try await guardian.scan(asset: asset)

    var extensionConfig = config
    extensionConfig.decodeLimits = .lowMemory
    extensionConfig.maxConcurrentScans = 1
    let stored = try await ImageGuard.open(directory: url, config: extensionConfig, bootstrapBundle: url)
    for await item in stored.scanFiles([url, url]) where item.index + 1 == item.total {
        _ = item.result
    }
    _ = LogLevel.verbose
}
