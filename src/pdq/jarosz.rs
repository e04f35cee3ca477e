//! The Jarosz filter: two passes of a box blur along rows then columns, which PDQ uses as a cheap
//! tent-like low-pass before point-sampling 64x64.
//!
//! Bit-exactness with the reference depends on doing the *same* float operations in the same order:
//! a running sum (`sum += entering; sum -= leaving`), windows truncated at the edges, and a true division
//! by the current window size. The column pass keeps one running sum per column and sweeps the rows, so
//! the per-column arithmetic is unchanged while the inner loop runs across contiguous memory and
//! vectorises. The row pass works on several rows at once for the same reason.

/// Window length for an axis of `length` pixels: `ceil(length / 128)`.
pub(crate) fn window_size(length: usize) -> usize {
    length.div_ceil(128)
}

/// Blurs `image` (row-major, `width` x `height`) in place, using `scratch` of the same size.
pub(crate) fn jarosz_filter(image: &mut [f32], scratch: &mut [f32], width: usize, height: usize) {
    let along_rows = window_size(width);
    let along_cols = window_size(height);
    for _ in 0..2 {
        box_along_rows(image, scratch, width, height, along_rows);
        box_along_cols(scratch, image, width, height, along_cols);
    }
}

/// The reference's four phases for one vector: (`reads_before_first_write`, `growing writes`,
/// `full-window writes`, `shrinking writes`).
fn phases(length: usize, window: usize) -> (usize, usize, usize, usize) {
    let half = (window + 2) / 2;
    (half - 1, window - half + 1, length - window, half - 1)
}

/// Box blur of every row. Rows are processed `LANES` at a time so that independent running sums
/// overlap in the pipeline; each row's own sequence of operations is the reference's.
fn box_along_rows(input: &[f32], output: &mut [f32], width: usize, height: usize, window: usize) {
    const LANES: usize = 8;
    let (warmup, growing, full, shrinking) = phases(width, window);
    let mut row = 0;
    while row + LANES <= height {
        let base = row * width;
        let mut sums = [0f32; LANES];
        let (mut read, mut leave, mut write) = (0, 0, 0);
        let mut count = 0usize;
        let at = |lane: usize, x: usize| base + lane * width + x;
        for _ in 0..warmup {
            for lane in 0..LANES {
                sums[lane] += input[at(lane, read)];
            }
            count += 1;
            read += 1;
        }
        for _ in 0..growing {
            count += 1;
            for lane in 0..LANES {
                sums[lane] += input[at(lane, read)];
                output[at(lane, write)] = sums[lane] / count as f32;
            }
            read += 1;
            write += 1;
        }
        for _ in 0..full {
            for lane in 0..LANES {
                sums[lane] += input[at(lane, read)];
                sums[lane] -= input[at(lane, leave)];
                output[at(lane, write)] = sums[lane] / count as f32;
            }
            read += 1;
            leave += 1;
            write += 1;
        }
        for _ in 0..shrinking {
            count -= 1;
            for lane in 0..LANES {
                sums[lane] -= input[at(lane, leave)];
                output[at(lane, write)] = sums[lane] / count as f32;
            }
            leave += 1;
            write += 1;
        }
        row += LANES;
    }
    for row in row..height {
        let range = row * width..(row + 1) * width;
        box_1d(&input[range.clone()], &mut output[range], window);
    }
}

/// The reference's box filter on one contiguous vector.
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
                box_along_rows(&input, &mut fast, width, height, window);
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
    fn window_is_ceil_of_length_over_128() {
        assert_eq!(window_size(5), 1);
        assert_eq!(window_size(128), 1);
        assert_eq!(window_size(129), 2);
        assert_eq!(window_size(512), 4);
    }
}
