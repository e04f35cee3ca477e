//! Built-in prompt texts and help links, used where a bundle brings none of its own.
//!
//! The wording follows the calm, non-accusing voice of prevention services: it says what the match means,
//! that sharing such images harms real children, that a mistake is possible and needs nothing from the
//! user, and where confidential help is. Only services whose addresses and numbers were checked are listed.

use super::{HelpKind, HelpLink, LocaleTexts, TextDirection};

fn texts(
    tag: &str,
    direction: TextDirection,
    [title, body, dont_send, get_help, help_caption, report_caption]: [&str; 6],
) -> LocaleTexts {
    LocaleTexts {
        tag: tag.into(),
        direction,
        title: title.into(),
        body: body.into(),
        dont_send_button: dont_send.into(),
        get_help_button: get_help.into(),
        help_caption: help_caption.into(),
        report_caption: report_caption.into(),
    }
}

pub(super) fn locales() -> Vec<LocaleTexts> {
    vec![
        texts("en", TextDirection::Ltr, [
            "This image may be harmful",
            "This image matches one on a list of known child sexual abuse material. Sharing such images harms \
             the children in them, every time they are shared, and it is illegal. If you believe this is a \
             mistake, you don't need to do anything. If you are worried about your own thoughts or behaviour, \
             confidential and anonymous help is available.",
            "Don't send",
            "Get help",
            "Confidential help",
            "Report abuse images anonymously",
        ]),
        texts("fr", TextDirection::Ltr, [
            "Cette image pourrait être préjudiciable",
            "Cette image correspond à une image figurant sur une liste de contenus connus d'abus sexuels sur \
             des enfants. Partager de telles images fait du tort aux enfants qui y figurent, à chaque partage, \
             et c'est illégal. Si vous pensez qu'il s'agit d'une erreur, vous n'avez rien à faire. Si vos \
             pensées ou votre comportement vous inquiètent, une aide confidentielle et anonyme est disponible.",
            "Ne pas envoyer",
            "Obtenir de l'aide",
            "Aide confidentielle",
            "Signaler des images d'abus de façon anonyme",
        ]),
        texts("ar", TextDirection::Rtl, [
            "قد تكون هذه الصورة ضارة",
            "تتطابق هذه الصورة مع صورة مدرجة في قائمة لمواد معروفة تتضمن اعتداءً جنسيًا على الأطفال. \
             إن مشاركة مثل هذه الصور تُلحق الأذى بالأطفال الظاهرين فيها في كل مرة تُشارَك فيها، وهي مخالفة \
             للقانون. إذا كنت تعتقد أن هذا خطأ، فلا داعي لأن تفعل أي شيء. وإذا كانت أفكارك أو تصرفاتك \
             تقلقك، فهناك مساعدة سرية ومجهولة الهوية متاحة لك.",
            "عدم الإرسال",
            "الحصول على المساعدة",
            "مساعدة سرية",
            "الإبلاغ عن صور الاعتداء دون الكشف عن هويتك",
        ]),
        texts("pl", TextDirection::Ltr, [
            "Ten obraz może być szkodliwy",
            "Ten obraz pasuje do obrazu z listy znanych materiałów przedstawiających seksualne wykorzystywanie \
             dzieci. Udostępnianie takich obrazów krzywdzi przedstawione na nich dzieci – za każdym razem, gdy \
             są udostępniane – i jest niezgodne z prawem. Jeśli uważasz, że to pomyłka, nie musisz nic robić. \
             Jeśli niepokoją Cię własne myśli lub zachowanie, dostępna jest poufna i anonimowa pomoc.",
            "Nie wysyłaj",
            "Uzyskaj pomoc",
            "Poufna pomoc",
            "Anonimowo zgłoś materiały przedstawiające wykorzystywanie",
        ]),
    ]
}

fn link(kind: HelpKind, label: &str, url: &str, phone: Option<&str>) -> HelpLink {
    HelpLink { kind, label: label.into(), url: url.into(), phone: phone.map(Into::into) }
}

/// Region code (ISO 3166-1 alpha-2, or `*` for everywhere else) and its links.
pub(super) fn regions() -> Vec<(String, Vec<HelpLink>)> {
    let stop_it_now_uk =
        link(HelpKind::Help, "Stop It Now UK & Ireland", "https://www.stopitnow.org.uk", Some("+44 808 1000 900"));
    let iwf = link(HelpKind::Report, "Internet Watch Foundation", "https://report.iwf.org.uk/", None);
    vec![
        ("GB".into(), vec![stop_it_now_uk.clone(), iwf.clone()]),
        ("IE".into(), vec![stop_it_now_uk]),
        ("US".into(), vec![
            link(HelpKind::Help, "Stop It Now", "https://www.stopitnow.org", None),
            link(HelpKind::Report, "NCMEC CyberTipline", "https://report.cybertip.org", None),
        ]),
        ("AU".into(), vec![link(HelpKind::Help, "Stop It Now Australia", "https://www.stopitnow.org.au", Some("+61 1800 01 1800"))]),
        // The IWF runs Morocco's reporting portal, in French and Arabic.
        ("MA".into(), vec![link(HelpKind::Report, "IWF – Maroc / المغرب", "https://report.iwf.org.uk/ma", None)]),
        ("PL".into(), vec![link(HelpKind::Report, "Dyżurnet.pl", "https://dyzurnet.pl", None)]),
        ("FR".into(), vec![link(HelpKind::Report, "Point de Contact", "https://www.pointdecontact.net", None)]),
        // Everywhere else: the international network of hotlines lists each country's reporting portal.
        ("*".into(), vec![link(HelpKind::Report, "INHOPE: find your country's hotline", "https://www.inhope.org", None)]),
    ]
}
