//! The Jarosz filter: two passes of a box blur along rows then columns, which PDQ uses as a cheap
//! tent-like low-pass before point-sampling 64x64.
//!
//! Bit-exactness with the reference depends on doing the *same* float operations in the same order:
//! a running sum (`sum += entering; sum -= leaving`), windows truncated at the edges, and a true division
//! by the current window size. The column pass keeps one running sum per column and sweeps the rows, so
//! the per-column arithmetic is unchanged while the inner loop runs across contiguous memory and
//! vectorises. The row pass does the same on small transposed strips of 16 rows.

/// Window length for an axis of `length` pixels: `ceil(length / 128)`.
pub(crate) fn window_size(length: usize) -> usize {
    length.div_ceil(128)
}

/// Blurs `image` (row-major, `width` x `height`) and point-samples the result at 64x64 cell centres
/// (`floor((i + 0.5) * side / 64)`). `image` is overwritten.
///
/// The second iteration computes only what the samples need: every running sum still sweeps its whole row
/// or column (the float rounding depends on it), but the last row pass writes back only the 64 sampled
/// columns and the last column pass runs over those 64 columns only. The sampled values are identical to
/// those of a full filter.
pub(crate) fn blur_and_decimate(image: &mut [f32], width: usize, height: usize) -> Box<[[f32; 64]; 64]> {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        return unsafe { blur_and_decimate_avx2(image, width, height) };
    }
    blur_and_decimate_portable(image, width, height)
}

/// The same code compiled for AVX2: 8-wide instead of SSE2's 4-wide vectors. IEEE add, subtract and divide
/// give identical results at any width, and Rust never fuses multiply-adds, so the output is bit-identical
/// (the tests compare both paths). NEON builds use the portable path, which is 4-wide there.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn blur_and_decimate_avx2(image: &mut [f32], width: usize, height: usize) -> Box<[[f32; 64]; 64]> {
    blur_and_decimate_portable(image, width, height)
}

#[inline(always)]
fn blur_and_decimate_portable(image: &mut [f32], width: usize, height: usize) -> Box<[[f32; 64]; 64]> {
    let along_rows = window_size(width);
    let along_cols = window_size(height);
    let rows: [usize; 64] = std::array::from_fn(|i| cell_centre(i, height));
    let columns: [usize; 64] = std::array::from_fn(|j| cell_centre(j, width));
    let mut scratch = vec![0f32; image.len()];
    box_along_rows(image, &mut scratch, width, height, along_rows, None);
    box_along_cols(&scratch, image, width, height, along_cols);

    // The second iteration on height x 64 buffers: the sampled columns only.
    let mut sampled = vec![0f32; height * 64];
    let mut blurred = vec![0f32; height * 64];
    box_along_rows(image, &mut sampled, width, height, along_rows, Some(&columns));
    box_along_cols(&sampled, &mut blurred, 64, height, along_cols);

    let mut out = Box::new([[0f32; 64]; 64]);
    for (out_row, &row) in out.iter_mut().zip(&rows) {
        out_row.copy_from_slice(&blurred[row * 64..][..64]);
    }
    out
}

/// `floor((index + 0.5) * length / 64)`, computed in `f64` as the reference does.
fn cell_centre(index: usize, length: usize) -> usize {
    ((index as f64 + 0.5) * length as f64 / 64.0) as usize
}

/// Rows per strip in the row pass: a strip and its blurred copy (2 x 16 x 512 floats) stay in L1/L2.
const STRIP: usize = 16;
type Lanes = [f32; STRIP];

/// Box blur of every row. A strip of [`STRIP`] rows is transposed into a small buffer of [`Lanes`], blurred
/// there with one running sum per lane (the lanes advance together in vector registers), and transposed
/// back. Whole-image transposes would be simpler but thrash the cache: rows 2 KiB apart share cache sets.
///
/// With `keep = Some(columns)`, only those 64 columns are written, as `height` rows of 64.
#[inline(always)]
fn box_along_rows(
    input: &[f32],
    output: &mut [f32],
    width: usize,
    height: usize,
    window: usize,
    keep: Option<&[usize; 64]>,
) {
    let out_width = if keep.is_some() { 64 } else { width };
    let mut strip: Vec<Lanes> = vec![[0.0; STRIP]; width];
    let mut blurred: Vec<Lanes> = vec![[0.0; STRIP]; width];
    let full_strips = height / STRIP;
    for (rows_in, rows_out) in input.chunks_exact(width * STRIP).zip(output.chunks_exact_mut(out_width * STRIP)) {
        for (lane, row) in rows_in.chunks_exact(width).enumerate() {
            for (lanes, &value) in strip.iter_mut().zip(row) {
                lanes[lane] = value;
            }
        }
        box_lanes(&strip, &mut blurred, window);
        for (lane, row) in rows_out.chunks_exact_mut(out_width).enumerate() {
            match keep {
                Some(columns) => row.iter_mut().zip(columns).for_each(|(value, &x)| *value = blurred[x][lane]),
                None => row.iter_mut().zip(&blurred).for_each(|(value, lanes)| *value = lanes[lane]),
            }
        }
    }
    let mut line = vec![0f32; width];
    for row in full_strips * STRIP..height {
        box_1d(&input[row * width..(row + 1) * width], &mut line, window);
        let out = &mut output[row * out_width..(row + 1) * out_width];
        match keep {
            Some(columns) => out.iter_mut().zip(columns).for_each(|(value, &x)| *value = line[x]),
            None => out.copy_from_slice(&line),
        }
    }
}

/// The reference's box filter, run on [`STRIP`] independent vectors at once.
#[inline(always)]
fn box_lanes(input: &[Lanes], output: &mut [Lanes], window: usize) {
    let (warmup, growing, full, shrinking) = phases(input.len(), window);
    let mut sums: Lanes = [0.0; STRIP];
    let (mut read, mut leave, mut write, mut count) = (0, 0, 0, 0usize);
    for _ in 0..warmup {
        lanes_add(&mut sums, &input[read]);
        count += 1;
        read += 1;
    }
    for _ in 0..growing {
        lanes_add(&mut sums, &input[read]);
        count += 1;
        lanes_divide(&mut output[write], &sums, count as f32);
        read += 1;
        write += 1;
    }
    for _ in 0..full {
        lanes_add(&mut sums, &input[read]);
        lanes_subtract(&mut sums, &input[leave]);
        lanes_divide(&mut output[write], &sums, count as f32);
        read += 1;
        leave += 1;
        write += 1;
    }
    for _ in 0..shrinking {
        lanes_subtract(&mut sums, &input[leave]);
        count -= 1;
        lanes_divide(&mut output[write], &sums, count as f32);
        leave += 1;
        write += 1;
    }
}

#[inline(always)]
fn lanes_add(sums: &mut Lanes, values: &Lanes) {
    for (sum, value) in sums.iter_mut().zip(values) {
        *sum += value;
    }
}

#[inline(always)]
fn lanes_subtract(sums: &mut Lanes, values: &Lanes) {
    for (sum, value) in sums.iter_mut().zip(values) {
        *sum -= value;
    }
}

#[inline(always)]
fn lanes_divide(out: &mut Lanes, sums: &Lanes, count: f32) {
    for (out, sum) in out.iter_mut().zip(sums) {
        *out = sum / count;
    }
}

/// The reference's four phases for one vector: (`reads_before_first_write`, `growing writes`,
/// `full-window writes`, `shrinking writes`).
#[inline(always)]
fn phases(length: usize, window: usize) -> (usize, usize, usize, usize) {
    let half = (window + 2) / 2;
    (half - 1, window - half + 1, length - window, half - 1)
}

/// The reference's box filter on one contiguous vector.
#[inline(always)]
fn box_1d(input: &[f32], output: &mut [f32], window: usize) {
    let (warmup, growing, full, shrinking) = phases(input.len(), window);
    let mut sum = 0f32;
    let (mut read, mut leave, mut write, mut count) = (0, 0, 0, 0usize);
    for _ in 0..warmup {
        sum += input[read];
        count += 1;
        read += 1;
    }
    for _ in 0..growing {
        sum += input[read];
        count += 1;
        output[write] = sum / count as f32;
        read += 1;
        write += 1;
    }
    for _ in 0..full {
        sum += input[read];
        sum -= input[leave];
        output[write] = sum / count as f32;
        read += 1;
        leave += 1;
        write += 1;
    }
    for _ in 0..shrinking {
        sum -= input[leave];
        count -= 1;
        output[write] = sum / count as f32;
        leave += 1;
        write += 1;
    }
}

/// Box blur of every column, all columns at once: one running sum per column, rows swept in order.
#[inline(always)]
fn box_along_cols(input: &[f32], output: &mut [f32], width: usize, height: usize, window: usize) {
    let (warmup, growing, full, shrinking) = phases(height, window);
    let mut sums = vec![0f32; width];
    let row = |index: usize| index * width..(index + 1) * width;
    let (mut read, mut leave, mut write, mut count) = (0, 0, 0, 0usize);
    for _ in 0..warmup {
        add_row(&mut sums, &input[row(read)]);
        count += 1;
        read += 1;
    }
    for _ in 0..growing {
        add_row(&mut sums, &input[row(read)]);
        count += 1;
        divide_row(&mut output[row(write)], &sums, count as f32);
        read += 1;
        write += 1;
    }
    for _ in 0..full {
        let (entering, leaving) = (&input[row(read)], &input[row(leave)]);
        for ((sum, &e), &l) in sums.iter_mut().zip(entering).zip(leaving) {
            *sum += e;
            *sum -= l;
        }
        divide_row(&mut output[row(write)], &sums, count as f32);
        read += 1;
        leave += 1;
        write += 1;
    }
    for _ in 0..shrinking {
        for (sum, &l) in sums.iter_mut().zip(&input[row(leave)]) {
            *sum -= l;
        }
        count -= 1;
        divide_row(&mut output[row(write)], &sums, count as f32);
        leave += 1;
        write += 1;
    }
}

#[inline]
fn add_row(sums: &mut [f32], row: &[f32]) {
    for (sum, &value) in sums.iter_mut().zip(row) {
        *sum += value;
    }
}

#[inline]
fn divide_row(output: &mut [f32], sums: &[f32], count: f32) {
    for (out, &sum) in output.iter_mut().zip(sums) {
        *out = sum / count;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference's strided 1-D box filter, written out plainly, as the oracle for both passes.
    fn reference_box(input: &[f32], output: &mut [f32], length: usize, stride: usize, start: usize, window: usize) {
        let column: Vec<f32> = (0..length).map(|i| input[start + i * stride]).collect();
        let mut result = vec![0f32; length];
        box_1d(&column, &mut result, window);
        for (i, value) in result.into_iter().enumerate() {
            output[start + i * stride] = value;
        }
    }

    #[test]
    fn both_passes_match_the_strided_reference_bit_for_bit() {
        for (width, height) in [(5, 5), (17, 9), (130, 257), (512, 511)] {
            let input: Vec<f32> = (0..width * height).map(|k| ((k * 7919) % 256) as f32 * 0.731).collect();
            for window in [1, 2, 3, 4, 5] {
                if window > width.min(height) {
                    continue;
                }
                let mut fast = vec![0f32; width * height];
                let mut slow = vec![0f32; width * height];
                box_along_rows(&input, &mut fast, width, height, window, None);
                for r in 0..height {
                    reference_box(&input, &mut slow, width, 1, r * width, window);
                }
                assert_eq!(fast, slow, "rows {width}x{height} window {window}");
                box_along_cols(&input, &mut fast, width, height, window);
                for c in 0..width {
                    reference_box(&input, &mut slow, height, width, c, window);
                }
                assert_eq!(fast, slow, "cols {width}x{height} window {window}");
            }
        }
    }

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn avx2_path_is_bit_identical_to_the_portable_path() {
        if !std::arch::is_x86_feature_detected!("avx2") {
            if cfg!(miri) {
                panic!("under Miri this test needs -C target-feature=+avx2 (scripts/sanitize)");
            }
            eprintln!("SKIPPED: this CPU has no AVX2");
            return;
        }
        // Small sizes under Miri (scripts/sanitize runs this test with AVX2 enabled), which interprets
        // every intrinsic and checks every pointer access of the unsafe path.
        let sizes: &[(usize, usize)] = if cfg!(miri) { &[(5, 7), (63, 64), (97, 130)] } else { &[(5, 7), (63, 64), (300, 200), (512, 512), (512, 37)] };
        for &(width, height) in sizes {
            let image: Vec<f32> = (0..width * height).map(|k| ((k * 2654435761usize) % 256) as f32 * 0.999).collect();
            let mut a = image.clone();
            let mut b = image;
            // SAFETY: AVX2 support checked above.
            let fast = unsafe { blur_and_decimate_avx2(&mut a, width, height) };
            let portable = blur_and_decimate_portable(&mut b, width, height);
            for (x, y) in fast.iter().flatten().zip(portable.iter().flatten()) {
                assert_eq!(x.to_bits(), y.to_bits(), "{width}x{height}");
            }
        }
    }

    #[test]
    fn window_is_ceil_of_length_over_128() {
        assert_eq!(window_size(5), 1);
        assert_eq!(window_size(128), 1);
        assert_eq!(window_size(129), 2);
        assert_eq!(window_size(512), 4);
    }
}
