//! GOV.UK-style form parts: error summary, text inputs, radios, checkboxes. Every
//! label and message comes from the translation tables.
use leptos::prelude::*;

use super::draft::Problems;
use crate::i18n::{t, Lang};

pub fn error_for(problems: &Problems, field: &str) -> Option<&'static str> {
    problems.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
}

/// The questions answered by radios or checkboxes, whose inputs are numbered `<name>-0`, ….
const CHOICES: &[&str] =
    &["contact_method", "age_band", "connection", "equality", "gender", "disability", "ethnic_group", "ethnic_detail"];

#[component]
pub fn ErrorSummary(lang: Lang, problems: Problems) -> impl IntoView {
    (!problems.is_empty()).then(|| {
        // Each links to its question's first input: radios and checkboxes are
        // numbered `<name>-0`, text boxes are `<name>`.
        let links: Vec<(String, String)> = problems
            .into_iter()
            .map(|(field, key)| {
                let choice = CHOICES.contains(&field);
                let target = if choice { format!("#{field}-0") } else { format!("#{field}") };
                (t(lang, key).to_string(), target)
            })
            .collect();
        view! {
            <crate::ui::ErrorSummary heading=t(lang, "form.problem") heading_id="error-summary-title" focus=true links/>
        }
    })
}

#[component]
fn ErrorMessage(lang: Lang, id: String, error: Option<&'static str>) -> impl IntoView {
    error.map(|key| {
        view! {
            <p class="error-message" id=id>
                <span class="visually-hidden">{t(lang, "form.error_prefix")}</span>{t(lang, key)}
            </p>
        }
    })
}

fn described_by(name: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{name}-hint"));
    }
    if error {
        ids.push(format!("{name}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[component]
pub fn TextField(
    lang: Lang,
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    value: String,
    error: Option<&'static str>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional)] optional: bool,
    #[prop(optional)] width: Option<&'static str>,
) -> impl IntoView {
    let label_text =
        if optional { format!("{} {}", t(lang, label), t(lang, "form.optional")) } else { t(lang, label).to_string() };
    view! {
        <div class=if error.is_some() { "field field-error" } else { "field" }>
            <label for=name>{label_text}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{t(lang, h)}</p> })}
            <ErrorMessage lang id=format!("{name}-error") error/>
            <input
                type=kind
                id=name
                name=name
                value=value
                // Emails, phone numbers and postcodes read left to right on Arabic pages too.
                dir=matches!(name, "email" | "phone" | "postcode").then_some("ltr")
                class=width
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by(name, hint.is_some(), error.is_some())
                aria-invalid=error.map(|_| "true")
            />
        </div>
    }
}

/// One radio or checkbox option: (value, label key, optional hint key).
pub type Choice = (&'static str, &'static str, Option<&'static str>);

#[component]
pub fn Choices(
    lang: Lang,
    name: &'static str,
    legend: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    options: Vec<Choice>,
    selected: Vec<String>,
    error: Option<&'static str>,
    #[prop(optional)] multiple: bool,
    #[prop(optional)] as_heading: bool,
) -> impl IntoView {
    let kind = if multiple { "checkbox" } else { "radio" };
    let legend_view = if as_heading {
        view! { <legend class="legend-heading"><h1>{t(lang, legend)}</h1></legend> }.into_any()
    } else {
        view! { <legend>{t(lang, legend)}</legend> }.into_any()
    };
    view! {
        <div class=if error.is_some() { "field field-error" } else { "field" } id=name>
            <fieldset aria-describedby=described_by(name, hint.is_some(), error.is_some())>
                {legend_view}
                {hint.map(|h| view! { <p class="hint" id=format!("{name}-hint")>{t(lang, h)}</p> })}
                <ErrorMessage lang id=format!("{name}-error") error/>
                <div class="choices">
                    {options.into_iter().enumerate().map(|(i, (value, label, item_hint))| {
                        let id = format!("{name}-{i}");
                        let checked = selected.iter().any(|s| s == value);
                        let hint_id = format!("{id}-hint");
                        view! {
                            <div class="choice">
                                <input
                                    type=kind
                                    id=id.clone()
                                    name=name
                                    value=value
                                    checked=checked
                                    aria-describedby=item_hint.map(|_| hint_id.clone())
                                />
                                <label for=id>{t(lang, label)}</label>
                                {item_hint.map(|h| view! { <p class="hint choice-hint" id=hint_id.clone()>{t(lang, h)}</p> })}
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
