//! vPDQ hash files, in the two formats the references write, read as untrusted input.
//!
//! - The C++ tool (`vpdq-hash-video`): one line per frame, `frame_number,quality,pdq_hex,timestamp`.
//! - python-threatexchange: a JSON list of strings `"pdq_hex,quality,timestamp"`.
//!
//! Hash lists arrive from other organisations, so every field is checked (64 hex digits, quality 0..=100,
//! a finite timestamp 0..=[`MAX_TIMESTAMP_SECS`], frame numbers increasing) and the input is bounded
//! ([`MAX_FILE_BYTES`], [`MAX_FRAMES`]) before anything grows; a bad record is a typed error naming its
//! line (C++) or its position in the list (JSON). The JSON reader accepts exactly a list of plain strings
//! (no escapes: the records are hex, digits, commas and dots), which is all pytx writes.

use crate::pdq::PdqHash;

/// The largest hash file read (a 24 h video at 30 fps, every frame, is ~280 MB in the C++ format; at
/// pytx's 1 fps ~7 MB).
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// The most frames one file may hold (~4.8 h of every frame at 30 fps, ~6 days at 1 fps).
pub const MAX_FRAMES: usize = 1 << 19;
/// The latest timestamp accepted: ten days.
pub const MAX_TIMESTAMP_SECS: f64 = 864_000.0;

/// One hashed frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VpdqFrame {
    /// The frame's number in the video (C++ format only; pytx does not keep it).
    pub frame_number: Option<u64>,
    pub quality: u8,
    pub hash: PdqHash,
    /// Seconds from the start of the video.
    pub timestamp: f64,
}

/// Which reference wrote a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VpdqFormat {
    /// `frame_number,quality,pdq_hex,timestamp` lines.
    Cpp,
    /// A JSON list of `"pdq_hex,quality,timestamp"` strings.
    Pytx,
}

/// Why a vPDQ hash file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VpdqError {
    #[error("the vPDQ file is {bytes} bytes, over the limit of {max}")]
    TooLarge { bytes: usize, max: usize },
    #[error("the vPDQ file holds more than {max} frames")]
    TooManyFrames { max: usize },
    #[error("record {record}: {reason}")]
    BadRecord { record: usize, reason: &'static str },
    #[error("the JSON list is malformed at byte {offset}: {reason}")]
    BadJson { offset: usize, reason: &'static str },
}

/// Parses a vPDQ file in either format: a JSON list when the first non-blank character is `[`, else
/// C++ lines. Records are numbered from 1 (lines for C++, list items for JSON).
pub fn parse_vpdq(text: &str) -> Result<(VpdqFormat, Vec<VpdqFrame>), VpdqError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(VpdqError::TooLarge { bytes: text.len(), max: MAX_FILE_BYTES });
    }
    if text.trim_start().starts_with('[') {
        Ok((VpdqFormat::Pytx, parse_pytx(text)?))
    } else {
        Ok((VpdqFormat::Cpp, parse_cpp(text)?))
    }
}

/// The C++ tool's lines. Blank lines are skipped; frame numbers must increase.
pub fn parse_cpp(text: &str) -> Result<Vec<VpdqFrame>, VpdqError> {
    let mut frames = Vec::new();
    let mut last_frame: Option<u64> = None;
    for (index, line) in text.lines().enumerate() {
        let record = index + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        check_room(&frames)?;
        let bad = |reason| VpdqError::BadRecord { record, reason };
        let mut fields = line.split(',');
        let (Some(number), Some(quality), Some(hex), Some(time), None) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad("expected frame_number,quality,pdq_hex,timestamp"));
        };
        let number: u64 = number.trim().parse().map_err(|_| bad("the frame number is not a non-negative integer"))?;
        if last_frame.is_some_and(|last| number <= last) {
            return Err(bad("frame numbers must increase"));
        }
        last_frame = Some(number);
        let frame = parse_fields(hex, quality, time).map_err(bad)?;
        frames.push(VpdqFrame { frame_number: Some(number), ..frame });
    }
    Ok(frames)
}

/// pytx's JSON list of `"pdq_hex,quality,timestamp"` strings.
pub fn parse_pytx(text: &str) -> Result<Vec<VpdqFrame>, VpdqError> {
    let bytes = text.as_bytes();
    let mut at = skip_blank(bytes, 0);
    let json = |offset, reason| VpdqError::BadJson { offset, reason };
    if bytes.get(at) != Some(&b'[') {
        return Err(json(at, "expected '['"));
    }
    at = skip_blank(bytes, at + 1);
    let mut frames = Vec::new();
    if bytes.get(at) == Some(&b']') {
        return finish_json(bytes, at + 1, frames);
    }
    loop {
        if bytes.get(at) != Some(&b'"') {
            return Err(json(at, "expected a string"));
        }
        let start = at + 1;
        let len = bytes.get(start..).unwrap_or_default().iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
        let end = match len.map(|len| start + len) {
            Some(end) if bytes.get(end) == Some(&b'"') => end,
            Some(end) => return Err(json(end, "escapes and control characters are not allowed in a record")),
            None => return Err(json(bytes.len(), "unterminated string")),
        };
        check_room(&frames)?;
        let record = frames.len() + 1;
        let item = text.get(start..end).ok_or(json(start, "not UTF-8"))?;
        let mut fields = item.split(',');
        let (Some(hex), Some(quality), Some(time), None) = (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(VpdqError::BadRecord { record, reason: "expected \"pdq_hex,quality,timestamp\"" });
        };
        frames.push(parse_fields(hex, quality, time).map_err(|reason| VpdqError::BadRecord { record, reason })?);
        at = skip_blank(bytes, end + 1);
        match bytes.get(at) {
            Some(b',') => at = skip_blank(bytes, at + 1),
            Some(b']') => return finish_json(bytes, at + 1, frames),
            _ => return Err(json(at, "expected ',' or ']'")),
        }
    }
}

fn finish_json(bytes: &[u8], after: usize, frames: Vec<VpdqFrame>) -> Result<Vec<VpdqFrame>, VpdqError> {
    let end = skip_blank(bytes, after);
    if end != bytes.len() {
        return Err(VpdqError::BadJson { offset: end, reason: "trailing characters after the list" });
    }
    Ok(frames)
}

fn skip_blank(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b.is_ascii_whitespace()) {
        at += 1;
    }
    at
}

fn check_room(frames: &[VpdqFrame]) -> Result<(), VpdqError> {
    if frames.len() >= MAX_FRAMES {
        return Err(VpdqError::TooManyFrames { max: MAX_FRAMES });
    }
    Ok(())
}

fn parse_fields(hex: &str, quality: &str, time: &str) -> Result<VpdqFrame, &'static str> {
    let hash = PdqHash::from_hex(hex.trim()).map_err(|_| "the PDQ hash is not 64 hex digits")?;
    let quality: u8 = quality.trim().parse().map_err(|_| "the quality is not an integer 0 to 100")?;
    if quality > 100 {
        return Err("the quality is not an integer 0 to 100");
    }
    let time = time.trim();
    // Plain decimal numbers only: `f64::from_str` would also take "inf", "NaN" and exponents.
    if time.is_empty() || !time.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err("the timestamp is not a decimal number of seconds");
    }
    let timestamp: f64 = time.parse().map_err(|_| "the timestamp is not a decimal number of seconds")?;
    if !(0.0..=MAX_TIMESTAMP_SECS).contains(&timestamp) {
        return Err("the timestamp is out of range");
    }
    Ok(VpdqFrame { frame_number: None, quality, hash, timestamp })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "34ad66b96f18d2491a79f80f07f2c9836fe6083dfb6983d8a4a36db40034df54";
    const B: &str = "a52d66b96f58d2491a79f80f07f2c9836fe6083dfb4983d8a4a36db40034df54";

    #[test]
    fn cpp_lines_parse_with_frame_numbers() {
        let text = format!("0,100,{A},0\n\n29,49,{B},0.967\n");
        let (format, frames) = parse_vpdq(&text).unwrap();
        assert_eq!(format, VpdqFormat::Cpp);
        assert_eq!(frames.len(), 2);
        assert_eq!(frames[1].frame_number, Some(29));
        assert_eq!(frames[1].quality, 49);
        assert_eq!(frames[1].hash.to_hex(), B);
        assert!((frames[1].timestamp - 0.967).abs() < 1e-9);
    }

    #[test]
    fn pytx_json_parses() {
        let text = format!(" [\"{A},100,0.000\",\n \"{B},87,1.000\"] \n");
        let (format, frames) = parse_vpdq(&text).unwrap();
        assert_eq!(format, VpdqFormat::Pytx);
        assert_eq!(frames.iter().map(|f| f.quality).collect::<Vec<_>>(), [100, 87]);
        assert_eq!(frames[0].frame_number, None);
        assert_eq!(parse_vpdq("[]").unwrap().1, vec![]);
    }

    #[test]
    fn bad_records_are_typed_errors_with_their_number() {
        let record = |text: &str| match parse_vpdq(text) {
            Err(VpdqError::BadRecord { record, .. }) => record,
            other => panic!("{other:?}"),
        };
        assert_eq!(record(&format!("0,100,{A},0\n1,101,{A},1\n")), 2);
        assert_eq!(record(&format!("0,100,{A},0\n0,100,{B},1\n")), 2, "frame numbers must increase");
        assert_eq!(record(&format!("0,100,{A}\n")), 1);
        assert_eq!(record(&format!("0,100,{A},1,2\n")), 1);
        assert_eq!(record(&format!("0,100,{A},inf\n")), 1);
        assert_eq!(record(&format!("0,100,{A},NaN\n")), 1);
        assert_eq!(record(&format!("0,100,{A},1e9\n")), 1);
        assert_eq!(record(&format!("-1,100,{A},0\n")), 1);
        assert_eq!(record(&format!("0,100,{},0\n", &A[1..])), 1);
        assert_eq!(record(&format!("[\"{A},100,0\", \"{A},100\"]")), 2);
        assert_eq!(record(&format!("[\"{A},-3,0\"]")), 1);
    }

    #[test]
    fn malformed_json_is_refused_without_panicking() {
        for text in ["[", "[\"", "[\"abc", "[1]", "[\"a\" \"b\"]", "[] x", "[\"a\\u0041\"]", "[\"é\"", "[,]"] {
            assert!(parse_vpdq(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn sizes_are_bounded_before_anything_grows() {
        let huge = " ".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(parse_vpdq(&huge), Err(VpdqError::TooLarge { bytes: MAX_FILE_BYTES + 1, max: MAX_FILE_BYTES }));
        let line = format!("\"{A},100,0\",");
        let many = format!("[{}\"{A},100,0\"]", line.repeat(MAX_FRAMES));
        assert_eq!(parse_vpdq(&many), Err(VpdqError::TooManyFrames { max: MAX_FRAMES }));
    }
}
