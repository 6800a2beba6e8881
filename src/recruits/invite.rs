//! Invitations: a coordinator writes one message (a meeting's date and place) to the
//! selected people; each copy goes through the email outbox, so it is retried until
//! delivered, and each person's page shows whether theirs was sent.
use axum::{
    extract::{Extension, State},
    response::{IntoResponse, Redirect, Response},
};

use super::repo::{self, Recipient};
use crate::{
    audit,
    error::AppError,
    i18n::Lang,
    public::{form_field, form_fields, form_pairs},
    roles::CurrentUser,
    state::AppState,
};

/// How a person gets a coordinator's message: by text when they chose the phone and a
/// text service is set up, else by email, else by text; None when neither works.
fn channel(state: &AppState, email: Option<&str>, phone: Option<&str>, method: &str) -> Option<&'static str> {
    let text = phone.is_some() && state.can_text();
    match () {
        _ if method == "phone" && text => Some("text"),
        _ if email.is_some() => Some("email"),
        _ if text => Some("text"),
        _ => None,
    }
}

/// One version of the message: its language, subject and text.
struct Version {
    lang: Lang,
    subject: String,
    message: String,
}

/// The versions written on the form: the force's default language in `subject` and
/// `message`, any other in `subject_<code>` and `message_<code>`; each both or neither.
/// The default language's version comes first when written (the one anybody without a
/// version of their own gets). Err: what is wrong, in words.
fn versions(form: &[(String, String)], default: Lang) -> Result<Vec<Version>, String> {
    let mut out = Vec::new();
    for lang in std::iter::once(default).chain(Lang::ALL.into_iter().filter(|&l| l != default)) {
        let suffix = if lang == default { String::new() } else { format!("_{}", lang.code()) };
        let s = form_field(form, &format!("subject{suffix}")).trim();
        let m = form_field(form, &format!("message{suffix}")).trim();
        let name = lang.native_name();
        if s.is_empty() && m.is_empty() {
            continue;
        }
        if s.is_empty() || m.is_empty() {
            return Err(format!("Write both a subject and a message in {name}, or leave both empty"));
        }
        if s.chars().count() > 150 || s.chars().any(char::is_control) {
            return Err(format!("The {name} subject must be 150 characters or fewer, on one line"));
        }
        if m.chars().count() > 5000 || crate::public::has_control_chars(m) {
            return Err(format!(
                "The {name} message must be 5,000 characters or fewer, without special control characters"
            ));
        }
        out.push(Version { lang, subject: s.into(), message: m.into() });
    }
    if out.is_empty() {
        return Err("Write a subject and a message".into());
    }
    Ok(out)
}

/// The form again, with everything typed and what is wrong (never lost on an error).
fn compose_again(
    state: &AppState,
    ids: &[String],
    form: &[(String, String)],
    people: &[Recipient],
    error: &str,
) -> Response {
    let esc = crate::public::html_escape;
    let default = state.settings.default_language;
    let mut counts: Vec<(Lang, usize)> = vec![(default, 0)];
    for r in people {
        let l = lang_of(state, r);
        match counts.iter_mut().find(|(x, _)| *x == l) {
            Some((_, n)) => *n += 1,
            None => counts.push((l, 1)),
        }
    }
    let mut fields = String::new();
    for (lang, n) in counts {
        let suffix = if lang == default { String::new() } else { format!("_{}", lang.code()) };
        let who = match n {
            0 => "nobody selected".to_string(),
            1 => "1 person".to_string(),
            n => format!("{n} people"),
        };
        fields.push_str(&format!(
            "<fieldset class=\"field\"><legend>{} ({who})</legend>\
             <div class=\"field\"><label for=\"subject{suffix}\">Subject</label>\
             <input type=\"text\" id=\"subject{suffix}\" name=\"subject{suffix}\" value=\"{}\" lang=\"{hl}\" dir=\"{dir}\"></div>\
             <div class=\"field\"><label for=\"message{suffix}\">Message</label>\
             <textarea id=\"message{suffix}\" name=\"message{suffix}\" rows=\"8\" lang=\"{hl}\" dir=\"{dir}\">{}</textarea></div></fieldset>",
            lang.native_name(),
            esc(form_field(form, &format!("subject{suffix}"))),
            esc(form_field(form, &format!("message{suffix}"))),
            hl = lang.html_lang(),
            dir = lang.dir(),
        ));
    }
    let hidden: String =
        ids.iter().map(|id| format!("<input type=\"hidden\" name=\"id\" value=\"{}\">", esc(id))).collect();
    let html = format!(
        "<h1>Write an invitation</h1>{}\
         <form method=\"post\" action=\"/admin/recruits/invite\">{hidden}{fields}\
         <button type=\"submit\" name=\"action\" value=\"preview\" class=\"button\">Preview</button></form>",
        crate::ui::error_summary_html(&[error], true)
    );
    let page = crate::public::PublicPage::raw(Lang::En, "Error: Write an invitation", html)
        .with_switcher(crate::public::Switcher::None)
        .with_status(http::StatusCode::UNPROCESSABLE_ENTITY);
    let mut response = page.into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    response
}

/// A recipient's language (their choice, or the force's default if unreadable).
fn lang_of(state: &AppState, r: &Recipient) -> Lang {
    Lang::parse(&r.language).unwrap_or(state.settings.default_language)
}

/// What one person receives: their language's version, or the default one when none
/// was written; with `SCRUTINY_BILINGUAL_MESSAGES`, the default language first and then
/// theirs. Payload form: "subject\n\nbody".
fn payload_for(state: &AppState, versions: &[Version], lang: Lang) -> String {
    let default = &versions[0];
    match versions.iter().find(|v| v.lang == lang) {
        Some(own) if own.lang != default.lang && state.settings.bilingual_messages => format!(
            "{} / {}\n\n{}\n\n\u{2014}\u{2014}\u{2014}\n\n{}",
            default.subject, own.subject, default.message, own.message
        ),
        Some(own) => format!("{}\n\n{}", own.subject, own.message),
        None => format!("{}\n\n{}", default.subject, default.message),
    }
}

/// Before sending: how many go by email and by text, each language's version and who
/// gets it (with a warning for anyone who would get another language), and the text
/// message as it will be read, with its length in fragments (a long message costs several).
async fn preview(
    state: &AppState,
    ids: &[String],
    versions: &[Version],
    people: &[Recipient],
) -> Result<Response, AppError> {
    let (mut by_email, mut by_text, mut unreachable) = (0, 0, 0);
    let mut per_lang: Vec<(Lang, i64)> = Vec::new();
    for r in people {
        match channel(state, r.email.as_deref(), r.phone.as_deref(), &r.contact_method) {
            Some("email") => by_email += 1,
            Some(_) => by_text += 1,
            None => {
                unreachable += 1;
                continue;
            }
        }
        let lang = lang_of(state, r);
        match per_lang.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, n)) => *n += 1,
            None => per_lang.push((lang, 1)),
        }
    }
    let esc = crate::public::html_escape;
    let default = versions[0].lang;
    let mut warnings = String::new();
    let mut parts = String::new();
    for &(lang, n) in &per_lang {
        let who = if n == 1 { "1 person".to_string() } else { format!("{n} people") };
        if !versions.iter().any(|v| v.lang == lang) {
            warnings.push_str(&format!(
                "<li>{who} chose {} but there is no {} version: they will get the {} version.</li>",
                lang.native_name(),
                lang.native_name(),
                default.native_name()
            ));
            continue;
        }
        let payload = payload_for(state, versions, lang);
        let (subject, message) = payload.split_once("\n\n").unwrap_or((&payload, ""));
        // The text as sent: the message and the footer with a withdraw link (a 22-character token).
        let footer =
            crate::i18n::tf(lang, "sms.footer", &[("url", &format!("{}/w/{}", state.base_url, "x".repeat(22)))]);
        let text = format!("{message}\n{footer}");
        let fragments = crate::email::notify::sms_fragments(&text);
        let sms = if by_text > 0 {
            format!(
                "<p>As a text message (with the link to leave the list): {} characters, <strong>{fragments} text message \
                 fragment{}</strong> each (Notify charges by fragment; one holds 160 plain characters, or 70 with letters \
                 such as ŵ, ą or Arabic).</p><pre class=\"sms\" lang=\"{hl}\" dir=\"{dir}\">{}</pre>",
                text.chars().count(),
                if fragments == 1 { "" } else { "s" },
                esc(&text),
                hl = lang.html_lang(),
                dir = lang.dir(),
            )
        } else {
            String::new()
        };
        parts.push_str(&format!(
            "<h2>{} ({who})</h2><p><strong lang=\"{hl}\" dir=\"{dir}\">{}</strong></p><pre lang=\"{hl}\" dir=\"{dir}\">{}</pre>{sms}",
            lang.native_name(),
            esc(subject),
            esc(message),
            hl = lang.html_lang(),
            dir = lang.dir(),
        ));
    }
    let hidden: String = ids
        .iter()
        .map(|id| format!("<input type=\"hidden\" name=\"id\" value=\"{}\">", esc(id)))
        .chain(versions.iter().map(|v| {
            let suffix = if v.lang == default { String::new() } else { format!("_{}", v.lang.code()) };
            format!(
                "<input type=\"hidden\" name=\"subject{suffix}\" value=\"{}\"><input type=\"hidden\" name=\"message{suffix}\" value=\"{}\">",
                esc(&v.subject),
                esc(&v.message)
            )
        }))
        .collect();
    let fallback_ok = if warnings.is_empty() { "" } else { "<input type=\"hidden\" name=\"fallback_ok\" value=\"1\">" };
    let warning = if warnings.is_empty() {
        String::new()
    } else {
        format!(
            "<div class=\"warning\" role=\"alert\"><h2>Not everyone gets their own language</h2><ul>{warnings}</ul>\
                 <p>Go back to write those versions, or send anyway.</p></div>"
        )
    };
    let html = format!(
        "<h1>Check the invitation</h1><p>{by_email} by email, {by_text} by text message{}.</p>{warning}{parts}\
         <form method=\"post\" action=\"/admin/recruits/invite\">{hidden}{fallback_ok}\
         <button type=\"submit\" name=\"action\" value=\"send\" class=\"button\">Send invitation</button></form>",
        if unreachable > 0 {
            format!(", {unreachable} cannot be reached (no email, and no text service)")
        } else {
            String::new()
        },
    );
    let page = crate::public::PublicPage::raw(Lang::En, "Check the invitation", html)
        .with_switcher(crate::public::Switcher::None);
    let mut response = page.into_response();
    response.headers_mut().insert(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `POST /admin/recruits/invite`: `subject`, `message` (the force's default language),
/// `subject_<code>`, `message_<code>` (other languages), `id`…; `action=send` sends,
/// anything else shows the preview first. A Welsh force sends nothing until every
/// recipient's language is written.
pub async fn send(
    State(state): State<AppState>,
    Extension(user): Extension<CurrentUser>,
    body: String,
) -> Result<Response, AppError> {
    let form = form_pairs(&body);
    let ids: Vec<String> = form_fields(&form, "id").take(1000).map(str::to_string).collect();
    let query: String = ids.iter().map(|id| format!("&id={}", id)).collect();
    let back = |problem: &str, lang: Option<Lang>| {
        let lang = lang.map(|l| format!("&lang={}", l.code())).unwrap_or_default();
        Ok(Redirect::to(&format!("/admin/recruits/invite?error={problem}{lang}{query}")).into_response())
    };
    if ids.is_empty() {
        return back("none", None);
    }
    let people = repo::recipients(state.db.pool(), &ids).await?;
    let versions = match versions(&form, state.settings.default_language) {
        Ok(v) => v,
        Err(problem) => return Ok(compose_again(&state, &ids, &form, &people, &problem)),
    };
    let reachable: Vec<&Recipient> = people
        .iter()
        .filter(|r| channel(&state, r.email.as_deref(), r.phone.as_deref(), &r.contact_method).is_some())
        .collect();
    let missing: Vec<Lang> = {
        let mut m: Vec<Lang> =
            reachable.iter().map(|r| lang_of(&state, r)).filter(|l| !versions.iter().any(|v| v.lang == *l)).collect();
        m.dedup();
        m
    };
    if let Some(lang) = missing.first() {
        // A Welsh force sends nobody another language; elsewhere the preview warns first,
        // and sending needs the preview's say-so.
        if state.settings.default_language == Lang::Cy {
            return Ok(compose_again(
                &state,
                &ids,
                &form,
                &people,
                &format!(
                    "Write the message in {} too: people who chose it would otherwise get another language",
                    lang.native_name()
                ),
            ));
        }
        if form_field(&form, "action") == "send" && form_field(&form, "fallback_ok") != "1" {
            return preview(&state, &ids, &versions, &people).await;
        }
    }
    if form_field(&form, "action") != "send" {
        return preview(&state, &ids, &versions, &people).await;
    }
    let subject = versions[0].subject.clone();
    let invitations: Vec<super::repo::Invitation> = people
        .iter()
        .filter(|r| channel(&state, r.email.as_deref(), r.phone.as_deref(), &r.contact_method).is_some())
        .map(|r| {
            let payload = payload_for(&state, &versions, lang_of(&state, r));
            let note = format!("Invitation sent: {}", payload.split_once("\n\n").map_or(subject.as_str(), |(s, _)| s));
            super::repo::Invitation { recruit_id: r.id, payload, note }
        })
        .collect();
    let queued = super::repo::queue_invitations(&state.db, &user.email, &invitations).await?;
    state.mail_wake.notify_one();
    audit::record(
        &state.db,
        &user.email,
        "invitation_sent",
        None,
        Some(&format!("{queued} of {} selected", ids.len())),
    )
    .await?;
    Ok(Redirect::to(&format!("/admin/recruits?invited={queued}&without_email={}", ids.len() - queued)).into_response())
}
