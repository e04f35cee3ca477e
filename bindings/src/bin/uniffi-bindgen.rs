//! Generates the Kotlin/Swift/Python bindings from a built library (library mode).
fn main() {
    uniffi::uniffi_bindgen_main()
}
