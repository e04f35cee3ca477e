//! The scanner's configuration and results as uniffi sees them (prompts, actions, bundle info).
//!
//! Types the core shapes the same way are uniffi *remote* types (declared here field for field, converted
//! by uniffi); the others are mirrors where the foreign API differs (flat prompt texts, an `Arc`'d
//! pending confirmation, optional settings).

use crate::records::{HashKind, MatchStrength, Variant};
use imageguard::{policy, prompts, scanner};

pub use imageguard::bundle::StaleReason;
pub use imageguard::policy::Action;
pub use imageguard::prompts::{HelpKind, HelpLink, TextDirection};
pub use imageguard::scanner::{BundleInfo, MatchKind};

/// What the app should do about a match.
#[uniffi::remote(Enum)]
pub enum Action {
    None,
    Prompt,
    Report,
    PromptAndReport,
}

/// Stricter settings than the bundle's policy (looser ones are ignored by the core).
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct AppOverrides {
    #[uniffi(default = None)]
    pub exact: Option<Action>,
    #[uniffi(default = None)]
    pub perceptual_strong: Option<Action>,
    #[uniffi(default = None)]
    pub perceptual_weak: Option<Action>,
    #[uniffi(default = None)]
    pub report_threshold: Option<u16>,
    /// Let a `Report` policy report without a prompt (off: the user always sees a prompt when a
    /// report is made).
    #[uniffi(default = false)]
    pub allow_report_without_prompt: bool,
}

impl From<AppOverrides> for policy::AppOverrides {
    fn from(o: AppOverrides) -> Self {
        let mut core = policy::AppOverrides::default();
        core.exact = o.exact;
        core.perceptual_strong = o.perceptual_strong;
        core.perceptual_weak = o.perceptual_weak;
        core.report_threshold = o.report_threshold;
        core.allow_report_without_prompt = o.allow_report_without_prompt;
        core
    }
}

/// How a scanner behaves, including how much memory and parallelism its scans may take.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScannerConfig {
    /// Ed25519 public keys (32 bytes each) of the list providers the app trusts.
    pub trusted_keys: Vec<Vec<u8>>,
    /// How many of them must sign a bundle.
    #[uniffi(default = 1)]
    pub threshold: u32,
    /// The user's locale (BCP 47), for prompt texts.
    pub locale: String,
    /// The user's region (ISO 3166 alpha-2), for help links; from the locale if absent.
    #[uniffi(default = None)]
    pub region: Option<String>,
    #[uniffi(default)]
    pub overrides: AppOverrides,
    /// Opaque app context put into reports (at most 1024 bytes; may be empty).
    pub report_context: Vec<u8>,
    /// The bundle ids (series) the app accepts; any other is refused.
    pub bundle_ids: Vec<String>,
    /// A time the app trusts (unix seconds, e.g. from its server), used instead of the device clock.
    #[uniffi(default = None)]
    pub trusted_time: Option<u64>,
    /// Show only the built-in prompt texts and links.
    #[uniffi(default = false)]
    pub builtin_prompts_only: bool,
    /// Hosts a bundle's help links may point to; `None`: the built-in links' hosts.
    #[uniffi(default = None)]
    pub allowed_link_hosts: Option<Vec<String>>,
    /// Decoding limits; `None`: the defaults. In an app extension: `low_memory_decode_limits()`.
    #[uniffi(default = None)]
    pub decode_limits: Option<crate::limits::DecodeLimits>,
    /// Most scans that run at once in this scanner (more wait for a turn); 0: no bound.
    #[uniffi(default = 0)]
    pub max_concurrent_scans: u32,
}

/// Why a bundle is stale (by the scanner's clock). A stale bundle keeps scanning.
#[uniffi::remote(Enum)]
pub enum StaleReason {
    Expired,
    NotYetValid,
}

/// How an image matched.
#[uniffi::remote(Enum)]
pub enum MatchKind {
    /// An exact hash of the file (or the image's exact PDQ hash) is listed.
    Exact { algorithm: HashKind },
    /// A near PDQ match, for one rotation/flip of the image.
    Perceptual { variant: Variant, strength: MatchStrength },
}

#[uniffi::remote(Enum)]
pub enum TextDirection {
    Ltr,
    Rtl,
}

/// Whether a link offers help to the user or a place to report abuse images.
#[uniffi::remote(Enum)]
pub enum HelpKind {
    Help,
    Report,
}

#[uniffi::remote(Record)]
pub struct HelpLink {
    pub kind: HelpKind,
    pub label: String,
    pub url: String,
    pub phone: Option<String>,
}

/// The prompt to show, in the user's language (see `docs/android.md` / `docs/ios.md` for the layout).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PromptContent {
    /// BCP 47 tag of the texts chosen (after fallback), lower case.
    pub locale: String,
    pub direction: TextDirection,
    pub title: String,
    pub body: String,
    pub dont_send_button: String,
    pub get_help_button: String,
    pub help_caption: String,
    pub report_caption: String,
    /// The region whose links were chosen (`*` for the international fallback).
    pub region: String,
    pub help_links: Vec<HelpLink>,
}

impl From<prompts::PromptContent> for PromptContent {
    fn from(p: prompts::PromptContent) -> Self {
        let t = p.texts;
        PromptContent {
            locale: t.tag,
            direction: t.direction,
            title: t.title,
            body: t.body,
            dont_send_button: t.dont_send_button,
            get_help_button: t.get_help_button,
            help_caption: t.help_caption,
            report_caption: t.report_caption,
            region: p.region,
            help_links: p.help_links,
        }
    }
}

/// What a scan found. `NoMatch` carries nothing about the image, by design.
// Crosses the FFI by value, where uniffi lowers it into a buffer anyway: boxing would not save anything.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum ScanOutcome {
    NoMatch,
    Match {
        kind: MatchKind,
        bundle_id: String,
        list_id: String,
        bundle_sequence: u64,
        /// What the policy asks for now (`None` when a cap holds it back).
        action: Action,
        /// Present when the action includes a prompt.
        prompt: Option<PromptContent>,
        /// The signed report to send, when the action includes one and a device key is set.
        report: Option<Vec<u8>>,
    },
    /// A filter hit that must be confirmed by the platform: send `pending.request_bytes()`, then call
    /// `Scanner.confirm(pending, response)`. Offline, keep the handle and retry later.
    NeedsConfirmation { pending: std::sync::Arc<crate::confirm::PendingConfirmation> },
}

impl From<scanner::ScanOutcome> for ScanOutcome {
    fn from(outcome: scanner::ScanOutcome) -> Self {
        match outcome {
            scanner::ScanOutcome::NoMatch => ScanOutcome::NoMatch,
            scanner::ScanOutcome::NeedsConfirmation(pending) => ScanOutcome::NeedsConfirmation {
                pending: std::sync::Arc::new(crate::confirm::PendingConfirmation { inner: *pending }),
            },
            scanner::ScanOutcome::Match(info) => {
                let info = *info;
                ScanOutcome::Match {
                    kind: info.kind,
                    bundle_id: info.bundle_id,
                    list_id: info.list_id,
                    bundle_sequence: info.bundle_sequence,
                    action: info.action,
                    prompt: info.prompt.map(Into::into),
                    report: info.report,
                }
            }
        }
    }
}

/// The active bundle's identity (show it, or compare its root with the platform's published roots).
#[uniffi::remote(Record)]
pub struct BundleInfo {
    pub bundle_id: String,
    pub list_ids: Vec<String>,
    pub sequence: u64,
    pub root_hex: String,
    /// Unix seconds after which the bundle is stale.
    pub expires: u64,
    /// Unix seconds when the bundle was made.
    pub created: u64,
    pub exact_entries: u64,
    pub perceptual_entries: u64,
    /// Why the bundle is stale now, if it is (it keeps scanning as its policy says).
    pub stale: Option<StaleReason>,
}
