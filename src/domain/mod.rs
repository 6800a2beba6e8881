//! Value types. Raw input becomes one of these through `parse`, which says in plain
//! words what is wrong; past the edge of the system, code takes these types.
mod batch;
mod card_code;
mod equality;
mod person;

pub use batch::{BatchLabel, BatchQuantity, ExpiryDate, OptionalArea};
pub use card_code::CardCode;
pub use equality::{parse_ethnic_other, Disability, EthnicDetail, EthnicGroup, Gender};
pub use person::{AgeBand, AreaConnection, AreaLink, ContactMethod, Email, ErrKey, PersonName, Phone, Postcode};
