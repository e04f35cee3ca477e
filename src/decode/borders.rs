//! Finding the photo inside a frame: uniform borders, letterbox/pillarbox bars, a phone screenshot.
//!
//! Users share a photo with a border added, letterboxed into another aspect ratio, or as a screenshot
//! of the phone showing it (status bar, toolbars, margins). PDQ hashes the whole image, so such a copy
//! lands ~90-120 bits from the listed hash and nothing matches, not even server-side (issue 17). Here
//! the reduced luma picture is searched, from each side inward, for the first border: a band of
//! near-uniform lines (rows, or columns) of one colour that meets the picture along a sharp straight
//! edge. Rows bound the picture within the current columns and columns within the current rows, so a
//! screenshot's status bar and toolbar (small icons and text: no sharp edge) are stepped over. A chat
//! app's screenshot nests frames (a coloured app bar, an input box, a caption and a time under the photo):
//! the search is run again inside what was found until nothing more is trimmed. The
//! caller hashes the rectangle found, cropped from the full-resolution image, as one more query.
//!
//! It must stay rare on ordinary photos (each extra query picture costs a decode of the crop and four
//! PDQ passes, and adds false-positive chances), so a flat sky or a dark night scene, which fade into the
//! picture instead of meeting it along an edge, is left alone (measured: examples/turned_framed_recall).

use super::sample::Window;
use crate::pdq::LumaImage;

/// A rectangle of the stored image, in its own pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceRegion {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl SourceRegion {
    pub(crate) fn window(self) -> Window {
        Window { x: self.x as usize, y: self.y as usize, width: self.width as usize, height: self.height as usize }
    }
}

/// The picture found inside a frame, in pixels of the (reduced) luma picture it was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InnerPicture {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub height: usize,
}

/// A line is near-uniform when this share of its pixels lie within [`FLAT_TOLERANCE`] of its median.
const FLAT_SHARE: f32 = 0.97;
/// Luma tolerance (0-255) of a near-uniform line: JPEG noise and chroma bleeding stay within it.
const FLAT_TOLERANCE: f32 = 10.0;
/// The photo meets a border along a sharp edge: this share of one of its first lines differs from the
/// border's colour by more than twice the tolerance.
const EDGE_SHARE: f32 = 0.45;
/// How many of the photo's first lines the edge test looks at (JPEG ringing blurs the very first).
const EDGE_LINES: usize = 3;
/// Fewest near-uniform lines that must bound a trimmed side.
const MIN_BAND: usize = 2;
/// The inner picture covers at least this share of the image...
pub const MIN_INNER_SHARE: f64 = 0.25;
/// ...and at most this share: trimming less changes PDQ's hash too little to be worth a query.
pub const MAX_INNER_SHARE: f64 = 0.96;
/// Most rounds of searching again inside the rectangle found (each peels one nested frame per side).
const MAX_NESTED_ROUNDS: usize = 6;
/// Shortest side of the inner picture in source pixels.
pub const MIN_INNER_SIDE: u32 = 64;

impl InnerPicture {
    /// The same rectangle in the stored image's pixels, given that the luma picture is the stored
    /// `source_width x source_height` image resampled to `luma_width x luma_height` by the reference's
    /// rule (source index `floor(i * W / w)`). `None` when it is smaller than [`MIN_INNER_SIDE`].
    ///
    /// A reduced picture only says that the picture's first source line lies after the one sampled for
    /// the border's last line and at or before the one sampled for its own first line (up to W / w
    /// lines: ~4.6 in a 2340-px-tall screenshot); each edge is put in the middle of that interval, so it
    /// is off by half as much on average as taking the picture's sampled line.
    pub fn in_source(&self, luma_width: usize, luma_height: usize, source_width: u32, source_height: u32) -> Option<SourceRegion> {
        let axis = |start: usize, len: usize, luma: usize, source: u32| -> Option<(u32, u32)> {
            let source = u64::from(source);
            let luma = u64::try_from(luma).ok().filter(|&l| l > 0)?;
            let (start, end) = (u64::try_from(start).ok()?, u64::try_from(start + len).ok()?);
            let sampled = |i: u64| i * source / luma;
            // The first source line is in (sampled(start - 1), sampled(start)]; the end (one past the
            // last line) in (sampled(end - 1), sampled(end)], the image's edge when the picture reaches it.
            let first = if start == 0 { 0 } else { (sampled(start - 1) + 1 + sampled(start)) / 2 };
            let end = if end >= luma { source } else { (sampled(end - 1) + 1 + sampled(end)).div_ceil(2) };
            let (first, end) = (u32::try_from(first).ok()?, u32::try_from(end).ok()?);
            Some((first, end.checked_sub(first)?))
        };
        let (x, width) = axis(self.x, self.width, luma_width, source_width)?;
        let (y, height) = axis(self.y, self.height, luma_height, source_height)?;
        (width >= MIN_INNER_SIDE && height >= MIN_INNER_SIDE).then_some(SourceRegion { x, y, width, height })
    }
}

/// The rectangle inside uniform borders, bars or a screenshot's frame, if the picture has one.
pub fn find_inner_picture(luma: &LumaImage) -> Option<InnerPicture> {
    find_inner_pictures(luma).into_iter().next()
}

/// The candidate rectangles inside uniform borders, bars or a screenshot's frame: the one bounded by
/// the first border met from each side, then, when opposite sides were trimmed unequally, the one with
/// each pair of sides trimmed by the thinner of the two. A border is usually as thick on both sides
/// (added borders, centred bars), and where the picture's own edge is flat and of the border's colour
/// the first rectangle cuts into it; a screenshot's bars are unequal and the first one is right.
pub fn find_inner_pictures(luma: &LumaImage) -> Vec<InnerPicture> {
    let (width, height) = (luma.width(), luma.height());
    if width < 16 || height < 16 {
        return Vec::new();
    }
    let grid = Grid { pixels: luma.pixels(), width };
    let full = Rect { x0: 0, y0: 0, x1: width, y1: height };
    // Rows bound the picture within the current columns, columns within the current rows: a second
    // round settles a screenshot whose photo has margins on all four sides.
    let mut rect = full;
    for _ in 0..3 {
        let before = rect;
        rect = bound_within(&grid, rect, full, false);
        if rect == before {
            break;
        }
    }
    // A chat app's screenshot nests frames: a coloured app bar under the status bar, an input box in
    // the bottom bar, a caption and a time under the photo. The first border met from each side is one
    // of those; searching again inside what was found peels them off one at a time (sparse caption rows
    // meet no border along a sharp straight edge and are stepped over) down to the photo.
    let mut innermost = rect;
    if rect != full {
        for _ in 0..MAX_NESTED_ROUNDS {
            let before = innermost;
            innermost = bound_within(&grid, innermost, innermost, true);
            if innermost == before {
                break;
            }
        }
    }
    let symmetric = |start: usize, end: usize, count: usize| {
        let trim = start.min(count - end);
        (trim, count - trim)
    };
    let (x0, x1) = symmetric(rect.x0, rect.x1, width);
    let (y0, y1) = symmetric(rect.y0, rect.y1, height);
    let balanced = Rect { x0, y0, x1, y1 };
    let mut found: Vec<InnerPicture> = Vec::new();
    for candidate in [rect, balanced, innermost] {
        let share = ((candidate.x1 - candidate.x0) * (candidate.y1 - candidate.y0)) as f64 / (width * height) as f64;
        let picture = InnerPicture { x: candidate.x0, y: candidate.y0, width: candidate.x1 - candidate.x0, height: candidate.y1 - candidate.y0 };
        if (MIN_INNER_SHARE..=MAX_INNER_SHARE).contains(&share) && !found.contains(&picture) {
            found.push(picture);
        }
    }
    found
}

/// One round: the rows within `rect`'s columns bound the picture among the lines of `within`, then the
/// columns within the new rows; `deep` lets a border lie past the middle of the lines (inside a chat
/// screenshot's frame, a landscape photo fills the top of a tall empty area).
fn bound_within(grid: &Grid<'_>, rect: Rect, within: Rect, deep: bool) -> Rect {
    let rows = Lines { grid, across_rows: true, from: rect.x0, to: rect.x1, first: within.y0, end: within.y1, deep };
    let (y0, y1) = rows.bounded_span();
    let columns = Lines { grid, across_rows: false, from: y0, to: y1, first: within.x0, end: within.x1, deep };
    let (x0, x1) = columns.bounded_span();
    Rect { x0, y0, x1, y1 }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    x0: usize,
    y0: usize,
    x1: usize,
    y1: usize,
}

struct Grid<'a> {
    pixels: &'a [f32],
    width: usize,
}

/// The rows (`across_rows`) or columns `first..end` of the grid, each seen between `from` and `to` only.
struct Lines<'a> {
    grid: &'a Grid<'a>,
    across_rows: bool,
    from: usize,
    to: usize,
    first: usize,
    end: usize,
    /// Whether a border may be met past the middle of the lines.
    deep: bool,
}

impl Lines<'_> {
    fn count(&self) -> usize {
        self.end.saturating_sub(self.first)
    }

    /// The pixels of line `line` (counted from `first`).
    fn values(&self, line: usize, out: &mut Vec<f32>) {
        out.clear();
        let line = self.first + line;
        let Grid { pixels, width, .. } = *self.grid;
        let at = |x: usize, y: usize| pixels.get(y * width + x).copied().unwrap_or(0.0);
        if self.across_rows {
            out.extend((self.from..self.to).map(|x| at(x, line)));
        } else {
            out.extend((self.from..self.to).map(|y| at(line, y)));
        }
    }

    /// The line's median when it is near-uniform.
    fn flat_colour(&self, line: usize, scratch: &mut Vec<f32>) -> Option<f32> {
        self.values(line, scratch);
        let len = scratch.len();
        if len == 0 {
            return None;
        }
        let (_, &mut median, _) = scratch.select_nth_unstable_by(len / 2, f32::total_cmp);
        let near = scratch.iter().filter(|&&v| (v - median).abs() <= FLAT_TOLERANCE).count();
        (near as f32 >= FLAT_SHARE * len as f32).then_some(median)
    }

    /// Share of the line's pixels that differ from `colour` by more than twice the tolerance.
    fn share_unlike(&self, line: usize, colour: f32, scratch: &mut Vec<f32>) -> f32 {
        self.values(line, scratch);
        let unlike = scratch.iter().filter(|&&v| (v - colour).abs() > 2.0 * FLAT_TOLERANCE).count();
        unlike as f32 / scratch.len().max(1) as f32
    }

    /// Where the picture starts and ends along these lines: at the first border met from each edge (a
    /// band of near-uniform lines of one colour, then a sharp edge into detail), or at the image's edge.
    /// A band of the colour of the border found on the other side needs no sharp edge (the picture's
    /// edge may share the border's colour).
    fn bounded_span(&self) -> (usize, usize) {
        let mut scratch = Vec::with_capacity(self.to.saturating_sub(self.from));
        let count = self.count();
        let colours: Vec<Option<f32>> = (0..count).map(|line| self.flat_colour(line, &mut scratch)).collect();
        let mut start = self.border_from(&colours, Side::Start, None, &mut scratch);
        let mut end = self.border_from(&colours, Side::End, None, &mut scratch);
        if let (None, Some((_, colour))) = (start, end) {
            start = self.border_from(&colours, Side::Start, Some(colour), &mut scratch);
        }
        if let (Some((_, colour)), None) = (start, end) {
            end = self.border_from(&colours, Side::End, Some(colour), &mut scratch);
        }
        let (start, end) = (start.map_or(0, |(line, _)| line), end.map_or(count, |(line, _)| line));
        if start >= end {
            return (self.first, self.end);
        }
        (self.first + start, self.first + end)
    }

    /// The first border met from one side, within the first half of the lines (all of them when `deep`): the line where the
    /// picture starts (for [`Side::End`], the line just past its end) and the border's colour. With
    /// `colour`, a band of that colour qualifies without a sharp edge.
    fn border_from(&self, colours: &[Option<f32>], side: Side, colour: Option<f32>, scratch: &mut Vec<f32>) -> Option<(usize, f32)> {
        let count = colours.len();
        let colour_of = |line: usize| colours.get(line).copied().flatten();
        let reach = if self.deep { count } else { count / 2 };
        for depth in 1..reach {
            // `outer` is the last border line, `inner` the first line of the picture.
            let (outer, inner) = match side {
                Side::Start => (depth - 1, depth),
                Side::End => (count - depth, count - depth - 1),
            };
            // A border line, then either detail or a near-uniform line of quite another colour (a
            // picture whose edge is flat, a sky say).
            let Some(outer_colour) = colour_of(outer) else { continue };
            if colour_of(inner).is_some_and(|inner_colour| (inner_colour - outer_colour).abs() <= 2.0 * FLAT_TOLERANCE) {
                continue;
            }
            let outward: Vec<Option<f32>> = match side {
                Side::Start => colours.get(..depth).unwrap_or_default().iter().rev().copied().collect(),
                Side::End => colours.get(count - depth..).unwrap_or_default().to_vec(),
            };
            let Some(band) = band_colour(&outward) else { continue };
            let inward: Vec<usize> = match side {
                Side::Start => (inner..count).take(EDGE_LINES).collect(),
                Side::End => (0..=inner).rev().take(EDGE_LINES).collect(),
            };
            let accepted = match colour {
                Some(other) => (band - other).abs() <= FLAT_TOLERANCE,
                None => self.sharp_edge(&inward, band, scratch),
            };
            if accepted {
                return Some((if side == Side::Start { inner } else { inner + 1 }, band));
            }
        }
        None
    }

    /// Whether one of the picture's first lines `inward` differs sharply from a border of `colour`.
    fn sharp_edge(&self, inward: &[usize], colour: f32, scratch: &mut Vec<f32>) -> bool {
        inward.iter().any(|&line| self.share_unlike(line, colour, scratch) >= EDGE_SHARE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Start,
    End,
}

/// The colour of the band of near-uniform lines that `outward` (nearest the picture first) begins with,
/// when the band is of one colour and at least [`MIN_BAND`] lines thick (or reaches the image's edge).
fn band_colour(outward: &[Option<f32>]) -> Option<f32> {
    let colour = (*outward.first()?)?;
    // The band runs to the first detailed line or jump of colour; a gradient (a sky) drifts out of one
    // colour within it and is no border.
    let mut previous = colour;
    let band: Vec<f32> = outward
        .iter()
        .map_while(|line| {
            let c = (*line)?;
            let jump = (c - previous).abs() > 2.0 * FLAT_TOLERANCE;
            previous = c;
            (!jump).then_some(c)
        })
        .collect();
    let one_colour = band.iter().all(|c| (c - colour).abs() <= FLAT_TOLERANCE);
    (one_colour && band.len() >= MIN_BAND.min(outward.len())).then_some(colour)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A detailed, photo-like texture.
    fn photo(x: usize, y: usize) -> f32 {
        let (u, v) = (x as f32, y as f32);
        (128.0 + 50.0 * (u * 0.11).sin() * (v * 0.07).cos() + 40.0 * ((u + 2.0 * v) * 0.05).sin() + ((x * 31 + y * 17) % 23) as f32)
            .clamp(0.0, 255.0)
    }

    fn framed(width: usize, height: usize, inner: InnerPicture, frame: impl Fn(usize, usize) -> f32) -> LumaImage {
        LumaImage::from_fn(width, height, |x, y| {
            let inside = (inner.x..inner.x + inner.width).contains(&x) && (inner.y..inner.y + inner.height).contains(&y);
            if inside {
                photo(x, y)
            } else {
                frame(x, y)
            }
        })
    }

    fn assert_found(found: Option<InnerPicture>, expected: InnerPicture, slack: usize) {
        let found = found.expect("an inner picture");
        let close = |a: usize, b: usize| a.abs_diff(b) <= slack;
        assert!(
            close(found.x, expected.x)
                && close(found.y, expected.y)
                && close(found.width, expected.width)
                && close(found.height, expected.height),
            "{found:?} vs {expected:?}"
        );
    }

    #[test]
    fn a_uniform_border_of_any_colour_with_noise_is_found() {
        let inner = InnerPicture { x: 26, y: 26, width: 460, height: 460 };
        for colour in [0.0, 255.0, 90.0] {
            let noisy = |x: usize, y: usize| (colour + ((x * 7 + y * 13) % 7) as f32 - 3.0).clamp(0.0, 255.0);
            assert_found(find_inner_picture(&framed(512, 512, inner, noisy)), inner, 0);
        }
    }

    #[test]
    fn letterbox_and_pillarbox_bars_are_found() {
        let letterbox = InnerPicture { x: 0, y: 100, width: 512, height: 312 };
        assert_found(find_inner_picture(&framed(512, 512, letterbox, |_, _| 0.0)), letterbox, 0);
        let pillarbox = InnerPicture { x: 120, y: 0, width: 272, height: 400 };
        assert_found(find_inner_picture(&framed(512, 400, pillarbox, |_, _| 16.0)), pillarbox, 0);
    }

    #[test]
    fn the_photo_of_a_screenshot_is_found_between_bars_with_icons() {
        let inner = InnerPicture { x: 20, y: 120, width: 472, height: 300 };
        let screenshot = framed(512, 512, inner, |x, y| {
            let icon = (x % 80) < 14 && (y % 40) < 14;
            let status_bar = y < 24;
            let toolbar = y >= 460;
            if (status_bar || toolbar) && icon {
                30.0
            } else {
                245.0
            }
        });
        assert_found(find_inner_picture(&screenshot), inner, 0);
    }

    /// Blocky text: short strokes in cells 9 px wide, 7 px tall, from `(left, top)`, `chars` long.
    fn text_ink(x: usize, y: usize, left: usize, top: usize, chars: usize) -> bool {
        let inside = (left..left + 9 * chars).contains(&x) && (top..top + 7).contains(&y);
        let (cx, cy) = ((x.wrapping_sub(left)) % 9, y.wrapping_sub(top));
        inside && cx < 7 && (cx < 2 || cy < 2 || (cy == 4 && (x / 9).is_multiple_of(2)))
    }

    #[test]
    fn the_photo_of_a_chat_screenshot_is_found_above_its_caption_within_nested_bars() {
        // A 1080x2340 chat screenshot reduced to 512x512: status bar, coloured app bar with a name, the
        // photo with 36-px margins, a caption and a time under it, a bottom bar with an input box.
        let inner = InnerPicture { x: 17, y: 85, width: 478, height: 190 };
        for (background, status, app_bar, ink) in [(255.0, 240.0, 83.0, 30.0), (18.0, 0.0, 45.0, 230.0)] {
            let screenshot = framed(512, 512, inner, |x, y| match y {
                0..20 => if text_ink(x, y, 10, 6, 4) { ink } else { status },
                20..55 => if text_ink(x, y, 66, 30, 12) || (x.abs_diff(15) < 8 && y.abs_diff(35) < 8) { 255.0 } else { app_bar },
                481.. => {
                    let input_box = (9..=420).contains(&x) && (488..=505).contains(&y);
                    let outline = input_box && (y == 488 || y == 505 || x == 9 || x == 420);
                    if outline { 128.0 } else { background - 10.0_f32.copysign(background - 128.0) }
                }
                _ => if text_ink(x, y, 17, 285, 17) || text_ink(x, y, 17, 300, 5) { ink } else { background },
            });
            let found = find_inner_pictures(&screenshot);
            assert!(found.contains(&inner), "{found:?}");
        }
    }

    #[test]
    fn a_photo_with_a_line_of_text_on_it_has_no_inner_picture() {
        // A caption written over the photo (a meme, a date stamp): no frame to find.
        let captioned = LumaImage::from_fn(512, 384, |x, y| if text_ink(x, y, 40, 340, 30) { 250.0 } else { photo(x, y) });
        assert_eq!(find_inner_pictures(&captioned), Vec::new());
        // Nor in a bordered photo with text on it: only the photo inside the border.
        let inner = InnerPicture { x: 26, y: 26, width: 460, height: 460 };
        let bordered = framed(512, 512, inner, |_, _| 255.0);
        let bordered = LumaImage::from_fn(512, 512, |x, y| if text_ink(x, y, 60, 420, 30) { 250.0 } else { bordered.pixels()[y * 512 + x] });
        assert_eq!(find_inner_pictures(&bordered), vec![inner]);
    }

    #[test]
    fn a_border_that_meets_a_flat_edge_of_its_colour_also_gives_the_balanced_rectangle() {
        // A black border 26 px thick, around a picture whose top 30 rows are black too.
        let inner = InnerPicture { x: 26, y: 26, width: 460, height: 460 };
        let image = framed(512, 512, inner, |_, _| 0.0);
        let image = LumaImage::from_fn(512, 512, |x, y| if y < 56 { 0.0 } else { image.pixels()[y * 512 + x] });
        let found = find_inner_pictures(&image);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_found(Some(found[0]), InnerPicture { x: 26, y: 56, width: 460, height: 430 }, 0);
        assert_found(Some(found[1]), inner, 0);
    }

    #[test]
    fn a_border_around_a_picture_with_a_flat_sky_of_another_colour_is_found() {
        let inner = InnerPicture { x: 26, y: 26, width: 460, height: 460 };
        let image = framed(512, 512, inner, |_, _| 255.0);
        let image = LumaImage::from_fn(512, 512, |x, y| if (26..150).contains(&y) && (26..486).contains(&x) { 200.0 } else { image.pixels()[y * 512 + x] });
        assert_found(find_inner_picture(&image), inner, 0);
    }

    #[test]
    fn a_plain_photo_has_no_inner_picture() {
        assert_eq!(find_inner_picture(&LumaImage::from_fn(512, 384, photo)), None);
    }

    #[test]
    fn a_sky_with_a_flat_top_fading_into_the_picture_is_left_alone() {
        // Overexposed white sky over the top third, then a soft gradient into the landscape.
        let sky = LumaImage::from_fn(512, 512, |x, y| match y {
            0..160 => 250.0,
            160..220 => 250.0 - (y - 160) as f32 * 1.5 + ((x * 3 + y) % 5) as f32 * (y - 160) as f32 / 30.0,
            _ => photo(x, y),
        });
        assert_eq!(find_inner_picture(&sky), None);
    }

    #[test]
    fn a_dark_night_photo_is_left_alone() {
        // Black sky and ground with scattered lights: dark lines everywhere, but no straight edge.
        let night = LumaImage::from_fn(512, 512, |x, y| {
            let light = (x * 7919 + y * 104729) % 211 == 0;
            let glow = if (200..320).contains(&y) { ((x / 9 + y / 5) % 6) as f32 * 4.0 } else { 0.0 };
            if light {
                230.0
            } else {
                6.0 + glow
            }
        });
        assert_eq!(find_inner_picture(&night), None);
    }

    #[test]
    fn a_thin_border_is_not_worth_a_query_and_tiny_pictures_are_refused() {
        let thin = InnerPicture { x: 3, y: 3, width: 506, height: 506 };
        assert_eq!(find_inner_picture(&framed(512, 512, thin, |_, _| 255.0)), None);
        let small = InnerPicture { x: 200, y: 200, width: 60, height: 60 };
        assert_eq!(find_inner_picture(&framed(512, 512, small, |_, _| 255.0)), None);
    }

    #[test]
    fn regions_map_back_to_the_stored_image() {
        let inner = InnerPicture { x: 26, y: 100, width: 460, height: 312 };
        let region = inner.in_source(512, 512, 4000, 3000).unwrap();
        assert_eq!(region, SourceRegion { x: 199, y: 583, width: 3594, height: 1829 });
        // Not reduced: the same pixels.
        assert_eq!(inner.in_source(512, 512, 512, 512), Some(SourceRegion { x: 26, y: 100, width: 460, height: 312 }));
        assert_eq!(InnerPicture { x: 0, y: 0, width: 30, height: 30 }.in_source(512, 512, 800, 800), None);
        // Reaching the image's edge: to the last source line.
        let whole_width = InnerPicture { x: 0, y: 100, width: 512, height: 312 }.in_source(512, 512, 4000, 3000).unwrap();
        assert_eq!((whole_width.x, whole_width.width), (0, 4000));
    }

    #[test]
    fn edges_map_to_the_middle_of_what_the_reduced_picture_allows() {
        // A chat screenshot's photo, source rows 390..1146 of 2340, seen in the 512-row picture as rows
        // 86..251 (row 85 samples source row 388, row 86 row 393, row 250 row 1142, row 251 row 1147).
        let inner = InnerPicture { x: 0, y: 86, width: 512, height: 165 };
        let region = inner.in_source(512, 512, 1080, 2340).unwrap();
        assert!(region.y.abs_diff(390) <= 1, "{region:?}");
        assert!((region.y + region.height).abs_diff(1146) <= 1, "{region:?}");
    }
}
