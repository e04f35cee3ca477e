// The app's values that the Rust examples of README.md use, one `let` a line: scripts/doc-snippets starts
// every example's function with these lines (the examples' own `let`s shadow them).
let bundle_bytes: Vec<u8> = unimplemented!();
let config: imageguard::scanner::ScannerConfig = unimplemented!();
let saved_trust_state: Vec<u8> = Vec::new();
let saved_decisions: Vec<u8> = Vec::new();
let device_key: imageguard::report::DeviceKey = unimplemented!();
let image_bytes: Vec<u8> = Vec::new();
let platform_answer: Vec<u8> = Vec::new();
let scanner: imageguard::scanner::Scanner = unimplemented!();
let decoded_frames: Vec<(imageguard::decode::PixelBuffer<'static>, u64)> = Vec::new();
