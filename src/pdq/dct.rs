//! The 64x64 -> 16x16 DCT: `B = D A Dᵀ`, where `D` holds rows 1..=16 of a DCT-II (the DC row dropped).
//!
//! Both products accumulate over `k` from 0 to 63 in order, as the reference does, so results are
//! bit-exact. The loops are arranged (`i, k, j`) so that the innermost loop runs over contiguous
//! outputs with independent accumulators, which the compiler vectorises on every target without
//! changing any single accumulator's order of operations.

use std::sync::OnceLock;

/// `D[i][j] = sqrt(2/64) * cos(pi/128 * (i+1) * (2j+1))`, computed in `f64` and rounded to `f32`.
fn dct_matrix() -> &'static [[f32; 64]; 16] {
    static MATRIX: OnceLock<[[f32; 64]; 16]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let scale = (2.0f64 / 64.0).sqrt();
        let mut d = [[0f32; 64]; 16];
        for (i, row) in d.iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                let angle = (std::f64::consts::PI / 2.0 / 64.0) * (i + 1) as f64 * (2 * j + 1) as f64;
                *value = (scale * angle.cos()) as f32;
            }
        }
        d
    })
}

/// `Dᵀ`, stored so the second product can also run its inner loop over contiguous memory.
fn dct_matrix_transposed() -> &'static [[f32; 16]; 64] {
    static MATRIX: OnceLock<[[f32; 16]; 64]> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let d = dct_matrix();
        let mut t = [[0f32; 16]; 64];
        for (k, row) in t.iter_mut().enumerate() {
            for (j, value) in row.iter_mut().enumerate() {
                *value = d[j][k];
            }
        }
        t
    })
}

/// Computes the 16x16 coefficients (row-major) of a 64x64 image (row-major).
pub(crate) fn dct_64_to_16(a: &[[f32; 64]; 64]) -> [f32; 256] {
    let d = dct_matrix();
    // T = D A, 16x64.
    let mut t = [[0f32; 64]; 16];
    for (t_row, d_row) in t.iter_mut().zip(d) {
        for (&d_ik, a_row) in d_row.iter().zip(a) {
            for (t_ij, &a_kj) in t_row.iter_mut().zip(a_row) {
                *t_ij += d_ik * a_kj;
            }
        }
    }
    // B = T Dᵀ, 16x16.
    let dt = dct_matrix_transposed();
    let mut b = [0f32; 256];
    for (b_row, t_row) in b.chunks_exact_mut(16).zip(&t) {
        for (&t_ik, dt_row) in t_row.iter().zip(dt) {
            for (b_ij, &d_jk) in b_row.iter_mut().zip(dt_row) {
                *b_ij += t_ik * d_jk;
            }
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_naive_triple_loop() {
        let mut a = [[0f32; 64]; 64];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = ((i * 31 + j * 17) % 255) as f32;
            }
        }
        let d = dct_matrix();
        let mut t = [[0f32; 64]; 16];
        for i in 0..16 {
            for j in 0..64 {
                let mut sum = 0f32;
                for k in 0..64 {
                    sum += d[i][k] * a[k][j];
                }
                t[i][j] = sum;
            }
        }
        let fast = dct_64_to_16(&a);
        for i in 0..16 {
            for j in 0..16 {
                let mut sum = 0f32;
                for k in 0..64 {
                    sum += t[i][k] * d[j][k];
                }
                assert_eq!(fast[16 * i + j].to_bits(), sum.to_bits(), "B[{i}][{j}]");
            }
        }
    }
}
