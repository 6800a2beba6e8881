//! Reports: what a panel reviewed and found, for one meeting or a year, as an accessible
//! HTML page and as CSV. Counts of members are withheld below 5, with whatever would give
//! them away (as on the insight page); no member is named.
use std::collections::BTreeMap;

use super::{Action, MeetingSummary};
use crate::{
    db::{Db, DbError},
    demographics::{self, Scope},
    domain::{ActionStatus, Rating, Theme},
    panels::Panel,
    public::html_escape as esc,
};

/// What a report says.
pub struct Report {
    pub panel: Panel,
    /// "Meeting on Tuesday 30 March 2027, 18:30" or "2027".
    pub period: String,
    pub meetings: Vec<MeetingSummary>,
    /// `(search type, rating code or "not rated") → cases`.
    pub by_type_and_rating: BTreeMap<(String, String), i64>,
    pub themes: BTreeMap<&'static str, i64>,
    pub actions: Vec<Action>,
    /// `(meeting, present, absent, excused)`.
    pub attendance: Vec<(String, i64, i64, i64)>,
    /// `(ethnic group, members (withheld when small), share of people searched)`.
    pub makeup: Vec<(String, String, Option<f64>)>,
    /// The force and months the searched shares describe.
    pub searched_scope: Option<(String, String, String)>,
}

/// The report for these meetings of `panel`.
pub async fn build(db: &Db, panel: Panel, period: String, meetings: Vec<MeetingSummary>) -> Result<Report, DbError> {
    let mut by_type_and_rating = BTreeMap::new();
    let mut themes = BTreeMap::new();
    let mut actions = vec![];
    let mut attendance = vec![];
    let mut scope: Option<(String, String, String)> = None;
    for m in &meetings {
        for case in super::repo::cases(db, m.id).await? {
            let rating = case.rating.map(|r| r.code().to_string()).unwrap_or_else(|| "not rated".into());
            *by_type_and_rating.entry((case.field("Type").to_string(), rating)).or_insert(0) += 1;
            for t in &case.themes {
                *themes.entry(t.code()).or_insert(0) += 1;
            }
        }
        actions.extend(super::repo::actions(db, m.id).await?);
        let (present, absent, excused) = super::repo::attendance_counts(db, m.id).await?;
        attendance.push((m.when.clone(), present, absent, excused));
        if let (_, _, Some(s)) = super::repo::texts(db, m.id).await? {
            scope = Some(match scope {
                None => (s.force, s.from, s.to),
                Some((f, from, to)) if f == s.force => (f, from.min(s.from), to.max(s.to)),
                Some(other) => other,
            });
        }
    }
    let members = super::repo::members_by_group(db, panel.id).await?;
    let searched: Vec<(String, i64)> = match &scope {
        Some((force, from, to)) => demographics::comparison(db, Scope { force, from, to })
            .await?
            .into_iter()
            .filter(|r| r.dimension == "ethnic_group" && demographics::is_stated(&r.category))
            .map(|r| (r.category, r.searched))
            .collect(),
        None => vec![],
    };
    let searched_total: i64 = searched.iter().map(|(_, n)| n).sum();
    let mut groups: Vec<String> = searched.iter().map(|(g, _)| g.clone()).collect();
    for (g, _) in &members {
        if !groups.contains(g) {
            groups.push(g.clone());
        }
    }
    let counts: Vec<i64> = groups.iter().map(|g| members.iter().find(|(x, _)| x == g).map_or(0, |(_, n)| *n)).collect();
    // The groups add up to all members, which a report's attendance gives away: small
    // counts and whatever would let them be worked out are withheld together.
    let shown = demographics::suppress::protect(&counts);
    let makeup = groups
        .into_iter()
        .zip(shown)
        .map(|(g, n)| {
            let share = searched
                .iter()
                .find(|(x, _)| *x == g)
                .filter(|_| searched_total > 0)
                .map(|(_, s)| *s as f64 * 100.0 / searched_total as f64);
            (g, n.text(), share)
        })
        .collect();
    Ok(Report {
        panel,
        period,
        meetings,
        by_type_and_rating,
        themes,
        actions,
        attendance,
        makeup,
        searched_scope: scope,
    })
}

fn rating_label(code: &str) -> &str {
    Rating::parse(code).map(|r| r.label()).unwrap_or("Not rated yet")
}

/// The report as CSV: `section,item,detail,value`, one fact per line. Every cell is
/// defused: the panel's name, actions and replies are typed by people and the file is
/// opened in spreadsheets.
pub fn to_csv(r: &Report, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = Defused(csv::Writer::from_writer(out));
    w.write_record(["section", "item", "detail", "value"])?;
    w.write_record(["panel", r.panel.slug.as_str(), r.panel.name.as_str(), r.period.as_str()])?;
    w.write_record(["meetings", "held", "", &r.meetings.len().to_string()])?;
    for m in &r.meetings {
        w.write_record(["meeting", m.starts_at.as_str(), "cases", &m.cases.to_string()])?;
    }
    for ((kind, rating), n) in &r.by_type_and_rating {
        w.write_record(["cases", kind.as_str(), rating.as_str(), &n.to_string()])?;
    }
    for t in Theme::ALL {
        w.write_record(["themes", t.code(), "", &r.themes.get(t.code()).copied().unwrap_or(0).to_string()])?;
    }
    for s in ActionStatus::ALL {
        let n = r.actions.iter().filter(|a| a.status == *s).count();
        w.write_record(["actions", s.code(), "", &n.to_string()])?;
    }
    for a in &r.actions {
        w.write_record([
            "action",
            a.text.as_str(),
            &format!("owner: {}; due: {}", a.owner, a.due_on.as_deref().unwrap_or("")),
            &format!("{}{}", a.status.code(), a.reply.as_deref().map(|x| format!(": {x}")).unwrap_or_default()),
        ])?;
    }
    for (when, present, absent, excused) in &r.attendance {
        w.write_record(["attendance", when.as_str(), "present", &present.to_string()])?;
        w.write_record(["attendance", when.as_str(), "absent", &absent.to_string()])?;
        w.write_record(["attendance", when.as_str(), "excused", &excused.to_string()])?;
    }
    for (group, members, searched) in &r.makeup {
        w.write_record(["makeup", group.as_str(), "members", members.as_str()])?;
        if let Some(s) = searched {
            w.write_record(["makeup", group.as_str(), "searched_percent", &format!("{s:.1}")])?;
        }
    }
    w.flush()
}

struct Defused<W: std::io::Write>(csv::Writer<W>);

impl<W: std::io::Write> Defused<W> {
    fn write_record<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) -> csv::Result<()> {
        self.0.write_record(cells.into_iter().map(crate::spreadsheet::defuse_formula))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// The report as the body of an HTML page (headings, tables with captions and headers).
pub fn to_html(r: &Report) -> String {
    let mut h = String::new();
    h.push_str(&format!("<h1>{}: {}</h1>", esc(&r.panel.name), esc(&r.period)));
    h.push_str(&format!(
        "<p>{} meeting{} in this report. Cases are searches drawn at random from those the force published on \
         data.police.uk; each sample can be drawn again with the seed and filters shown with its meeting.</p>",
        r.meetings.len(),
        if r.meetings.len() == 1 { "" } else { "s" }
    ));
    h.push_str("<h2>Cases reviewed</h2>");
    if r.by_type_and_rating.is_empty() {
        h.push_str("<p>No cases were reviewed.</p>");
    } else {
        h.push_str(
            "<table tabindex=\"0\"><caption>Cases by type of search and rating</caption><thead><tr><th scope=\"col\">Type of \
             search</th><th scope=\"col\">Rating</th><th scope=\"col\" class=\"num\">Cases</th></tr></thead><tbody>",
        );
        for ((kind, rating), n) in &r.by_type_and_rating {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{n}</td></tr>",
                esc(kind),
                esc(rating_label(rating))
            ));
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("<h2>Themes</h2><table tabindex=\"0\"><caption>How often each theme was raised</caption><thead><tr><th scope=\"col\">Theme</th><th scope=\"col\" class=\"num\">Cases</th></tr></thead><tbody>");
    for t in Theme::ALL {
        let n = r.themes.get(t.code()).copied().unwrap_or(0);
        h.push_str(&format!("<tr><td>{}</td><td class=\"num\">{n}</td></tr>", esc(t.label())));
    }
    h.push_str("</tbody></table>");
    h.push_str("<h2>Actions raised with the force</h2>");
    if r.actions.is_empty() {
        h.push_str("<p>No actions were raised.</p>");
    } else {
        h.push_str("<table tabindex=\"0\"><caption>Actions and the force’s replies</caption><thead><tr><th scope=\"col\">Action</th><th scope=\"col\">Owner</th><th scope=\"col\">Due</th><th scope=\"col\">Status</th><th scope=\"col\">Reply</th></tr></thead><tbody>");
        for a in &r.actions {
            h.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&a.text),
                esc(&a.owner),
                esc(a.due_on.as_deref().unwrap_or("–")),
                esc(a.status.label()),
                esc(a.reply.as_deref().unwrap_or("–"))
            ));
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("<h2>Attendance</h2><table tabindex=\"0\"><caption>Members at each meeting</caption><thead><tr><th scope=\"col\">Meeting</th><th scope=\"col\" class=\"num\">Present</th><th scope=\"col\" class=\"num\">Absent</th><th scope=\"col\" class=\"num\">Excused</th></tr></thead><tbody>");
    for (when, p, a, e) in &r.attendance {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{p}</td><td class=\"num\">{a}</td><td class=\"num\">{e}</td></tr>",
            esc(when)
        ));
    }
    h.push_str("</tbody></table>");
    h.push_str("<h2>Who is on the panel</h2>");
    let scope = match &r.searched_scope {
        Some((force, from, to)) => format!("people searched by {} from {from} to {to}", esc(force)),
        None => "people searched (no sample drawn, so no comparison)".into(),
    };
    h.push_str(&format!(
        "<table tabindex=\"0\"><caption>Members by ethnic group compared with {scope}; counts below 5 are withheld</caption><thead><tr><th scope=\"col\">Ethnic group</th><th scope=\"col\" class=\"num\">Members</th><th scope=\"col\" class=\"num\">Share of people searched</th></tr></thead><tbody>"
    ));
    for (group, members, searched) in &r.makeup {
        h.push_str(&format!(
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&crate::labels::ethnic(group)),
            esc(members),
            searched.map(|s| format!("{s:.1}%")).unwrap_or_else(|| "–".into())
        ));
    }
    h.push_str("</tbody></table>");
    h
}
