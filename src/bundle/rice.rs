//! Golomb-Rice coding of sorted positions: the compact way to say "these scattered bits changed".
//!
//! Adding 1% more entries to a Bloom filter flips a few scattered bits per entry. Their positions, sorted,
//! have gaps that are roughly geometric, for which Rice coding with parameter `k = log2(mean gap)` is near
//! optimal: about `k + 2` bits per position instead of 64.

use crate::wire::{Reader, Truncated, Writer};

/// Rice parameter for gaps averaging `mean`.
fn parameter(mean: u64) -> u8 {
    (63 - mean.max(1).leading_zeros()) as u8
}

/// Encodes strictly increasing `positions`: count u64, parameter u8, bit length u64, then the bits.
pub fn encode(positions: &[u64], out: &mut Writer) {
    let span = positions.last().map_or(0, |last| last + 1);
    let k = parameter(span / (positions.len() as u64).max(1));
    let mut bits = BitWriter::default();
    let mut previous = 0u64;
    for (i, &position) in positions.iter().enumerate() {
        let gap = if i == 0 { position } else { position - previous - 1 };
        previous = position;
        let quotient = gap >> k;
        for _ in 0..quotient {
            bits.push(true);
        }
        bits.push(false);
        for bit in (0..k).rev() {
            bits.push(gap >> bit & 1 == 1);
        }
    }
    out.u64(positions.len() as u64).u8(k).u64(bits.len).raw(&bits.bytes);
}

/// Decodes positions, refusing any that is not below `limit` (so a hostile count or gap cannot make us
/// allocate or loop beyond what the input itself pays for).
#[cfg(test)]
pub fn decode(r: &mut Reader<'_>, limit: u64) -> Result<Vec<u64>, Truncated> {
    let mut positions = Vec::new();
    decode_each(r, limit, |position| positions.push(position))?;
    Ok(positions)
}

/// Decodes positions one by one into `visit`, without storing them: a hostile count costs no memory,
/// and at most one loop step per input bit. Every position is below `limit` and above the previous one.
pub fn decode_each(r: &mut Reader<'_>, limit: u64, mut visit: impl FnMut(u64)) -> Result<(), Truncated> {
    for position in Positions::read(r, limit)? {
        visit(position?);
    }
    Ok(())
}

/// Positions decoded one at a time, for callers that merge several sorted streams. Reading the header
/// takes the coded bytes from the reader; each `next` costs one step per input bit at most.
pub struct Positions<'a> {
    bits: BitReader<'a>,
    k: u8,
    left: u64,
    next: u64,
    limit: u64,
}

impl<'a> Positions<'a> {
    /// Reads the header (count, parameter, bit length) and takes the codes from `r`.
    pub fn read(r: &mut Reader<'a>, limit: u64) -> Result<Positions<'a>, Truncated> {
        let count = r.u64()?;
        let k = r.u8()?;
        let bit_len = r.u64()?;
        // Each position takes at least k + 1 bits, and positions are distinct and below `limit`.
        if k > 63 || count > bit_len / (u64::from(k) + 1) || count > limit || bit_len > (r.remaining() as u64) * 8 {
            return Err(Truncated);
        }
        let bytes = r.take(usize::try_from(bit_len.div_ceil(8)).map_err(|_| Truncated)?)?;
        Ok(Positions { bits: BitReader { bytes, at: 0, len: bit_len }, k, left: count, next: 0, limit })
    }

    /// How many positions are still to come (as the header says).
    pub fn remaining(&self) -> u64 {
        self.left
    }

    fn decode(&mut self) -> Result<u64, Truncated> {
        let mut quotient = 0u64;
        while self.bits.next()? {
            quotient += 1;
        }
        let mut remainder = 0u64;
        for _ in 0..self.k {
            remainder = remainder << 1 | u64::from(self.bits.next()?);
        }
        let k = u32::from(self.k);
        let gap = quotient.checked_shl(k).filter(|shifted| shifted >> k == quotient).ok_or(Truncated)? | remainder;
        let position = self.next.checked_add(gap).ok_or(Truncated)?;
        if position >= self.limit {
            return Err(Truncated);
        }
        self.next = position + 1;
        Ok(position)
    }
}

impl Iterator for Positions<'_> {
    type Item = Result<u64, Truncated>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let item = self.decode();
        if item.is_err() {
            self.left = 0;
        }
        Some(item)
    }
}

#[derive(Default)]
struct BitWriter {
    bytes: Vec<u8>,
    len: u64,
}

impl BitWriter {
    fn push(&mut self, bit: bool) {
        if self.len.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if bit {
            if let Some(last) = self.bytes.last_mut() {
                *last |= 1 << (self.len % 8);
            }
        }
        self.len += 1;
    }
}

struct BitReader<'a> {
    bytes: &'a [u8],
    at: u64,
    len: u64,
}

impl BitReader<'_> {
    fn next(&mut self) -> Result<bool, Truncated> {
        if self.at >= self.len {
            return Err(Truncated);
        }
        let byte = self.bytes.get((self.at / 8) as usize).ok_or(Truncated)?;
        let bit = byte >> (self.at % 8) & 1 == 1;
        self.at += 1;
        Ok(bit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_compact() {
        let positions: Vec<u64> = (0..1000u64).map(|i| i * 977 + (i * i) % 13).collect();
        let mut w = Writer::new();
        encode(&positions, &mut w);
        assert!(w.bytes.len() < 1000 * 13 / 8 + 32, "{} bytes", w.bytes.len());
        let decoded = decode(&mut Reader::new(&w.bytes), 1 << 20).unwrap();
        assert_eq!(decoded, positions);
        assert!(decode(&mut Reader::new(&w.bytes), 1000).is_err(), "limit enforced");
        let mut empty = Writer::new();
        encode(&[], &mut empty);
        assert_eq!(decode(&mut Reader::new(&empty.bytes), 1).unwrap(), Vec::<u64>::new());
    }
}
