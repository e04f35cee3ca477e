//! Word-at-a-time bit writing and reading for Rice codes, least significant bit first within each byte.
//!
//! The exact filter decodes a few dozen Rice codes per lookup; reading up to 56 bits per memory access
//! (instead of one) keeps a lookup well under a microsecond. The reader never reads past the bytes it is
//! given (missing bytes read as zeros), so a malformed section gives wrong answers, never a panic.

/// The most bits one [`BitReader::bits`] call returns.
pub const MAX_READ_BITS: u32 = 56;

/// Appends bits to a byte vector.
#[derive(Default)]
pub struct BitWriter {
    pub bytes: Vec<u8>,
    pub len: u64,
}

impl BitWriter {
    /// Appends the low `count` bits of `value` (`count` <= 56), lowest first.
    pub fn bits(&mut self, value: u64, count: u32) {
        let mut value = value & low_mask(count);
        let mut left = count;
        while left > 0 {
            let used = (self.len % 8) as u32;
            if used == 0 {
                self.bytes.push(0);
            }
            let take = left.min(8 - used);
            if let Some(last) = self.bytes.last_mut() {
                *last |= ((value & low_mask(take)) as u8) << used;
            }
            value >>= take;
            left -= take;
            self.len += u64::from(take);
        }
    }

    /// Appends `count` one bits then a zero: the unary part of a Rice code.
    pub fn unary(&mut self, count: u64) {
        let mut left = count;
        while left > 0 {
            let take = left.min(u64::from(MAX_READ_BITS)) as u32;
            self.bits(u64::MAX, take);
            left -= u64::from(take);
        }
        self.bits(0, 1);
    }
}

/// Reads bits at arbitrary positions of a byte slice.
#[derive(Clone, Copy)]
pub struct BitReader<'a> {
    pub bytes: &'a [u8],
}

impl BitReader<'_> {
    /// The `count` bits (<= 56) starting at bit `position`; bits past the slice read as zeros.
    #[inline]
    pub fn bits(&self, position: u64, count: u32) -> u64 {
        let Ok(byte) = usize::try_from(position / 8) else { return 0 };
        let mut word = [0u8; 8];
        match self.bytes.get(byte..byte.saturating_add(8)) {
            Some(full) => word.copy_from_slice(full),
            None => {
                let tail = self.bytes.get(byte..).unwrap_or_default();
                if let Some(prefix) = word.get_mut(..tail.len()) {
                    prefix.copy_from_slice(tail);
                }
            }
        }
        (u64::from_le_bytes(word) >> (position % 8)) & low_mask(count)
    }

    /// The number of consecutive one bits from `position`, not looking at or beyond `end`.
    #[inline]
    pub fn ones(&self, position: u64, end: u64) -> u64 {
        let mut at = position;
        while at < end {
            let window = self.bits(at, MAX_READ_BITS);
            let run = u64::from(window.trailing_ones().min(MAX_READ_BITS));
            at += run;
            if run < u64::from(MAX_READ_BITS) {
                break;
            }
        }
        at.min(end) - position.min(end)
    }
}

#[inline]
fn low_mask(count: u32) -> u64 {
    if count >= 64 {
        u64::MAX
    } else {
        (1u64 << count) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_back_across_byte_boundaries() {
        let mut w = BitWriter::default();
        w.bits(0b101, 3);
        w.unary(70);
        w.bits(0x00AB_CDEF_0123_4567, 56);
        w.unary(0);
        w.bits(1, 1);
        let r = BitReader { bytes: &w.bytes };
        assert_eq!(r.bits(0, 3), 0b101);
        assert_eq!(r.ones(3, w.len), 70);
        assert_eq!(r.bits(74, 56), 0x00AB_CDEF_0123_4567);
        assert_eq!(r.ones(130, w.len), 0);
        assert_eq!(r.bits(131, 1), 1);
        assert_eq!(w.len, 132);
        // A run of ones is cut at `end`, and reads past the bytes are zeros.
        assert_eq!(r.ones(3, 20), 17);
        assert_eq!(r.bits(10_000, 56), 0);
    }
}
