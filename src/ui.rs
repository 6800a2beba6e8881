//! Pieces of markup shared by the pages: the dashboard's and the sign-up journey's (compiled
//! for the server and the browser).
use leptos::prelude::*;

/// The heading of an error summary unless a page says otherwise.
pub const PROBLEM: &str = "There is a problem";

/// The box at the top of a page saying what went wrong:
/// `<div class="error-summary" role="alert">`, a heading, each message as a paragraph, the
/// links to the fields at fault as a list, then any children (a form, say).
///
/// - `heading`: `None` for no heading at all; "There is a problem" unless given.
/// - `heading_id`: gives the heading this id and labels the box by it (`aria-labelledby`).
/// - `id`: the box's own id, for links to it.
/// - `focus`: `tabindex="-1"`, so that the page can move focus to it.
#[component]
pub fn ErrorSummary(
    #[prop(into, default = Some(PROBLEM))] heading: Option<&'static str>,
    #[prop(optional)] heading_id: Option<&'static str>,
    #[prop(optional, into)] messages: Vec<String>,
    /// `(text, href)`: each a link to the field it is about, for example `#email`.
    #[prop(optional, into)]
    links: Vec<(String, String)>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] focus: bool,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="error-summary" id=id role="alert" aria-labelledby=heading_id tabindex=focus.then_some("-1")>
            {heading.map(|h| view! { <h2 id=heading_id>{h}</h2> })}
            {messages.into_iter().map(|m| view! { <p>{m}</p> }).collect_view()}
            {(!links.is_empty()).then(|| view! {
                <ul>
                    {links.into_iter().map(|(text, href)| view! { <li><a href=href>{text}</a></li> }).collect_view()}
                </ul>
            })}
            {children.map(|c| c())}
        </div>
    }
}

/// One labelled input with its hint and error, as every dashboard form writes it: the
/// error is linked from the input (`aria-describedby`) and marks it invalid.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(into)] value: String,
    #[prop(optional, into)] error: String,
    /// `text` unless given (`date`, `datetime-local`, `url`, `textarea`…).
    #[prop(optional)]
    kind: &'static str,
    /// An id other than the name (several forms on one page).
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_string());
    let has_error = !error.is_empty();
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described = [(!hint.is_empty()).then(|| hint_id.clone()), has_error.then(|| error_id.clone())]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let described = (!described.is_empty()).then_some(described);
    let input = if kind == "textarea" {
        view! {
            <textarea id=id.clone() name=name rows="6" aria-describedby=described.clone()
                aria-invalid=has_error.then_some("true")>{value}</textarea>
        }
        .into_any()
    } else {
        view! {
            <input type=if kind.is_empty() { "text" } else { kind } id=id.clone() name=name value=value
                aria-describedby=described aria-invalid=has_error.then_some("true")/>
        }
        .into_any()
    };
    view! {
        <div class=if has_error { "field field-error" } else { "field" }>
            <label for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id>{hint}</p> })}
            {has_error.then(|| view! {
                <p class="error-message" id=error_id><span class="visually-hidden">"Error: "</span>{error}</p>
            })}
            {input}
        </div>
    }
}

/// [`ErrorSummary`]'s markup for pages written as HTML strings: "There is a problem" and
/// each message (escaped) as a paragraph, focusable when `focus`.
#[cfg(feature = "ssr")]
pub fn error_summary_html(messages: &[&str], focus: bool) -> String {
    let tabindex = if focus { " tabindex=\"-1\"" } else { "" };
    let paragraphs: String = messages.iter().map(|m| format!("<p>{}</p>", crate::public::html_escape(m))).collect();
    format!("<div class=\"error-summary\" role=\"alert\"{tabindex}><h2>{PROBLEM}</h2>{paragraphs}</div>")
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn html_string_matches_the_old_markup() {
        assert_eq!(
            error_summary_html(&["Enter a <subject>"], true),
            "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>There is a problem</h2>\
             <p>Enter a &lt;subject&gt;</p></div>"
        );
    }

    /// The HTML of `view`, without the `<!>` markers between its parts.
    fn html(view: impl RenderHtml) -> String {
        view.to_html().replace("<!>", "")
    }

    #[test]
    fn component_keeps_each_call_sites_attributes() {
        let plain = html(view! { <ErrorSummary messages=vec!["Oops".to_string()]/> });
        assert!(plain.contains("<h2>There is a problem</h2><p>Oops</p>"), "{plain}");
        assert!(
            !plain.contains("tabindex") && !plain.contains("aria-labelledby") && !plain.contains(" id="),
            "{plain}"
        );

        let focused = html(view! { <ErrorSummary focus=true/> });
        assert!(focused.contains("tabindex=\"-1\""), "{focused}");

        let bare = html(view! { <ErrorSummary heading=None messages=vec!["Choose a status".to_string()]/> });
        assert!(!bare.contains("<h2"), "{bare}");

        let labelled = html(view! {
            <ErrorSummary heading="Some filters" heading_id="filter-problem"
                links=vec![("Enter a number".to_string(), "#age".to_string())]/>
        });
        assert!(labelled.contains("aria-labelledby=\"filter-problem\""), "{labelled}");
        assert!(labelled.contains("<h2 id=\"filter-problem\">Some filters</h2>"), "{labelled}");
        assert!(labelled.contains("<ul><li><a href=\"#age\">Enter a number</a></li></ul>"), "{labelled}");

        let with_id = html(view! { <ErrorSummary id="void"><p>"More"</p></ErrorSummary> });
        assert!(with_id.contains("id=\"void\"") && with_id.contains("<p>More</p>"), "{with_id}");
    }
}
