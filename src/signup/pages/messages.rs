//! After the questions: "check your email" (or texts), short messages, and the pages of
//! the confirm and withdraw links.
use leptos::prelude::*;

use super::{before_you_join, join_anyway};
use crate::{
    i18n::{t, tf, Lang},
    public::PublicPage,
};

/// "Check your email", "check your texts", or (no text service) "we will phone you".
pub fn sent(
    lang: Lang,
    email: Option<&str>,
    phone: Option<&str>,
    by_text: bool,
    resend_action: &str,
    resent: bool,
    can_resend: bool,
    limit_reached: bool,
    facts: crate::config::PanelFacts,
    contact: &str,
) -> PublicPage {
    let action = resend_action.to_string();
    let limit = limit_reached.then(|| with_email_link(lang, "sent.resend_limit", contact));
    if email.is_none() && by_text {
        let phone = phone.unwrap_or("").to_string();
        return PublicPage::new(
            lang,
            t(lang, "sent.text_title"),
            view! {
                <div class="panel-confirm"><h1>{t(lang, "sent.text_title")}</h1></div>
                <p>{t(lang, "sent.text_to")}</p>
                <p class="address"><strong><bdi dir="ltr">{phone}</bdi></strong></p>
                <p>{t(lang, "sent.text_open")}</p>
                {resent.then(|| view! { <p class="notice" role="status">{t(lang, "sent.text_resent")}</p> })}
                <h2>{t(lang, "sent.text_not_arrived_title")}</h2>
                <p>{t(lang, "sent.text_not_arrived")}</p>
                {can_resend.then(|| view! {
                    <form method="post" action=action.clone()>
                        <input type="hidden" name="lang" value=lang.code()/>
                        <button type="submit" class="button secondary">{t(lang, "sent.text_resend")}</button>
                    </form>
                })}
                {limit}
                <h2>{t(lang, "sent.next_title")}</h2>
                <p>{t(lang, "sent.next")}</p>
                {before_you_join(lang, facts)}
            },
        );
    }
    let body = match email {
        Some(email) => view! {
            <div class="panel-confirm"><h1>{t(lang, "sent.title")}</h1></div>
            <p>{t(lang, "sent.email_to")}</p>
            <p class="address"><strong><bdi dir="ltr">{email.to_string()}</bdi></strong></p>
            <p>{t(lang, "sent.open_link")}</p>
            {resent.then(|| view! { <p class="notice" role="status">{t(lang, "sent.resent")}</p> })}
            <h2>{t(lang, "sent.not_arrived_title")}</h2>
            <p>{t(lang, "sent.not_arrived")}</p>
            {can_resend.then(|| view! {
                <form method="post" action=action.clone()>
                    <input type="hidden" name="lang" value=lang.code()/>
                    <button type="submit" class="button secondary">{t(lang, "sent.resend")}</button>
                </form>
            })}
            {limit}
        }
        .into_any(),
        None => view! {
            <div class="panel-confirm"><h1>{t(lang, "sent.phone_title")}</h1></div>
            <p>{tf(lang, "sent.phone", &[("phone", phone.unwrap_or(""))])}</p>
        }
        .into_any(),
    };
    PublicPage::new(
        lang,
        t(lang, if email.is_some() { "sent.title" } else { "sent.phone_title" }),
        view! {
            {body}
            <h2>{t(lang, "sent.next_title")}</h2>
            <p>{t(lang, "sent.next")}</p>
            {before_you_join(lang, facts)}
        },
    )
}

pub fn message(lang: Lang, title_key: &'static str, text_keys: &[&'static str]) -> PublicPage {
    let texts: Vec<&'static str> = text_keys.iter().map(|k| t(lang, k)).collect();
    PublicPage::new(
        lang,
        t(lang, title_key),
        view! {
            <h1>{t(lang, title_key)}</h1>
            {texts.into_iter().map(|text| view! { <p>{text}</p> }).collect_view()}
        },
    )
}

pub fn withdraw_form(lang: Lang, action: &str) -> PublicPage {
    let action = action.to_string();
    PublicPage::new(
        lang,
        t(lang, "withdraw.title"),
        view! {
            <h1>{t(lang, "withdraw.title")}</h1>
            <p>{t(lang, "withdraw.explain")}</p>
            <form method="post" action=action>
                <input type="hidden" name="lang" value=lang.code()/>
                <button type="submit" class="button warning">{t(lang, "withdraw.button")}</button>
            </form>
        },
    )
}

/// A confirm link that no longer works: say so, and offer the start of the journey.
pub fn broken_confirm(lang: Lang, title_key: &'static str, text_key: &'static str) -> PublicPage {
    join_anyway(lang, title_key, text_key)
}

/// A withdraw link that no longer works: how else to have details deleted.
pub fn broken_withdraw(lang: Lang, email: &str) -> PublicPage {
    PublicPage::new(
        lang,
        t(lang, "withdraw.unknown_title"),
        view! {
            <h1>{t(lang, "withdraw.unknown_title")}</h1>
            <p>{t(lang, "withdraw.unknown")}</p>
            {with_email_link(lang, "withdraw.unknown_contact", email)}
        },
    )
}

/// A paragraph whose `{email}` is a mailto link (kept left to right on Arabic pages).
fn with_email_link(lang: Lang, key: &'static str, email: &str) -> impl IntoView {
    let text = tf(lang, key, &[("email", "\u{0}")]);
    let (before, after) =
        text.split_once('\u{0}').map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or((text.clone(), String::new()));
    let mailto = format!("mailto:{email}");
    view! { <p>{before}<a href=mailto><bdi dir="ltr">{email.to_string()}</bdi></a>{after}</p> }
}
