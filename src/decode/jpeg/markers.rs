//! One pass over a JPEG's marker segments, skipping entropy-coded data: what a decode will cost (scans,
//! blocks visited, progressive coefficient memory) and the frame size, known before any decoder runs.

/// What the marker walk learns before any decoding.
#[derive(Debug, Default, PartialEq)]
pub(super) struct MarkerSummary {
    /// Start-of-scan markers seen.
    pub(super) scans: u32,
    /// 8x8 blocks the scans decode, summed over scans: each scan visits every block of its components
    /// (the walk stops once past the limit).
    pub(super) scan_blocks: u64,
    /// For a progressive frame: the bytes of the coefficient buffer a decoder keeps for the whole
    /// image (one i16 per sample per 8x8 block, with the MCU padding).
    pub(super) progressive_coefficient_bytes: u64,
    /// Width and height from the frame header, checked before the decoder sees the file.
    pub(super) frame: Option<(u64, u64)>,
}

/// Walks the marker segments of a JPEG, skipping entropy-coded data: one pass over the bytes.
pub(super) fn summarize_markers(bytes: &[u8], max_scan_blocks: u64) -> MarkerSummary {
    let mut summary = MarkerSummary::default();
    let mut components: Vec<(u8, u64)> = Vec::new();
    let mut i = 2; // after SOI
    while let Some(&[0xFF, marker]) = bytes.get(i..i + 2) {
        match marker {
            0xFF => i += 1, // fill byte
            0xD8 | 0x01 | 0xD0..=0xD7 => i += 2,
            0xD9 => break,
            _ => {
                let Some(&[high, low]) = bytes.get(i + 2..i + 4) else { break };
                let end = i + 2 + usize::from(u16::from_be_bytes([high, low]));
                let segment = bytes.get(i + 4..end.min(bytes.len())).unwrap_or_default();
                i = end;
                if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) && summary.frame.is_none() {
                    if let Some(&[_, hh, hl, wh, wl]) = segment.get(..5) {
                        let side = |high, low| u64::from(u16::from_be_bytes([high, low]));
                        summary.frame = Some((side(wh, wl), side(hh, hl)));
                        components = frame_components(segment);
                        if marker == 0xC2 {
                            summary.progressive_coefficient_bytes = components.iter().map(|c| c.1 * 64 * 2).sum();
                        }
                    }
                }
                if marker == 0xDA {
                    summary.scans += 1;
                    let count = segment.first().map_or(0, |&n| usize::from(n));
                    let ids = (0..count).filter_map(|c| segment.get(1 + 2 * c));
                    summary.scan_blocks += ids
                        .filter_map(|id| components.iter().find(|c| c.0 == *id).map(|c| c.1))
                        .sum::<u64>();
                    if summary.scan_blocks > max_scan_blocks {
                        break;
                    }
                    // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart.
                    while let Some(offset) = bytes.get(i..).and_then(|rest| rest.iter().position(|&b| b == 0xFF)) {
                        i += offset;
                        match bytes.get(i + 1) {
                            Some(0x00 | 0xD0..=0xD7 | 0xFF) => i += 1,
                            _ => break,
                        }
                    }
                }
            }
        }
    }
    summary
}

/// Each component's id and 8x8 block count (with the MCU padding), from a SOF segment (after the length).
fn frame_components(sof: &[u8]) -> Vec<(u8, u64)> {
    let (Some(&[hh, hl, wh, wl]), Some(&count)) = (sof.get(1..5), sof.get(5)) else { return Vec::new() };
    let (height, width) = (u64::from(u16::from_be_bytes([hh, hl])), u64::from(u16::from_be_bytes([wh, wl])));
    let factors: Vec<(u8, u64, u64)> = (0..usize::from(count))
        .filter_map(|c| sof.get(6 + 3 * c..8 + 3 * c))
        .filter_map(|c| match *c {
            [id, f] => Some((id, u64::from(f >> 4).max(1), u64::from(f & 15).max(1))),
            _ => None,
        })
        .collect();
    let h_max = factors.iter().map(|f| f.1).max().unwrap_or(1);
    let v_max = factors.iter().map(|f| f.2).max().unwrap_or(1);
    let (mcus_x, mcus_y) = (width.div_ceil(8 * h_max), height.div_ceil(8 * v_max));
    factors.iter().map(|&(id, h, v)| (id, mcus_x * h * mcus_y * v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_walk_counts_scan_blocks_and_sizes_progressive_coefficients() {
        // SOI, SOF2 (16x16, 3 components, 4:2:0), then two scans with stuffed and restart bytes, EOI.
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xC2, 0, 17, 8, 0, 16, 0, 16, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
        for _ in 0..2 {
            jpeg.extend_from_slice(&[0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]);
        }
        jpeg.extend_from_slice(&[0xFF, 0xD9]);
        let summary = summarize_markers(&jpeg, 100);
        // One 16x16 MCU: 4 luma blocks + 1 + 1 chroma blocks, 128 bytes each; each scan covers the 4 luma.
        let expected = MarkerSummary { scans: 2, scan_blocks: 8, progressive_coefficient_bytes: 6 * 128, frame: Some((16, 16)) };
        assert_eq!(summary, expected);
        assert_eq!(summarize_markers(&jpeg, 3).scans, 1, "stops just past the limit");
        assert_eq!(summarize_markers(&jpeg[..30], 100).scans, 1, "a truncated file is not an error here");
    }
}
