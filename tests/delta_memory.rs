//! A hostile delta cannot make the device reserve memory beyond a small multiple of its own size (plus
//! the base's) before its signatures are checked (issue 15, item 6). Allocations are counted by a global
//! allocator, so the test asserts what was reserved, not how the OS happened to account for it.

use imageguard::bundle::{make_delta, sign_bundle, verify_bundle, TrustConfig, TrustState, MAX_DELTA_BYTES};
use imageguard::lists::BundleSpec;
use imageguard::signing::SigningKey;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        System.alloc(layout)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

use imageguard_test_support::fixtures::{self, NOW};

#[test]
fn a_15_mib_hostile_delta_reserves_at_most_a_small_multiple_of_its_size() {
    let provider = SigningKey::generate().unwrap();
    let header = fixtures::header("b", "l", 1);
    let mut spec = BundleSpec::new(header);
    spec.exact.push((imageguard::exact::HashKind::Blake3, (0..1000u32).map(|i| blake3::hash(&i.to_le_bytes()).as_bytes().to_vec()).collect()));
    let v1 = sign_bundle(&spec.build().unwrap(), &provider).unwrap();
    spec.header.sequence = 2;
    spec.exact[0].1.push(vec![7; 32]);
    let v2 = sign_bundle(&spec.build().unwrap(), &provider).unwrap();
    let honest = make_delta(&v1, &v2).unwrap();
    let trust = TrustConfig::new(vec![provider.verifying_key()], 1).unwrap();
    let base = verify_bundle(v1.clone(), &trust, &TrustState::new(), NOW).unwrap();

    // The honest delta's head (magic, version, base root, preamble), then one bit patch of the exact
    // filter claiming a huge count of positions over 15 MiB of zero bits.
    let preamble_len = u64::from_le_bytes(honest[38..46].try_into().unwrap()) as usize;
    let mut hostile = honest[..46 + preamble_len].to_vec();
    let payload_bits = 15u64 << 23;
    hostile.extend_from_slice(&[1, 1, 2]); // one section: exact filter, XOR bits
    hostile.extend_from_slice(&payload_bits.to_le_bytes()); // count
    hostile.push(0); // Rice parameter
    hostile.extend_from_slice(&payload_bits.to_le_bytes()); // bit length
    hostile.resize(hostile.len() + (15 << 20), 0);
    assert!(hostile.len() as u64 <= MAX_DELTA_BYTES);

    let before = CURRENT.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let result = imageguard::bundle::apply_delta(&base, &hostile, &trust, &TrustState::new(), NOW);
    let reserved = PEAK.load(Ordering::SeqCst) - before;
    assert!(result.is_err());
    let bound = 2 * (hostile.len() + v1.len());
    assert!(reserved <= bound, "reserved {reserved} bytes for a {} byte delta (bound {bound})", hostile.len());

    let too_large = vec![0u8; MAX_DELTA_BYTES as usize + 1];
    assert!(matches!(
        imageguard::bundle::apply_delta(&base, &too_large, &trust, &TrustState::new(), NOW),
        Err(imageguard::bundle::BundleError::DeltaTooLarge { .. })
    ));
}
