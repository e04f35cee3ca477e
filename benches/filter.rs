//! Filter benchmarks: probe generation, the perceptual query on a 1M-entry filter, exact lookups.

use criterion::{criterion_group, criterion_main, Criterion};
use imageguard::entry_key::mix64;
use imageguard::exact::HashKind;
use imageguard::filter::perceptual::probe::probe_masks;
use imageguard::filter::{ExactFilter, PerceptualFilter, PerceptualParams};
use imageguard::pdq::{self, LumaImage, PdqHash};
use std::hint::black_box;

fn random_hash(i: u64) -> PdqHash {
    let mut out = [0u8; 32];
    for (j, chunk) in out.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&mix64(i * 4 + j as u64 + 1).to_le_bytes());
    }
    PdqHash(out)
}

fn bench_filters(c: &mut Criterion) {
    let margins: Vec<f32> = (0..56).map(|i| (mix64(i) % 1000) as f32 / 10.0).collect();
    let mut masks = Vec::new();
    c.bench_function("probe order: 256 probes of one band", |b| b.iter(|| probe_masks(black_box(&margins), 256, &mut masks)));

    let n = 1_000_000u64;
    let hashes: Vec<PdqHash> = (0..n).map(random_hash).collect();
    let perceptual = PerceptualFilter::build(&[1; 32], PerceptualParams::default(), &hashes).expect("build");
    let features = pdq::compute(LumaImage::from_fn(256, 256, |x, y| (mix64((x / 16 * 31 + y / 16) as u64) & 255) as f32));
    c.bench_function("perceptual query, 1M entries, non-matching image (8192 probes)", |b| {
        b.iter(|| perceptual.query(black_box(&features)))
    });
    let widened = pdq::Uncropped::compute(&LumaImage::from_fn(256, 256, |x, y| (mix64((x / 16 * 31 + y / 16) as u64) & 255) as f32));
    c.bench_function("perceptual query, 1M entries, the widened picture as given (1024 probes)", |b| {
        b.iter(|| perceptual.query(black_box(&widened)))
    });
    let exact = ExactFilter::build([1; 32], 1e-6, hashes.iter().map(|h| (HashKind::Blake3, &h.0[..]))).expect("build");
    c.bench_function("exact lookup, 1M entries", |b| b.iter(|| exact.contains(HashKind::Blake3, black_box(&[7u8; 32]))));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_filters
}
criterion_main!(benches);
