//! What prompt content a bundle may ship: the text a user sees on a hit, and where it sends them.
//!
//! A trusted but hostile (or compromised) provider key could otherwise ship a phishing prompt ("Account
//! suspended, verify your identity") with a link to any host, a premium-rate number, or a right-to-left
//! override that makes a label read as something else. Devices refuse a catalog whose links are not
//! `https` on a host the app allows (by default, the hosts of the built-in links), whose phone numbers are
//! not E.164, whose texts carry bidirectional control characters or exceed their length limits, or whose
//! locale and region codes are not well formed. The bundle builder runs the same checks.

use super::{HelpLink, LocaleTexts, PromptCatalog, PromptError};

/// Longest title, button, caption or link label, in bytes.
pub const MAX_SHORT_TEXT: usize = 200;
/// Longest body, in bytes.
pub const MAX_BODY: usize = 4096;
/// Longest link, in bytes.
pub const MAX_URL: usize = 2048;
/// Most locales or regions in a catalog, and links per region.
pub const MAX_ENTRIES: usize = 200;
pub const MAX_LINKS: usize = 16;

/// Characters that reorder how text is displayed (embeddings, overrides, isolates, marks).
const BIDI_CONTROLS: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
    '\u{2068}', '\u{2069}',
];

/// The hosts of the built-in help links: the default allow-list.
pub fn builtin_link_hosts() -> Vec<String> {
    let mut hosts: Vec<String> =
        super::defaults::regions().iter().flat_map(|(_, links)| links.iter().filter_map(|l| url_host(&l.url))).collect();
    hosts.sort();
    hosts.dedup();
    hosts
}

/// The host of an `https://` URL with no user info or port, lower case; `None` for anything else.
fn url_host(url: &str) -> Option<String> {
    let rest = url.strip_prefix("https://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let valid = !authority.is_empty()
        && authority.len() <= 253
        && authority.split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    valid.then(|| authority.to_ascii_lowercase())
}

/// BCP 47 as the catalog uses it: a 2–3 letter language, then subtags of 1–8 letters or digits.
pub fn is_locale_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language = parts.next().unwrap_or("");
    (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && tag.len() <= 35
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

/// ISO 3166-1 alpha-2 (upper case), or `*` for everywhere else.
pub fn is_region_code(code: &str) -> bool {
    code == "*" || (code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()))
}

/// E.164: `+`, then 8 to 15 digits, optionally grouped by single spaces.
pub fn is_e164(phone: &str) -> bool {
    let Some(rest) = phone.strip_prefix('+') else { return false };
    let digits = rest.bytes().filter(u8::is_ascii_digit).count();
    !rest.starts_with(' ')
        && !rest.ends_with(' ')
        && !rest.contains("  ")
        && rest.bytes().all(|b| b.is_ascii_digit() || b == b' ')
        && (8..=15).contains(&digits)
}

fn text(value: &str, max: usize, too_long: &'static str) -> Result<(), PromptError> {
    if value.len() > max {
        return Err(PromptError::Malformed(too_long));
    }
    if value.chars().any(|c| BIDI_CONTROLS.contains(&c) || (c.is_control() && c != '\n')) {
        return Err(PromptError::Malformed("a text contains bidirectional or other control characters"));
    }
    Ok(())
}

fn locale(t: &LocaleTexts) -> Result<(), PromptError> {
    if !is_locale_tag(&t.tag) {
        return Err(PromptError::Malformed("a locale tag is not BCP 47"));
    }
    text(&t.body, MAX_BODY, "a body is too long")?;
    for short in [&t.title, &t.dont_send_button, &t.get_help_button, &t.help_caption, &t.report_caption] {
        text(short, MAX_SHORT_TEXT, "a title, button or caption is too long")?;
    }
    Ok(())
}

fn link(l: &HelpLink, allowed_hosts: Option<&[String]>) -> Result<(), PromptError> {
    text(&l.label, MAX_SHORT_TEXT, "a link label is too long")?;
    if l.url.len() > MAX_URL {
        return Err(PromptError::Malformed("a link is too long"));
    }
    let host = url_host(&l.url).ok_or(PromptError::Malformed("help links must be https URLs with a plain host"))?;
    if allowed_hosts.is_some_and(|hosts| !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host))) {
        return Err(PromptError::Malformed("a help link's host is not on the app's allow-list"));
    }
    if l.phone.as_deref().is_some_and(|p| !is_e164(p)) {
        return Err(PromptError::Malformed("phone numbers must be E.164 (+ and 8 to 15 digits)"));
    }
    Ok(())
}

impl PromptCatalog {
    /// Checks everything a device checks. `allowed_hosts`: the hosts links may point to (`None`: any
    /// https host, for tools that do not know the apps' lists).
    pub fn validate(&self, allowed_hosts: Option<&[String]>) -> Result<(), PromptError> {
        if self.locales.len() > MAX_ENTRIES || self.regions.len() > MAX_ENTRIES {
            return Err(PromptError::Malformed("too many locales or regions"));
        }
        for t in &self.locales {
            locale(t)?;
        }
        for (region, links) in &self.regions {
            if !is_region_code(region) {
                return Err(PromptError::Malformed("a region is not an ISO 3166 alpha-2 code or *"));
            }
            if links.len() > MAX_LINKS {
                return Err(PromptError::Malformed("too many links in a region"));
            }
            for l in links {
                link(l, allowed_hosts)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prompts::HelpKind;

    fn catalog_with(link: HelpLink) -> PromptCatalog {
        PromptCatalog { locales: Vec::new(), regions: vec![("GB".into(), vec![link])] }
    }

    fn help(url: &str, label: &str, phone: Option<&str>) -> HelpLink {
        HelpLink { kind: HelpKind::Help, label: label.into(), url: url.into(), phone: phone.map(Into::into) }
    }

    #[test]
    fn the_builtin_catalog_passes_with_its_own_hosts() {
        let hosts = builtin_link_hosts();
        assert!(hosts.contains(&"report.iwf.org.uk".to_string()), "{hosts:?}");
        PromptCatalog::builtin().validate(Some(&hosts)).unwrap();
    }

    #[test]
    fn hostile_links_labels_and_numbers_are_refused() {
        let hosts = builtin_link_hosts();
        let ok = help("https://www.inhope.org/x", "INHOPE", Some("+44 808 1000 900"));
        catalog_with(ok.clone()).validate(Some(&hosts)).unwrap();
        let refused = [
            help("https://verify-your-account.example/login", "Help", None),
            help("http://www.inhope.org", "Help", None),
            help("https://user@www.inhope.org", "Help", None),
            help("https://www.inhope.org:8443/", "Help", None),
            help("https://www.inhope.org", "Help \u{202E}gnp.exe", None),
            help("https://www.inhope.org", &"x".repeat(MAX_SHORT_TEXT + 1), None),
            help("https://www.inhope.org", "Help", Some("0909 879 0000")),
            help("https://www.inhope.org", "Help", Some("+1 900")),
        ];
        for l in refused {
            assert!(catalog_with(l.clone()).validate(Some(&hosts)).is_err(), "{l:?}");
        }
        // An app may allow its own host.
        let own = help("https://help.example.org/", "Help", None);
        assert!(catalog_with(own.clone()).validate(Some(&hosts)).is_err());
        catalog_with(own).validate(Some(&["help.example.org".to_string()])).unwrap();
    }

    #[test]
    fn locale_and_region_codes_are_checked() {
        assert!(is_locale_tag("fr-ca") && is_locale_tag("zh-hant-tw") && !is_locale_tag("f") && !is_locale_tag("en_us"));
        assert!(is_region_code("GB") && is_region_code("*") && !is_region_code("gbr") && !is_region_code("G1"));
        let mut catalog = PromptCatalog::builtin();
        catalog.regions.push(("EVIL".into(), Vec::new()));
        assert!(catalog.validate(None).is_err());
        let mut catalog = PromptCatalog::builtin();
        catalog.locales[0].title = "Account suspended \u{2067}".into();
        assert!(catalog.validate(None).is_err());
    }
}
