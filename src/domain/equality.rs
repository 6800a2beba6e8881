//! Equality monitoring answers (special category data): optional, each with
//! "prefer not to say", asked only with explicit consent. Ethnic group follows the
//! ONS 2021 / GSS harmonised list (5 groups, 19 categories including Roma).
use serde::{Deserialize, Serialize};

use super::person::ErrKey;

choice!(
    /// The five ONS 2021 high-level groups, plus "prefer not to say".
    EthnicGroup, "err.ethnic_group.invalid", [
        White = "white", Mixed = "mixed", Asian = "asian", Black = "black", Other = "other",
        PreferNot = "prefer_not",
    ]
);

choice!(
    /// The detailed categories.
    EthnicDetail, "err.ethnic_detail.required", [
        WhiteBritish = "white_british", WhiteIrish = "white_irish", WhiteGypsyTraveller = "white_gypsy_traveller",
        WhiteRoma = "white_roma", WhiteOther = "white_other",
        MixedWhiteBlackCaribbean = "mixed_white_black_caribbean", MixedWhiteBlackAfrican = "mixed_white_black_african",
        MixedWhiteAsian = "mixed_white_asian", MixedOther = "mixed_other",
        AsianIndian = "asian_indian", AsianPakistani = "asian_pakistani", AsianBangladeshi = "asian_bangladeshi",
        AsianChinese = "asian_chinese", AsianOther = "asian_other",
        BlackCaribbean = "black_caribbean", BlackAfrican = "black_african", BlackOther = "black_other",
        OtherArab = "other_arab", OtherAny = "other_any",
        PreferNot = "prefer_not",
    ]
);

impl EthnicDetail {
    pub fn group(self) -> Option<EthnicGroup> {
        let code = self.code();
        EthnicGroup::ALL.iter().copied().find(|g| *g != EthnicGroup::PreferNot && code.starts_with(g.code()))
    }

    /// The "any other … background" options, which invite a description.
    pub fn invites_description(self) -> bool {
        self.code().ends_with("_other") || self == EthnicDetail::OtherAny
    }
}

impl EthnicGroup {
    /// The detailed options shown after this group was chosen.
    pub fn details(self) -> Vec<EthnicDetail> {
        EthnicDetail::ALL.iter().copied().filter(|d| d.group() == Some(self)).collect()
    }
}

/// Free-text description for "any other background": optional, short.
pub fn parse_ethnic_other(raw: &str) -> Result<Option<String>, ErrKey> {
    let v = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 100 {
        return Err("err.ethnic_other.too_long");
    }
    if v.chars().any(|c| c.is_control() || c == '<' || c == '>') {
        return Err("err.ethnic_other.invalid");
    }
    Ok(Some(v))
}

choice!(
    Gender,
    "err.gender.invalid",
    [Woman = "woman", Man = "man", NonBinary = "non_binary", Another = "another", PreferNot = "prefer_not",]
);

choice!(
    /// GSS harmonised standard: a condition lasting or expected to last 12 months or more.
    Disability, "err.disability.invalid", [Yes = "yes", No = "no", PreferNot = "prefer_not"]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_detailed_categories_in_five_groups_including_roma() {
        let real: Vec<_> = EthnicDetail::ALL.iter().filter(|d| d.group().is_some()).collect();
        assert_eq!(real.len(), 19);
        assert_eq!(EthnicGroup::White.details().len(), 5);
        assert!(EthnicGroup::White.details().contains(&EthnicDetail::WhiteRoma));
        assert_eq!(EthnicGroup::Mixed.details().len(), 4);
        assert_eq!(EthnicGroup::Asian.details().len(), 5);
        assert_eq!(EthnicGroup::Black.details().len(), 3);
        assert_eq!(EthnicGroup::Other.details().len(), 2);
        assert!(EthnicGroup::PreferNot.details().is_empty());
    }

    #[test]
    fn other_backgrounds_invite_a_description() {
        assert!(EthnicDetail::WhiteOther.invites_description());
        assert!(EthnicDetail::OtherAny.invites_description());
        assert!(!EthnicDetail::OtherArab.invites_description());
        assert_eq!(parse_ethnic_other("  Kurdish  ").unwrap().as_deref(), Some("Kurdish"));
        assert_eq!(parse_ethnic_other(&"x".repeat(101)).unwrap_err(), "err.ethnic_other.too_long");
    }
}
