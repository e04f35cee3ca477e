//! Bundle updates under concurrency: whatever order racing updates arrive in, the scanner ends on the
//! newest bundle it accepted and the trust state never goes back (issue 15, item 1).

use imageguard::bundle::{make_delta, sign_bundle, TrustConfig, TrustState};
use imageguard::lists::BundleSpec;
use imageguard::report::DeviceKey;
use imageguard::scanner::{BundleInfo, ScanError, Scanner, ScannerConfig};
use imageguard::signing::SigningKey;
use std::sync::{Barrier, Mutex};

use imageguard_test_support::fixtures::{self, NOW};
use imageguard_test_support::with;
const RACES: usize = 200;

fn bundle(provider: &SigningKey, sequence: u64) -> Vec<u8> {
    let header = with(fixtures::header("race", "l", sequence), |h| h.salt = [sequence as u8; 32]);
    sign_bundle(&BundleSpec::new(header).build().unwrap(), provider).unwrap()
}

fn config(provider: &SigningKey) -> ScannerConfig {
    ScannerConfig::new(TrustConfig::new(vec![provider.verifying_key()], 1).unwrap(), vec!["race".into()], "en")
}

/// Runs `a` and `b` at the same moment on two threads.
fn race(a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    let barrier = Barrier::new(2);
    std::thread::scope(|s| {
        s.spawn(|| {
            barrier.wait();
            a();
        });
        s.spawn(|| {
            barrier.wait();
            b();
        });
    });
}

fn accepted_sequence(scanner: &Scanner) -> u64 {
    TrustState::from_bytes(&scanner.trust_state()).unwrap().accepted("race").unwrap().0
}

#[test]
fn racing_full_updates_never_end_on_the_older_bundle() {
    let provider = SigningKey::generate().unwrap();
    let (v1, v5, v6) = (bundle(&provider, 1), bundle(&provider, 5), bundle(&provider, 6));
    let mut lost = 0;
    for i in 0..RACES {
        let scanner = Scanner::new_at(v1.clone(), config(&provider), &[], &[], Some(DeviceKey::generate().unwrap()), NOW).unwrap();
        let (first, second) = if i % 2 == 0 { (&v5, &v6) } else { (&v6, &v5) };
        race(
            || drop(scanner.update_bundle_at(first.clone(), NOW)),
            || drop(scanner.update_bundle_at(second.clone(), NOW)),
        );
        if scanner.bundle_info().sequence != 6 || accepted_sequence(&scanner) != 6 {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "v5 ended active (or accepted) after v6 in {lost} of {RACES} races");
}

/// A delta only applies to the bundle it was made against, so a delta that loses the race to another
/// update fails (wrong base); what must never happen is an older bundle ending active, or accepted,
/// after a newer one was installed.
#[test]
fn a_delta_racing_a_newer_full_update_never_rolls_back() {
    let provider = SigningKey::generate().unwrap();
    let (v1, v5, v6) = (bundle(&provider, 1), bundle(&provider, 5), bundle(&provider, 6));
    let delta_1_to_5 = make_delta(&v1, &v5).unwrap();
    let delta_1_to_6 = make_delta(&v1, &v6).unwrap();
    let mut lost = 0;
    for i in 0..RACES {
        let scanner = Scanner::new_at(v1.clone(), config(&provider), &[], &[], Some(DeviceKey::generate().unwrap()), NOW).unwrap();
        let installed = Mutex::new(Vec::new());
        let record = |result: Result<BundleInfo, ScanError>| {
            if let Ok(info) = result {
                installed.lock().unwrap().push(info.sequence);
            }
        };
        match i % 3 {
            0 => race(
                || record(scanner.apply_delta_at(&delta_1_to_5, NOW)),
                || record(scanner.update_bundle_at(v6.clone(), NOW)),
            ),
            1 => race(
                || record(scanner.update_bundle_at(v5.clone(), NOW)),
                || record(scanner.apply_delta_at(&delta_1_to_6, NOW)),
            ),
            _ => race(
                || record(scanner.apply_delta_at(&delta_1_to_6, NOW)),
                || record(scanner.apply_delta_at(&delta_1_to_5, NOW)),
            ),
        }
        let newest = installed.into_inner().unwrap().into_iter().max().unwrap();
        let active = scanner.bundle_info().sequence;
        if active != newest || accepted_sequence(&scanner) != newest {
            lost += 1;
        }
    }
    assert_eq!(lost, 0, "an older bundle ended active (or accepted) after a newer one in {lost} of {RACES} races");
}
