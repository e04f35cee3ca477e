//! The picture averaged over each output cell: what the reduced image looks like, not what 1 pixel in
//! each cell says.
//!
//! The reference reduces a large image by reading one source pixel per output pixel (`sample`). For a
//! 4096x4096 PNG that is 1.6% of the pixels: a sender who replaces exactly those pixels with a decoy
//! (invisible at display size) makes the file hash as the decoy, and a known picture passes. The
//! average of every pixel in a cell cannot be steered that way: changing it means changing what the
//! picture looks like. The hashing side queries this picture too when its hash disagrees with the
//! reference one (`hashing`), so reference-compatible matching is kept and steering gains nothing.
//!
//! Pixels are composited on white as they are added (a transparent image shows on some background;
//! white is what the other pictures use first). Sums are integers: luma is linear in R, G and B, so the
//! luma of the averaged colour is the average luma, computed once per cell at the end.

use crate::pdq::{luma_from_rgb, LumaImage};

/// Per-cell sums of a `width x height` picture reduced to `out_width x out_height` (each side smaller).
#[derive(Clone)]
pub(crate) struct AreaSums {
    out_width: usize,
    out_height: usize,
    height: usize,
    /// The output column of each source column: `floor(x * out_width / width)`.
    column_cell: Vec<u16>,
    /// Per output column, how many source columns it averages.
    columns_in_cell: Vec<u32>,
    /// Per output row, how many source rows were added (a truncated file adds fewer).
    rows_added: Vec<u32>,
    /// Per cell: the sums of red, green and blue times alpha, and of alpha (all over the cell's pixels).
    sums: Vec<[u32; 4]>,
}

impl AreaSums {
    /// Sums for a reduction on both sides; `None` when a side is not reduced (every source pixel of that
    /// side is then read by the reference's sampling, so there is nothing to steer along it) or is too
    /// large for the cell bookkeeping.
    pub(crate) fn new(width: usize, height: usize, out_width: usize, out_height: usize) -> Option<AreaSums> {
        if width <= out_width || height <= out_height || out_width > usize::from(u16::MAX) {
            return None;
        }
        let column_cell: Vec<u16> = (0..width).map(|x| (x * out_width / width) as u16).collect();
        let mut columns_in_cell = vec![0u32; out_width];
        for &cell in &column_cell {
            if let Some(count) = columns_in_cell.get_mut(usize::from(cell)) {
                *count += 1;
            }
        }
        // A cell holds at most ceil(width / out) x ceil(height / out) pixels, each adding at most
        // 255 x 255 to a sum: refused where that could overflow a u32.
        let cell_pixels = (width.div_ceil(out_width) as u64) * (height.div_ceil(out_height) as u64);
        if cell_pixels * 255 * 255 > u64::from(u32::MAX) {
            return None;
        }
        Some(AreaSums {
            out_width,
            out_height,
            height,
            column_cell,
            columns_in_cell,
            rows_added: vec![0; out_height],
            sums: vec![[0; 4]; out_width * out_height],
        })
    }

    /// Adds the segment of source row `y` starting at column `x0`, whose `i`-th pixel is `pixel(i)`.
    pub(crate) fn add_row(&mut self, y: usize, x0: usize, len: usize, mut pixel: impl FnMut(usize) -> [u8; 4]) {
        self.add_segment(y, x0, len, |cells, columns| {
            for (i, &cell) in columns.iter().enumerate() {
                add_pixel(cells, cell, pixel(i));
            }
        });
    }

    /// [`AreaSums::add_row`] for a row segment of 8-bit RGB (`channels` 3) or RGBA (4) bytes: the common
    /// case, without a call per pixel.
    pub(crate) fn add_row_bytes(&mut self, y: usize, x0: usize, bytes: &[u8], channels: usize) {
        let len = bytes.len() / channels.max(1);
        match channels {
            3 => self.add_segment(y, x0, len, |cells, columns| {
                for (&cell, p) in columns.iter().zip(bytes.chunks_exact(3)) {
                    if let &[r, g, b] = p {
                        add_pixel(cells, cell, [r, g, b, 255]);
                    }
                }
            }),
            4 => self.add_segment(y, x0, len, |cells, columns| {
                for (&cell, p) in columns.iter().zip(bytes.chunks_exact(4)) {
                    if let &[r, g, b, a] = p {
                        add_pixel(cells, cell, [r, g, b, a]);
                    }
                }
            }),
            _ => {}
        }
    }

    /// Hands `add` the sums of row `y`'s output row and the output column of each of the segment's `len`
    /// pixels, then counts the row.
    fn add_segment(&mut self, y: usize, x0: usize, len: usize, add: impl FnOnce(&mut [[u32; 4]], &[u16])) {
        let row = y * self.out_height / self.height.max(1);
        let Some(cells) = self.sums.get_mut(row * self.out_width..(row + 1) * self.out_width) else { return };
        let columns = self.column_cell.get(x0..x0.saturating_add(len).min(self.column_cell.len())).unwrap_or_default();
        add(cells, columns);
        // Rows are counted once, when their first column arrives (rows come whole, or in segments that
        // start at column 0: PNG rows, WebP and GIF canvases).
        if x0 == 0 {
            if let Some(added) = self.rows_added.get_mut(row) {
                *added += 1;
            }
        }
    }

    /// The averaged picture on white, or `None` when some output row got no source row (a truncated file).
    pub(crate) fn luma(&self) -> Option<LumaImage> {
        if self.rows_added.contains(&0) {
            return None;
        }
        let width = self.out_width;
        Some(LumaImage::from_fn(self.out_width, self.out_height, |x, y| {
            let pixels = self.columns_in_cell.get(x).copied().unwrap_or(1) * self.rows_added.get(y).copied().unwrap_or(1);
            let [r, g, b, a] = self.sums.get(y * width + x).copied().unwrap_or_default().map(u64::from);
            // Each pixel on white: (c * a + 255 * (255 - a)) / 255; averaged over the cell, rounded to
            // nearest in integers (this runs for every output pixel).
            let n = u64::from(pixels.max(1));
            let white = 255 * (255 * n).saturating_sub(a);
            let channel = |c: u64| ((c + white + 255 * n / 2) / (255 * n)).min(255) as u8;
            luma_from_rgb(channel(r), channel(g), channel(b))
        }))
    }
}

/// The gray plane of 8-bit RGB pixels (JFIF luma weights in 16-bit fixed point), for averaging a colour
/// picture with [`average_plane`] in one cheap pass.
pub(crate) fn gray_plane(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .map(|p| match *p {
            [r, g, b] => ((19_595 * u32::from(r) + 38_470 * u32::from(g) + 7_471 * u32::from(b) + 32_768) >> 16) as u8,
            _ => 0,
        })
        .collect()
}

/// The averaged picture of a whole gray plane (a JPEG's luma) reduced to `out_width x out_height`, or `None`
/// when a side is not reduced. Cells are those of [`AreaSums`]: source row `y` falls in output row
/// `floor(y * out_height / height)`, and likewise for columns.
pub(crate) fn average_plane(plane: &[u8], width: usize, height: usize, out_width: usize, out_height: usize) -> Option<LumaImage> {
    if width <= out_width || height <= out_height || plane.len() < width.checked_mul(height)? {
        return None;
    }
    // Each output cell's source indices: from the smallest i with floor(i * out / n) >= cell, to the next's.
    let cells = |n: usize, out: usize| -> Vec<std::ops::Range<usize>> {
        (0..out).map(|cell| (cell * n).div_ceil(out)..((cell + 1) * n).div_ceil(out)).collect()
    };
    let (column_cells, row_cells) = (cells(width, out_width), cells(height, out_height));
    // Rows are first added column by column (a loop the compiler vectorises), then each cell's columns.
    let mut column_sums = vec![0u32; width];
    let mut pixels = Vec::with_capacity(out_width * out_height);
    for rows in row_cells {
        column_sums.fill(0);
        for y in rows.clone() {
            let row = plane.get(y * width..(y + 1) * width).unwrap_or_default();
            for (sum, &v) in column_sums.iter_mut().zip(row) {
                *sum += u32::from(v);
            }
        }
        for columns in &column_cells {
            let sum: u32 = column_sums.get(columns.clone()).unwrap_or_default().iter().sum();
            let count = (rows.len() * columns.len()).max(1) as u32;
            let mean = ((sum + count / 2) / count).min(255) as u8;
            pixels.push(luma_from_rgb(mean, mean, mean));
        }
    }
    LumaImage::new(out_width, out_height, pixels)
}

/// Adds one pixel, premultiplied by its alpha, to its cell's sums.
#[inline(always)]
fn add_pixel(cells: &mut [[u32; 4]], cell: u16, pixel: [u8; 4]) {
    let [r, g, b, a] = pixel.map(u32::from);
    if let Some(sum) = cells.get_mut(usize::from(cell)) {
        *sum = [sum[0] + r * a, sum[1] + g * a, sum[2] + b * a, sum[3] + a];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn averages_every_pixel_of_each_cell_on_white() {
        // 4x2 cells of a 8x4 picture: left cells black and white columns alternating, right cells red.
        let mut sums = AreaSums::new(8, 4, 4, 2).unwrap();
        for y in 0..4 {
            sums.add_row(y, 0, 8, |x| match x {
                0..4 => {
                    let v = if x % 2 == 1 { 255 } else { 0 };
                    [v, v, v, 255]
                }
                _ => [255, 0, 0, 255],
            });
        }
        let luma = sums.luma().unwrap();
        assert_eq!((luma.width(), luma.height()), (4, 2));
        let gray = luma_from_rgb(128, 128, 128);
        assert!((luma.pixels()[0] - gray).abs() < 1e-3, "{} vs {gray}", luma.pixels()[0]);
        assert!((luma.pixels()[3] - luma_from_rgb(255, 0, 0)).abs() < 1e-3);
        // Transparent pixels show the white background.
        let mut clear = AreaSums::new(4, 4, 2, 2).unwrap();
        for y in 0..4 {
            clear.add_row(y, 0, 4, |_| [0, 0, 0, 0]);
        }
        assert!(clear.luma().unwrap().pixels().iter().all(|&v| (v - luma_from_rgb(255, 255, 255)).abs() < 1e-3));
    }

    #[test]
    fn a_gray_plane_averages_like_its_rgb_sums() {
        // A 1000x700 plane of hash-like noise, reduced to 512x512 both ways: the same cells, the same means.
        let (width, height) = (1000, 700);
        let plane: Vec<u8> = (0..width * height).map(|i| ((i as u64).wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let mut sums = AreaSums::new(width, height, 512, 512).unwrap();
        for y in 0..height {
            sums.add_row(y, 0, width, |x| {
                let v = plane[y * width + x];
                [v, v, v, 255]
            });
        }
        let expected = sums.luma().unwrap();
        let averaged = average_plane(&plane, width, height, 512, 512).unwrap();
        assert_eq!((averaged.width(), averaged.height()), (512, 512));
        let worst = expected.pixels().iter().zip(averaged.pixels()).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
        assert!(worst <= 1.0, "cells differ by {worst}");
        assert!(average_plane(&plane, width, height, 512, 700).is_none(), "a side that is not reduced");
        assert!(average_plane(&plane[..10], width, height, 512, 512).is_none(), "a short plane");
    }

    #[test]
    fn only_reductions_on_both_sides_and_whole_pictures() {
        assert!(AreaSums::new(512, 4000, 512, 512).is_none(), "a side that is not reduced");
        let mut partial = AreaSums::new(8, 8, 4, 4).unwrap();
        partial.add_row(0, 0, 8, |_| [1, 2, 3, 255]);
        assert!(partial.luma().is_none(), "rows missing");
    }
}
