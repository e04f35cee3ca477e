//! Platform side: reading the hash lists hotlines share, and building a bundle from them.
//!
//! A list file holds one hex hash per line, or is a CSV with a header naming the column to read. A bad line
//! fails the build with its line number, unless the caller asks to skip (and count) invalid lines.

use crate::bundle::{BundleBuilder, BundleError, BundleHeader, SectionKind};
use crate::confirm::PlatformLists;
use crate::entry_key::Salt;
use crate::exact::HashKind;
use crate::filter::{ExactFilter, FilterError, PerceptualFilter, PerceptualParams};
use crate::pdq::PdqHash;
use crate::filter::sanity;
use crate::policy::{NegativeList, Policy, PolicyError};
use crate::prompts::{PromptCatalog, PromptError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ListError {
    #[error("line {line}: {source}")]
    BadLine { line: usize, source: crate::hex::HexError },
    #[error("the CSV header has no column named {0:?}")]
    NoSuchColumn(String),
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("the policy is invalid: {0}")]
    Policy(#[from] PolicyError),
    #[error("the prompts are invalid: {0}")]
    Prompts(#[from] PromptError),
    #[error(transparent)]
    Confirm(#[from] crate::confirm::ConfirmError),
}

/// Hashes read from one list, and how many invalid lines were skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedList {
    pub hashes: Vec<Vec<u8>>,
    pub skipped: usize,
}

/// Parses a list of `kind` hashes: hex lines, or CSV when `column` names a header column. Empty lines and
/// lines starting with `#` are ignored. PDQ hashes use the reference's text form.
pub fn parse_list(text: &str, kind: HashKind, column: Option<&str>, skip_invalid: bool) -> Result<ParsedList, ListError> {
    let mut lines = text.lines().enumerate().map(|(i, line)| (i + 1, line.trim()));
    let column_index = match column {
        Some(name) => {
            let (_, header) = lines.next().ok_or_else(|| ListError::NoSuchColumn(name.into()))?;
            Some(
                header
                    .split(',')
                    .position(|c| c.trim().trim_matches('"').eq_ignore_ascii_case(name))
                    .ok_or_else(|| ListError::NoSuchColumn(name.into()))?,
            )
        }
        None => None,
    };
    let mut list = ParsedList::default();
    for (number, line) in lines {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let field = match column_index {
            Some(index) => line.split(',').nth(index).unwrap_or(""),
            None => line,
        };
        let parsed = if kind == HashKind::PdqExact {
            PdqHash::from_hex(field.trim().trim_matches('"')).map(|h| h.0.to_vec())
        } else {
            crate::hex::decode_len(field.trim().trim_matches('"'), kind.len())
        };
        match parsed {
            Ok(hash) => list.hashes.push(hash),
            Err(_) if skip_invalid => list.skipped += 1,
            Err(source) => return Err(ListError::BadLine { line: number, source }),
        }
    }
    Ok(list)
}

/// Everything that goes into a bundle.
#[derive(Debug, Clone)]
pub struct BundleSpec {
    pub header: BundleHeader,
    /// Exact hashes by kind (PDQ hashes go in `pdq`).
    pub exact: Vec<(HashKind, Vec<Vec<u8>>)>,
    /// PDQ hashes: matched exactly and perceptually.
    pub pdq: Vec<PdqHash>,
    pub exact_fp_rate: f64,
    pub perceptual: PerceptualParams,
    pub policy: Policy,
    pub prompts: Option<PromptCatalog>,
    pub negative: NegativeList,
    /// The platform's HPKE public key: devices seal reports to it (section 7). Without it reports are
    /// signed but not encrypted.
    pub report_key: Option<[u8; 32]>,
    /// The version this one follows, when it keeps that version's filter geometry so that the delta
    /// between them stays small (see [`Continuation`]).
    pub continues: Option<Continuation>,
}

/// What the next version of a bundle keeps from the one before it, so that a delta carries only what
/// changed: the salt (the caller puts it in the header), the exact filter's fingerprint range, and the
/// perceptual filter's parameters, band layout and size. A rebuilt bundle (new salt, sizes fitted to the
/// list) changes every bit; a continued one changes the bits of the added and removed entries.
///
/// Kept only while the list stays near the size the geometry was made for: see [`Continuation::fits`].
#[derive(Debug, Clone)]
pub struct Continuation {
    salt: Salt,
    exact_range: u64,
    exact_fingerprints: u64,
    perceptual: Option<PerceptualFilter>,
}

impl Continuation {
    /// How much a list may grow past the version whose geometry it keeps: the exact filter's false
    /// positives per lookup rise with the fingerprints held over a fixed range, and the perceptual filter's
    /// with its fill. Beyond this, rebuild in full.
    pub const MAX_GROWTH: f64 = 1.25;

    /// The geometry of `previous` (a bundle this platform built; its signatures are not needed here).
    pub fn of(previous: &[u8]) -> Result<Continuation, ListError> {
        let parsed = crate::bundle::ParsedBundle::parse(previous)?;
        let salt = parsed.header.salt;
        let exact = parsed.section(SectionKind::ExactFilter).ok_or(BundleError::Malformed("the bundle has no exact filter"))?;
        let exact = ExactFilter::from_section_bytes(exact, salt)?;
        let perceptual = match parsed.section_range(SectionKind::PerceptualFilter) {
            Some(range) => Some(PerceptualFilter::from_bundle(std::sync::Arc::new(parsed.content.to_vec()), range, &salt)?),
            None => None,
        };
        Ok(Continuation { salt, exact_range: exact.range(), exact_fingerprints: exact.fingerprint_count(), perceptual })
    }

    /// The salt the next version must keep.
    pub fn salt(&self) -> Salt {
        self.salt
    }

    /// Whether a list of `exact_entries` (every kind, PDQ included) and `pdq_entries` perceptual entries
    /// still fits this geometry: at most [`Self::MAX_GROWTH`] times what the previous version held.
    pub fn fits(&self, exact_entries: u64, pdq_entries: u64) -> bool {
        let grown = |now: u64, before: u64| now as f64 <= Self::MAX_GROWTH * before.max(1) as f64;
        grown(exact_entries, self.exact_fingerprints)
            && match &self.perceptual {
                Some(previous) => grown(pdq_entries, previous.entries()),
                None => pdq_entries == 0,
            }
    }
}

impl BundleSpec {
    /// An empty spec with defaults (fp 1e-6, default perceptual parameters and policy).
    pub fn new(header: BundleHeader) -> BundleSpec {
        BundleSpec {
            header,
            exact: Vec::new(),
            pdq: Vec::new(),
            exact_fp_rate: crate::filter::exact::DEFAULT_FP_RATE,
            perceptual: PerceptualParams::default(),
            policy: Policy::default(),
            prompts: None,
            negative: NegativeList::default(),
            report_key: None,
            continues: None,
        }
    }

    pub fn salt(&self) -> &Salt {
        &self.header.salt
    }

    /// Builds the unsigned bundle. Refuses what devices would refuse: an invalid policy, prompts that fail
    /// device validation (link hosts aside: each app sets its own), filters over the fill bounds.
    pub fn build(&self) -> Result<Vec<u8>, ListError> {
        Ok(self.build_with_lists()?.0)
    }

    /// Builds the unsigned bundle, with its commitment section, and the platform's bucketed lists that
    /// answer confirmation requests for it (kept by the platform, never shipped).
    pub fn build_with_lists(&self) -> Result<(Vec<u8>, PlatformLists), ListError> {
        self.policy.validate()?;
        let salt = self.header.salt;
        let exact_entries = self
            .exact
            .iter()
            .flat_map(|(kind, hashes)| hashes.iter().map(move |h| (*kind, &h[..])))
            .chain(self.pdq.iter().map(|h| (HashKind::PdqExact, &h.0[..])));
        let exact = match &self.continues {
            Some(previous) if previous.salt != salt => {
                return Err(BundleError::Malformed("a continued bundle must keep the previous version's salt").into())
            }
            Some(previous) => ExactFilter::build_in_range(salt, previous.exact_range, exact_entries)?,
            None => ExactFilter::build(salt, self.exact_fp_rate, exact_entries)?,
        };
        sanity::check_exact(&exact)?;
        let mut builder = BundleBuilder::new(self.header.clone())
            .section(SectionKind::ExactFilter, exact.to_section_bytes())
            .section(SectionKind::Policy, self.policy.to_section_bytes());
        let perceptual = match (self.pdq.is_empty(), self.continues.as_ref().and_then(|c| c.perceptual.as_ref())) {
            (true, _) => None,
            (false, Some(previous)) => Some(PerceptualFilter::build_like(previous, &self.pdq)),
            (false, None) => Some(PerceptualFilter::build(&salt, self.perceptual, &self.pdq)?),
        };
        if let Some(perceptual) = &perceptual {
            sanity::check_perceptual(perceptual)?;
            builder = builder.section(SectionKind::PerceptualFilter, perceptual.to_section_bytes());
        }
        let exact_entries = self.exact.iter().flat_map(|(kind, hashes)| hashes.iter().map(move |h| (*kind, &h[..])));
        let lists = PlatformLists::build(
            &self.header.bundle_id,
            self.header.sequence,
            &salt,
            exact_entries,
            &self.pdq,
            perceptual.as_ref(),
        )?;
        builder = builder.section(SectionKind::Commitment, lists.commitment().to_section_bytes());
        if let Some(key) = &self.report_key {
            builder = builder.section(SectionKind::ReportKey, crate::report::report_key_section(key));
        }
        if !self.negative.is_empty() {
            builder = builder.section(SectionKind::NegativeList, self.negative.to_section_bytes());
        }
        if let Some(prompts) = &self.prompts {
            builder = builder.section(SectionKind::Prompts, prompts.to_section_bytes()?);
        }
        Ok((builder.build()?, lists))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_hex_lines_and_csv_columns_with_line_numbers() {
        let text = "# md5 list\nd41d8cd98f00b204e9800998ecf8427e\n\n0123456789abcdef0123456789ABCDEF\n";
        let list = parse_list(text, HashKind::Md5, None, false).unwrap();
        assert_eq!(list.hashes.len(), 2);
        let bad = "d41d8cd98f00b204e9800998ecf8427e\nnot-a-hash\n";
        assert_eq!(
            parse_list(bad, HashKind::Md5, None, false).unwrap_err().to_string(),
            "line 2: expected 32 hex characters, found 10"
        );
        assert_eq!(parse_list(bad, HashKind::Md5, None, true).unwrap().skipped, 1);
        let csv = "id,sha1,note\n1,da39a3ee5e6b4b0d3255bfef95601890afd80709,x\n2,zz39a3ee5e6b4b0d3255bfef95601890afd80709,y\n";
        assert!(matches!(parse_list(csv, HashKind::Sha1, Some("SHA1"), false), Err(ListError::BadLine { line: 3, .. })));
        assert_eq!(parse_list(csv, HashKind::Sha1, Some("sha1"), true).unwrap().hashes.len(), 1);
        assert_eq!(parse_list(csv, HashKind::Sha1, Some("md5"), true), Err(ListError::NoSuchColumn("md5".into())));
    }
}
