//! A verified bundle with its sections parsed into the structures the scanner queries.

use super::{ScanError, ScannerConfig};
use crate::bundle::{SectionKind, VerifiedBundle};
use crate::confirm::Commitment;
use crate::filter::sanity;
use crate::exact::ExactHashRequest;
use crate::filter::{ExactFilter, PerceptualFilter};
use crate::policy::{NegativeList, Policy};
use crate::prompts::PromptCatalog;

/// Everything a scan needs from one bundle. Immutable: an update builds a new one and swaps it in.
pub(crate) struct LoadedBundle {
    pub verified: VerifiedBundle,
    pub exact: Option<ExactFilter>,
    pub perceptual: Option<PerceptualFilter>,
    pub negative: NegativeList,
    pub policy: Policy,
    pub prompts: PromptCatalog,
    /// Which legacy hashes the exact filter needs (computing the others would be wasted work).
    pub exact_request: ExactHashRequest,
    /// The bundle's list ids, comma-separated, as reports carry them.
    pub list_id: String,
    /// The commitment to the platform's full lists; without it, hits cannot be confirmed.
    pub commitment: Option<Commitment>,
    /// The platform's key that reports are sealed to, when the bundle has one.
    pub report_key: Option<[u8; 32]>,
}

impl LoadedBundle {
    /// Parses the sections and applies what the app set: its policy overrides, its prompt choices.
    /// Refuses filters over the fill bounds ([`sanity`]) and prompts that fail validation.
    pub fn load(verified: VerifiedBundle, config: &ScannerConfig) -> Result<LoadedBundle, ScanError> {
        let salt = verified.header().salt;
        let exact = verified
            .section_range(SectionKind::ExactFilter)
            .map(|range| ExactFilter::from_bundle(verified.bytes().clone(), range, &salt))
            .transpose()
            .map_err(ScanError::in_section(SectionKind::ExactFilter))?;
        let perceptual = verified
            .section_range(SectionKind::PerceptualFilter)
            .map(|range| PerceptualFilter::from_bundle(verified.bytes().clone(), range, &salt))
            .transpose()
            .map_err(ScanError::in_section(SectionKind::PerceptualFilter))?;
        exact.as_ref().map(sanity::check_exact).transpose()?;
        perceptual.as_ref().map(sanity::check_perceptual).transpose()?;
        let negative = verified
            .section(SectionKind::NegativeList)
            .map(NegativeList::from_section_bytes)
            .transpose()
            .map_err(ScanError::in_section(SectionKind::NegativeList))?
            .unwrap_or_default();
        let policy = verified
            .section(SectionKind::Policy)
            .map(Policy::from_section_bytes)
            .transpose()
            .map_err(ScanError::in_section(SectionKind::Policy))?
            .unwrap_or_default()
            .with_app_overrides(&config.overrides);
        let prompts = match verified.section(SectionKind::Prompts) {
            Some(_) if config.builtin_prompts_only => PromptCatalog::default(),
            Some(bytes) => {
                let catalog = PromptCatalog::from_section_bytes(bytes).map_err(ScanError::in_section(SectionKind::Prompts))?;
                let hosts = config.allowed_link_hosts.clone().unwrap_or_else(crate::prompts::builtin_link_hosts);
                catalog.validate(Some(&hosts)).map_err(ScanError::in_section(SectionKind::Prompts))?;
                catalog
            }
            None => PromptCatalog::default(),
        };
        let commitment = verified
            .section(SectionKind::Commitment)
            .map(Commitment::from_section_bytes)
            .transpose()
            .map_err(ScanError::in_section(SectionKind::Commitment))?;
        if commitment.is_none() && (policy.confirm_exact || policy.confirm_perceptual_strong || policy.confirm_perceptual_weak) {
            log::warn!(target: "imageguard", "the policy asks for confirmation but the bundle has no commitment: those hits will not act");
        }
        let report_key = verified
            .section(SectionKind::ReportKey)
            .map(crate::report::parse_report_key_section)
            .transpose()
            .map_err(ScanError::in_section(SectionKind::ReportKey))?;
        let exact_request = exact.as_ref().map_or(ExactHashRequest::BLAKE3_ONLY, ExactFilter::hash_request);
        // Reports hold at most 64 bytes of list id: all ids when they fit, else the first.
        let joined = verified.header().list_ids.join(",");
        let list_id = if joined.len() <= 64 { joined } else { verified.header().list_ids.first().cloned().unwrap_or_default() };
        Ok(LoadedBundle { verified, exact, perceptual, negative, policy, prompts, exact_request, list_id, commitment, report_key })
    }
}
