//! The hashing pipeline: encoded bytes, a file or raw pixels in; PDQ features and exact hashes out.
//!
//! This is what the scanner and the CLI call. It reads the bytes once for the exact hashes and once in the
//! decoder; the results stay inside the caller, which decides what (if anything) leaves the device.
//!
//! Exact hashes come from the bytes first and never depend on the decoder: a listed file that the core
//! cannot decode (HEIC, a corrupt JPEG) still matches exactly ([`exact_then_pictures`]). An image can show
//! more than one picture (alpha on a white or dark background, animation frames): the reference picture
//! is [`ImageHashes::pdq`], the others are [`ImageHashes::alternates`], and any may match.
//!
//! A device queries with more than the reference computes ([`PictureHashes::queries`]): the reference
//! picture's hashes with its pixels really flipped and turned ([`QueryFeatures`]: a mirrored or turned
//! copy of a listed picture lands much nearer the listed hash than the reference's derived hashes put
//! it), and the photo found inside uniform borders, letterbox bars or a phone screenshot, which the
//! reference's hash of the whole image misses entirely (issue 17), and the picture widened by its own
//! edges, which undoes a hand crop of a few percent ([`pdq::uncropped`]).

use crate::decode::{self, DecodeError, DecodeLimits, ImageFormat, PixelBuffer};
use crate::exact::{self, ExactHashRequest, ExactHashes};
use crate::pdq::{self, OrientedHashes, PdqFeatures, QueryFeatures, Uncropped};
use std::io::Read as _;
use std::path::Path;

/// How to hash an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HashOptions {
    pub limits: DecodeLimits,
    /// Which legacy exact hashes to compute besides BLAKE3.
    pub exact: ExactHashRequest,
    /// Decode only a JPEG's luma (at full resolution up to 32 MiB, DCT-scaled above): the default. Off gives
    /// the full colour decode, for comparison.
    pub jpeg_fast_path: bool,
}

impl Default for HashOptions {
    fn default() -> Self {
        HashOptions { limits: DecodeLimits::default(), exact: ExactHashRequest::BLAKE3_ONLY, jpeg_fast_path: true }
    }
}

/// How far (in bits) the averaged picture of a reduced PNG/WebP/GIF may be from the sampled one before it
/// is queried too (see `decode::Decoded::averaged`). Replacing the sampled pixels with a decoy moves the
/// sampled hash ~128 bits from the averaged one; on natural images the two are a median 6 bits apart and
/// over 16 for about 1 in 5 large images (fine texture that sampling aliases), which then cost one more
/// query. Half the match distance: a sampled hash pushed just past 31 bits from a listed one, with the
/// averaged one near it, is still caught.
pub const STEERING_DISAGREEMENT_BITS: u32 = 16;

/// Everything imageguard computes about one encoded image.
pub struct ImageHashes {
    /// The picture as the reference pipeline hashes it (colour channels as stored, first frame).
    pub pdq: PdqFeatures,
    /// The other pictures a viewer may show, each with a hash different from every one before it: the
    /// image on white and on black when it is transparent, later distinct animation frames.
    pub alternates: Vec<PdqFeatures>,
    pub exact: ExactHashes,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// The perceptual side of [`ImageHashes`]: what decoding gave.
pub struct PictureHashes {
    pub pdq: PdqFeatures,
    pub alternates: Vec<PdqFeatures>,
    /// The reference picture hashed also with its pixels really flipped and turned: what a device
    /// queries with ([`QueryFeatures`]); its original is [`PictureHashes::pdq`].
    pub oriented: QueryFeatures,
    /// Pictures found inside the image: the photo within uniform borders, letterbox bars or a phone
    /// screenshot ([`crate::decode::borders`]), hashed from the full-resolution crop. Usually empty.
    pub framed: Vec<QueryFeatures>,
    /// The reference picture widened by its own edges ([`pdq::uncropped`]): a hand-cropped copy of a
    /// listed picture lands nearer the listed hash this way. Probed as given only.
    pub uncropped: Uncropped,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

/// Hashes encoded image bytes; fails when they cannot be decoded (see [`exact_then_pictures`] for the
/// exact hashes of any bytes).
pub fn hash_bytes(bytes: &[u8], options: &HashOptions) -> Result<ImageHashes, DecodeError> {
    let (exact, pictures) = exact_then_pictures(bytes, options);
    let PictureHashes { pdq, alternates, format, width, height, .. } = pictures?;
    Ok(ImageHashes { pdq, alternates, exact, format, width, height })
}

/// The exact hashes of the bytes (always: they need no decoding), then the PDQ features of every picture
/// the decoded image shows, or why it could not be decoded.
pub fn exact_then_pictures(bytes: &[u8], options: &HashOptions) -> (ExactHashes, Result<PictureHashes, DecodeError>) {
    let exact = exact::exact_hashes(bytes, options.exact);
    (exact, hash_pictures(bytes, options))
}

fn hash_pictures(bytes: &[u8], options: &HashOptions) -> Result<PictureHashes, DecodeError> {
    let decoded = if options.jpeg_fast_path {
        decode::decode_for_hashing(bytes, &options.limits)?
    } else {
        decode::decode_full_for_hashing(bytes, &options.limits)?
    };
    let framed = framed_pictures(bytes, options, &decoded);
    let uncropped = Uncropped::compute(&decoded.luma);
    let oriented = QueryFeatures::compute(decoded.luma);
    let pdq = oriented.original().clone();
    let mut seen = vec![pdq.hash()];
    let mut alternates = Vec::new();
    for luma in decoded.alternates {
        let features = pdq::compute(luma);
        if !seen.contains(&features.hash()) {
            seen.push(features.hash());
            alternates.push(features);
        }
    }
    // The averaged picture is queried when it disagrees with every sampled one (as stored, on white, on
    // black): the file then either was built to hash as something it does not show, or is fine texture
    // that sampling aliases.
    if let Some(averaged) = decoded.averaged.map(pdq::compute) {
        if seen.iter().all(|hash| averaged.hash().distance(hash) > STEERING_DISAGREEMENT_BITS) {
            alternates.push(averaged);
        }
    }
    Ok(PictureHashes {
        pdq,
        alternates,
        oriented,
        framed,
        uncropped,
        format: decoded.format,
        width: decoded.source_width,
        height: decoded.source_height,
    })
}

impl PictureHashes {
    /// Every picture to query, in order: the reference picture (really flipped and turned), the
    /// alternates (alpha composites, frames: derived orientations), the framed pictures, then the
    /// uncropped picture.
    pub fn queries(&self) -> impl Iterator<Item = &dyn OrientedHashes> {
        std::iter::once(&self.oriented as &dyn OrientedHashes)
            .chain(self.alternates.iter().map(|features| features as &dyn OrientedHashes))
            .chain(self.framed.iter().map(|features| features as &dyn OrientedHashes))
            .chain(std::iter::once(&self.uncropped as &dyn OrientedHashes))
    }
}

/// The pictures inside borders, bars or a screenshot frame of the decoded picture, hashed from a
/// full-resolution crop with the reference's resize rule (a crop of the reduced picture loses recall).
fn framed_pictures(bytes: &[u8], options: &HashOptions, decoded: &decode::Decoded) -> Vec<QueryFeatures> {
    let (luma_width, luma_height) = (decoded.luma.width(), decoded.luma.height());
    let path = if options.jpeg_fast_path { decode::JpegPath::Fast } else { decode::JpegPath::Full };
    decode::borders::find_inner_pictures(&decoded.luma)
        .into_iter()
        .filter_map(|inner| inner.in_source(luma_width, luma_height, decoded.source_width, decoded.source_height))
        .filter_map(|region| decode::decode_region_for_hashing(bytes, &options.limits, region, path).ok())
        .map(QueryFeatures::compute)
        .collect()
}

/// Reads a file (refusing it before reading if it is over the size limit) and hashes it.
pub fn hash_file(path: &Path, options: &HashOptions) -> Result<ImageHashes, DecodeError> {
    hash_bytes(&read_file(path, &options.limits)?, options)
}

/// Reads a whole file within the encoded-size limit.
pub fn read_file(path: &Path, limits: &DecodeLimits) -> Result<Vec<u8>, DecodeError> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    limits.check_encoded_len(len)?;
    let mut bytes = Vec::with_capacity(len as usize);
    // `take` guards against a file that grows while being read.
    file.take(limits.max_encoded_bytes + 1).read_to_end(&mut bytes)?;
    limits.check_encoded_len(bytes.len() as u64)?;
    Ok(bytes)
}

/// PDQ features of a raw pixel buffer (no exact hashes: there are no encoded bytes).
pub fn hash_pixels(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<PdqFeatures, DecodeError> {
    Ok(pdq::compute(decode::luma_from_pixels(buffer, limits)?))
}

/// What a device queries with for a raw pixel buffer (no exact hashes: there are no encoded bytes).
pub struct PixelQueries {
    /// The picture really flipped and turned, then the picture inside its borders, bars or screenshot
    /// frame, if any (cropped at full resolution).
    pub pictures: Vec<QueryFeatures>,
    /// The picture widened by its own edges ([`pdq::uncropped`]), probed as given only.
    pub uncropped: Uncropped,
}

impl PixelQueries {
    /// Every picture to query, in order (as [`PictureHashes::queries`]).
    pub fn queries(&self) -> impl Iterator<Item = &dyn OrientedHashes> {
        self.pictures
            .iter()
            .map(|features| features as &dyn OrientedHashes)
            .chain(std::iter::once(&self.uncropped as &dyn OrientedHashes))
    }
}

/// What a device queries with for a raw pixel buffer.
pub fn query_pixels(buffer: &PixelBuffer<'_>, limits: &DecodeLimits) -> Result<PixelQueries, DecodeError> {
    let luma = decode::luma_from_pixels(buffer, limits)?;
    let (width, height) = (buffer.width() as u32, buffer.height() as u32);
    let inner: Vec<_> = decode::borders::find_inner_pictures(&luma)
        .into_iter()
        .filter_map(|inner| inner.in_source(luma.width(), luma.height(), width, height))
        .filter_map(|region| decode::luma_from_pixels_in(buffer, limits, region).ok())
        .collect();
    let uncropped = Uncropped::compute(&luma);
    let pictures = std::iter::once(luma).chain(inner).map(QueryFeatures::compute).collect();
    Ok(PixelQueries { pictures, uncropped })
}
