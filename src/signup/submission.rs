//! The draft becomes a [`Submission`] once, at the edge, when the person sends it.
use super::{
    draft::{Draft, Problems, Step},
    repo::{EqualityAnswers, Submission},
};
use crate::{
    domain::{
        parse_ethnic_other, AgeBand, AreaConnection, ContactMethod, Disability, Email, ErrKey, EthnicDetail,
        EthnicGroup, Gender, PersonName, Phone, Postcode,
    },
    i18n::Lang,
};

/// A finished journey, parsed once: the draft's answers (as typed, with every step's
/// checks), the language it was answered in and the card's batch. Any problem names
/// its field, so the person is sent back to the page that asks it.
impl TryFrom<(&Draft, Lang, Option<i64>)> for Submission {
    type Error = Problems;

    fn try_from((draft, language, batch_id): (&Draft, Lang, Option<i64>)) -> Result<Submission, Problems> {
        let problems = draft.validate(Step::Check);
        if !problems.is_empty() {
            return Err(problems);
        }
        let d = draft.clone().without_unconsented_equality();
        let mut problems = Problems::new();
        fn required<T>(problems: &mut Problems, field: &'static str, parsed: Result<T, ErrKey>) -> Option<T> {
            parsed.map_err(|e| problems.push((field, e))).ok()
        }
        let name = required(&mut problems, "name", PersonName::parse(&d.name));
        let contact_method =
            required(&mut problems, "contact_method", ContactMethod::parse(&d.effective_contact_method()));
        let connection = required(&mut problems, "connection", AreaConnection::parse(&d.connection));
        let age_band = required(&mut problems, "age_band", AgeBand::parse(&d.age_band));
        let (Some(name), Some(contact_method), Some(connection), Some(age_band)) =
            (name, contact_method, connection, age_band)
        else {
            return Err(problems);
        };
        // Optional answers: empty means not given (the checks above refused anything else).
        fn optional<T>(raw: &str, parse: impl Fn(&str) -> Result<T, ErrKey>) -> Option<T> {
            (!raw.trim().is_empty()).then(|| parse(raw).ok()).flatten()
        }
        let equality = d.consented_to_equality().then(|| EqualityAnswers {
            gender: optional(&d.gender, Gender::parse),
            disability: optional(&d.disability, Disability::parse),
            ethnic_group: optional(&d.ethnic_group, EthnicGroup::parse),
            ethnic_detail: optional(&d.ethnic_detail, EthnicDetail::parse),
            ethnic_other: parse_ethnic_other(&d.ethnic_other).ok().flatten(),
        });
        Ok(Submission {
            batch_id,
            panel: crate::domain::PanelSlug::parse(&d.panel).ok().map(|p| p.to_string()),
            key: d.key.clone(),
            name,
            email: optional(&d.email, Email::parse),
            phone: optional(&d.phone, Phone::parse),
            contact_method,
            postcode: optional(&d.postcode, Postcode::parse),
            connection,
            age_band,
            language,
            equality,
            confirm_by_text: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(pairs: &[(&str, &str)]) -> Draft {
        Draft::from_pairs(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn a_finished_draft_parses_once_into_typed_answers() {
        let d = draft(&[
            ("name", "Sam Jones"),
            ("email", "sam@example.org"),
            ("age_band", "18-24"),
            ("connection", "live"),
            ("equality", "yes"),
            ("ethnic_group", "white"),
        ]);
        let Ok(s) = Submission::try_from((&d, Lang::Cy, Some(7))) else { panic!("parses") };
        assert_eq!(s.name.as_str(), "Sam Jones");
        assert_eq!(s.contact_method, ContactMethod::Email, "one contact given: that one");
        assert_eq!((s.language, s.batch_id), (Lang::Cy, Some(7)));
        assert_eq!(s.equality.unwrap().ethnic_group, Some(EthnicGroup::White));
    }

    #[test]
    fn problems_name_their_fields_and_unconsented_answers_are_dropped() {
        let problems = Submission::try_from((&draft(&[("name", "Sam")]), Lang::En, None)).err().expect("refused");
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert!(fields.contains(&"age_band") && fields.contains(&"email"), "{fields:?}");
        let d = draft(&[
            ("name", "Sam Jones"),
            ("phone", "07700 900123"),
            ("age_band", "25-34"),
            ("connection", "work"),
            ("equality", "no"),
            ("ethnic_group", "white"),
        ]);
        let Ok(s) = Submission::try_from((&d, Lang::En, None)) else { panic!("parses") };
        assert!(s.equality.is_none(), "equality answers without consent are never kept");
        assert!(s.email.is_none() && s.phone.is_some());
    }
}
