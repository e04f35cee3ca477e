//! Policy decisions (threshold, window, cap, app overrides), the negative list, and prompt localization.

use imageguard::exact::HashKind;
use imageguard::pdq::PdqHash;
use imageguard::policy::{decide, Action, AppOverrides, DecisionState, MatchClass, NegativeList, Policy};
use imageguard::prompts::{HelpKind, PromptCatalog, TextDirection};
use imageguard_test_support::with;

const DAY: u64 = 86400;

#[test]
fn threshold_reports_on_the_t_th_match_within_the_window() {
    let policy = Policy { report_threshold: 3, window_secs: 7 * DAY as u32, ..Policy::default() };
    let mut state = DecisionState::new();
    let t0 = 1_800_000_000;
    let reports: Vec<bool> =
        (0..4).map(|i| decide(&policy, &mut state, MatchClass::Exact, 100 + i, t0 + i * 60).report).collect();
    assert_eq!(reports, [false, false, true, true]);
    // Prompts are not held back by the threshold.
    assert!(decide(&policy, &mut state, MatchClass::Exact, 200, t0 + 300).prompt);
    // After the window, the count starts again.
    let later = t0 + 8 * DAY;
    assert!(!decide(&policy, &mut state, MatchClass::Exact, 300, later).report);
}

#[test]
fn per_entry_cap_stops_a_flood_from_one_entry() {
    let policy = Policy { per_entry_cap: 2, ..Policy::default() };
    let mut state = DecisionState::new();
    let decisions: Vec<Action> =
        (0..5).map(|i| decide(&policy, &mut state, MatchClass::PerceptualStrong, 42, 1_000 + i).action()).collect();
    assert_eq!(decisions, [Action::PromptAndReport, Action::PromptAndReport, Action::None, Action::None, Action::None]);
    // Another entry is not affected, and the cap resets after the window.
    assert_eq!(decide(&policy, &mut state, MatchClass::PerceptualStrong, 43, 1_010).action(), Action::PromptAndReport);
    let later = 1_000 + u64::from(policy.window_secs) + 1;
    assert_eq!(decide(&policy, &mut state, MatchClass::PerceptualStrong, 42, later).action(), Action::PromptAndReport);
}

#[test]
fn classes_follow_their_actions() {
    let policy = Policy { perceptual_weak: Action::None, ..Policy::default() };
    let mut state = DecisionState::new();
    assert_eq!(decide(&policy, &mut state, MatchClass::PerceptualWeak, 1, 10).action(), Action::None);
    assert_eq!(Policy::default().action(MatchClass::PerceptualWeak), Action::None, "weak hits are opt-in");
    let prompting = Policy { perceptual_weak: Action::Prompt, ..Policy::default() };
    assert_eq!(decide(&prompting, &mut state, MatchClass::PerceptualWeak, 1, 10).action(), Action::Prompt);
}

#[test]
fn apps_can_only_make_the_policy_stricter() {
    let platform = Policy { perceptual_weak: Action::Prompt, report_threshold: 3, ..Policy::default() };
    let stricter = platform.with_app_overrides(&with(AppOverrides::default(), |o| {
        o.perceptual_weak = Some(Action::Report);
        o.report_threshold = Some(1);
    }));
    assert_eq!(stricter.perceptual_weak, Action::PromptAndReport);
    assert_eq!(stricter.report_threshold, 1);
    let looser = platform.with_app_overrides(&with(AppOverrides::default(), |o| {
        o.exact = Some(Action::None);
        o.perceptual_weak = Some(Action::None);
        o.report_threshold = Some(50);
    }));
    assert_eq!(looser, platform, "an app cannot remove actions or raise the threshold");
}

#[test]
fn policy_and_state_bytes_round_trip_and_reject_garbage() {
    let policy = Policy { report_threshold: 4, per_entry_cap: 9, min_quality: 70, ..Policy::default() };
    let bytes = policy.to_section_bytes();
    assert_eq!(Policy::from_section_bytes(&bytes).unwrap(), policy);
    for len in 0..bytes.len() {
        assert!(Policy::from_section_bytes(&bytes[..len]).is_err());
    }
    let mut bad = bytes.clone();
    bad[1] = 9;
    assert!(Policy::from_section_bytes(&bad).is_err(), "unknown action");
    let zero_threshold = Policy { report_threshold: 0, ..Policy::default() }.to_section_bytes();
    assert!(Policy::from_section_bytes(&zero_threshold).is_err());

    let mut state = DecisionState::new();
    for i in 0..5 {
        decide(&Policy::default(), &mut state, MatchClass::Exact, i % 2, 1000 + i);
    }
    let bytes = state.to_bytes();
    assert_eq!(DecisionState::from_bytes(&bytes).unwrap(), state);
    for len in 0..bytes.len() {
        assert!(DecisionState::from_bytes(&bytes[..len]).is_err());
    }
    assert!(DecisionState::from_bytes(b"IGDS\x01\xff\xff").is_err());
}

#[test]
fn negative_list_suppresses_known_false_positives() {
    let salt = [5u8; 32];
    let benign_file = [0xAA; 32];
    let benign_image = PdqHash([0x0F; 32]);
    let list = NegativeList::new(&salt, [(HashKind::Blake3, &benign_file[..])], vec![benign_image]);
    assert!(list.suppresses_key(imageguard::entry_key::entry_key(&salt, HashKind::Blake3, &benign_file)));
    assert!(!list.suppresses_key(imageguard::entry_key::entry_key(&salt, HashKind::Blake3, &[0xAB; 32])));
    let mut near = benign_image;
    for bit in 0..8 {
        near.flip_bit(bit * 31);
    }
    assert!(list.suppresses_pdq(&[PdqHash([0; 32]), near]));
    near.flip_bit(255);
    assert!(!list.suppresses_pdq(&[near]), "9 bits away is another image");
    let bytes = list.to_section_bytes();
    assert_eq!(NegativeList::from_section_bytes(&bytes).unwrap(), list);
    for len in 0..bytes.len() {
        assert!(NegativeList::from_section_bytes(&bytes[..len]).is_err());
    }
    let mut huge_count = bytes.clone();
    huge_count[2..6].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(NegativeList::from_section_bytes(&huge_count).is_err());
}

#[test]
fn locales_fall_back_from_specific_to_general_to_english() {
    let catalog = PromptCatalog::default();
    let fr_ca = catalog.resolve("fr-CA", None);
    assert_eq!(fr_ca.texts.tag, "fr");
    assert_eq!(fr_ca.texts.dont_send_button, "Ne pas envoyer");
    assert_eq!(catalog.resolve("pt-BR", None).texts.tag, "en");
    assert_eq!(catalog.resolve("", None).texts.tag, "en");
    assert_eq!(catalog.resolve("pl_PL", None).texts.tag, "pl");

    let morocco = catalog.resolve("ar-MA", None);
    assert_eq!(morocco.texts.direction, TextDirection::Rtl);
    assert_eq!(morocco.region, "MA");
    assert!(morocco.help_links.iter().any(|l| l.url == "https://report.iwf.org.uk/ma" && l.kind == HelpKind::Report));
    let morocco_fr = catalog.resolve("fr", Some("ma"));
    assert_eq!((morocco_fr.texts.tag.as_str(), morocco_fr.region.as_str()), ("fr", "MA"));

    let uk = catalog.resolve("en-GB", None);
    assert!(uk.help_links.iter().any(|l| l.phone.as_deref() == Some("+44 808 1000 900")));
    let elsewhere = catalog.resolve("de-DE", None);
    assert_eq!(elsewhere.region, "*");
    assert!(!elsewhere.help_links.is_empty());
}

#[test]
fn builtin_texts_are_complete_and_never_accuse() {
    let builtin = PromptCatalog::builtin();
    for tag in ["en", "fr", "ar", "pl"] {
        let content = builtin.resolve(tag, None);
        assert_eq!(content.texts.tag, tag);
        let t = &content.texts;
        for field in [&t.title, &t.body, &t.dont_send_button, &t.get_help_button, &t.help_caption, &t.report_caption] {
            assert!(!field.trim().is_empty(), "{tag}: empty field");
        }
    }
    let english = builtin.resolve("en", None).texts.body.to_lowercase();
    assert!(english.contains("mistake") && english.contains("help"));
    for accusation in ["you are a", "you have committed", "criminal", "you shared", "you are sharing"] {
        assert!(!english.contains(accusation), "accusing wording: {accusation}");
    }
}

#[test]
fn bundle_catalogs_override_builtins_and_round_trip() {
    let mut catalog = PromptCatalog::default();
    let mut texts = PromptCatalog::builtin().resolve("en", None).texts;
    texts.tag = "en-gb".into();
    texts.title = "Custom title".into();
    catalog.locales.push(texts);
    catalog.regions.push(("GB".into(), vec![imageguard::prompts::HelpLink {
        kind: HelpKind::Help,
        label: "Custom service".into(),
        url: "https://example.org/help".into(),
        phone: None,
    }]));
    let bytes = catalog.to_section_bytes().unwrap();
    let loaded = PromptCatalog::from_section_bytes(&bytes).unwrap();
    assert_eq!(loaded, catalog);
    let gb = loaded.resolve("en-GB", None);
    assert_eq!(gb.texts.title, "Custom title");
    assert_eq!(gb.help_links[0].label, "Custom service");
    assert_eq!(loaded.resolve("en-US", None).texts.title, "This image may be harmful");
    for len in 0..bytes.len() {
        assert!(PromptCatalog::from_section_bytes(&bytes[..len]).is_err());
    }
    let http = bytes.windows(8).position(|w| w == b"https://").unwrap();
    let mut insecure = bytes.clone();
    insecure[http + 4] = b'x';
    assert!(PromptCatalog::from_section_bytes(&insecure).is_err());
}

#[test]
fn confirmation_is_required_for_every_class_by_default_and_version_1_policies_require_none() {
    let default = Policy::default();
    for class in [MatchClass::Exact, MatchClass::PerceptualStrong, MatchClass::PerceptualWeak] {
        assert!(default.requires_confirmation(class));
    }
    assert!(!default.provisional_prompt);
    let custom = Policy { confirm_exact: false, provisional_prompt: true, ..Policy::default() };
    assert_eq!(Policy::from_section_bytes(&custom.to_section_bytes()).unwrap(), custom);
    // A version 1 policy (bundles built before confirmation existed): the same bytes without the
    // confirmation flags and the stale mode (version 2's last two bytes) and the video rule (version 3's
    // last three).
    let mut v1 = default.to_section_bytes();
    v1[0] = 1;
    v1.truncate(v1.len() - 5);
    let legacy = Policy::from_section_bytes(&v1).unwrap();
    assert!(!legacy.confirm_exact && !legacy.confirm_perceptual_strong && !legacy.confirm_perceptual_weak);
    let mut unknown_flag = default.to_section_bytes();
    let flags = unknown_flag.len() - 5;
    unknown_flag[flags] |= 0x80;
    assert!(Policy::from_section_bytes(&unknown_flag).is_err());
}

#[test]
fn the_video_rule_round_trips_and_version_2_policies_get_the_default_rule() {
    use imageguard::policy::VideoRule;
    let custom = Policy { video: VideoRule { min_frames: 5, min_fraction_percent: 80 }, ..Policy::default() };
    let bytes = custom.to_section_bytes();
    assert_eq!(bytes[0], 3);
    assert_eq!(Policy::from_section_bytes(&bytes).unwrap(), custom);
    let mut v2 = bytes.clone();
    v2[0] = 2;
    v2.truncate(v2.len() - 3);
    let read = Policy::from_section_bytes(&v2).unwrap();
    assert_eq!(read.video, VideoRule::default());
    assert_eq!(Policy { video: custom.video, ..read }, custom);
    // Out of range: no frames, more than a request can confirm, over 100%.
    for (min_frames, min_fraction_percent) in [(0, 0), (17, 0), (3, 101)] {
        let bad = Policy { video: VideoRule { min_frames, min_fraction_percent }, ..Policy::default() };
        assert!(Policy::from_section_bytes(&bad.to_section_bytes()).is_err(), "{min_frames} {min_fraction_percent}");
    }
    // The rule: K hits, and the fraction of the distinct frames.
    let rule = VideoRule { min_frames: 3, min_fraction_percent: 80 };
    assert!(!rule.is_match(2, 2) && rule.is_match(4, 5) && !rule.is_match(3, 5) && rule.is_match(3, 3));
    assert!(VideoRule::default().is_match(3, 600) && !VideoRule::default().is_match(2, 2));
}
