//! The answers so far (as typed) and the rules for moving between questions.
use crate::domain::{
    parse_ethnic_other, AgeBand, AreaConnection, ContactMethod, Disability, Email, EqualityConsent, ErrKey,
    EthnicDetail, EthnicGroup, Gender, PersonName, Phone, Postcode,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Eligibility,
    About,
    EqualityIntro,
    Equality,
    Ethnicity,
    Check,
}

impl Step {
    /// In journey order: age comes first, so nobody too young to join is asked for a
    /// name or contact details only to be turned away.
    pub const ALL: [Step; 6] =
        [Step::Eligibility, Step::About, Step::EqualityIntro, Step::Equality, Step::Ethnicity, Step::Check];
    pub const FIRST: Step = Step::Eligibility;

    pub fn code(self) -> &'static str {
        match self {
            Step::About => "about",
            Step::Eligibility => "eligibility",
            Step::EqualityIntro => "equality-intro",
            Step::Equality => "equality",
            Step::Ethnicity => "ethnicity",
            Step::Check => "check",
        }
    }

    pub fn parse(code: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Everything the person has typed, exactly as typed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub contact_method: String,
    pub age_band: String,
    pub postcode: String,
    pub connection: Vec<String>,
    pub equality: String,
    pub gender: String,
    pub disability: String,
    pub ethnic_group: String,
    pub ethnic_detail: String,
    pub ethnic_other: String,
    /// The panel the address named (`/join?panel=youth`), carried through the journey.
    pub panel: String,
    /// Idempotency key of this form (one per journey).
    pub key: String,
    /// Signed time the journey started (anti-automation).
    pub started: String,
}

/// Field-level problems: (field name, translation key).
pub type Problems = Vec<(&'static str, ErrKey)>;

/// Longest value kept from any single field; anything longer is cut before it is
/// echoed back (parsers reject over-long answers with a clear message anyway).
const FIELD_MAX: usize = 400;

impl Draft {
    /// How to contact them: their choice, or with only an email address or only a phone
    /// number, that one (the question is for people who gave both). Worked out afresh each
    /// time, never stored as if they had chosen it: changing the contact changes it.
    pub fn effective_contact_method(&self) -> String {
        match (self.email.trim().is_empty(), self.phone.trim().is_empty()) {
            (false, true) => "email".into(),
            (true, false) => "phone".into(),
            _ => self.contact_method.clone(),
        }
    }

    /// They chose to answer the equality questions ("yes" on the page that asks).
    pub fn consented_to_equality(&self) -> bool {
        EqualityConsent::parse(&self.equality) == Ok(EqualityConsent::Yes)
    }

    /// Whether "how should we contact you?" is a question for them (they gave both).
    pub fn asks_contact_method(&self) -> bool {
        !self.email.trim().is_empty() && !self.phone.trim().is_empty()
    }

    pub fn from_pairs(pairs: &[(String, String)]) -> Draft {
        let mut d = Draft::default();
        for (k, v) in pairs {
            let v: String = v.chars().take(FIELD_MAX).collect();
            match k.as_str() {
                "name" => d.name = v,
                "email" => d.email = v,
                "phone" => d.phone = v,
                "contact_method" => d.contact_method = v,
                "age_band" => d.age_band = v,
                "postcode" => d.postcode = v,
                "connection" if d.connection.len() < 4 => d.connection.push(v),
                "equality" => d.equality = v,
                "gender" => d.gender = v,
                "disability" => d.disability = v,
                "ethnic_group" => d.ethnic_group = v,
                "ethnic_detail" => d.ethnic_detail = v,
                "ethnic_other" => d.ethnic_other = v,
                "panel" => d.panel = v.chars().take(40).collect(),
                "key" => d.key = v,
                "started" => d.started = v,
                _ => {}
            }
        }
        d
    }

    /// Every stored field as (name, value) pairs, for hidden inputs.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("name", self.name.clone()),
            ("email", self.email.clone()),
            ("phone", self.phone.clone()),
            ("contact_method", self.contact_method.clone()),
            ("age_band", self.age_band.clone()),
            ("postcode", self.postcode.clone()),
            ("equality", self.equality.clone()),
            ("gender", self.gender.clone()),
            ("disability", self.disability.clone()),
            ("ethnic_group", self.ethnic_group.clone()),
            ("ethnic_detail", self.ethnic_detail.clone()),
            ("ethnic_other", self.ethnic_other.clone()),
            ("key", self.key.clone()),
            ("started", self.started.clone()),
        ];
        if !self.panel.is_empty() {
            out.push(("panel", self.panel.clone()));
        }
        out.extend(self.connection.iter().map(|c| ("connection", c.clone())));
        out
    }

    /// The fields a step's page shows (the others ride along hidden).
    pub fn fields_of(step: Step) -> &'static [&'static str] {
        match step {
            Step::About => &["name", "email", "phone", "contact_method"],
            Step::Eligibility => &["age_band", "connection", "postcode"],
            Step::EqualityIntro => &["equality"],
            Step::Equality => &["gender", "disability", "ethnic_group"],
            Step::Ethnicity => &["ethnic_detail", "ethnic_other"],
            Step::Check => &[],
        }
    }

    pub fn validate(&self, step: Step) -> Problems {
        let mut p = Problems::new();
        let mut check = |field: &'static str, r: Result<(), ErrKey>| {
            if let Err(e) = r {
                p.push((field, e));
            }
        };
        match step {
            Step::About => {
                check("name", PersonName::parse(&self.name).map(drop));
                let email = (!self.email.trim().is_empty()).then(|| Email::parse(&self.email));
                let phone = (!self.phone.trim().is_empty()).then(|| Phone::parse(&self.phone));
                if email.is_none() && phone.is_none() {
                    check("email", Err("err.contact.required"));
                }
                if let Some(r) = email {
                    check("email", r.map(drop));
                }
                if let Some(r) = phone {
                    check("phone", r.map(drop));
                }
                // Asked only of people who gave both (with one, it is that one; with
                // none, the missing contact is the problem to fix first).
                let no_contact = self.email.trim().is_empty() && self.phone.trim().is_empty();
                match ContactMethod::parse(&self.effective_contact_method()) {
                    _ if no_contact => {}
                    Err(_) if !self.asks_contact_method() => {}
                    Err(e) => check("contact_method", Err(e)),
                    Ok(ContactMethod::Email) if self.email.trim().is_empty() => {
                        check("contact_method", Err("err.contact_method.needs_email"))
                    }
                    Ok(ContactMethod::Phone) if self.phone.trim().is_empty() => {
                        check("contact_method", Err("err.contact_method.needs_phone"))
                    }
                    Ok(_) => {}
                }
            }
            // Problems are listed in the order the page asks (the error summary's order).
            Step::Eligibility => {
                check("age_band", AgeBand::parse(&self.age_band).map(drop));
                check("connection", AreaConnection::parse(&self.connection).map(drop));
                if !self.postcode.trim().is_empty() {
                    check("postcode", Postcode::parse(&self.postcode).map(drop));
                }
            }
            Step::EqualityIntro => {
                check("equality", EqualityConsent::parse(&self.equality).map(drop));
            }
            Step::Equality => {
                // Every question is optional; only values we did not offer are refused.
                if !self.gender.is_empty() {
                    check("gender", Gender::parse(&self.gender).map(drop));
                }
                if !self.disability.is_empty() {
                    check("disability", Disability::parse(&self.disability).map(drop));
                }
                if !self.ethnic_group.is_empty() {
                    check("ethnic_group", EthnicGroup::parse(&self.ethnic_group).map(drop));
                }
            }
            Step::Ethnicity => {
                if let Some(group) = self.detail_group() {
                    match EthnicDetail::parse(&self.ethnic_detail) {
                        Ok(d) if d == EthnicDetail::PreferNot || d.group() == Some(group) => {}
                        _ if self.ethnic_detail.is_empty() => {}
                        _ => check("ethnic_detail", Err("err.ethnic_detail.required")),
                    }
                }
                check("ethnic_other", parse_ethnic_other(&self.ethnic_other).map(drop));
            }
            Step::Check => {
                for s in [Step::Eligibility, Step::About, Step::EqualityIntro] {
                    p.extend(self.validate(s));
                }
                if self.consented_to_equality() {
                    p.extend(self.validate(Step::Equality));
                    p.extend(self.validate(Step::Ethnicity));
                }
            }
        }
        p
    }

    /// The ONS group whose detailed list should be offered, if any.
    pub fn detail_group(&self) -> Option<EthnicGroup> {
        EthnicGroup::parse(&self.ethnic_group).ok().filter(|g| *g != EthnicGroup::PreferNot)
    }

    pub fn is_under_age(&self, min_age: u8) -> bool {
        AgeBand::parse(&self.age_band).is_ok_and(|b| b.lower_bound() < min_age)
    }

    /// Where to go after `step` was answered well. `returning` means the person came
    /// from "check your answers" to change something, so go back there when possible.
    pub fn next(&self, step: Step, returning: bool) -> Step {
        let detail_ok = || {
            EthnicDetail::parse(&self.ethnic_detail)
                .is_ok_and(|d| d == EthnicDetail::PreferNot || d.group() == self.detail_group())
        };
        match step {
            Step::Eligibility if returning => Step::Check,
            Step::Eligibility => Step::About,
            Step::About if returning => Step::Check,
            Step::About => Step::EqualityIntro,
            Step::EqualityIntro if self.consented_to_equality() => {
                if returning && !self.gender.is_empty() {
                    Step::Check
                } else {
                    Step::Equality
                }
            }
            Step::EqualityIntro => Step::Check,
            Step::Equality if self.detail_group().is_some() && !(returning && detail_ok()) => Step::Ethnicity,
            Step::Equality => Step::Check,
            Step::Ethnicity | Step::Check => Step::Check,
        }
    }

    /// The page before `step` (for "Back").
    pub fn previous(&self, step: Step) -> Step {
        match step {
            Step::Eligibility | Step::About => Step::Eligibility,
            Step::EqualityIntro => Step::About,
            Step::Equality => Step::EqualityIntro,
            Step::Ethnicity => Step::Equality,
            Step::Check if !self.consented_to_equality() => Step::EqualityIntro,
            Step::Check if self.detail_group().is_some() => Step::Ethnicity,
            Step::Check => Step::Equality,
        }
    }

    /// Drops equality answers when the person chose not to give them.
    pub fn without_unconsented_equality(mut self) -> Draft {
        if !self.consented_to_equality() {
            self.gender.clear();
            self.disability.clear();
            self.ethnic_group.clear();
            self.ethnic_detail.clear();
            self.ethnic_other.clear();
        }
        if self.detail_group().is_none() {
            self.ethnic_detail.clear();
        }
        let invites = EthnicDetail::parse(&self.ethnic_detail).is_ok_and(|d| d.invites_description());
        if !invites {
            self.ethnic_other.clear();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filled() -> Draft {
        Draft {
            name: "Sam Jones".into(),
            email: "sam@example.org".into(),
            contact_method: "email".into(),
            age_band: "18-24".into(),
            connection: vec!["live".into()],
            equality: "yes".into(),
            gender: "prefer_not".into(),
            ethnic_group: "black".into(),
            ethnic_detail: "black_african".into(),
            ..Draft::default()
        }
    }

    #[test]
    fn a_complete_draft_has_no_problems() {
        assert_eq!(filled().validate(Step::Check), vec![]);
    }

    #[test]
    fn email_or_phone_is_needed_and_the_contact_method_must_fit() {
        let mut d = filled();
        d.email.clear();
        let p = d.validate(Step::About);
        // No contact at all: that is the problem, not how to use the contact.
        assert_eq!(p, vec![("email", "err.contact.required")]);
        // Only a phone, even with "email" left over from before: the phone it is.
        d.phone = "07700 900123".into();
        assert_eq!(d.validate(Step::About), vec![]);
        assert_eq!(d.effective_contact_method(), "phone");
        // Both: they must say how.
        d.email = "a@example.org".into();
        d.contact_method.clear();
        assert_eq!(d.validate(Step::About), vec![("contact_method", "err.contact_method.required")]);
    }

    #[test]
    fn round_trip_through_form_pairs_keeps_everything() {
        let mut d = filled();
        d.connection = vec!["work".into(), "study".into()];
        d.key = "k".into();
        let pairs: Vec<(String, String)> = d.pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        assert_eq!(Draft::from_pairs(&pairs), d);
    }

    #[test]
    fn oversized_fields_are_cut_before_echoing() {
        let pairs = vec![("name".to_string(), "x".repeat(100_000))];
        assert_eq!(Draft::from_pairs(&pairs).name.len(), FIELD_MAX);
    }

    #[test]
    fn the_journey_branches() {
        let mut d = filled();
        // Age first: who can join, then about you.
        assert_eq!(Step::FIRST, Step::Eligibility);
        assert_eq!(d.next(Step::Eligibility, false), Step::About);
        assert_eq!(d.next(Step::About, false), Step::EqualityIntro);
        assert_eq!(d.previous(Step::About), Step::Eligibility);
        assert_eq!(d.previous(Step::EqualityIntro), Step::About);
        assert_eq!(d.next(Step::EqualityIntro, false), Step::Equality);
        assert_eq!(d.next(Step::Equality, false), Step::Ethnicity);
        assert_eq!(d.next(Step::Ethnicity, false), Step::Check);
        assert_eq!(d.next(Step::About, true), Step::Check);
        d.ethnic_group = "prefer_not".into();
        assert_eq!(d.next(Step::Equality, false), Step::Check);
        d.equality = "no".into();
        assert_eq!(d.next(Step::EqualityIntro, false), Step::Check);
        assert_eq!(d.previous(Step::Check), Step::EqualityIntro);
    }

    #[test]
    fn changing_group_from_check_asks_for_the_new_detail() {
        let mut d = filled();
        d.ethnic_group = "asian".into(); // detail still says black_african
        assert_eq!(d.next(Step::Equality, true), Step::Ethnicity);
        d.ethnic_detail = "asian_indian".into();
        assert_eq!(d.next(Step::Equality, true), Step::Check);
    }

    #[test]
    fn a_detail_from_another_group_is_refused() {
        let mut d = filled();
        d.ethnic_detail = "white_roma".into();
        assert_eq!(d.validate(Step::Ethnicity), vec![("ethnic_detail", "err.ethnic_detail.required")]);
    }

    #[test]
    fn under_age_follows_the_configured_minimum() {
        let mut d = filled();
        d.age_band = "16-17".into();
        assert!(!d.is_under_age(16));
        assert!(d.is_under_age(18));
        d.age_band = "under16".into();
        assert!(d.is_under_age(16));
    }

    #[test]
    fn equality_answers_without_consent_are_dropped() {
        let mut d = filled();
        d.equality = "no".into();
        let d = d.without_unconsented_equality();
        assert!(d.gender.is_empty() && d.ethnic_group.is_empty() && d.ethnic_detail.is_empty());
    }
}
