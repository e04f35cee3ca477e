//! The core's errors are typed (issue 13): callers tell cases apart by variant and fields, follow
//! `source()` to the cause, and never read text. The FFI's reasons are mapped from these variants
//! (bindings/src/error.rs, with its own tests).

use imageguard::bundle::{sign_bundle, BundleError, TrustConfig};
use imageguard::decode::{DecodeError, DecodeLimits};
use imageguard::exact::HashKind;
use imageguard::hex::HexError;
use imageguard::lists::{parse_list, BundleSpec, ListError};
use imageguard::report::DeviceKey;
use imageguard::scanner::{ScanError, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use std::error::Error;

use imageguard_test_support::fixtures::{self, NOW};

fn bundle(provider: &SigningKey, id: &str, sequence: u64) -> Vec<u8> {
    let header =
        fixtures::header(id, "l", sequence);
    sign_bundle(&BundleSpec::new(header).build().unwrap(), provider).unwrap()
}

fn config(provider: &SigningKey, id: &str) -> ScannerConfig {
    ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec![id.into()], "en")
}

fn key() -> Option<DeviceKey> {
    Some(DeviceKey::generate().unwrap())
}

#[test]
fn a_missing_file_is_an_io_error_with_its_kind_and_source() {
    let error = imageguard::hashing::read_file("/nonexistent/image.jpg".as_ref(), &DecodeLimits::default()).unwrap_err();
    let DecodeError::Io(io) = &error else { panic!("expected Io, got {error:?}") };
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    let cause = error.source().and_then(Error::source).expect("the OS error is the source");
    assert!(cause.downcast_ref::<std::io::Error>().is_some(), "{cause:?}");
}

#[test]
fn bundle_refusals_are_told_apart_by_variant() {
    let provider = SigningKey::generate().unwrap();
    let v2 = Scanner::new_at(bundle(&provider, "acme", 2), config(&provider, "acme"), &[], &[], key(), NOW).unwrap();
    assert_eq!(
        v2.update_bundle_at(bundle(&provider, "acme", 1), NOW).unwrap_err(),
        ScanError::Bundle(BundleError::Rollback { got: 1, accepted: 2 })
    );
    let stranger = SigningKey::generate().unwrap();
    assert_eq!(
        v2.update_bundle_at(bundle(&stranger, "acme", 3), NOW).unwrap_err(),
        ScanError::Bundle(BundleError::NotEnoughSignatures { valid: 0, required: 1 })
    );
    assert!(matches!(
        v2.update_bundle_at(bundle(&provider, "acme-staging", 3), NOW).unwrap_err(),
        ScanError::Bundle(BundleError::WrongBundleId { .. })
    ));
    assert_eq!(v2.update_bundle_at(b"not a bundle".to_vec(), NOW).unwrap_err(), ScanError::Bundle(BundleError::BadMagic));
    // The typed cause is the source, for logging chains.
    let error = v2.update_bundle_at(bundle(&provider, "acme", 1), NOW).unwrap_err();
    assert!(error.source().and_then(|s| s.downcast_ref::<BundleError>()).is_some());
}

#[test]
fn a_bad_saved_decision_state_is_its_own_variant_with_the_cause() {
    let provider = SigningKey::generate().unwrap();
    let error = Scanner::new_at(bundle(&provider, "acme", 1), config(&provider, "acme"), &[], b"junk", key(), NOW).unwrap_err();
    assert!(matches!(error, ScanError::DecisionState(_)), "{error:?}");
    assert!(error.source().is_some());
}

#[test]
fn a_bad_list_line_names_the_line_and_the_hex_error() {
    let error = parse_list("# md5\n00112233445566778899aabbccddeeff\nnot hex\n", HashKind::Md5, None, false).unwrap_err();
    assert_eq!(error, ListError::BadLine { line: 3, source: HexError::WrongLength { expected: 32, found: 7 } });
    assert!(error.source().is_some());
}
