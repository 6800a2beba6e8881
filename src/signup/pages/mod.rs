//! The pages of the journey. Each returns a [`PublicPage`]; handlers decide status.
//! Here: the question pages and "check your answers", and the page for people too young
//! to join; `welcome`: the landing page and the pages for cards that cannot be used;
//! `messages`: the pages after sending, and those of the confirm and withdraw links.
use leptos::prelude::*;

use super::{
    draft::{Draft, Problems, Step},
    form::{error_for, Choice, Choices, ErrorSummary, TextField},
};
use crate::{
    domain::{AgeBand, EthnicDetail, EthnicGroup, Postcode},
    i18n::{t, tf, Lang},
    public::{PublicPage, Switcher},
};

mod messages;
mod welcome;

pub use messages::{broken_confirm, broken_withdraw, message, sent, withdraw_form};
pub use welcome::{before_you_join, card_problem_page, join_anyway, landing, unknown_card};

/// What every page of one journey needs to know.
#[derive(Clone)]
pub struct Journey {
    pub lang: Lang,
    /// Where the form posts: `/j/<code>/join` or `/join`.
    pub action: String,
    pub force: String,
    pub panel_email: String,
    pub min_age: u8,
    /// Without a card, when the force runs several panels: (short name, name) to choose
    /// from on the first page.
    pub panels: Vec<(String, String)>,
}

fn hidden_fields(draft: &Draft, except: &[&str]) -> impl IntoView {
    draft
        .pairs()
        .into_iter()
        .filter(|(k, v)| !except.contains(k) && !v.is_empty())
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view()
}

/// The honeypot: invisible to people (and to screen readers), tempting to bots.
fn honeypot() -> impl IntoView {
    view! {
        <div class="hp" aria-hidden="true">
            <label for="website">"Website"</label>
            <input type="text" id="website" name="website" tabindex="-1" autocomplete="off"/>
        </div>
    }
}

fn title_for(lang: Lang, step: Step) -> &'static str {
    t(
        lang,
        match step {
            Step::About => "about.title",
            Step::Eligibility => "eligibility.title",
            Step::EqualityIntro => "equality_intro.title",
            Step::Equality => "equality.title",
            Step::Ethnicity => "ethnicity.title",
            Step::Check => "check.title",
        },
    )
}

/// A question page (or "check your answers"), with errors when there are any.
pub fn step_page(
    j: &Journey,
    step: Step,
    draft: &Draft,
    problems: Problems,
    returning: bool,
    banner: Option<&'static str>,
) -> PublicPage {
    let lang = j.lang;
    let title = if problems.is_empty() {
        title_for(lang, step).to_string()
    } else {
        format!("{} {}", t(lang, "form.error_title_prefix"), title_for(lang, step))
    };
    let body = match step {
        Step::About => about(j, draft, &problems).into_any(),
        Step::Eligibility => eligibility(j, draft, &problems).into_any(),
        Step::EqualityIntro => equality_intro(j, draft, &problems).into_any(),
        Step::Equality => equality(j, draft, &problems).into_any(),
        Step::Ethnicity => ethnicity(j, draft, &problems).into_any(),
        Step::Check => check(j, draft).into_any(),
    };
    // The first page of a journey without a card may ask for the panel itself.
    let mut except: Vec<&str> = Draft::fields_of(step).to_vec();
    if step == Step::Eligibility && !j.panels.is_empty() {
        except.push("panel");
    }
    let hidden = hidden_fields(draft, &except);
    let action = j.action.clone();
    let submit_label = t(lang, if step == Step::Check { "check.submit" } else { "form.continue" });
    let back = (step != Step::FIRST).then(|| {
        view! {
            <button type="submit" name="action" value="back" class="link-button back">{t(lang, "form.back")}</button>
        }
    });
    PublicPage::new(
        lang,
        title,
        view! {
            {banner.map(|b| view! { <crate::ui::ErrorSummary heading=None messages=vec![t(lang, b).to_string()]/> })}
            <form method="post" action=action id="signup" novalidate>
                {back}
                <ErrorSummary lang problems=problems.clone()/>
                {body}
                {hidden}
                <input type="hidden" name="step" value=step.code()/>
                {returning.then(|| view! { <input type="hidden" name="returning" value="1"/> })}
                <input type="hidden" name="lang" value=lang.code()/>
                {honeypot()}
                <button type="submit" name="action" value="continue" class="button">{submit_label}</button>
            </form>
        },
    )
    .with_switcher(Switcher::Form)
}

fn about(j: &Journey, d: &Draft, p: &Problems) -> impl IntoView {
    let lang = j.lang;
    view! {
        <h1>{t(lang, "about.title")}</h1>
        <TextField lang name="name" label="about.name" value=d.name.clone() error=error_for(p, "name") autocomplete="name"/>
        <p>{t(lang, "about.contact_intro")}</p>
        <TextField lang name="email" label="about.email" hint="about.email_hint" value=d.email.clone()
            error=error_for(p, "email") kind="email" autocomplete="email" optional=true/>
        <TextField lang name="phone" label="about.phone" hint="about.phone_hint" value=d.phone.clone()
            error=error_for(p, "phone") kind="tel" autocomplete="tel" optional=true width="w-half"/>
        <Choices lang name="contact_method" legend="about.contact_method" hint="about.contact_method_hint" selected=vec![d.contact_method.clone()]
            error=error_for(p, "contact_method")
            options=vec![("email", "about.contact_email", None), ("phone", "about.contact_phone", None), ("either", "about.contact_either", None)]/>
    }
}

fn eligibility(j: &Journey, d: &Draft, p: &Problems) -> impl IntoView {
    let lang = j.lang;
    let ages: Vec<Choice> = AgeBand::ALL.iter().map(|b| (b.code(), age_label(*b), None)).collect();
    let connection_legend = "eligibility.connection";
    view! {
        <h1>{t(lang, "eligibility.title")}</h1>
        <Choices lang name="age_band" legend="eligibility.age" hint="eligibility.age_hint" options=ages
            selected=vec![d.age_band.clone()] error=error_for(p, "age_band")/>
        <Choices lang name="connection" legend=connection_legend hint="eligibility.connection_hint" multiple=true
            selected=d.connection.clone() error=error_for(p, "connection")
            options=vec![("live", "eligibility.live", None), ("work", "eligibility.work", None),
                         ("study", "eligibility.study", None), ("none", "eligibility.none", None)]/>
        <TextField lang name="postcode" label="eligibility.postcode" hint="eligibility.postcode_hint"
            value=d.postcode.clone() error=error_for(p, "postcode") autocomplete="postal-code" optional=true width="w-postcode"/>
        {(!j.panels.is_empty()).then(|| view! { <PanelChoice lang panels=j.panels.clone() selected=d.panel.clone()/> })}
        <p class="note">{tf(lang, "eligibility.force_area", &[("force", &j.force)])}</p>
    }
}

/// Which panel to join, for someone without a card when the force runs several: the
/// panels' own names, and "not sure" (the first panel; the coordinator can help).
#[component]
fn PanelChoice(lang: Lang, panels: Vec<(String, String)>, selected: String) -> impl IntoView {
    let options: Vec<(String, String)> =
        panels.into_iter().chain([(String::new(), t(lang, "eligibility.panel_any").to_string())]).collect();
    view! {
        <div class="field" id="panel">
            <fieldset>
                <legend>{t(lang, "eligibility.panel")}</legend>
                <div class="choices">
                    {options.into_iter().enumerate().map(|(i, (value, label))| {
                        let id = format!("panel-{i}");
                        let checked = value == selected;
                        view! {
                            <div class="choice">
                                <input type="radio" id=id.clone() name="panel" value=value checked=checked/>
                                <label for=id>{label}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

pub fn age_label(b: AgeBand) -> &'static str {
    match b {
        AgeBand::Under16 => "age.under16",
        AgeBand::From16To17 => "age.16_17",
        AgeBand::From18To24 => "age.18_24",
        AgeBand::From25To34 => "age.25_34",
        AgeBand::From35To44 => "age.35_44",
        AgeBand::From45To54 => "age.45_54",
        AgeBand::From55To64 => "age.55_64",
        AgeBand::Over65 => "age.65plus",
    }
}

fn equality_intro(j: &Journey, d: &Draft, p: &Problems) -> impl IntoView {
    let lang = j.lang;
    view! {
        <h1>{t(lang, "equality_intro.title")}</h1>
        <p>{t(lang, "equality_intro.why")}</p>
        <p>{t(lang, "equality_intro.separate")}</p>
        <p>{t(lang, "equality_intro.optional")}</p>
        <Choices lang name="equality" legend="equality_intro.question" selected=vec![d.equality.clone()]
            error=error_for(p, "equality")
            options=vec![("yes", "equality_intro.yes", None), ("no", "equality_intro.no", None)]/>
    }
}

pub fn group_label(g: EthnicGroup) -> &'static str {
    match g {
        EthnicGroup::White => "ethnic.white",
        EthnicGroup::Mixed => "ethnic.mixed",
        EthnicGroup::Asian => "ethnic.asian",
        EthnicGroup::Black => "ethnic.black",
        EthnicGroup::Other => "ethnic.other",
        EthnicGroup::PreferNot => "form.prefer_not",
    }
}

pub fn detail_label(d: EthnicDetail) -> &'static str {
    match d {
        EthnicDetail::WhiteBritish => "ethnic.white_british",
        EthnicDetail::WhiteIrish => "ethnic.white_irish",
        EthnicDetail::WhiteGypsyTraveller => "ethnic.white_gypsy_traveller",
        EthnicDetail::WhiteRoma => "ethnic.white_roma",
        EthnicDetail::WhiteOther => "ethnic.white_other",
        EthnicDetail::MixedWhiteBlackCaribbean => "ethnic.mixed_white_black_caribbean",
        EthnicDetail::MixedWhiteBlackAfrican => "ethnic.mixed_white_black_african",
        EthnicDetail::MixedWhiteAsian => "ethnic.mixed_white_asian",
        EthnicDetail::MixedOther => "ethnic.mixed_other",
        EthnicDetail::AsianIndian => "ethnic.asian_indian",
        EthnicDetail::AsianPakistani => "ethnic.asian_pakistani",
        EthnicDetail::AsianBangladeshi => "ethnic.asian_bangladeshi",
        EthnicDetail::AsianChinese => "ethnic.asian_chinese",
        EthnicDetail::AsianOther => "ethnic.asian_other",
        EthnicDetail::BlackCaribbean => "ethnic.black_caribbean",
        EthnicDetail::BlackAfrican => "ethnic.black_african",
        EthnicDetail::BlackOther => "ethnic.black_other",
        EthnicDetail::OtherArab => "ethnic.other_arab",
        EthnicDetail::OtherAny => "ethnic.other_any",
        EthnicDetail::PreferNot => "form.prefer_not",
    }
}

fn equality(j: &Journey, d: &Draft, p: &Problems) -> impl IntoView {
    let lang = j.lang;
    let groups: Vec<Choice> = EthnicGroup::ALL.iter().map(|g| (g.code(), group_label(*g), None)).collect();
    view! {
        <h1>{t(lang, "equality.title")}</h1>
        <p class="hint">{t(lang, "equality.hint")}</p>
        <Choices lang name="ethnic_group" legend="equality.ethnic_group" hint="equality.ethnic_group_hint" options=groups
            selected=vec![d.ethnic_group.clone()] error=error_for(p, "ethnic_group")/>
        <Choices lang name="gender" legend="equality.gender" selected=vec![d.gender.clone()] error=error_for(p, "gender")
            options=vec![("woman", "gender.woman", None), ("man", "gender.man", None), ("non_binary", "gender.non_binary", None),
                         ("another", "gender.another", None), ("prefer_not", "form.prefer_not", None)]/>
        <Choices lang name="disability" legend="equality.disability" hint="equality.disability_hint"
            selected=vec![d.disability.clone()] error=error_for(p, "disability")
            options=vec![("yes", "form.yes", None), ("no", "form.no", None), ("prefer_not", "form.prefer_not", None)]/>
    }
}

fn ethnicity(j: &Journey, d: &Draft, p: &Problems) -> impl IntoView {
    let lang = j.lang;
    let group = d.detail_group().unwrap_or(EthnicGroup::Other);
    let mut options: Vec<Choice> = group.details().into_iter().map(|x| (x.code(), detail_label(x), None)).collect();
    options.push(("prefer_not", "form.prefer_not", None));
    view! {
        <Choices lang name="ethnic_detail" legend=group_question(group) options as_heading=true
            hint="ethnicity.hint" selected=vec![d.ethnic_detail.clone()] error=error_for(p, "ethnic_detail")/>
        <TextField lang name="ethnic_other" label="ethnicity.other" hint="ethnicity.other_hint"
            value=d.ethnic_other.clone() error=error_for(p, "ethnic_other") optional=true/>
    }
}

fn group_question(g: EthnicGroup) -> &'static str {
    match g {
        EthnicGroup::White => "ethnicity.q_white",
        EthnicGroup::Mixed => "ethnicity.q_mixed",
        EthnicGroup::Asian => "ethnicity.q_asian",
        EthnicGroup::Black => "ethnicity.q_black",
        _ => "ethnicity.q_other",
    }
}

/// "Check your answers": every answer with a way to change it.
fn check(j: &Journey, d: &Draft) -> impl IntoView {
    let lang = j.lang;
    let d = d.clone().without_unconsented_equality();
    let none = t(lang, "check.not_given").to_string();
    let or_none = |s: &str| if s.trim().is_empty() { none.clone() } else { s.trim().to_string() };
    let label_of = |key: Option<&'static str>| key.map(|k| t(lang, k).to_string()).unwrap_or_else(|| none.clone());
    let contact = match d.contact_method.as_str() {
        "email" => Some("about.contact_email"),
        "phone" => Some("about.contact_phone"),
        "either" => Some("about.contact_either"),
        _ => None,
    };
    let connection = d
        .connection
        .iter()
        .filter_map(|c| match c.as_str() {
            "live" => Some(t(lang, "eligibility.live")),
            "work" => Some(t(lang, "eligibility.work")),
            "study" => Some(t(lang, "eligibility.study")),
            "none" => Some(t(lang, "eligibility.none")),
            _ => None,
        })
        .collect::<Vec<_>>();
    let connection = crate::i18n::join_list(lang, &connection);
    // In the order they were asked ("how to contact you" only if they were asked it).
    let mut rows: Vec<(&'static str, String, Step)> = vec![
        ("eligibility.age", label_of(AgeBand::parse(&d.age_band).ok().map(age_label)), Step::Eligibility),
        ("eligibility.connection", or_none(&connection), Step::Eligibility),
        (
            "eligibility.postcode",
            or_none(&Postcode::parse(&d.postcode).map(|p| p.as_str().to_string()).unwrap_or(d.postcode.clone())),
            Step::Eligibility,
        ),
        ("about.name", or_none(&d.name), Step::About),
        ("about.email", or_none(&d.email), Step::About),
        ("about.phone", or_none(&d.phone), Step::About),
    ];
    if d.asks_contact_method() {
        rows.push(("about.contact_method", label_of(contact), Step::About));
    }
    rows.extend([(
        "equality_intro.question",
        label_of(match d.equality.as_str() {
            "yes" => Some("equality_intro.yes"),
            _ => Some("equality_intro.no"),
        }),
        Step::EqualityIntro,
    )]);
    if d.consented_to_equality() {
        let detail = EthnicDetail::parse(&d.ethnic_detail).ok().map(detail_label);
        let group = EthnicGroup::parse(&d.ethnic_group).ok().map(group_label);
        let mut ethnic = label_of(detail.or(group));
        if !d.ethnic_other.trim().is_empty() {
            ethnic = format!("{ethnic}: {}", d.ethnic_other.trim());
        }
        rows.push(("equality.ethnic_group", ethnic, Step::Equality));
        let gender = match d.gender.as_str() {
            "woman" => Some("gender.woman"),
            "man" => Some("gender.man"),
            "non_binary" => Some("gender.non_binary"),
            "another" => Some("gender.another"),
            "prefer_not" => Some("form.prefer_not"),
            _ => None,
        };
        rows.push(("equality.gender", label_of(gender), Step::Equality));
        let disability = match d.disability.as_str() {
            "yes" => Some("form.yes"),
            "no" => Some("form.no"),
            "prefer_not" => Some("form.prefer_not"),
            _ => None,
        };
        rows.push(("equality.disability", label_of(disability), Step::Equality));
    }
    view! {
        <h1>{t(lang, "check.title")}</h1>
        <dl class="summary-list">
            {rows.into_iter().map(|(key, value, step)| view! {
                <div class="summary-row">
                    <dt>{t(lang, key)}</dt>
                    // Isolated, left to right: "07700 900 982" and "jay@…" must not be
                    // reordered on an Arabic page.
                    <dd><bdi dir=matches!(key, "about.email" | "about.phone" | "eligibility.postcode").then_some("ltr")>{value}</bdi></dd>
                    <dd class="summary-action">
                        <button type="submit" name="action" value=format!("change:{}", step.code()) class="link-button">
                            {t(lang, "check.change")}<span class="visually-hidden">{format!(" {}", t(lang, key))}</span>
                        </button>
                    </dd>
                </div>
            }).collect_view()}
        </dl>
        <h2>{t(lang, "check.declaration_title")}</h2>
        <p>{t(lang, "check.declaration")}" "<a href=format!("/privacy?lang={}", lang.code())>{t(lang, "privacy.link")}</a>"."</p>
    }
}

pub fn youth(j: &Journey) -> PublicPage {
    let lang = j.lang;
    let mailto = format!("mailto:{}", j.panel_email);
    PublicPage::new(
        lang,
        t(lang, "youth.title"),
        view! {
            <h1>{t(lang, "youth.title")}</h1>
            <p>{tf(lang, "youth.min_age", &[("age", &j.min_age.to_string())])}</p>
            <p>{t(lang, "youth.engagement")}</p>
            <p>{t(lang, "youth.adult")}" "<a href=mailto>{j.panel_email.clone()}</a>"."</p>
            <p>{t(lang, "youth.nothing_kept")}</p>
            <p><a class="back" href=format!("{}?lang={}", j.action, lang.code())>{t(lang, "form.back")}</a></p>
        },
    )
}
