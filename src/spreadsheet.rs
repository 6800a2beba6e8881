//! Cells of CSV files people open in a spreadsheet. A cell that starts like a formula
//! (`=`, `+`, `-`, `@`, or a tab or carriage return before one) is run by Excel, LibreOffice
//! and Google Sheets when the file is opened, so text anyone could type (a name, an
//! action, a panel's name) gets a leading `'`, which shows the text as written.

/// Text as a spreadsheet should show it.
pub fn defuse_formula(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// A value that may be a number (a longitude of `-0.46`): numbers are kept as they are,
/// anything else is [`defuse_formula`]d.
pub fn defuse_unless_number(s: &str) -> String {
    if s.parse::<f64>().is_ok_and(f64::is_finite) {
        s.to_string()
    } else {
        defuse_formula(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_other_cells_kept() {
        for (cell, out) in [
            ("=1+1", "'=1+1"),
            ("+44", "'+44"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
        ] {
            assert_eq!(defuse_formula(cell), out);
        }
        for cell in ["", "a=b", " =1", "O'Brien", "\"quoted\""] {
            assert_eq!(defuse_formula(cell), cell);
        }
    }

    #[test]
    fn numbers_stay_numbers() {
        for cell in ["-0.461372", "52.13", "+1", "0"] {
            assert_eq!(defuse_unless_number(cell), cell);
        }
        for (cell, out) in [
            ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("-inf", "'-inf"),
            ("-NaN", "'-NaN"),
        ] {
            assert_eq!(defuse_unless_number(cell), out);
        }
    }
}
