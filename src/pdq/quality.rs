//! PDQ's quality score: how much gradient the 64x64 downsample has. Flat or nearly flat images score low
//! and their hashes are unreliable; the usual gate discards quality below 50.

/// Sum of `|trunc((u - v) * 100 / 255)|` over all vertical and horizontal neighbour pairs, integer-divided
/// by 90 and capped at 100. Each term is truncated to an integer before summing, as in the reference.
pub(crate) fn quality(image: &[[f32; 64]; 64]) -> u8 {
    let term = |u: f32, v: f32| (((u - v) * 100.0) / 255.0) as i32;
    let mut gradient_sum: i64 = 0;
    for (upper, lower) in image.iter().zip(&image[1..]) {
        for (&u, &v) in upper.iter().zip(lower) {
            gradient_sum += term(u, v).unsigned_abs() as i64;
        }
    }
    for row in image {
        for j in 0..63 {
            gradient_sum += term(row[j], row[j + 1]).unsigned_abs() as i64;
        }
    }
    (gradient_sum / 90).min(100) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_image_has_quality_zero() {
        assert_eq!(quality(&[[128.0; 64]; 64]), 0);
    }

    #[test]
    fn terms_are_truncated_before_summing() {
        // Every horizontal step is 2.0 grey levels: 2 * 100 / 255 = 0.78, truncated to 0 each time.
        let mut image = [[0f32; 64]; 64];
        for row in image.iter_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = 2.0 * j as f32;
            }
        }
        assert_eq!(quality(&image), 0);
    }

    #[test]
    fn strong_edges_cap_at_100() {
        let mut image = [[0f32; 64]; 64];
        for (i, row) in image.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = if (i + j) % 2 == 0 { 255.0 } else { 0.0 };
            }
        }
        assert_eq!(quality(&image), 100);
    }
}
