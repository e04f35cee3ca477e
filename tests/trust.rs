//! What a bundle, a clock or a configuration can do to a scanner (issue 15): only pinned bundle ids,
//! stale bundles keep scanning, filters and prompts within bounds, reports only as the app allows, and
//! configuration errors at creation rather than on a match.

use imageguard::bundle::{sign_bundle, BundleError, BundleHeader, SectionKind, StaleReason, TrustConfig, TrustState};
use imageguard::exact::{self, ExactHashRequest, HashKind};
use imageguard::lists::{BundleSpec, ListError};
use imageguard::policy::{Action, Policy, StaleMode, DEVICE_REPORT_CAP};
use imageguard::prompts::{HelpKind, HelpLink, PromptCatalog};
use imageguard::report::DeviceKey;
use imageguard::scanner::{ConfigError, MatchInfo, ScanError, ScanOutcome, Scanner, ScannerConfig, SectionError};
use imageguard::signing::SigningKey;
use imageguard_test_support::with;

use imageguard_test_support::fixtures::{self, DAY, NOW};

struct Fixture {
    provider: SigningKey,
    /// Synthetic JPEG files whose BLAKE3 hashes are on the list.
    known: Vec<Vec<u8>>,
}

fn jpeg(seed: u64) -> Vec<u8> {
    imageguard_test_support::synthetic::photo(seed, 96, 72).to_jpeg(90)
}

fn fixture() -> Fixture {
    Fixture { provider: SigningKey::generate().unwrap(), known: (0..12).map(|i| jpeg(300 + i)).collect() }
}

fn header(id: &str, sequence: u64) -> BundleHeader {
    with(fixtures::header(id, "l", sequence), |h| h.expires = NOW + 30 * DAY)
}

fn spec(f: &Fixture, id: &str, sequence: u64) -> BundleSpec {
    let mut spec = BundleSpec::new(header(id, sequence));
    let hashes = f.known.iter().map(|file| exact::exact_hashes(file, ExactHashRequest::BLAKE3_ONLY).blake3.to_vec()).collect();
    spec.exact.push((HashKind::Blake3, hashes));
    spec.policy = unconfirmed();
    spec
}

/// The default policy, except that hits act without confirmation: these tests are about trust, not
/// confirmation (tests/scanner_confirm.rs).
fn unconfirmed() -> Policy {
    Policy { confirm_exact: false, confirm_perceptual_strong: false, confirm_perceptual_weak: false, ..Policy::default() }
}

fn sign(f: &Fixture, spec: &BundleSpec) -> Vec<u8> {
    sign_bundle(&spec.build().unwrap(), &f.provider).unwrap()
}

fn config(f: &Fixture, ids: &[&str]) -> ScannerConfig {
    let trust = TrustConfig::new(vec![f.provider.verifying_key()], 1).unwrap();
    ScannerConfig::new(trust, ids.iter().map(|id| id.to_string()).collect(), "en-GB")
}

fn key() -> Option<DeviceKey> {
    Some(DeviceKey::generate().unwrap())
}

fn matched(outcome: ScanOutcome) -> MatchInfo {
    match outcome {
        ScanOutcome::Match(info) => *info,
        other => panic!("expected a match, got {other:?}"),
    }
}

// Item 2: bundle ids.

#[test]
fn a_validly_signed_bundle_of_another_id_is_refused_at_creation_and_on_update() {
    let f = fixture();
    let staging = sign(&f, &spec(&f, "acme-csam-staging", 1));
    assert_eq!(
        Scanner::new_at(staging.clone(), config(&f, &["acme-csam"]), &[], &[], key(), NOW).unwrap_err(),
        ScanError::Bundle(BundleError::WrongBundleId { got: "acme-csam-staging".into(), expected: vec!["acme-csam".into()] })
    );
    let s = Scanner::new_at(sign(&f, &spec(&f, "acme-csam", 42)), config(&f, &["acme-csam"]), &[], &[], key(), NOW).unwrap();
    assert!(matches!(s.update_bundle_at(staging.clone(), NOW), Err(ScanError::Bundle(BundleError::WrongBundleId { .. }))));
    assert_eq!(s.bundle_info().bundle_id, "acme-csam");
    assert!(matches!(s.scan_bytes_at(&f.known[0], NOW).unwrap(), ScanOutcome::Match(_)), "the known image still matches");
    // The saved trust state holds no trace of the refused id, and a restart refuses it again.
    let state = TrustState::from_bytes(&s.trust_state()).unwrap();
    assert_eq!(state.accepted("acme-csam-staging"), None);
    assert!(Scanner::new_at(staging, config(&f, &["acme-csam"]), &s.trust_state(), &[], key(), NOW).is_err());
    // Even when both ids are pinned, an update cannot switch the active series.
    let both = config(&f, &["acme-csam", "acme-csam-staging"]);
    let s = Scanner::new_at(sign(&f, &spec(&f, "acme-csam", 42)), both, &[], &[], key(), NOW).unwrap();
    assert!(matches!(
        s.update_bundle_at(sign(&f, &spec(&f, "acme-csam-staging", 1)), NOW),
        Err(ScanError::Bundle(BundleError::WrongBundleId { .. }))
    ));
    assert_eq!(
        Scanner::new_at(sign(&f, &spec(&f, "acme-csam", 1)), config(&f, &[]), &[], &[], key(), NOW).unwrap_err(),
        ScanError::Config(ConfigError::NoBundleIds)
    );
}

// Item 3: time.

#[test]
fn a_wrong_clock_cannot_stop_scanning_and_staleness_is_judged_at_each_scan() {
    let f = fixture();
    let bundle = sign(&f, &spec(&f, "acme", 1));
    for (now, reason) in [(NOW - 2 * DAY, StaleReason::NotYetValid), (NOW + 31 * DAY, StaleReason::Expired)] {
        let s = Scanner::new_at(bundle.clone(), config(&f, &["acme"]), &[], &[], key(), now).unwrap();
        assert_eq!(s.bundle_info_at(now).stale, Some(reason));
        let hit = matched(s.scan_bytes_at(&f.known[1], now).unwrap());
        assert_eq!((hit.action, hit.prompt.is_some(), hit.report), (Action::Prompt, true, None), "stale: prompt, no report");
    }
    // Loaded fresh, then ten years pass: the scan sees the expiry.
    let s = Scanner::new_at(bundle, config(&f, &["acme"]), &[], &[], key(), NOW).unwrap();
    assert_eq!(s.bundle_info_at(NOW).stale, None);
    assert!(matched(s.scan_bytes_at(&f.known[2], NOW).unwrap()).report.is_some());
    let later = NOW + 3650 * DAY;
    assert_eq!(s.bundle_info_at(later).stale, Some(StaleReason::Expired));
    let hit = matched(s.scan_bytes_at(&f.known[3], later).unwrap());
    assert_eq!((hit.action, hit.report), (Action::Prompt, None));
}

#[test]
fn the_policy_may_keep_reporting_when_stale_and_anti_rollback_still_applies() {
    let f = fixture();
    let mut unchanged = spec(&f, "acme", 5);
    unchanged.policy = Policy { stale: StaleMode::Unchanged, ..unconfirmed() };
    let later = NOW + 31 * DAY;
    let s = Scanner::new_at(sign(&f, &unchanged), config(&f, &["acme"]), &[], &[], key(), later).unwrap();
    assert_eq!(matched(s.scan_bytes_at(&f.known[0], later).unwrap()).action, Action::PromptAndReport);
    // A stale bundle is still never older than the accepted one.
    assert!(matches!(
        s.update_bundle_at(sign(&f, &spec(&f, "acme", 4)), later),
        Err(ScanError::Bundle(BundleError::Rollback { got: 4, accepted: 5 }))
    ));
    assert!(matches!(
        Scanner::new_at(sign(&f, &spec(&f, "acme", 4)), config(&f, &["acme"]), &s.trust_state(), &[], key(), NOW),
        Err(ScanError::Bundle(BundleError::Rollback { .. }))
    ));
}

#[test]
fn a_trusted_time_replaces_the_device_clock() {
    let f = fixture();
    let mut spec = spec(&f, "acme", 1);
    // Valid for a day around a time far from the machine's clock.
    spec.header.created = 4_000_000_000;
    spec.header.expires = 4_000_000_000 + DAY;
    let cfg = with(config(&f, &["acme"]), |c| c.trusted_time = Some(4_000_000_100));
    let s = Scanner::new(sign(&f, &spec), cfg, &[], &[], key()).unwrap();
    assert_eq!(s.bundle_info().stale, None, "fresh by the trusted time");
    s.set_trusted_time(4_000_000_000 + 2 * DAY);
    assert_eq!(s.bundle_info().stale, Some(StaleReason::Expired));
    let plain = Scanner::new(sign(&f, &spec), config(&f, &["acme"]), &[], &[], key()).unwrap();
    assert_eq!(plain.bundle_info().stale, Some(StaleReason::NotYetValid), "by the device clock (2026)");
}

// Item 4: limits on what a signed bundle can make a device do.

/// A bundle whose exact filter matches far more than any list should (4 in 10 lookups), signed by the
/// trusted provider: the shape of a hostile "match everything" filter, assembled past the builder's checks.
fn saturated(f: &Fixture) -> Vec<u8> {
    let spec = spec(f, "acme", 2);
    let entries = spec.exact.iter().flat_map(|(kind, hashes)| hashes.iter().map(move |h| (*kind, &h[..])));
    let filter = imageguard::filter::ExactFilter::build(spec.header.salt, 0.4, entries).unwrap();
    let built = imageguard::bundle::BundleBuilder::new(spec.header.clone())
        .section(imageguard::bundle::SectionKind::ExactFilter, filter.to_section_bytes())
        .section(imageguard::bundle::SectionKind::Policy, spec.policy.to_section_bytes())
        .build()
        .unwrap();
    sign_bundle(&built, &f.provider).unwrap()
}

#[test]
fn a_saturated_filter_is_refused_at_creation_and_on_update() {
    let f = fixture();
    let refused = Scanner::new_at(saturated(&f), config(&f, &["acme"]), &[], &[], key(), NOW).unwrap_err();
    assert!(matches!(refused, ScanError::Bundle(BundleError::Saturated { section: "exact filter", .. })), "{refused:?}");
    let s = Scanner::new_at(sign(&f, &spec(&f, "acme", 1)), config(&f, &["acme"]), &[], &[], key(), NOW).unwrap();
    assert!(matches!(s.update_bundle_at(saturated(&f), NOW), Err(ScanError::Bundle(BundleError::Saturated { .. }))));
    assert_eq!(s.bundle_info().sequence, 1);
    // The builder refuses what devices refuse.
    let mut loose = spec(&f, "acme", 3);
    loose.exact_fp_rate = 0.2;
    assert!(matches!(loose.build(), Err(ListError::Bundle(BundleError::Saturated { .. }))));
}

#[test]
fn a_report_only_policy_prompts_unless_the_app_opts_in() {
    let f = fixture();
    let mut silent = spec(&f, "acme", 1);
    silent.policy = Policy { exact: Action::Report, ..unconfirmed() };
    let bundle = sign(&f, &silent);
    let s = Scanner::new_at(bundle.clone(), config(&f, &["acme"]), &[], &[], key(), NOW).unwrap();
    let hit = matched(s.scan_bytes_at(&f.known[0], NOW).unwrap());
    assert_eq!((hit.action, hit.prompt.is_some(), hit.report.is_some()), (Action::PromptAndReport, true, true));
    let opted_in = with(config(&f, &["acme"]), |c| c.overrides.allow_report_without_prompt = true);
    let s = Scanner::new_at(bundle, opted_in, &[], &[], key(), NOW).unwrap();
    let hit = matched(s.scan_bytes_at(&f.known[0], NOW).unwrap());
    assert_eq!((hit.action, hit.prompt.is_some(), hit.report.is_some()), (Action::Report, false, true));
}

#[test]
fn a_device_makes_at_most_the_global_number_of_reports_per_day() {
    let f = fixture();
    let bundle = sign(&f, &spec(&f, "acme", 1));
    let s = Scanner::new_at(bundle.clone(), config(&f, &["acme"]), &[], &[], key(), NOW).unwrap();
    let reports = (0..f.known.len())
        .filter(|&i| matched(s.scan_bytes_at(&f.known[i], NOW + i as u64).unwrap()).report.is_some())
        .count();
    assert_eq!(reports as u32, DEVICE_REPORT_CAP, "{} known images, distinct entries", f.known.len());
    // The cap survives a restart, and lifts after a day.
    let restarted = Scanner::new_at(bundle, config(&f, &["acme"]), &s.trust_state(), &s.decision_state(), key(), NOW).unwrap();
    assert_eq!(matched(restarted.scan_bytes_at(&f.known[11], NOW + 20).unwrap()).report, None);
    assert!(matched(restarted.scan_bytes_at(&f.known[11], NOW + DAY + 20).unwrap()).report.is_some());
}

fn hostile_catalog(url: &str, phone: Option<&str>, label: &str) -> PromptCatalog {
    let link = HelpLink { kind: HelpKind::Help, label: label.into(), url: url.into(), phone: phone.map(Into::into) };
    PromptCatalog { locales: Vec::new(), regions: vec![("GB".into(), vec![link])] }
}

#[test]
fn hostile_prompts_are_refused_by_the_builder_and_by_devices() {
    let f = fixture();
    // The builder refuses what no device accepts (bidi override, non-E.164 number, plain http).
    for catalog in [
        hostile_catalog("https://www.inhope.org", None, "Help \u{202E}"),
        hostile_catalog("https://www.inhope.org", Some("0909 879 0000"), "Help"),
        hostile_catalog("http://www.inhope.org", None, "Help"),
    ] {
        let mut s = spec(&f, "acme", 1);
        s.prompts = Some(catalog);
        assert!(matches!(s.build(), Err(ListError::Prompts(_))));
    }
    // A link to a host the app did not allow: built (the builder does not know the apps' lists), refused
    // by a device with the default allow-list, accepted by an app that allows it or uses built-in prompts.
    let mut phishing = spec(&f, "acme", 1);
    phishing.prompts = Some(hostile_catalog("https://verify-identity.example/login", None, "Verify your account"));
    let bundle = sign(&f, &phishing);
    assert!(matches!(
        Scanner::new_at(bundle.clone(), config(&f, &["acme"]), &[], &[], key(), NOW),
        Err(ScanError::Section { section: SectionKind::Prompts, source: SectionError::Prompts(_) })
    ));
    let builtin_only = with(config(&f, &["acme"]), |c| c.builtin_prompts_only = true);
    let s = Scanner::new_at(bundle.clone(), builtin_only, &[], &[], key(), NOW).unwrap();
    let prompt = matched(s.scan_bytes_at(&f.known[0], NOW).unwrap()).prompt.unwrap();
    assert_eq!(prompt.help_links, PromptCatalog::builtin().resolve("en-GB", None).help_links);
    let allowing = with(config(&f, &["acme"]), |c| c.allowed_link_hosts = Some(vec!["verify-identity.example".into()]));
    assert!(Scanner::new_at(bundle, allowing, &[], &[], key(), NOW).is_ok());
}

// Item 7: configuration errors at creation.

#[test]
fn misconfiguration_is_refused_at_creation_not_on_a_match() {
    let f = fixture();
    let bundle = sign(&f, &spec(&f, "acme", 1));
    let long = with(config(&f, &["acme"]), |c| c.report_context = vec![0; 1025]);
    assert_eq!(
        Scanner::new_at(bundle.clone(), long, &[], &[], key(), NOW).unwrap_err(),
        ScanError::Config(ConfigError::ReportContextTooLong { len: 1025, max: 1024 })
    );
    assert_eq!(
        Scanner::new_at(bundle.clone(), config(&f, &["acme"]), &[], &[], None, NOW).unwrap_err(),
        ScanError::Config(ConfigError::NoDeviceKey { bundle_id: "acme".into() })
    );
    // Without a key, a prompt-only policy is fine; an update that starts reporting is refused.
    let mut prompting = spec(&f, "acme", 1);
    prompting.policy = Policy { exact: Action::Prompt, perceptual_strong: Action::Prompt, ..unconfirmed() };
    let s = Scanner::new_at(sign(&f, &prompting), config(&f, &["acme"]), &[], &[], None, NOW).unwrap();
    assert_eq!(
        s.update_bundle_at(sign(&f, &spec(&f, "acme", 2)), NOW).unwrap_err(),
        ScanError::Config(ConfigError::NoDeviceKey { bundle_id: "acme".into() })
    );
    assert_eq!(s.bundle_info().sequence, 1);
}

// Item 8: what errors say about an image.

#[test]
fn a_corrupt_png_error_quotes_nothing_computed_from_the_image() {
    let image = imageguard_test_support::synthetic::photo(9, 32, 24);
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &image.pixels,
        32,
        24,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    // Break the IDAT chunk's zlib stream (its header check): decoders' messages for this quote values
    // computed from the image's bytes. (A wrong CRC alone is not an error: viewers show such files.)
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    png[idat + 4] = 0x78;
    png[idat + 5] = 0x00;
    let Err(error) = imageguard::hashing::hash_bytes(&png, &Default::default()) else { panic!("a corrupt PNG decoded") };
    let message = error.to_string();
    assert!(matches!(error, imageguard::decode::DecodeError::Corrupt { .. } | imageguard::decode::DecodeError::Truncated), "{error:?}");
    assert!(!message.contains("0x") && !message.to_lowercase().contains("crc"), "{message}");
}
