//! States stored as codes and parsed once, where they are read.
use serde::{Deserialize, Serialize};

use super::ErrKey;

choice!(
    /// Where a recruit is on the way to the panel (the dashboard's pipeline).
    RecruitStatus,
    "err.status",
    [
        New = "new",
        Confirmed = "confirmed",
        Contacted = "contacted",
        Interviewed = "interviewed",
        Vetted = "vetted",
        Member = "member",
        Declined = "declined",
        Withdrawn = "withdrawn",
    ]
);

choice!(
    /// A card batch's cards work (`active`) or lead to a "no longer in use" page (`void`).
    BatchStatus,
    "err.batch_status",
    [Active = "active", Void = "void"]
);

choice!(
    /// Whether the person chose to answer the equality questions.
    EqualityConsent,
    "err.equality.required",
    [Yes = "yes", No = "no"]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip_and_refuse_anything_else() {
        for s in RecruitStatus::ALL {
            assert_eq!(RecruitStatus::parse(s.code()), Ok(*s));
        }
        assert!(RecruitStatus::parse("member; DROP TABLE").is_err());
        assert_eq!(BatchStatus::parse("void"), Ok(BatchStatus::Void));
        // Exports (a subject access file) show the code, as stored.
        assert_eq!(serde_json::to_string(&RecruitStatus::New).unwrap(), "\"new\"");
        assert_eq!(serde_json::from_str::<RecruitStatus>("\"member\"").unwrap(), RecruitStatus::Member);
        assert!(BatchStatus::parse("Void").is_err());
    }
}
