//! Words for stored codes, for the dashboard and the audit log: coordinators read
//! "Vetted", "Lives here, studies here" and "Recruits list viewed", never `vetted`,
//! `live,study` or `recruits_listed`. One table per kind of code; an unknown code is
//! shown as it is (never hidden).

/// The recruit pipeline, in order; the last two end it.
pub const STATUSES: [(&str, &str); 8] = [
    ("new", "New (not yet confirmed)"),
    ("confirmed", "Confirmed"),
    ("contacted", "Contacted"),
    ("interviewed", "Interviewed"),
    ("vetted", "Vetted"),
    ("member", "Member"),
    ("declined", "Declined"),
    ("withdrawn", "Withdrawn"),
];

const CONTACT: &[(&str, &str)] = &[("email", "Email"), ("phone", "Phone"), ("either", "Email or phone")];

const AGE: &[(&str, &str)] = &[
    ("under16", "Under 16"),
    ("16-17", "16 to 17"),
    ("18-24", "18 to 24"),
    ("25-34", "25 to 34"),
    ("35-44", "35 to 44"),
    ("45-54", "45 to 54"),
    ("55-64", "55 to 64"),
    ("65plus", "65 or over"),
];

const CONNECTION: &[(&str, &str)] =
    &[("live", "lives here"), ("work", "works here"), ("study", "studies here"), ("none", "none of these")];

const ETHNIC: &[(&str, &str)] = &[
    ("white", "White"),
    ("mixed", "Mixed or Multiple"),
    ("asian", "Asian"),
    ("black", "Black"),
    ("other", "Other"),
    ("prefer_not", "Prefer not to say"),
    ("not_stated", "Not stated"),
    ("not_recognised", "Not recognised (see the imports page)"),
    ("white_british", "White: English, Welsh, Scottish, Northern Irish or British"),
    ("white_irish", "White: Irish"),
    ("white_gypsy_traveller", "White: Gypsy or Irish Traveller"),
    ("white_roma", "White: Roma"),
    ("white_other", "White: any other"),
    ("mixed_white_black_caribbean", "Mixed: White and Black Caribbean"),
    ("mixed_white_black_african", "Mixed: White and Black African"),
    ("mixed_white_asian", "Mixed: White and Asian"),
    ("mixed_other", "Mixed: any other"),
    ("asian_indian", "Asian: Indian"),
    ("asian_pakistani", "Asian: Pakistani"),
    ("asian_bangladeshi", "Asian: Bangladeshi"),
    ("asian_chinese", "Asian: Chinese"),
    ("asian_other", "Asian: any other"),
    ("black_caribbean", "Black: Caribbean"),
    ("black_african", "Black: African"),
    ("black_other", "Black: any other"),
    ("other_arab", "Other: Arab"),
    ("other_any", "Other: any other"),
];

/// Every action the audit log records, in words.
pub const AUDIT_ACTIONS: &[(&str, &str)] = &[
    ("login", "Signed in"),
    ("login_failed", "Sign-in failed"),
    ("logout", "Signed out"),
    ("user_added", "User added"),
    ("user_disabled", "User disabled"),
    ("user_enabled", "User enabled"),
    ("password_changed", "Password changed"),
    ("password_change_failed", "Password change failed"),
    ("password_reset", "Password reset"),
    ("batch_created", "Card batch created"),
    ("batch_voided", "Card batch voided"),
    ("recruits_listed", "Recruits list viewed"),
    ("recruit_viewed", "Recruit's record viewed"),
    ("recruit_status_changed", "Recruit's status changed"),
    ("recruit_note_added", "Note added to a recruit"),
    ("recruit_call_recorded", "Call recorded"),
    ("recruit_erased", "Recruit erased"),
    ("recruit_exported", "Recruit's data downloaded (subject access)"),
    ("recruits_exported", "Recruits exported (CSV)"),
    ("call_back_listed", "Call-back list viewed"),
    ("invitation_sent", "Invitation sent"),
    ("import_police_uk", "Stop and search data imported"),
    ("import_census", "Census data imported"),
    ("report_demographics", "Demographics report made"),
    ("report_disproportionality", "Disproportionality report made"),
    ("purge", "Retention purge"),
    ("purge_dry_run", "Retention purge (dry run)"),
    ("audit_viewed", "Audit log viewed"),
    ("equality_viewed", "Equality answers viewed"),
    ("equality_access_granted", "Equality data access given"),
    ("equality_access_withdrawn", "Equality data access withdrawn"),
];

const GENDER: &[(&str, &str)] = &[
    ("woman", "Woman"),
    ("man", "Man"),
    ("non_binary", "Non-binary"),
    ("another", "Another way"),
    ("prefer_not", "Prefer not to say"),
];

const DISABILITY: &[(&str, &str)] = &[("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say")];

pub fn gender(code: &str) -> String {
    or_code(GENDER, code)
}

pub fn disability(code: &str) -> String {
    or_code(DISABILITY, code)
}

fn find(table: &[(&str, &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

fn or_code(table: &[(&str, &'static str)], code: &str) -> String {
    find(table, code).map(str::to_string).unwrap_or_else(|| code.to_string())
}

pub fn status(code: &str) -> String {
    or_code(&STATUSES, code)
}

pub fn contact_method(code: &str) -> String {
    or_code(CONTACT, code)
}

pub fn age_band(code: &str) -> String {
    or_code(AGE, code)
}

/// `live,study` → "Lives here, studies here".
pub fn area_connection(codes: &str) -> String {
    let words: Vec<String> = codes.split(',').filter(|c| !c.is_empty()).map(|c| or_code(CONNECTION, c)).collect();
    let joined = words.join(", ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "–".into(),
    }
}

/// `cy` → "Cymraeg (Welsh)".
pub fn language(code: &str) -> String {
    use crate::i18n::Lang;
    match Lang::parse(code) {
        Some(Lang::En) => "English".into(),
        Some(l) => format!(
            "{} ({})",
            l.native_name(),
            match l {
                Lang::Cy => "Welsh",
                Lang::Pl => "Polish",
                Lang::Ro => "Romanian",
                _ => "Arabic",
            }
        ),
        None => code.to_string(),
    }
}

/// An ethnic group or detailed category code (ONS 2021), as the census words it.
pub fn ethnic(code: &str) -> String {
    or_code(ETHNIC, code)
}

pub fn audit_action(code: &str) -> String {
    or_code(AUDIT_ACTIONS, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recruit_status_has_a_label() {
        use crate::domain::RecruitStatus;
        for s in RecruitStatus::ALL {
            assert!(STATUSES.iter().any(|(code, _)| *code == s.code()), "{s:?} has no label");
        }
        assert_eq!(STATUSES.len(), RecruitStatus::ALL.len());
    }

    #[test]
    fn codes_read_as_words() {
        assert_eq!(status("vetted"), "Vetted");
        assert_eq!(area_connection("live,study"), "Lives here, studies here");
        assert_eq!(language("cy"), "Cymraeg (Welsh)");
        assert_eq!(ethnic("white_other"), "White: any other");
        assert_eq!(age_band("under16"), "Under 16");
        assert_eq!(age_band("65plus"), "65 or over");
        assert_eq!(audit_action("recruits_listed"), "Recruits list viewed");
        assert_eq!(status("mystery"), "mystery", "an unknown code is shown, not hidden");
    }

    #[test]
    fn every_stored_code_has_words() {
        use crate::domain::{AgeBand, EthnicDetail, EthnicGroup};
        for a in AgeBand::ALL {
            assert!(find(AGE, a.code()).is_some(), "{}", a.code());
        }
        for g in EthnicGroup::ALL {
            assert!(find(ETHNIC, g.code()).is_some(), "{}", g.code());
        }
        for d in EthnicDetail::ALL {
            assert!(find(ETHNIC, d.code()).is_some(), "{}", d.code());
        }
        for g in crate::domain::Gender::ALL {
            assert!(find(GENDER, g.code()).is_some(), "{}", g.code());
        }
        for d in crate::domain::Disability::ALL {
            assert!(find(DISABILITY, d.code()).is_some(), "{}", d.code());
        }
    }
}
