//! Stage benchmarks of the hashing pipeline: decode (JPEG fast path and full), raw-pixel sampling, PDQ,
//! and exact hashes. `scripts/bench-hash` measures whole files against the reference.

use criterion::{criterion_group, criterion_main, Criterion};
use imageguard::decode::{self, DecodeLimits, PixelBuffer, PixelFormat};
use imageguard::exact::{self, ExactHashRequest};
use imageguard::pdq::{self, LumaImage};
use imageguard_test_support::synthetic;
use std::hint::black_box;

fn jpeg(width: usize, height: usize) -> Vec<u8> {
    let image = synthetic::photo(42, width, height);
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(&image.pixels, width as u16, height as u16, jpeg_encoder::ColorType::Rgb)
        .expect("encode");
    out
}

fn bench_pdq(c: &mut Criterion) {
    let luma = LumaImage::from_fn(512, 512, |x, y| ((x * 7 + y * 13) % 256) as f32);
    c.bench_function("pdq 512x512 (hash + 8 dihedral)", |b| {
        b.iter(|| {
            let features = pdq::compute(black_box(luma.clone()));
            black_box(features.dihedral_hashes())
        })
    });
    c.bench_function("pdq 512x512 widened by its edges (the uncropped picture)", |b| {
        b.iter(|| black_box(pdq::Uncropped::compute(black_box(&luma))))
    });
}

fn bench_decode(c: &mut Criterion) {
    let limits = DecodeLimits::default();
    let photo = jpeg(1600, 1200);
    c.bench_function("decode 1.9 MP JPEG, fast path", |b| {
        b.iter(|| decode::decode_for_hashing(black_box(&photo), &limits).expect("decode"))
    });
    c.bench_function("decode 1.9 MP JPEG, full", |b| {
        b.iter(|| decode::decode_full_for_hashing(black_box(&photo), &limits).expect("decode"))
    });
}

fn bench_pixels(c: &mut Criterion) {
    let (w, h) = (4000, 3000);
    let rgba = vec![128u8; w * h * 4];
    let limits = DecodeLimits::default();
    c.bench_function("sample 12 MP RGBA buffer to 512x512 luma", |b| {
        b.iter(|| {
            let buffer = PixelBuffer::new(black_box(&rgba), w, h, w * 4, PixelFormat::Rgba8);
            decode::luma_from_pixels(&buffer, &limits).expect("pixels")
        })
    });
}

fn bench_exact(c: &mut Criterion) {
    let bytes = vec![7u8; 4 << 20];
    c.bench_function("exact: BLAKE3 of 4 MiB", |b| {
        b.iter(|| exact::exact_hashes(black_box(&bytes), ExactHashRequest::BLAKE3_ONLY))
    });
    c.bench_function("exact: BLAKE3+MD5+SHA-1+SHA-256 of 4 MiB", |b| {
        b.iter(|| exact::exact_hashes(black_box(&bytes), ExactHashRequest::ALL))
    });
}

criterion_group!(benches, bench_pdq, bench_decode, bench_pixels, bench_exact);
criterion_main!(benches);
