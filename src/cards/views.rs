//! Dashboard pages for card batches. Rendered on the server (they are not islands),
//! so they work with JavaScript off; forms post straight to the server functions.
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::{
    api::{get_batch, list_batches, CreateBatch, VoidBatch},
    BatchSummary,
};
use crate::ui::ErrorSummary;

fn date_of(unix: i64) -> String {
    crate::domain::ExpiryDate::of_unix(unix).to_string()
}

#[component]
pub fn BatchListPage() -> impl IntoView {
    let batches = Resource::new(|| (), |_| list_batches());
    view! {
        <Title text="Card batches – Scrutiny panel"/>
        <h1>"Card batches"</h1>
        <p><a class="button" href="/admin/cards/new">"Order a new batch of cards"</a></p>
        <Suspense fallback=|| view! { <p>"Loading batches…"</p> }>
            {move || Suspend::new(async move {
                match batches.await {
                    Ok(list) if list.is_empty() => view! {
                        <p>"No batches yet. Order one to print cards with QR codes."</p>
                    }.into_any(),
                    Ok(list) => view! { <BatchTable batches=list/> }.into_any(),
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BatchTable(batches: Vec<BatchSummary>) -> impl IntoView {
    view! {
        <table tabindex="0">
            <caption class="visually-hidden">"Card batches, newest first"</caption>
            <thead>
                <tr>
                    <th scope="col">"Batch"</th>
                    <th scope="col">"Panel"</th>
                    <th scope="col">"Area or team"</th>
                    <th scope="col">"Created"</th>
                    <th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Printed"</th>
                    <th scope="col" class="num">"Cards scanned"</th>
                </tr>
            </thead>
            <tbody>
                {batches.into_iter().map(|b| {
                    let href = format!("/admin/cards/{}", b.id);
                    let scanned = format!("{} ({}%)", b.scanned, b.scanned_percent());
                    view! {
                        <tr>
                            <td><a href=href>{b.label.clone()}</a></td>
                            <td>{b.panel.clone()}</td>
                            <td>{b.area.clone().unwrap_or_default()}</td>
                            <td>{date_of(b.created_at)}</td>
                            <td>{b.expires_on.clone().unwrap_or_else(|| "–".into())}</td>
                            <td>{if b.is_void() { "Void" } else { "Active" }}</td>
                            <td class="num">{b.quantity}</td>
                            <td class="num">{scanned}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn NewBatchPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &str| query.with_untracked(|q| q.get(key).unwrap_or_default());
    let fields = [
        ("label", "Label", "For example the station or team and the month: “Parkside, March 2027”.", "text"),
        ("area", "Area or team (optional)", "Where these cards will be handed out.", "text"),
        ("quantity", "Number of cards", "Between 1 and 20,000. An A4 sheet holds 10 cards.", "text"),
        ("expires_on", "Expiry date (optional)", "Cards stop working after this date, for example 2027-12-31.", "text"),
    ];
    let errors: Vec<(String, String)> = fields
        .iter()
        .map(|(name, ..)| *name)
        .chain(["languages", "panel"])
        .filter_map(|name| {
            let e = get(&format!("err_{name}"));
            (!e.is_empty()).then(|| (name.to_string(), e))
        })
        .collect();
    let summary = (!errors.is_empty()).then(|| {
        view! {
            <ErrorSummary focus=true
                links={errors.iter().map(|(name, msg)| (msg.clone(), format!("#{name}"))).collect::<Vec<_>>()}/>
        }
    });
    view! {
        <Title text="Order a new batch of cards – Scrutiny panel"/>
        <h1>"Order a new batch of cards"</h1>
        {summary}
        <form method="post" action=CreateBatch::url() novalidate>
            {fields.into_iter().map(|(name, label, hint, kind)| {
                let error = get(&format!("err_{name}"));
                let has_error = !error.is_empty();
                let hint_id = format!("{name}-hint");
                let error_id = format!("{name}-error");
                let described = if has_error { format!("{hint_id} {error_id}") } else { hint_id.clone() };
                view! {
                    <div class=if has_error { "field field-error" } else { "field" }>
                        <label for=name>{label}</label>
                        <p class="hint" id=hint_id>{hint}</p>
                        {has_error.then(|| view! {
                            <p class="error-message" id=error_id.clone()>
                                <span class="visually-hidden">"Error: "</span>{error.clone()}
                            </p>
                        })}
                        <input
                            type=kind
                            id=name
                            name=name
                            value=get(name)
                            aria-describedby=described
                            aria-invalid=has_error.then_some("true")
                            inputmode=(name == "quantity").then_some("numeric")
                        />
                    </div>
                }
            }).collect_view()}
            <div class=if get("err_languages").is_empty() { "field" } else { "field field-error" }>
                <fieldset aria-describedby="languages-hint" id="languages">
                    <legend>"Languages on the card"</legend>
                    <p class="hint" id="languages-hint">
                        "Each language adds its text to both sides, in this order (Welsh first). \
                         The more languages, the smaller the text. If you tick none, the force\u{2019}s usual languages are used."
                    </p>
                    {(!get("err_languages").is_empty()).then(|| view! {
                        <p class="error-message">
                            <span class="visually-hidden">"Error: "</span>{get("err_languages")}
                        </p>
                    })}
                    <div class="checkboxes">
                        {crate::i18n::Lang::CARD_ORDER.into_iter().map(|lang| {
                            let id = format!("lang_{}", lang.code());
                            let checked = query.with_untracked(|q| q.get_all("lang"))
                                .unwrap_or_default()
                                .iter()
                                .any(|c| c == lang.code());
                            view! {
                                <div class="checkbox">
                                    <input type="checkbox" id=id.clone() name=id.clone() value="on" checked=checked/>
                                    <label for=id lang=lang.html_lang()>{lang.native_name()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            </div>
            <PanelChoice chosen=get("panel") error=get("err_panel")/>
            <button type="submit" class="button">"Create batch"</button>
        </form>
    }
}

#[component]
pub fn BatchDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let ask = query.with_untracked(|q| q.get("void")).as_deref() == Some("ask");
    let voided = query.with_untracked(|q| q.get("voided")).is_some();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1));
    let detail = Resource::new(id, get_batch);
    view! {
        <Suspense fallback=|| view! { <p>"Loading batch…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(Some(d)) => {
                        let b = d.batch;
                        let base = format!("/admin/cards/{}", b.id);
                        let void = !b.is_void();
                        view! {
                            <Title text=format!("{} – card batch – Scrutiny panel", b.label)/>
                            <h1>{b.label.clone()}</h1>
                            <dl class="summary">
                                <dt>"Area or team"</dt><dd>{b.area.clone().unwrap_or_else(|| "–".into())}</dd>
                                <dt>"Status"</dt><dd data-testid="batch-status">{if b.is_void() { "Void" } else { "Active" }}</dd>
                                <dt>"Created"</dt><dd>{date_of(b.created_at)}" by "{b.created_by.clone()}</dd>
                                <dt>"Expires"</dt><dd>{b.expires_on.clone().unwrap_or_else(|| "No expiry".into())}</dd>
                                <dt>"Printed"</dt><dd>{b.quantity}</dd>
                                <dt>"Languages"</dt><dd data-testid="batch-languages">{
                                    b.languages.split(',').filter_map(crate::i18n::Lang::parse)
                                        .map(|l| l.native_name()).collect::<Vec<_>>().join(", ")
                                }</dd>
                                <dt>"Cards scanned"</dt><dd data-testid="batch-scanned">{b.scanned}</dd>
                                <dt>"Page visits from cards"</dt><dd>{b.scans}</dd>
                            </dl>
                            {voided.then(|| view! { <p class="notice" role="status">"The batch is void. Its cards now show a page saying they are no longer in use, which still explains how to join."</p> })}
                            {(!void).then(|| view! {
                                <ErrorSummary heading="This batch is void" messages=vec![
                                    "Its cards no longer work and its print files are not offered: do not print more of them.".to_string(),
                                ]/>
                            })}
                            <h2>"Print files"</h2>
                            {if void { view! {
                                <ul>
                                    <li><a href=format!("{base}/cards-a4.pdf")>"A4 sheets, 10 cards per sheet (PDF)"</a>
                                        " – fronts then mirrored backs, for double-sided printing with crop marks"</li>
                                    <li><a href=format!("{base}/cards-cr80.pdf")>"Card printer, one card per page (PDF)"</a></li>
                                </ul>
                            }.into_any() } else { view! { <p>"None: the batch is void."</p> }.into_any() }}
                            <h2>"Card codes"</h2>
                            <p>"The first codes in this batch, each with its QR code as an SVG image:"</p>
                            <ul class="codes">
                                {d.sample_codes.into_iter().map(|code| {
                                    let svg = format!("{base}/qr/{code}.svg");
                                    let url = format!("{}/j/{code}", d.base_url);
                                    view! { <li><code>{code.clone()}</code>" – "<a href=svg>"QR code (SVG)"</a>" for "{url}</li> }
                                }).collect_view()}
                            </ul>
                            {void.then(|| if ask { view! {
                                <ErrorSummary id="void" heading="Are you sure you want to void this batch?" messages=vec![
                                    format!("All {} cards of \u{201c}{}\u{201d} will stop working at once, including cards already handed out. This cannot be undone.", b.quantity, b.label),
                                ]>
                                    <form method="post" action=VoidBatch::url()>
                                        <input type="hidden" name="id" value=b.id/>
                                        <input type="hidden" name="confirm" value="yes"/>
                                        <button type="submit" class="button button-warning">"Yes, void this batch"</button>
                                        " "<a href=base.clone()>"No, keep it"</a>
                                    </form>
                                </ErrorSummary>
                            }.into_any() } else { view! {
                                <h2 id="void">"Withdraw this batch"</h2>
                                <p>"If cards are lost or the wording is out of date, void the batch. Its cards will then show a page saying the card is no longer in use, which still explains how to join the panel."</p>
                                <form method="post" action=VoidBatch::url()>
                                    <input type="hidden" name="id" value=b.id/>
                                    <button type="submit" class="button button-warning">"Void this batch…"</button>
                                </form>
                            }.into_any() })}
                        }.into_any()
                    }
                    Ok(None) => {
                        crate::respond::set_response_status(404);
                        view! { <h1>"Batch not found"</h1><p><a href="/admin/cards">"All card batches"</a></p> }.into_any()
                    }
                    Err(e) => view! { <p class="error-message">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Which panel the cards invite people to (a list; with one panel, that panel is chosen).
#[component]
fn PanelChoice(chosen: String, error: String) -> impl IntoView {
    let panels = Resource::new(|| (), |_| crate::panels::api::list_panels());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let (chosen, error) = (chosen.clone(), error.clone());
                Suspend::new(async move {
                    let list = panels.await.unwrap_or_default();
                    let has_error = !error.is_empty();
                    view! {
                        <div class=if has_error { "field field-error" } else { "field" }>
                            <label for="panel">"Panel"</label>
                            <p class="hint" id="panel-hint">"People who scan these cards join this panel."</p>
                            {has_error.then(|| view! {
                                <p class="error-message" id="panel-error"><span class="visually-hidden">"Error: "</span>{error.clone()}</p>
                            })}
                            <select id="panel" name="panel" aria-describedby="panel-hint">
                                {(list.len() > 1).then(|| view! { <option value="">"Choose a panel"</option> })}
                                {list.into_iter().map(|p| {
                                    let selected = p.slug == chosen;
                                    view! { <option value=p.slug.clone() selected=selected>{p.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                })
            }}
        </Suspense>
    }
}
