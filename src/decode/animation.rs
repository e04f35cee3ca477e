//! Which pictures of an image are hashed: the reference picture, its alpha composites, and the distinct
//! frames of an animation.
//!
//! A viewer shows a transparent image on some background and plays every frame of an animation, so a
//! known picture can hide behind alpha (visible only on white, say) or in a later frame (behind a decoy
//! first frame or APNG default image). Each such picture is hashed and may match.
//!
//! Frames are bounded: [`MAX_HASHED_FRAMES`] distinct frames after dropping those that differ from the
//! last kept one by less than [`NEAR_IDENTICAL_MEAN_DIFF`] on average. Consecutive animation frames are
//! mostly near-identical (a blinking cursor, a moving sprite), so 64 distinct frames cover the scenes of
//! ordinary GIFs and stickers, while bounding the hashing at 64 frames x 2 backgrounds = 128 PDQ hashes
//! (about 1 ms each) and the bundle queries to match. A file with more than 64 distinct decoys before the
//! known frame evades this bound; it is the price of a bounded scan (the frame decoding itself is bounded
//! by `DecodeLimits::max_decoded_bytes`).

use super::canvas::SampledCanvas;
use crate::pdq::LumaImage;

/// Most distinct frames of an animation that are hashed.
pub const MAX_HASHED_FRAMES: usize = 64;

/// Frames whose luma differs from the last kept frame by less than this on average (0-255 scale) are
/// not hashed again: PDQ would give the same hash within a few bits.
pub const NEAR_IDENTICAL_MEAN_DIFF: f32 = 1.0;

/// The pictures collected so far.
#[derive(Default)]
pub(crate) struct Pictures {
    primary: Option<LumaImage>,
    alternates: Vec<LumaImage>,
    /// What the last kept frame looks like (on white when transparent), to drop near-identical frames.
    last_shown: Option<LumaImage>,
    frames: usize,
}

impl Pictures {
    /// Adds what the canvas shows now (one still image, or one animation frame). Returns `false` once
    /// [`MAX_HASHED_FRAMES`] frames are kept: the caller stops decoding.
    pub(crate) fn add(&mut self, canvas: &SampledCanvas) -> bool {
        let transparent = canvas.has_transparency();
        let shown = if transparent { canvas.luma_on(255) } else { canvas.luma_ignoring_alpha() };
        if self.primary.is_some() && self.last_shown.as_ref().is_some_and(|last| near_identical(last, &shown)) {
            return true;
        }
        if self.primary.is_none() {
            self.primary = Some(canvas.luma_ignoring_alpha());
            if transparent {
                self.alternates.push(shown.clone());
            }
        } else {
            self.alternates.push(shown.clone());
        }
        if transparent {
            let on_black = canvas.luma_on(0);
            if !near_identical(&on_black, &shown) {
                self.alternates.push(on_black);
            }
        }
        self.last_shown = Some(shown);
        self.frames += 1;
        self.frames < MAX_HASHED_FRAMES
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.primary.is_none()
    }

    /// The reference picture and the others, or `None` when nothing was added.
    pub(crate) fn finish(self) -> Option<(LumaImage, Vec<LumaImage>)> {
        Some((self.primary?, self.alternates))
    }
}

fn near_identical(a: &LumaImage, b: &LumaImage) -> bool {
    let (a, b) = (a.pixels(), b.pixels());
    let total: f32 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    a.len() == b.len() && total < NEAR_IDENTICAL_MEAN_DIFF * a.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas(value: u8, alpha: u8) -> SampledCanvas {
        let mut canvas = SampledCanvas::new(8, 8);
        for y in 0..8 {
            canvas.write_row(y, 0, 8, |x| [value.wrapping_add((x * y) as u8), value, value, alpha], false);
        }
        canvas
    }

    #[test]
    fn keeps_distinct_frames_and_drops_repeats() {
        let mut pictures = Pictures::default();
        assert!(pictures.add(&canvas(10, 255)));
        assert!(pictures.add(&canvas(10, 255)), "a repeat is dropped");
        assert!(pictures.add(&canvas(200, 255)));
        let (primary, alternates) = pictures.finish().unwrap();
        assert_eq!(primary.pixels(), canvas(10, 255).luma_ignoring_alpha().pixels());
        assert_eq!(alternates.len(), 1);
    }

    #[test]
    fn transparent_pictures_add_both_backgrounds() {
        let mut pictures = Pictures::default();
        pictures.add(&canvas(100, 128));
        let (_, alternates) = pictures.finish().unwrap();
        assert_eq!(alternates.len(), 2);
        assert_eq!(alternates[0].pixels(), canvas(100, 128).luma_on(255).pixels());
        assert_eq!(alternates[1].pixels(), canvas(100, 128).luma_on(0).pixels());
    }

    #[test]
    fn stops_at_the_frame_bound() {
        let mut pictures = Pictures::default();
        let added = (0..200).take_while(|&i| pictures.add(&canvas((i * 37 % 256) as u8, 255))).count();
        assert_eq!(added + 1, MAX_HASHED_FRAMES);
    }
}
