// swift-tools-version:6.0
// Test package assembled by scripts/test-bindings inside the Swift chroot: the generated bindings
// (ImageGuardFFI + the C header module), the iOS package's Swift layer (ImageGuardKit) and XCTests, linked
// against the host-built static library in lib/. Swift 6 language mode: strict concurrency checking.
import PackageDescription

let package = Package(
    name: "ImageGuardBindingTests",
    targets: [
        .systemLibrary(name: "imageguard_ffiFFI", path: "Sources/imageguard_ffiFFI"),
        .target(
            name: "ImageGuardFFI",
            dependencies: ["imageguard_ffiFFI"],
            path: "Sources/ImageGuardFFI",
            linkerSettings: [.unsafeFlags(["-L/work/imageguard/lib"]), .linkedLibrary("m")]
        ),
        .target(name: "ImageGuardKit", dependencies: ["ImageGuardFFI"], path: "Sources/ImageGuard"),
        .testTarget(name: "ImageGuardTests", dependencies: ["ImageGuardKit"], path: "Tests/ImageGuardTests"),
    ]
)
