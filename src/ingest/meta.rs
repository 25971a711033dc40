//! Call metadata that several layouts find the same way: dates written out
//! in prose, fiscal-quarter labels, the ticker in a file name, the company
//! the operator welcomes listeners to.

use std::path::Path;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use crate::call::{Call, FiscalPeriod, Turn};

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})\b",
    )
    .unwrap()
});

/// The first date written like `Oct 30, 2024`, `Sept. 3, 2025` or
/// `JANUARY 28, 2026` in `text`.
pub fn first_date(text: &str) -> Option<NaiveDate> {
    DATE.captures_iter(text).find_map(|c| {
        let month = match &c[1].to_ascii_lowercase()[..] {
            "jan" => 1,
            "feb" => 2,
            "mar" => 3,
            "apr" => 4,
            "may" => 5,
            "jun" => 6,
            "jul" => 7,
            "aug" => 8,
            "sep" => 9,
            "oct" => 10,
            "nov" => 11,
            _ => 12,
        };
        NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, c[2].parse().ok()?)
    })
}

static Q_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|[^0-9a-z])(?:Q([1-4])[\s_-]*(?:FY)?'?(\d{4}|\d{2})|(\d{4})[\s_-]*Q([1-4]))(?:$|[^0-9a-z])")
        .unwrap()
});

/// A compact label such as `Q1 2025`, `Q3 FY2026`, `q4_2020`, `2026_Q1`.
pub fn quarter_label(text: &str) -> Option<FiscalPeriod> {
    let c = Q_LABEL.captures(text)?;
    let (q, y) = match (c.get(1), c.get(2)) {
        (Some(q), Some(y)) => (q.as_str(), y.as_str()),
        _ => (c.get(4)?.as_str(), c.get(3)?.as_str()),
    };
    Some(FiscalPeriod {
        year: full_year(y)?,
        quarter: q.parse().ok()?,
    })
}

fn full_year(digits: &str) -> Option<i32> {
    let y: i32 = digits.parse().ok()?;
    let y = if digits.len() == 2 { 2000 + y } else { y };
    (1990..2100).contains(&y).then_some(y)
}

const ORDINAL: &str = "(first|second|third|fourth|1st|2nd|3rd|4th)";

static SPOKEN_QUARTER: LazyLock<[Regex; 2]> = LazyLock::new(|| {
    [
        // "fiscal year 2025 first quarter", "fiscal 2025 fourth-quarter"
        Regex::new(&format!(
            r"(?i)\bfiscal(?:\s+year)?\s+'?(\d{{4}}|\d{{2}})\s+{ORDINAL}[\s-]+quarter"
        ))
        .unwrap(),
        // "first quarter fiscal year 2025", "second quarter 2025", "Q2 of fiscal 2026"
        Regex::new(&format!(
            r"(?i)\b{ORDINAL}[\s-]+quarter(?:\s+of)?(?:\s+fiscal)?(?:\s+year)?\s+'?(\d{{4}}|\d{{2}})\b"
        ))
        .unwrap(),
    ]
});

/// The quarter a call's opening names in words: "fiscal year 2025 first
/// quarter", "second quarter 2025". Only the opening is searched, since
/// later remarks compare with other quarters.
pub fn spoken_quarter(opening: &str) -> Option<FiscalPeriod> {
    let [year_first, quarter_first] = &*SPOKEN_QUARTER;
    let ordinal = |s: &str| match &s.to_ascii_lowercase()[..] {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        _ => 4,
    };
    let a = year_first
        .captures(opening)
        .map(|c| (c.get(0).unwrap().start(), full_year(&c[1]), ordinal(&c[2])));
    let b = quarter_first
        .captures(opening)
        .map(|c| (c.get(0).unwrap().start(), full_year(&c[2]), ordinal(&c[1])));
    let (_, year, quarter) = match (a, b) {
        (Some(a), Some(b)) => std::cmp::min_by_key(a, b, |x| x.0),
        (a, b) => a.or(b)?,
    };
    Some(FiscalPeriod { year: year?, quarter })
}

/// The ticker a file name starts with: `MSFT_Q1_2025.txt` -> `MSFT`.
pub fn ticker_from_file_name(path: &Path) -> Option<String> {
    let stem = path.file_name()?.to_str()?;
    let t: String = stem
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    let t = t.trim_end_matches('.');
    (!t.is_empty() && t.len() <= 6 && t.chars().any(|c| c.is_ascii_alphabetic())).then(|| t.to_ascii_uppercase())
}

static WELCOME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:welcome|standing by)(?:,?\s+\w+){0,3}?,?\s+(?:to|for)\s+(?:the\s+)?([A-Z][\w.&,-]*(?:\s+[A-Z][\w.&-]*){0,4}?)(?:'s|’s)?\s+(?:fiscal|first|second|third|fourth|full|q[1-4]|\d{4}|FY|earnings|quarterly)",
    )
    .unwrap()
});

/// The company the operator welcomes listeners to, as in "welcome to the
/// Contoso Fiscal Year 2025 First Quarter call".
pub fn welcomed_company(opening: &str) -> Option<String> {
    let c = WELCOME.captures(opening)?;
    let name = c[1].trim_end_matches([',', '.']).trim();
    (name.chars().next()?.is_uppercase()).then(|| name.to_owned())
}

/// The first `n` characters, cut at a character boundary.
pub fn head(text: &str, n: usize) -> &str {
    match text.char_indices().nth(n) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

/// A call whose metadata only its spoken opening and its file name carry:
/// the ticker from the file name, the company the operator welcomes
/// listeners to, the quarter said aloud (file labels are sometimes wrong)
/// or else the file name's.
pub fn call_from_opening(format: &str, path: &Path, opening: &str, turns: Vec<Turn>) -> Call {
    let ticker = ticker_from_file_name(path).unwrap_or_default();
    Call {
        source: path.to_path_buf(),
        format: format.into(),
        company: welcomed_company(opening).unwrap_or_else(|| ticker.clone()),
        ticker,
        fiscal: spoken_quarter(opening)
            .or_else(|| quarter_label(&path.file_name().unwrap_or_default().to_string_lossy())),
        call_date: None,
        participants: Vec::new(),
        turns,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(year: i32, quarter: u8) -> Option<FiscalPeriod> {
        Some(FiscalPeriod { year, quarter })
    }

    #[test]
    fn dates_in_the_ways_vendors_write_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(first_date("Oct 9, 2024,4:30 p.m. ET"), d(2024, 10, 9));
        assert_eq!(first_date("Sept. 4, 2025"), d(2025, 9, 4));
        assert_eq!(first_date("Thursday, July 17, 2025, at 8:30 p.m. ET"), d(2025, 7, 17));
        assert_eq!(
            first_date("EVENT DATE/TIME: JANUARY 28, 2026 / 10:30PM GMT"),
            d(2026, 1, 28)
        );
        assert_eq!(first_date("no date here, 2025"), None);
    }

    #[test]
    fn quarter_labels_compact_and_spoken() {
        assert_eq!(quarter_label("Quarter: Q1 2025"), fp(2025, 1));
        assert_eq!(quarter_label("CTSO - Q2 FY2026 Contoso"), fp(2026, 2));
        assert_eq!(quarter_label("AAN_q4_2020"), fp(2020, 4));
        assert_eq!(quarter_label("AMZN_2026_Q1_839a9c.transcript.txt"), fp(2026, 1));
        assert_eq!(
            spoken_quarter("welcome to the Contoso Fiscal Year 2025 First Quarter Earnings"),
            fp(2025, 1)
        );
        assert_eq!(
            spoken_quarter("Fabrikam's second quarter 2025 earnings call"),
            fp(2025, 2)
        );
        assert_eq!(spoken_quarter("our fourth-quarter fiscal 2024 results"), fp(2024, 4));
        assert_eq!(spoken_quarter("record revenue this quarter"), None);
    }

    #[test]
    fn ticker_and_company() {
        assert_eq!(
            ticker_from_file_name(Path::new("a/MSFT_Q1_2025.txt")).as_deref(),
            Some("MSFT")
        );
        assert_eq!(
            ticker_from_file_name(Path::new("BRK.B_2025_Q1.txt")).as_deref(),
            Some("BRK.B")
        );
        assert_eq!(
            welcomed_company("Hello, and welcome to the Contoso Fiscal Year 2025 First Quarter call").as_deref(),
            Some("Contoso")
        );
        assert_eq!(
            welcomed_company("Welcome to Fabrikam's Second Quarter 2025 Earnings Conference Call").as_deref(),
            Some("Fabrikam")
        );
    }
}
