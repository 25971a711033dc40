//! Months and dates as transcripts write them, and the month a fiscal year
//! ends in as calls say it.

use regex::Regex;

use super::regex;

/// The months, in order.
pub const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// 1-12 for an English month name or its abbreviation ("Sept", "JAN").
pub fn month_number(name: &str) -> Option<u32> {
    let lower = name.to_lowercase();
    MONTHS
        .iter()
        .position(|m| lower.starts_with(&m[..3]))
        .map(|i| i as u32 + 1)
}

/// 1-12 for the first three or more letters of a month's name, as a user
/// types it ("sep", "Janu", "december"); nothing for "ju" or "junex".
pub fn month_by_prefix(word: &str) -> Option<u32> {
    let lower = word.to_lowercase();
    MONTHS
        .iter()
        .position(|n| lower.len() >= 3 && n.starts_with(&lower))
        .map(|i| i as u32 + 1)
}

/// The months' three-letter stems, as one alternation: `jan|feb|...`.
fn stems() -> String {
    MONTHS.map(|m| &m[..3]).join("|")
}

/// "Jan", "january" -> "Jan", "January".
fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A date in prose, any case: `Oct 30, 2024`, `Sept. 3, 2025`, `JANUARY
/// 28, 2026`, `July 4th 2025` (month stem, day, year).
pub fn prose_date() -> &'static Regex {
    regex!(format!(
        r"(?i)\b({})[a-z]*\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})\b",
        stems()
    ))
}

/// A date in a vendor's header, capitalised, whole month names or their
/// abbreviations: `November 4, 2025`, `Sept. 3, 2025` (month, day, year).
pub fn header_date() -> &'static Regex {
    regex!(format!(r"({})\.? (\d{{1,2}}), (\d{{4}})", capitalised_names()))
}

/// `January|...|December|Jan|...|Dec|Sept`.
fn capitalised_names() -> String {
    let names: Vec<String> = MONTHS
        .iter()
        .map(|m| capitalised(m))
        .chain(MONTHS.iter().map(|m| capitalised(&m[..3])))
        .chain(["Sept".to_owned()])
        .collect();
    names.join("|")
}

/// "fiscal year ending June 30", "fiscal year ended September 27, 2025",
/// "our fiscal year ends in January" (the month); not "the third quarter
/// of fiscal 2026 ended December 31", a quarter's end.
pub fn fiscal_year_end() -> &'static Regex {
    regex!(format!(
        r"(?i)fiscal year\s*(?:,\s*)?(?:which\s+)?(?:end(?:s|ed|ing)?|clos(?:es|ed|ing))\s+(?:in\s+|on\s+)?({})\b",
        MONTHS.join("|")
    ))
}

/// A date in a file name: `_20250304_` (year, month, day).
pub fn file_name_date() -> &'static Regex {
    regex!(r"_(20\d\d)(\d\d)(\d\d)(?:_|$)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_numbers() {
        for (name, n) in [
            ("January", Some(1)),
            ("jan", Some(1)),
            ("Sept", Some(9)),
            ("SEPTEMBER", Some(9)),
            ("May", Some(5)),
            ("Dec", Some(12)),
            ("Ju", None),
            ("Monday", None),
        ] {
            assert_eq!(month_number(name), n, "{name}");
        }
    }

    #[test]
    fn months_by_prefix() {
        for (word, n) in [
            ("sep", Some(9)),
            ("Janu", Some(1)),
            ("december", Some(12)),
            ("ju", None),
            ("junex", None),
            ("Sept.", None),
        ] {
            assert_eq!(month_by_prefix(word), n, "{word}");
        }
    }

    #[test]
    fn dates_as_written() {
        let fields = |re: &Regex, text: &str| {
            re.captures(text)
                .map(|c| (month_number(&c[1]).unwrap(), c[2].to_owned(), c[3].to_owned()))
        };
        let date = |m, d: &str, y: &str| Some((m, d.to_owned(), y.to_owned()));
        for (text, want) in [
            ("Oct 9, 2024,4:30 p.m. ET", date(10, "9", "2024")),
            ("Sept. 4, 2025", date(9, "4", "2025")),
            ("JANUARY 28, 2026 / 10:30PM GMT", date(1, "28", "2026")),
            ("July 4th 2025", date(7, "4", "2025")),
            ("no date here, 2025", None),
        ] {
            assert_eq!(fields(prose_date(), text), want, "{text}");
        }
        for (text, want) in [
            ("Q3 2025 Earnings Call November 4, 2025", date(11, "4", "2025")),
            ("Sept. 3, 2025", date(9, "3", "2025")),
            ("Feb 1, 2024", date(2, "1", "2024")),
            ("JANUARY 28, 2026", None),
            ("July 4th 2025", None),
        ] {
            assert_eq!(fields(header_date(), text), want, "{text}");
        }
        let c = file_name_date().captures("ACME_20250304_call").unwrap();
        assert_eq!((&c[1], &c[2], &c[3]), ("2025", "03", "04"));
    }

    #[test]
    fn fiscal_year_ends() {
        for (text, month) in [
            ("our fiscal year ends in January", Some(1)),
            ("the fiscal year ended September 27, 2025", Some(9)),
            ("for the fiscal year, which ends on June 30", Some(6)),
            ("the third quarter of fiscal 2026 ended December 31", None),
        ] {
            let got = fiscal_year_end().captures(text).and_then(|c| month_number(&c[1]));
            assert_eq!(got, month, "{text}");
        }
    }
}
