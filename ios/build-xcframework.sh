#!/usr/bin/env bash
# Builds ios/build/imageguard_ffiFFI.xcframework and ios/Sources/ImageGuardFFI/ImageGuardFFI.swift.
# Runs on macOS with Xcode and rustup. Usage: ios/build-xcframework.sh [cargo profile, default release-ffi]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release-ffi}
out=ios/build
export IPHONEOS_DEPLOYMENT_TARGET=15.0 MACOSX_DEPLOYMENT_TARGET=12.0

device=aarch64-apple-ios
simulators=(aarch64-apple-ios-sim x86_64-apple-ios)
macs=(aarch64-apple-darwin x86_64-apple-darwin)
rustup target add "$device" "${simulators[@]}" "${macs[@]}"
for target in "$device" "${simulators[@]}" "${macs[@]}"; do
  cargo build -p imageguard-ffi --lib --profile "$profile" --target "$target"
done
lib() { echo "target/$1/$profile/libimageguard_ffi.a"; }

rm -rf "$out"
mkdir -p "$out/headers" "$out/gen" "$out/sim" "$out/mac"
# Library mode reads the uniffi metadata from the static library (identical for every slice).
cargo run -q -p imageguard-ffi --features cli --bin uniffi-bindgen -- \
  generate --library "$(lib "$device")" -l swift --no-format --out-dir "$out/gen"
cp "$out/gen/imageguard_ffiFFI.h" "$out/headers/"
cat >"$out/headers/module.modulemap" <<'MAP'
module imageguard_ffiFFI {
    header "imageguard_ffiFFI.h"
    export *
}
MAP
cp "$out/gen/ImageGuardFFI.swift" ios/Sources/ImageGuardFFI/

# One fat library per platform variant: the simulator and macOS slices are merged with lipo.
lipo -create "$(lib "${simulators[0]}")" "$(lib "${simulators[1]}")" -output "$out/sim/libimageguard_ffi.a"
lipo -create "$(lib "${macs[0]}")" "$(lib "${macs[1]}")" -output "$out/mac/libimageguard_ffi.a"
xcodebuild -create-xcframework \
  -library "$(lib "$device")" -headers "$out/headers" \
  -library "$out/sim/libimageguard_ffi.a" -headers "$out/headers" \
  -library "$out/mac/libimageguard_ffi.a" -headers "$out/headers" \
  -output "$out/imageguard_ffiFFI.xcframework"
echo "built $out/imageguard_ffiFFI.xcframework; now: swift build (in ios/) or add the package to Xcode"
