//! The directory store (issue 16, item 4): the SDK keeps bundle, trust state and decision state itself,
//! and a crash between any two writes of an update leaves a directory that opens, never a "rollback".

use imageguard::bundle::{make_delta, sign_bundle, BundleHeader, TrustConfig, TrustState};
use imageguard::lists::BundleSpec;
use imageguard::scanner::{ScanError, ScannerConfig};
use imageguard::signing::SigningKey;
use imageguard::store::{DirectoryStore, StoreError, WriteStep, BUNDLE_FILE, PREVIOUS_BUNDLE_FILE, TRUST_FILE};
use std::fs;
use std::path::Path;

const NOW: u64 = 1_800_000_000;
const STEPS: [WriteStep; 4] = [WriteStep::BundleStaged, WriteStep::PreviousKept, WriteStep::BundleInstalled, WriteStep::TrustSaved];

fn bundle(provider: &SigningKey, sequence: u64) -> Vec<u8> {
    let header = BundleHeader {
        bundle_id: "store".into(),
        list_ids: vec!["l".into()],
        sequence,
        created: NOW - 60,
        expires: NOW + 86400,
        salt: [sequence as u8; 32],
    };
    sign_bundle(&BundleSpec::new(header).build().unwrap(), provider).unwrap()
}

fn config(provider: &SigningKey) -> ScannerConfig {
    let mut config =
        ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec!["store".into()], "en");
    config.trusted_time = Some(NOW);
    config
}

/// The default policy reports, so a scanner needs a device key (PKCS#8).
fn pkcs8() -> Vec<u8> {
    imageguard::report::DeviceKey::generate().unwrap().to_pkcs8().to_vec()
}

fn write(path: &Path, bytes: &[u8]) -> std::path::PathBuf {
    fs::write(path, bytes).unwrap();
    path.to_path_buf()
}

fn accepted(dir: &Path) -> u64 {
    TrustState::from_bytes(&fs::read(dir.join(TRUST_FILE)).unwrap()).unwrap().accepted("store").unwrap().0
}

#[test]
fn first_open_bootstraps_from_the_shipped_bundle_and_reopens_without_it() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (dir, shipped) = (tmp.path().join("state"), write(&tmp.path().join("shipped.bin"), &bundle(&provider, 3)));
    let store = DirectoryStore::open(&dir, config(&provider), Some(&shipped), Some(&pkcs8())).unwrap();
    assert_eq!(store.scanner().bundle_info().sequence, 3);
    assert_eq!(fs::read(dir.join(BUNDLE_FILE)).unwrap(), fs::read(&shipped).unwrap());
    assert_eq!(accepted(&dir), 3);
    drop(store);
    fs::remove_file(&shipped).unwrap();
    assert_eq!(DirectoryStore::open(&dir, config(&provider), None, Some(&pkcs8())).unwrap().scanner().bundle_info().sequence, 3);
}

#[test]
fn an_empty_store_without_a_shipped_bundle_says_so() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(DirectoryStore::open(tmp.path(), config(&provider), None, Some(&pkcs8())).unwrap_err(), StoreError::NoBundle);
}

#[test]
fn updates_from_a_file_and_deltas_are_saved_and_survive_reopening() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let (v1, v2, v3) = (bundle(&provider, 1), bundle(&provider, 2), bundle(&provider, 3));
    let store = DirectoryStore::open(&dir, config(&provider), Some(&write(&tmp.path().join("v1"), &v1)), Some(&pkcs8())).unwrap();
    assert_eq!(store.update_bundle_file(&write(&tmp.path().join("v2"), &v2)).unwrap().sequence, 2);
    assert_eq!(store.apply_delta(&make_delta(&v2, &v3).unwrap()).unwrap().sequence, 3);
    drop(store);
    assert_eq!(fs::read(dir.join(BUNDLE_FILE)).unwrap(), v3);
    assert_eq!(fs::read(dir.join(PREVIOUS_BUNDLE_FILE)).unwrap(), v2);
    assert_eq!(accepted(&dir), 3);
    let reopened = DirectoryStore::open(&dir, config(&provider), None, Some(&pkcs8())).unwrap();
    assert_eq!(reopened.scanner().bundle_info().sequence, 3);
    // An older shipped bundle (an app built before the update) is not used, and cannot roll back.
    drop(reopened);
    let old_shipped = write(&tmp.path().join("v1"), &v1);
    assert_eq!(DirectoryStore::open(&dir, config(&provider), Some(&old_shipped), Some(&pkcs8())).unwrap().scanner().bundle_info().sequence, 3);
}

#[test]
fn a_crash_after_any_write_of_an_update_leaves_a_store_that_opens_and_updates_again() {
    let provider = SigningKey::generate().unwrap();
    let (v1, v2) = (bundle(&provider, 1), bundle(&provider, 2));
    for step in STEPS {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state");
        let update = write(&tmp.path().join("v2"), &v2);
        let store = DirectoryStore::open(&dir, config(&provider), Some(&write(&tmp.path().join("v1"), &v1)), Some(&pkcs8())).unwrap();
        store.crash_after(step);
        assert!(matches!(store.update_bundle_file(&update), Err(StoreError::Io { .. })), "{step:?}");
        drop(store); // the process dies here

        let reopened = DirectoryStore::open(&dir, config(&provider), None, Some(&pkcs8()))
            .unwrap_or_else(|e| panic!("the store does not open after a crash after {step:?}: {e}"));
        let sequence = reopened.scanner().bundle_info().sequence;
        let expected = if step == WriteStep::BundleStaged || step == WriteStep::PreviousKept { 1 } else { 2 };
        assert_eq!(sequence, expected, "after a crash after {step:?}");
        assert!(!dir.join("bundle.bin.tmp").exists(), "the stray temporary is removed on open");
        assert!(accepted(&dir) <= sequence, "the trust state is never ahead of the active bundle ({step:?})");
        // The app retries the update (or has it already): it ends on v2 either way.
        match reopened.update_bundle_file(&update) {
            Ok(info) => assert_eq!(info.sequence, 2),
            Err(e) => assert_eq!(sequence, 2, "{step:?}: {e}"),
        }
        assert_eq!(reopened.scanner().bundle_info().sequence, 2);
    }
}

#[test]
fn a_torn_active_bundle_falls_back_to_the_previous_one() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let (v1, v2) = (bundle(&provider, 1), bundle(&provider, 2));
    let store = DirectoryStore::open(&dir, config(&provider), Some(&write(&tmp.path().join("v1"), &v1)), Some(&pkcs8())).unwrap();
    store.crash_after(WriteStep::BundleInstalled); // v2 in place, trust state still at v1
    let _ = store.update_bundle_file(&write(&tmp.path().join("v2"), &v2));
    drop(store);
    fs::write(dir.join(BUNDLE_FILE), &v2[..v2.len() / 2]).unwrap(); // the storage lost half of it
    let reopened = DirectoryStore::open(&dir, config(&provider), None, Some(&pkcs8())).unwrap();
    assert_eq!(reopened.scanner().bundle_info().sequence, 1, "the last good bundle");
    assert_eq!(fs::read(dir.join(BUNDLE_FILE)).unwrap(), v1, "saved as the active bundle");
}

#[test]
fn anti_rollback_applies_to_every_fallback() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let (v1, v2) = (bundle(&provider, 1), bundle(&provider, 2));
    let shipped = write(&tmp.path().join("v1"), &v1);
    let store = DirectoryStore::open(&dir, config(&provider), Some(&shipped), Some(&pkcs8())).unwrap();
    store.update_bundle_file(&write(&tmp.path().join("v2"), &v2)).unwrap();
    drop(store);
    fs::write(dir.join(BUNDLE_FILE), b"garbage").unwrap();
    // bundle.previous (v1) and the shipped v1 are older than the accepted v2: refused, not installed.
    let error = DirectoryStore::open(&dir, config(&provider), Some(&shipped), Some(&pkcs8())).unwrap_err();
    assert!(matches!(error, StoreError::Scan(ScanError::Bundle(_))), "{error:?}");
    assert_eq!(accepted(&dir), 2);
}

#[test]
fn decision_state_is_saved_and_unreadable_state_is_an_error_not_a_reset() {
    let provider = SigningKey::generate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("state");
    let shipped = write(&tmp.path().join("v1"), &bundle(&provider, 1));
    let store = DirectoryStore::open(&dir, config(&provider), Some(&shipped), Some(&pkcs8())).unwrap();
    store.save_decision_state().unwrap();
    assert_eq!(fs::read(dir.join(imageguard::store::DECISIONS_FILE)).unwrap(), store.scanner().decision_state());
    drop(store);
    fs::write(dir.join(TRUST_FILE), b"not a trust state").unwrap();
    let error = DirectoryStore::open(&dir, config(&provider), Some(&shipped), Some(&pkcs8())).unwrap_err();
    assert!(matches!(error, StoreError::Scan(ScanError::Bundle(imageguard::bundle::BundleError::BadState(_)))), "{error:?}");
    assert_eq!(fs::read(dir.join(TRUST_FILE)).unwrap(), b"not a trust state", "never silently reset");
}
