// The app's own names that the Swift examples in docs/ios.md use, declared so that
// scripts/check-platform-code can typecheck those examples (scripts/doc-snippets wraps each one in a function).
import Foundation
import ImageGuardKit

let providerPublicKey = Data(count: 32)

/// Where the app keeps its device key (the Keychain in a real app).
struct KeyStore: Sendable { var pkcs8: Data? }
let store = KeyStore(pkcs8: nil)

let url = URL(fileURLWithPath: "/photo.jpg")
let delta = Data()
nonisolated(unsafe) var guardian: ImageGuard! = nil
nonisolated(unsafe) var reportQueue: [Data] = []
nonisolated(unsafe) var needsFullBundle = false

/// The app's client of the platform's confirmation endpoint.
struct PlatformAPI: Sendable {
    func confirm(_ request: Data) async throws -> Data { request }
}
let platformAPI = PlatformAPI()

struct AppLogger: Sendable {
    func warning(_ message: String) {}
}
let logger = AppLogger()

func send(_ url: URL) {}
func showPrompt(_ prompt: PromptContent) {}
