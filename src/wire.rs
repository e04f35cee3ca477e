//! Bounds-checked little-endian reading and writing, shared by every binary format imageguard parses
//! (bundles, filter sections, policy, prompts, state, reports). The reader never trusts a length: every
//! read is checked against what is actually left, and counts are checked against caller-given maxima
//! before anything is allocated.

/// A read past the end of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated;

/// A cursor over untrusted bytes.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, at: 0 }
    }

    /// Bytes read so far.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Bytes not yet read.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        let end = self.at.checked_add(n).ok_or(Truncated)?;
        let slice = self.bytes.get(self.at..end).ok_or(Truncated)?;
        self.at = end;
        Ok(slice)
    }

    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, Truncated> {
        Ok(self.array::<1>()?[0])
    }

    pub fn u16(&mut self) -> Result<u16, Truncated> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    pub fn u32(&mut self) -> Result<u32, Truncated> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    pub fn u64(&mut self) -> Result<u64, Truncated> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// A u8-length-prefixed byte string.
    pub fn short_bytes(&mut self) -> Result<&'a [u8], Truncated> {
        let len = self.u8()?;
        self.take(usize::from(len))
    }

    /// A u16-length-prefixed byte string.
    pub fn medium_bytes(&mut self) -> Result<&'a [u8], Truncated> {
        let len = self.u16()?;
        self.take(usize::from(len))
    }
}

/// Appends little-endian values to a buffer. Lengths that do not fit their prefix are the caller's bug
/// and are checked by the formats' own builders before writing.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.bytes.push(v);
        self
    }

    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes.extend_from_slice(&v.to_le_bytes());
        self
    }

    pub fn raw(&mut self, v: &[u8]) -> &mut Self {
        self.bytes.extend_from_slice(v);
        self
    }

    /// A u8-length-prefixed byte string; `v` must be at most 255 bytes.
    pub fn short_bytes(&mut self, v: &[u8]) -> &mut Self {
        debug_assert!(v.len() <= usize::from(u8::MAX));
        self.u8(v.len().min(255) as u8).raw(&v[..v.len().min(255)])
    }

    /// A u16-length-prefixed byte string; `v` must be at most 65535 bytes.
    pub fn medium_bytes(&mut self, v: &[u8]) -> &mut Self {
        debug_assert!(v.len() <= usize::from(u16::MAX));
        let len = v.len().min(usize::from(u16::MAX));
        self.u16(len as u16).raw(&v[..len])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_was_written_and_never_past_the_end() {
        let mut w = Writer::new();
        w.u8(1).u16(2).u32(3).u64(4).short_bytes(b"abc").medium_bytes(b"de");
        let mut r = Reader::new(&w.bytes);
        assert_eq!((r.u8(), r.u16(), r.u32(), r.u64()), (Ok(1), Ok(2), Ok(3), Ok(4)));
        assert_eq!(r.short_bytes(), Ok(&b"abc"[..]));
        assert_eq!(r.medium_bytes(), Ok(&b"de"[..]));
        assert!(r.is_empty());
        assert_eq!(r.u8(), Err(Truncated));
        let mut r = Reader::new(&[5, 1, 2]);
        assert_eq!(r.short_bytes(), Err(Truncated));
        assert_eq!(Reader::new(&[1]).take(usize::MAX), Err(Truncated));
    }
}
