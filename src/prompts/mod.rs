//! Prompt content: what the app shows on a hit, localized, with where to get help. The SDK returns the
//! content; the app renders it.
//!
//! A bundle may ship its own catalog (texts per locale, links per region); what it lacks falls back to the
//! built-in defaults ([`defaults`]) in English, French, Arabic (right to left) and Polish. Locales fall back
//! from specific to general, then to English: `fr-CA` → `fr` → `en`.

// Untrusted input flows through here: no panicking shortcuts outside tests (checked by clippy in CI).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod defaults;
mod validate;

pub use validate::{builtin_link_hosts, is_e164, is_locale_tag, is_region_code};

use crate::wire::{Reader, Writer};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextDirection {
    Ltr,
    Rtl,
}

/// Whether a link offers help to the user or a place to report abuse images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpKind {
    Help,
    Report,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLink {
    pub kind: HelpKind,
    pub label: String,
    pub url: String,
    pub phone: Option<String>,
}

/// The texts of one locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocaleTexts {
    /// BCP 47 tag, lower case (`en`, `fr-ca`).
    pub tag: String,
    pub direction: TextDirection,
    pub title: String,
    pub body: String,
    /// The primary button: stop the action (sending, saving).
    pub dont_send_button: String,
    /// Opens the help links.
    pub get_help_button: String,
    /// Heading over links of kind [`HelpKind::Help`].
    pub help_caption: String,
    /// Heading over links of kind [`HelpKind::Report`].
    pub report_caption: String,
}

/// Everything the app needs to show a prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromptContent {
    pub texts: LocaleTexts,
    /// The region whose links were chosen (`*` for the international fallback).
    pub region: String,
    pub help_links: Vec<HelpLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PromptError {
    #[error("the prompt catalog is truncated")]
    Truncated,
    #[error("the prompt catalog is malformed: {0}")]
    Malformed(&'static str),
}

impl From<crate::wire::Truncated> for PromptError {
    fn from(_: crate::wire::Truncated) -> Self {
        PromptError::Truncated
    }
}

/// Prompt texts by locale and help links by region.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PromptCatalog {
    pub locales: Vec<LocaleTexts>,
    pub regions: Vec<(String, Vec<HelpLink>)>,
}

const VERSION: u8 = 1;
const MAX_ENTRIES: u8 = validate::MAX_ENTRIES as u8;
const MAX_TEXT: usize = validate::MAX_BODY;

/// `fr_CA`, `FR-ca` → `fr-ca`.
fn normalize(tag: &str) -> String {
    tag.trim().replace('_', "-").to_ascii_lowercase()
}

impl PromptCatalog {
    /// The built-in catalog.
    pub fn builtin() -> PromptCatalog {
        PromptCatalog { locales: defaults::locales(), regions: defaults::regions() }
    }

    fn texts_for(&self, tag: &str) -> Option<&LocaleTexts> {
        self.locales.iter().find(|t| t.tag == tag)
    }

    fn links_for(&self, region: &str) -> Option<&Vec<HelpLink>> {
        self.regions.iter().find(|(r, _)| r == region).map(|(_, links)| links)
    }

    /// The prompt for `locale` (BCP 47, e.g. `fr-CA`, `ar`, `pl_PL`) and `region` (ISO 3166 alpha-2; taken
    /// from the locale when absent). This catalog first, then the built-ins, at each step of the fallback.
    pub fn resolve(&self, locale: &str, region: Option<&str>) -> PromptContent {
        let builtin = PromptCatalog::builtin();
        let tag = normalize(locale);
        let mut chain: Vec<String> = Vec::new();
        let mut current = tag.as_str();
        loop {
            chain.push(current.to_string());
            match current.rfind('-') {
                Some(cut) => current = current.get(..cut).unwrap_or(""),
                None => break,
            }
        }
        chain.push("en".into());
        let texts = chain
            .iter()
            .find_map(|tag| self.texts_for(tag).or_else(|| builtin.texts_for(tag)))
            .cloned()
            .unwrap_or_else(builtin_english_fallback);

        let region = region
            .map(|r| r.trim().to_ascii_uppercase())
            .or_else(|| tag.split('-').skip(1).find(|part| part.len() == 2).map(|r| r.to_ascii_uppercase()))
            .unwrap_or_default();
        let (region, links) = [region.as_str(), "*"]
            .into_iter()
            .find_map(|r| self.links_for(r).or_else(|| builtin.links_for(r)).map(|links| (r.to_string(), links.clone())))
            .unwrap_or_else(|| ("*".into(), Vec::new()));
        PromptContent { texts, region, help_links: links }
    }

    /// Section payload: version u8; locale count u8, each: tag, direction u8, six texts (u16 length each);
    /// region count u8, each: code, link count u8, each link: kind u8, label, url (u16 length), phone
    /// (u8 length, 0 = none). Refuses (rather than truncates) anything a device would refuse, except the
    /// hosts of links, which each app allows ([`PromptCatalog::validate`]).
    pub fn to_section_bytes(&self) -> Result<Vec<u8>, PromptError> {
        self.validate(None)?;
        let too_long = |bytes: &[u8]| bytes.len() > usize::from(u8::MAX);
        if self.locales.iter().any(|t| too_long(t.tag.as_bytes()))
            || self.regions.iter().any(|(r, links)| {
                too_long(r.as_bytes())
                    || links.iter().any(|l| too_long(l.label.as_bytes()) || too_long(l.phone.as_deref().unwrap_or("").as_bytes()))
            })
        {
            return Err(PromptError::Malformed("a tag, label or phone number is over 255 bytes"));
        }
        let mut w = Writer::new();
        w.u8(VERSION).u8(self.locales.len() as u8);
        for t in &self.locales {
            w.short_bytes(t.tag.as_bytes()).u8(matches!(t.direction, TextDirection::Rtl) as u8);
            for text in [&t.title, &t.body, &t.dont_send_button, &t.get_help_button, &t.help_caption, &t.report_caption] {
                w.medium_bytes(text.as_bytes());
            }
        }
        w.u8(self.regions.len() as u8);
        for (region, links) in &self.regions {
            w.short_bytes(region.as_bytes()).u8(links.len() as u8);
            for link in links {
                w.u8(matches!(link.kind, HelpKind::Report) as u8).short_bytes(link.label.as_bytes());
                w.medium_bytes(link.url.as_bytes()).short_bytes(link.phone.as_deref().unwrap_or("").as_bytes());
            }
        }
        Ok(w.bytes)
    }

    pub fn from_section_bytes(bytes: &[u8]) -> Result<PromptCatalog, PromptError> {
        let mut r = Reader::new(bytes);
        if r.u8()? != VERSION {
            return Err(PromptError::Malformed("unsupported catalog version"));
        }
        let text = |bytes: &[u8]| -> Result<String, PromptError> {
            if bytes.len() > MAX_TEXT {
                return Err(PromptError::Malformed("text too long"));
            }
            String::from_utf8(bytes.to_vec()).map_err(|_| PromptError::Malformed("text is not UTF-8"))
        };
        let count = r.u8()?;
        if count > MAX_ENTRIES {
            return Err(PromptError::Malformed("too many locales"));
        }
        let mut locales = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let tag = normalize(&text(r.short_bytes()?)?);
            let direction = match r.u8()? {
                0 => TextDirection::Ltr,
                1 => TextDirection::Rtl,
                _ => return Err(PromptError::Malformed("unknown text direction")),
            };
            let mut fields = Vec::with_capacity(6);
            for _ in 0..6 {
                fields.push(text(r.medium_bytes()?)?);
            }
            let mut fields = fields.into_iter();
            let mut next = || fields.next().unwrap_or_default();
            locales.push(LocaleTexts {
                tag,
                direction,
                title: next(),
                body: next(),
                dont_send_button: next(),
                get_help_button: next(),
                help_caption: next(),
                report_caption: next(),
            });
        }
        let count = r.u8()?;
        if count > MAX_ENTRIES {
            return Err(PromptError::Malformed("too many regions"));
        }
        let mut regions = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let region = text(r.short_bytes()?)?.to_ascii_uppercase();
            let links_count = r.u8()?;
            let mut links = Vec::with_capacity(usize::from(links_count));
            for _ in 0..links_count {
                let kind = match r.u8()? {
                    0 => HelpKind::Help,
                    1 => HelpKind::Report,
                    _ => return Err(PromptError::Malformed("unknown link kind")),
                };
                let label = text(r.short_bytes()?)?;
                let url = text(r.medium_bytes()?)?;
                if !url.starts_with("https://") {
                    return Err(PromptError::Malformed("help links must be https URLs"));
                }
                let phone = Some(text(r.short_bytes()?)?).filter(|p| !p.is_empty());
                links.push(HelpLink { kind, label, url, phone });
            }
            regions.push((region, links));
        }
        if !r.is_empty() {
            return Err(PromptError::Malformed("trailing bytes"));
        }
        let catalog = PromptCatalog { locales, regions };
        catalog.validate(None)?;
        Ok(catalog)
    }
}

/// Only reached if the built-in table were empty, which its own tests rule out.
fn builtin_english_fallback() -> LocaleTexts {
    LocaleTexts {
        tag: "en".into(),
        direction: TextDirection::Ltr,
        title: "This image may be harmful".into(),
        body: String::new(),
        dont_send_button: "Don't send".into(),
        get_help_button: "Get help".into(),
        help_caption: "Confidential help".into(),
        report_caption: "Report".into(),
    }
}
