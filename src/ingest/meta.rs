//! Call metadata that several layouts find the same way: dates written out
//! in prose, fiscal-quarter labels, the ticker in a file name, the company
//! the operator welcomes listeners to.

use std::path::Path;

use chrono::NaiveDate;

use super::IngestError;
use crate::call::{Call, FiscalPeriod, Turn};
use crate::lexicon::dates::{month_number, prose_date};
use crate::lexicon::{quarters, sentences};

/// The first date written like `Oct 30, 2024`, `Sept. 3, 2025` or
/// `JANUARY 28, 2026` in `text`.
pub fn first_date(text: &str) -> Option<NaiveDate> {
    prose_date().captures_iter(text).find_map(|c| {
        let month = month_number(&c[1])?;
        NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, c[2].parse().ok()?)
    })
}

/// A compact label such as `Q1 2025`, `Q3 FY2026`, `q4_2020`, `2026_Q1`.
pub fn quarter_label(text: &str) -> Option<FiscalPeriod> {
    let c = quarters::label().captures(text)?;
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

/// The quarter a call's opening says it reports, in words: "fiscal year
/// 2025 first quarter", "fourth quarter and fiscal year 2024", "Q1 fiscal
/// year 2023". The first mention in a sentence about the call wins, unless
/// guidance or a comparison introduces it (`quarters::not_reported_before`). Only the
/// opening is searched, since later remarks compare with other quarters.
pub fn spoken_quarter(opening: &str) -> Option<FiscalPeriod> {
    // (match, year digits, quarter)
    let mut found: Vec<(regex::Match, &str, u8)> = Vec::new();
    for c in quarters::spoken_year_first().captures_iter(opening) {
        let q = c
            .get(3)
            .map_or_else(|| c[4].parse().unwrap_or(0), |o| quarters::ordinal(o.as_str()));
        let year = c.get(1).or(c.get(2)).expect("one of the year groups").as_str();
        found.push((c.get(0).unwrap(), year, q));
    }
    for c in quarters::spoken_quarter_first().captures_iter(opening) {
        found.push((c.get(0).unwrap(), c.get(2).unwrap().as_str(), quarters::ordinal(&c[1])));
    }
    for c in quarters::spoken_q_form().captures_iter(opening) {
        found.push((c.get(0).unwrap(), c.get(2).unwrap().as_str(), c[1].parse().unwrap_or(0)));
    }
    found.sort_by_key(|f| f.0.start());
    found.into_iter().find_map(|(m, year, quarter)| {
        // "Q4 12 new stores", "our first quarter 10-Q" name no year: two digits only as "'24", "FY24", "fiscal 24".
        let lower = m.as_str().to_ascii_lowercase();
        if year.len() == 2 && !(lower.contains('\'') || lower.contains("fy") || lower.contains("fiscal")) {
            return None;
        }
        let start = sentences::end()
            .find_iter(&opening[..m.start()])
            .last()
            .map_or(0, |e| e.end());
        let end = sentences::end()
            .find(&opening[m.end()..])
            .map_or(opening.len(), |e| m.end() + e.end());
        let reported = quarters::about_the_call().is_match(&opening[start..end])
            && !quarters::not_reported_before().is_match(&opening[start..m.start()])
            && !quarters::not_reported_after().is_match(&opening[m.end()..end]);
        reported.then_some(FiscalPeriod {
            year: full_year(year)?,
            quarter,
        })
    })
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

/// The company the operator welcomes listeners to, as in "welcome to the
/// Contoso Fiscal Year 2025 First Quarter call".
pub fn welcomed_company(opening: &str) -> Option<String> {
    let c = quarters::welcome().captures(opening)?;
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
/// the ticker and the quarter from the file name, the company's name from
/// the fiscal-year-end table or else the one the operator welcomes
/// listeners to. (`ingest::read_file` adds the quarter said aloud.)
pub fn call_from_opening(
    format: &'static str,
    path: &Path,
    opening: &str,
    turns: Vec<Turn>,
) -> Result<Call, IngestError> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let fiscal = quarter_label(&name);
    let (ticker, notes) = ticker_of(path, fiscal.is_some(), welcomed_company(opening).as_deref(), format)?;
    Ok(Call {
        source: path.to_path_buf(),
        format: format.into(),
        // The table's name where it has the company: speech-to-text garbles the welcome.
        company: crate::period::company(&ticker)
            .map(|c| c.name.clone())
            .or_else(|| welcomed_company(opening))
            .unwrap_or_else(|| ticker.clone()),
        ticker,
        fiscal,
        spoken: None,
        call_date: None,
        participants: Vec::new(),
        turns,
        notes,
    })
}

/// The ticker of a layout that keeps it only in the file name
/// (`AVGO_2024_Q4.txt`, `AAN_q1_2021.txt`). A file renamed away from that
/// pattern (`usual` false) gets the ticker of the company its operator
/// welcomes listeners to, with a note, or is refused: its name's first
/// word is no ticker.
pub(crate) fn ticker_of(
    path: &Path,
    usual: bool,
    welcomed: Option<&str>,
    format: &'static str,
) -> Result<(String, Vec<String>), IngestError> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    match (usual, ticker_from_file_name(path)) {
        (true, Some(t)) => Ok((t, Vec::new())),
        _ => match welcomed.and_then(|w| crate::period::ticker_of_company(w).map(|t| (t, w))) {
            Some((t, w)) => Ok((
                t.clone(),
                vec![format!(
                    "the file name {name:?} is not TICKER_YEAR_QUARTER, so ticker {t} and the quarter come from the call's opening ({w})"
                )],
            )),
            None => Err(IngestError::Malformed {
                format,
                message: format!(
                    "no ticker: the file name {name:?} is not TICKER_YEAR_QUARTER (as AVGO_2024_Q4.txt, AAN_q1_2021.txt) and the call's opening names no company of data/fiscal_year_ends.csv"
                ),
            }),
        },
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
        // What the call reports, not the guidance or the comparison around it.
        assert_eq!(
            spoken_quarter("Welcome to Contoso's fourth quarter and fiscal year 2024 results call. We will give guidance for our first quarter of fiscal year 2025."),
            fp(2024, 4)
        );
        assert_eq!(
            spoken_quarter("Welcome to Fabrikam's conference call for the fourth quarter in fiscal 2024. Replay runs until the call for the first quarter of fiscal 2025."),
            fp(2024, 4)
        );
        assert_eq!(
            spoken_quarter("Thanks for joining. Our guidance for the first quarter of fiscal 2025 is up. Welcome to the Q4 2024 Contoso call."),
            fp(2024, 4)
        );
        assert_eq!(
            spoken_quarter("Welcome to the Aptar-like 2021 second quarter call."),
            fp(2021, 2)
        );
        assert_eq!(spoken_quarter("Welcome to the FY '22 Q1 webcast."), fp(2022, 1));
        // A quarter in a sentence not about the call, or with no year, is not taken.
        assert_eq!(spoken_quarter("Net income rose from the fourth quarter of 2024."), None);
        assert_eq!(
            spoken_quarter("Thanks for joining our call. We read our first quarter 10-Q."),
            None
        );
        assert_eq!(
            spoken_quarter("Welcome. Our first quarter 2025 quiet period begins on the call."),
            None
        );
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
        // Speech-to-text's stray quote: "the Contoso, Inc.' 's fourth quarter".
        assert_eq!(
            welcomed_company("Welcome to the Contoso, Inc.' 's fourth quarter results call").as_deref(),
            Some("Contoso, Inc")
        );
    }
}
