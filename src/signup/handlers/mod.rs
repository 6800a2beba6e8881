//! HTTP handlers for the journey. They parse, call the repo, and pick the page.
//! Here: the questions, from the first to sending, and a card code typed by hand;
//! `links`: the page after sending (and its resend), and the confirm and withdraw links.
use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use super::{
    draft::{Draft, Step},
    pages::{self, card_problem_page, Journey},
    repo::{self, Submission, Submitted},
};
use crate::{
    cards::{card, Card},
    db::now_unix,
    domain::CardCode,
    error::AppError,
    forms::StampCheck,
    i18n::Lang,
    limits::Client,
    public::{form_field as field, form_pairs, request_lang},
    state::AppState,
    tokens,
};

mod links;

pub use links::{confirm, resend, sent, withdraw, withdraw_page, SentQuery};

fn journey(state: &AppState, lang: Lang, action: String) -> Journey {
    Journey {
        lang,
        action,
        force: state.settings.force_name.clone(),
        panel_email: state.settings.panel_email.clone(),
        min_age: state.settings.min_age,
        panels: vec![],
    }
}

/// The journey for this card's panel, or (without a card) the panel chosen or named in
/// the address: its minimum age, and without a card the panels to choose from when the
/// force runs several.
async fn for_panel(state: &AppState, mut j: Journey, batch: Option<i64>, slug: &str) -> Result<Journey, AppError> {
    if let Some(age) = crate::panels::min_age_for(&state.db, batch, slug).await? {
        j.min_age = u8::try_from(age).unwrap_or(j.min_age);
    }
    if batch.is_none() {
        let panels = crate::panels::list(&state.db).await?;
        if panels.len() > 1 {
            j.panels = panels.into_iter().map(|p| (p.slug, p.name)).collect();
        }
    }
    Ok(j)
}

/// A fresh journey: its idempotency key (issued here, never by the client) and its
/// start time, signed together.
fn new_draft(state: &AppState) -> Draft {
    let key = tokens::new_token();
    Draft { started: state.stamper.stamp(now_unix(), &key), key, ..Draft::default() }
}

/// `?lang=` and, on every step after a form was sent, `s`: the answers so far, sealed.
#[derive(serde::Deserialize, Default)]
pub struct StepQuery {
    lang: Option<String>,
    s: Option<String>,
    /// Set by the redirect after an under-age answer: the youth page, as a page of its own.
    youth: Option<String>,
    /// `/join?panel=youth`: the panel a new journey joins (carried in its answers).
    panel: Option<String>,
}

/// The step a sealed `s` describes, with its answers (None: absent, altered or not ours).
/// An address older than a journey may be (a day) opens nothing: answers do not live on
/// in a browser's history.
/// Once the answers have been sent, the journey's addresses open nothing either: someone
/// with the same phone or browser history must not read them (or send them again).
async fn opened(state: &AppState, sealed: Option<&str>) -> Result<Option<(Step, Draft, bool, bool)>, AppError> {
    let Some(pairs) = sealed.and_then(|s| state.stamper.open(s)) else { return Ok(None) };
    let Some(step) = Step::parse(field(&pairs, "step")) else { return Ok(None) };
    let draft = Draft::from_pairs(&pairs);
    // The journey's own stamp decides (no minimum fill time for showing a page).
    if state.stamper.check(&draft.started, &draft.key, now_unix(), 0) != StampCheck::Fine {
        return Ok(None);
    }
    if repo::journey_sent(&state.db, &draft.key).await? {
        return Ok(None);
    }
    Ok(Some((step, draft, field(&pairs, "returning") == "1", field(&pairs, "errors") == "1")))
}

/// After a step is sent: post/redirect/get to the next step's own address, which carries
/// the answers sealed. Back, reload and the language switch are then ordinary page loads
/// (a phone's Back button showed "Confirm form resubmission").
fn to_step(state: &AppState, j: &Journey, lang: Lang, step: Step, draft: &Draft, returning: bool) -> Response {
    to_address(state, j, lang, step, draft, returning, false)
}

/// The same, for a step whose answers have problems: its address shows them (so Back and
/// reload after an error are ordinary page loads too, never "Confirm form resubmission").
fn to_address(
    state: &AppState,
    j: &Journey,
    lang: Lang,
    step: Step,
    draft: &Draft,
    returning: bool,
    errors: bool,
) -> Response {
    let mut pairs = draft.pairs();
    pairs.push(("step", step.code().to_string()));
    if returning {
        pairs.push(("returning", "1".to_string()));
    }
    if errors {
        pairs.push(("errors", "1".to_string()));
    }
    let sealed = state.stamper.seal(&pairs);
    Redirect::to(&format!("{}?lang={}&s={sealed}", j.action, lang.code())).into_response()
}

/// A step's page from its address: the first question for a new journey, or the step a
/// sealed `s` names, with its answers.
fn step_from_address(
    state: &AppState,
    j: &Journey,
    sealed: Option<(Step, Draft, bool, bool)>,
    chosen: bool,
    youth: bool,
    panel: Option<&str>,
) -> Response {
    if youth {
        return pages::youth(j).into_response();
    }
    let page = match sealed {
        Some((step, draft, returning, true)) => {
            // The problems are worked out again from the answers the address carries.
            let problems: Vec<_> =
                draft.validate(step).into_iter().filter(|(f, _)| Draft::fields_of(step).contains(f)).collect();
            let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            pages::step_page(j, step, &draft, problems, returning, None).with_status(status)
        }
        Some((step, draft, returning, false)) => pages::step_page(j, step, &draft, vec![], returning, None),
        None => {
            let mut draft = new_draft(state);
            if let Some(p) = panel.and_then(|p| crate::domain::PanelSlug::parse(p).ok()) {
                draft.panel = p.to_string();
            }
            pages::step_page(j, Step::FIRST, &draft, vec![], false, None)
        }
    };
    if chosen {
        page.remember_lang().into_response()
    } else {
        page.into_response()
    }
}

/// `GET /j/<code>/join`: the first question for someone holding a card, or a later step.
pub async fn start_from_card(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(raw): Path<String>,
    Query(q): Query<StepQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let client = Client::identify(peer, &headers, state.settings.trust_proxy);
    match card(&state, &raw, &client).await? {
        Card::Valid { code, batch_id } => {
            let sealed = opened(&state, q.s.as_deref()).await?;
            // A start is a person: counted once per client and card per half hour.
            if sealed.is_none() && state.counted_once.first_everywhere(&client, &format!("start:{code}")).await {
                repo::record_event(&state.db, Some(batch_id), repo::PanelOf::Slug(""), "started").await?;
            }
            let j = for_panel(&state, journey(&state, lang, format!("/j/{code}/join")), Some(batch_id), "").await?;
            Ok(step_from_address(&state, &j, sealed, chosen, q.youth.is_some(), None))
        }
        other => Ok(card_problem_page(lang, &other)),
    }
}

/// `GET /join`: the same questions without a card.
pub async fn start_without_card(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(q): Query<StepQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let (lang, chosen) = request_lang(q.lang.as_deref(), &headers, state.settings.default_language);
    let client = Client::identify(peer, &headers, state.settings.trust_proxy);
    let sealed = opened(&state, q.s.as_deref()).await?;
    if sealed.is_none() && state.counted_once.first_everywhere(&client, "start:").await {
        repo::record_event(&state.db, None, repo::PanelOf::Slug(q.panel.as_deref().unwrap_or("")), "started").await?;
    }
    // The panel: as the journey's answers say, else as the address names it.
    let slug = sealed.as_ref().map(|(_, d, ..)| d.panel.clone()).filter(|p| !p.is_empty()).or(q.panel.clone());
    let j = for_panel(&state, journey(&state, lang, "/join".into()), None, slug.as_deref().unwrap_or("")).await?;
    Ok(step_from_address(&state, &j, sealed, chosen, q.youth.is_some(), q.panel.as_deref()))
}

/// `POST /j/<code>/join`.
pub async fn answer_from_card(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let pairs = form_pairs(&body);
    let lang = form_lang(&pairs, state.settings.default_language);
    let client = Client::identify(peer, &headers, state.settings.trust_proxy);
    match card(&state, &raw, &client).await? {
        Card::Valid { code, batch_id } => {
            let j = journey(&state, lang, format!("/j/{code}/join"));
            answer(&state, j, pairs, Some((code, batch_id)), client.key()).await
        }
        other => Ok(card_problem_page(lang, &other)),
    }
}

/// `POST /join`.
pub async fn answer_without_card(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let pairs = form_pairs(&body);
    let j = journey(&state, form_lang(&pairs, state.settings.default_language), "/join".into());
    answer(&state, j, pairs, None, Client::identify(peer, &headers, state.settings.trust_proxy).key()).await
}

fn form_lang(pairs: &[(String, String)], default: Lang) -> Lang {
    Lang::parse(field(pairs, "switch_lang")).or_else(|| Lang::parse(field(pairs, "lang"))).unwrap_or(default)
}

async fn answer(
    state: &AppState,
    j: Journey,
    pairs: Vec<(String, String)>,
    card: Option<(CardCode, i64)>,
    client: String,
) -> Result<Response, AppError> {
    let step = Step::parse(field(&pairs, "step")).unwrap_or(Step::FIRST);
    let returning = field(&pairs, "returning") == "1";
    let action = field(&pairs, "action").to_string();
    let mut draft = Draft::from_pairs(&pairs);
    // The panel decides the minimum age (a youth panel may take 16-year-olds).
    let j = for_panel(state, j, card.as_ref().map(|(_, batch)| *batch), &draft.panel).await?;
    if !tokens::looks_like_key(&draft.key) {
        // Keys are issued by the server; anything else is a journey without a valid
        // stamp (sending it is refused and re-issued below; the answers are kept).
        draft.key = tokens::new_token();
        draft.started.clear();
    }

    if !field(&pairs, "switch_lang").is_empty() {
        return Ok(to_step(state, &j, j.lang, step, &draft, returning));
    }
    if action == "back" {
        return Ok(to_step(state, &j, j.lang, draft.previous(step), &draft, false));
    }
    if let Some(target) = action.strip_prefix("change:").and_then(Step::parse) {
        return Ok(to_step(state, &j, j.lang, target, &draft, true));
    }
    if step != Step::Check {
        let problems = draft.validate(step);
        if !problems.is_empty() {
            return Ok(to_address(state, &j, j.lang, step, &draft, returning, true));
        }
        if step == Step::Eligibility && draft.is_under_age(j.min_age) {
            // The youth route keeps nothing: the answers are simply not carried on (and
            // its page is an address of its own, like every other).
            let panel = match crate::domain::PanelSlug::parse(&draft.panel) {
                Ok(p) if card.is_none() => format!("&panel={p}"),
                _ => String::new(),
            };
            return Ok(Redirect::to(&format!("{}?lang={}&youth=1{panel}", j.action, j.lang.code())).into_response());
        }
        let next = draft.next(step, returning);
        return Ok(to_step(state, &j, j.lang, next, &draft, returning && next != Step::Check));
    }

    // Submitting "check your answers".
    if !field(&pairs, "website").is_empty() {
        tracing::info!("sign-up honeypot filled; not saved");
        return Ok(pages::message(j.lang, "sent.title", &["sent.open_link"]).into_response());
    }
    let banner = |key: &'static str, status: StatusCode, draft: &Draft| {
        pages::step_page(&j, Step::Check, draft, vec![], false, Some(key)).with_status(status).into_response()
    };
    match state.stamper.check(&draft.started, &draft.key, now_unix(), state.settings.min_fill_secs as i64) {
        StampCheck::Invalid => {
            // Missing, forged, another journey's or too old: a new journey key and a stamp
            // from now (not back-dated), so the person checks and sends again.
            draft.key = tokens::new_token();
            draft.started = state.stamper.stamp(now_unix(), &draft.key);
            return Ok(banner("form.expired", StatusCode::UNPROCESSABLE_ENTITY, &draft));
        }
        StampCheck::TooFast => return Ok(banner("form.too_fast", StatusCode::UNPROCESSABLE_ENTITY, &draft)),
        StampCheck::Fine => {}
    }
    let mut submission = match Submission::try_from((&draft, j.lang, card.as_ref().map(|(_, b)| *b))) {
        Ok(submission) => submission,
        Err(problems) => {
            let field_name = problems.first().map_or("", |(f, _)| *f);
            let step =
                Step::ALL.into_iter().find(|s| Draft::fields_of(*s).contains(&field_name)).unwrap_or(Step::FIRST);
            return Ok(to_address(state, &j, j.lang, step, &draft, true, true));
        }
    };
    // Only sign-ups that would be saved count against the card's and the address's
    // hourly budget: junk posts must not use up a real card holder's.
    let card_ok = match card.as_ref() {
        Some((code, _)) => state.signup_limiter.allow(&format!("card:{code}")).await,
        None => true,
    };
    if !state.signup_limiter.allow(&client).await || !card_ok {
        return Ok(banner("form.rate_limited", StatusCode::TOO_MANY_REQUESTS, &draft));
    }
    submission.confirm_by_text = submission.email.is_none() && submission.phone.is_some() && state.can_text();
    let saved = match state.service::<super::committer::SignupCommitter>() {
        Some(committer) => committer.submit(&state.db, submission).await?,
        None => repo::submit(&state.db, &submission).await?,
    };
    let receipt = match saved {
        Submitted::Receipt(receipt) => receipt,
        Submitted::KeyReused => {
            // Another person's journey key (a shared device, a copied page): nothing of
            // theirs is shown; this person gets a journey of their own and sends again.
            draft.key = tokens::new_token();
            draft.started = state.stamper.stamp(now_unix(), &draft.key);
            return Ok(banner("form.expired", StatusCode::UNPROCESSABLE_ENTITY, &draft));
        }
    };
    state.mail_wake.notify_one();
    Ok(Redirect::to(&format!("/signup/sent/{receipt}?lang={}", j.lang.code())).into_response())
}

/// `GET /card?code=…`: the code typed from a card, as printed (spaces, dashes and small
/// letters allowed), sent on to that card's page.
pub async fn typed_card(Query(q): Query<TypedCard>) -> axum::response::Redirect {
    let code: String = q
        .code
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(32)
        .collect::<String>()
        .to_ascii_uppercase();
    let lang = q.lang.as_deref().and_then(Lang::parse).map(|l| format!("?lang={}", l.code())).unwrap_or_default();
    if code.is_empty() {
        // Nothing that could be a code: the way to join without one.
        return axum::response::Redirect::to(&format!("/join{lang}"));
    }
    axum::response::Redirect::to(&format!("/j/{code}{lang}"))
}

#[derive(serde::Deserialize)]
pub struct TypedCard {
    code: Option<String>,
    lang: Option<String>,
}
