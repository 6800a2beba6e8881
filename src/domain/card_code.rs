use serde::{Deserialize, Serialize};

/// The code printed on one card and carried in its QR URL (`/j/<code>`).
///
/// 9 characters from a 30-symbol alphabet without look-alikes (no 0/O, 1/I/L, U):
/// 30^9 ≈ 2·10^13 possibilities (44 bits), so even a million printed cards leave a
/// random guess a 1-in-20-million chance, before rate limiting. Short enough that
/// the QR URL stays a low version and scans at 20 mm.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardCode(String);

impl CardCode {
    pub const ALPHABET: &'static [u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    pub const LEN: usize = 9;

    /// Accepts what a person might type: any case, spaces or dashes between groups.
    pub fn parse(raw: &str) -> Result<CardCode, String> {
        let cleaned: String =
            raw.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect();
        if cleaned.chars().count() != Self::LEN {
            return Err(format!("A card code has {} letters and numbers", Self::LEN));
        }
        if !cleaned.bytes().all(|b| Self::ALPHABET.contains(&b)) {
            return Err("That is not a card code: check the letters and numbers on your card".into());
        }
        Ok(CardCode(cleaned))
    }

    /// A fresh random code from the operating system's random number generator.
    #[cfg(feature = "ssr")]
    pub fn generate() -> CardCode {
        use rand::{rngs::OsRng, Rng};
        let code = (0..Self::LEN).map(|_| Self::ALPHABET[OsRng.gen_range(0..Self::ALPHABET.len())] as char).collect();
        CardCode(code)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Grouped for people to read: `ABC DEF GHJ`.
    pub fn display_grouped(&self) -> String {
        let s = &self.0;
        format!("{} {} {}", &s[0..3], &s[3..6], &s[6..9])
    }
}

impl std::fmt::Display for CardCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(CardCode::parse(" abc-def ghj ").unwrap().as_str(), "ABCDEFGHJ");
    }

    #[test]
    fn look_alike_characters_are_refused() {
        for bad in ["ABCDEFGH0", "ABCDEFGHO", "ABCDEFGH1", "ABCDEFGHI", "ABCDEFGHL", "ABCDEFGHU"] {
            assert!(CardCode::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wrong_length_says_how_long_a_code_is() {
        let e = CardCode::parse("ABC").unwrap_err();
        assert!(e.contains('9'), "{e}");
        assert!(CardCode::parse("ABCDEFGHJK").is_err());
        assert!(CardCode::parse("").is_err());
    }

    #[test]
    fn non_ascii_input_is_refused_not_panicking() {
        assert!(CardCode::parse("ÅBCDEFGHJ").is_err());
        assert!(CardCode::parse("😀😀😀😀😀😀😀😀😀").is_err());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn generated_codes_parse_and_differ() {
        let codes: std::collections::HashSet<_> = (0..10_000).map(|_| CardCode::generate()).collect();
        assert_eq!(codes.len(), 10_000, "no collisions in 10,000 draws");
        for c in codes.iter().take(100) {
            assert_eq!(&CardCode::parse(c.as_str()).unwrap(), c);
        }
        assert_eq!(CardCode::parse("abc def ghj").unwrap().display_grouped(), "ABC DEF GHJ");
    }
}
