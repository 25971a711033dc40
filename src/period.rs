//! Fiscal labels to calendar time: which fiscal-year-end month a company
//! has, the last day of a fiscal quarter, and the calendar quarter holding it.
//!
//! Convention: a fiscal year is named by the calendar year in which it ends
//! (Microsoft's FY2026 runs July 2025 to June 2026; Nvidia's FY2026 ends
//! January 2026). Period ends are month ends: a 52/53-week quarter that
//! closes a few days off the month end lands in the same calendar quarter.

mod companies;

use std::collections::HashMap;

use chrono::{Datelike, Months, NaiveDate};

use crate::call::Call;
use crate::quarter::{FiscalPeriod, Quarter};

pub use companies::{canonical_ticker, company, ticker_of_company, Company};

/// A call is held this many days after our period end, at the earliest and
/// the latest: 2 to 10 weeks after the quarter closes, with slack for late
/// filers, and for quarters that close up to three weeks before the month
/// end we use (52/53-week years, AutoZone's 12-12-12-16 week quarters).
const CALL_LAG_DAYS: std::ops::RangeInclusive<i64> = -20..=120;
const TYPICAL_LAG_DAYS: i64 = 35;
/// A call dated this long before its quarter ends has a typo in the date's year.
const IMPOSSIBLE_EARLY_DAYS: i64 = 180;

/// Where a fiscal-year-end month came from, for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FyeSource {
    Override,
    Table,
    /// A "fiscal year ending ..." phrase in the transcript.
    Text,
    /// Fitted so that the file's own fiscal label closes 2-10 weeks before the call.
    CallDate,
    /// Nothing known: calendar years.
    Default,
}

/// The calendar month in which fiscal quarter 4 ends, and why we think so.
pub fn fye_month(call: &Call, overrides: &HashMap<String, u32>) -> (u32, FyeSource) {
    let ticker = canonical_ticker(&call.ticker);
    if let Some(&m) = overrides.get(&ticker) {
        return (m, FyeSource::Override);
    }
    if let Some(c) = company(&ticker) {
        return (c.fye_month, FyeSource::Table);
    }
    if let Some(m) = fye_from_text(call) {
        return (m, FyeSource::Text);
    }
    // The file's label first (an opening can misspeak the year), then what the call says it reports.
    for fiscal in [call.fiscal, call.spoken].into_iter().flatten() {
        let Some(date) = call.call_date else { break };
        if agrees(fiscal, 12, date) {
            break;
        }
        // Several months fit the 2-10 week window; take the one with the most typical lag.
        let lag = |m| ((date - period_end(fiscal, m)).num_days() - TYPICAL_LAG_DAYS).abs();
        if let Some(m) = (1..=12).filter(|&m| agrees(fiscal, m, date)).min_by_key(|&m| lag(m)) {
            return (m, FyeSource::CallDate);
        }
    }
    (12, FyeSource::Default)
}

/// "fiscal year ending June 30", "fiscal year ended September 27, 2025",
/// "our fiscal year ends in January" in the first turns of the call (not
/// "the third quarter of fiscal 2026 ended December 31", a quarter's end).
fn fye_from_text(call: &Call) -> Option<u32> {
    call.turns.iter().take(12).find_map(|t| {
        let m = crate::lexicon::dates::fiscal_year_end().captures(&t.text)?;
        crate::lexicon::dates::month_number(&m[1])
    })
}

/// Last day of the month `months` after (or before, if negative) `year`-`month`.
fn month_end(year: i32, month: u32, months: i32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(year, month, 1).expect("valid month");
    let first = if months >= 0 {
        first + Months::new(months as u32)
    } else {
        first - Months::new(months.unsigned_abs())
    };
    (first + Months::new(1)).pred_opt().expect("date in range")
}

/// Last day of a fiscal quarter for a company whose year ends in `fye_month`.
pub fn period_end(fiscal: FiscalPeriod, fye_month: u32) -> NaiveDate {
    month_end(fiscal.year, fye_month, -3 * (4 - i32::from(fiscal.quarter)))
}

/// Whether a call on `date` can report `fiscal`: it comes 2-10 weeks after the quarter closes.
fn agrees(fiscal: FiscalPeriod, fye_month: u32, date: NaiveDate) -> bool {
    CALL_LAG_DAYS.contains(&(date - period_end(fiscal, fye_month)).num_days())
}

/// The latest fiscal quarter that closed far enough before a call on `date`.
pub fn fiscal_from_call_date(date: NaiveDate, fye_month: u32) -> FiscalPeriod {
    let latest = date - chrono::Duration::days(*CALL_LAG_DAYS.start());
    // The latest quarter end at most `latest`, searching the fiscal years around it.
    (latest.year() - 1..=latest.year() + 1)
        .rev()
        .flat_map(|year| (1..=4u8).rev().map(move |quarter| FiscalPeriod { year, quarter }))
        .find(|&f| period_end(f, fye_month) <= latest)
        .expect("a quarter closes within any 15 months")
}

/// A call placed in time.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub fiscal: Option<FiscalPeriod>,
    pub period_end: Option<NaiveDate>,
    pub calendar_quarter: Option<Quarter>,
    /// Said on stderr: where the file's label, its opening and its call date disagree, which was trusted.
    pub note: Option<String>,
}

/// The quarter a call reports, between the file's label and what its
/// opening says (`Call::spoken`), with notes on stderr where they differ.
/// The opening wins (file labels are sometimes wrong: `AVGO_2024_Q4`'s is
/// the call's, but Motley Fool's `OGE_q4_2020` is Q4 2019, headers are a
/// quarter off), unless only the label fits the call date under the
/// company's fiscal calendar, or the two are years apart and the date
/// does not back the opening (an operator who misspeaks the year). A
/// retailer's "fiscal 2025" is our FY2026 (a year named by its end): no
/// disagreement where the call date backs the label (Dell, whose years are
/// named by their end too, is told apart only by that date). Notes from
/// reading the file come first.
fn reported(call: &Call, fye: u32) -> (Option<FiscalPeriod>, Vec<String>) {
    let mut notes = call.notes.clone();
    let fits = |f| call.call_date.is_some_and(|d| agrees(f, fye, d));
    let (label, said) = match (call.fiscal, call.spoken) {
        (Some(label), Some(said)) if label != said && !(named_by_start(said, label, fye) && fits(label)) => {
            (label, said)
        }
        (label, said) => return (label.or(said), notes),
    };
    let quarters = |f: FiscalPeriod| f.year * 4 + i32::from(f.quarter);
    let far = (quarters(label) - quarters(said)).abs() > 6;
    if !fits(said) && (fits(label) || far) {
        let why = if fits(label) {
            "fits its call date"
        } else {
            "is the nearer"
        };
        notes.push(format!(
            "the call's opening says {said} but the file's label {label} {why}; trusted the label"
        ));
        (Some(label), notes)
    } else {
        notes.push(format!(
            "file says {label} but the call's opening says it reports {said}; trusted the opening"
        ));
        (Some(said), notes)
    }
}

/// True where `said` is `label` in the naming of retailers whose fiscal
/// year ends in January or February and is named by the year it starts in.
fn named_by_start(said: FiscalPeriod, label: FiscalPeriod, fye: u32) -> bool {
    fye <= 2 && said.quarter == label.quarter && said.year + 1 == label.year
}

/// Fiscal period, period end and calendar quarter for a call. Where the
/// file's fiscal label and its call date disagree, the call date wins
/// (file labels are sometimes wrong, dates from headers rarely) and the
/// note says so.
pub fn place(call: &Call, overrides: &HashMap<String, u32>) -> Placement {
    let (fye, source) = fye_month(call, overrides);
    let mut note = None;
    let fye_from = match source {
        FyeSource::Override => "from --fye",
        FyeSource::Table => "from the fiscal-year-end table",
        FyeSource::Text => "from the transcript",
        FyeSource::CallDate => "fitted to the call date",
        FyeSource::Default => "assumed",
    };
    let (label, mut notes) = reported(call, fye);
    let fiscal = match (label, call.call_date) {
        (Some(label), Some(date)) if !agrees(label, fye, date) => {
            let derived = fiscal_from_call_date(date, fye);
            // A call months before its quarter even ends means a wrong year in the date, not in the label.
            if (period_end(label, fye) - date).num_days() > IMPOSSIBLE_EARLY_DAYS {
                note = Some(format!(
                    "file says {label} but its call date {date} falls months before that quarter ends (fiscal year ending in month {fye}, {fye_from}); trusted the label"
                ));
                Some(label)
            } else {
                note = Some(format!(
                    "file says {label} but a call on {date} reports {derived} (fiscal year ending in month {fye}, {fye_from}); trusted the call date"
                ));
                Some(derived)
            }
        }
        (Some(label), _) => Some(label),
        (None, Some(date)) => Some(fiscal_from_call_date(date, fye)),
        (None, None) => None,
    };
    let period_end = fiscal.map(|f| period_end(f, fye));
    notes.extend(note);
    Placement {
        fiscal,
        period_end,
        calendar_quarter: period_end.map(Quarter::of_date),
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    }
}

/// Parses `--fye` values: `TICKER=MONTH`, month as 1-12 or a month name.
pub fn parse_override(s: &str) -> Result<(String, u32), String> {
    let (ticker, month) = s
        .split_once('=')
        .ok_or_else(|| format!("expected TICKER=MONTH, got {s:?}"))?;
    let month = month.trim();
    let m = month
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=12).contains(m))
        .or_else(|| crate::lexicon::dates::month_by_prefix(month));
    let m = m.ok_or_else(|| format!("month must be 1-12 or a month name, got {month:?}"))?;
    Ok((canonical_ticker(ticker), m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(year: i32, quarter: u8) -> FiscalPeriod {
        FiscalPeriod { year, quarter }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn calendar_quarters_for_each_fiscal_year_end() {
        let cases = [
            ("MSFT", fp(2026, 2), d(2025, 12, 31), "2025Q4"), // June
            ("ORCL", fp(2026, 3), d(2026, 2, 28), "2026Q1"),  // May
            ("AAPL", fp(2025, 4), d(2025, 9, 30), "2025Q3"),  // September
            ("AAPL", fp(2026, 1), d(2025, 12, 31), "2025Q4"),
            ("NVDA", fp(2026, 4), d(2026, 1, 31), "2026Q1"), // January
            ("NVDA", fp(2026, 3), d(2025, 10, 31), "2025Q4"),
            ("AMZN", fp(2025, 4), d(2025, 12, 31), "2025Q4"), // December
            ("GOOG", fp(2025, 1), d(2025, 3, 31), "2025Q1"),
        ];
        for (ticker, fiscal, end, quarter) in cases {
            let fye = company(ticker).unwrap().fye_month;
            assert_eq!(period_end(fiscal, fye), end, "{ticker} {fiscal}");
            assert_eq!(Quarter::of_date(end).to_string(), quarter, "{ticker} {fiscal}");
        }
    }

    #[test]
    fn fiscal_quarter_from_call_date() {
        assert_eq!(fiscal_from_call_date(d(2025, 10, 29), 6), fp(2026, 1)); // MSFT
        assert_eq!(fiscal_from_call_date(d(2026, 3, 10), 5), fp(2026, 3)); // ORCL
        assert_eq!(fiscal_from_call_date(d(2026, 2, 25), 1), fp(2026, 4)); // NVDA
        assert_eq!(fiscal_from_call_date(d(2026, 1, 29), 12), fp(2025, 4));
        assert_eq!(fiscal_from_call_date(d(2026, 1, 14), 12), fp(2025, 4)); // a bank, two weeks on
                                                                            // AutoZone's Q2 closes mid-February and is reported in early March.
        assert_eq!(fiscal_from_call_date(d(2026, 3, 3), 8), fp(2026, 2));
    }

    fn call(ticker: &str, fiscal: Option<FiscalPeriod>, date: Option<NaiveDate>) -> Call {
        Call {
            source: "x".into(),
            format: "test".into(),
            ticker: ticker.into(),
            company: String::new(),
            fiscal,
            spoken: None,
            call_date: date,
            participants: vec![],
            turns: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn label_and_call_date_checked_against_each_other() {
        let none = HashMap::new();
        // Agree: MSFT FY2026 Q2 reported on 2026-01-28.
        let p = place(&call("MSFT", Some(fp(2026, 2)), Some(d(2026, 1, 28))), &none);
        assert_eq!(
            (p.fiscal, p.calendar_quarter.map(|q| q.to_string()).as_deref(), p.note),
            (Some(fp(2026, 2)), Some("2025Q4"), None)
        );
        // A retailer's own "fiscal 2025" label: the call date wins, renamed to the year it ends.
        let p = place(&call("TGT", Some(fp(2025, 3)), Some(d(2025, 11, 19))), &none);
        assert_eq!(
            (p.fiscal, p.calendar_quarter.map(|q| q.to_string()).as_deref()),
            (Some(fp(2026, 3)), Some("2025Q4"))
        );
        assert!(p.note.unwrap().contains("trusted the call date"));
        // A date a year too early: the label wins.
        let p = place(&call("GOOGL", Some(fp(2025, 1)), Some(d(2024, 4, 24))), &none);
        assert_eq!(p.fiscal, Some(fp(2025, 1)));
        assert!(p.note.unwrap().contains("trusted the label"));
        // No label: from the date. Overrides beat the table.
        let p = place(&call("ORCL", None, Some(d(2026, 3, 10))), &none);
        assert_eq!(
            (p.fiscal, p.calendar_quarter.map(|q| q.to_string()).as_deref()),
            (Some(fp(2026, 3)), Some("2026Q1"))
        );
        let over = HashMap::from([("ORCL".to_owned(), 12)]);
        assert_eq!(
            place(&call("ORCL", Some(fp(2026, 3)), None), &over).period_end,
            Some(d(2026, 9, 30))
        );
    }

    #[test]
    fn the_opening_beats_the_file_label_unless_only_the_label_fits_the_date() {
        let none = HashMap::new();
        let with = |fiscal, spoken, date| Call {
            spoken,
            ..call("AVGO", fiscal, date)
        };
        // AVGO_2024_Q4-like: the file label is right and the opening agrees: no note.
        let p = place(&with(Some(fp(2024, 4)), Some(fp(2024, 4)), None), &none);
        assert_eq!((p.fiscal, p.note), (Some(fp(2024, 4)), None));
        // A Motley Fool file name a year off: the opening wins, and says so.
        let p = place(&with(Some(fp(2020, 4)), Some(fp(2019, 4)), None), &none);
        assert_eq!(p.fiscal, Some(fp(2019, 4)));
        assert!(p.note.unwrap().contains("trusted the opening"));
        // An operator who misspeaks the year: the label fits the date, the opening does not.
        let p = place(&with(Some(fp(2025, 4)), Some(fp(2021, 4)), Some(d(2026, 2, 10))), &none);
        assert_eq!(p.fiscal, Some(fp(2025, 4)));
        assert!(p.note.unwrap().contains("trusted the label"));
        // Years apart and no date: the label.
        let p = place(&with(Some(fp(2020, 3)), Some(fp(2010, 3)), None), &none);
        assert_eq!(p.fiscal, Some(fp(2020, 3)));
        // A retailer's "fiscal 2025 third quarter" is our FY2026 Q3: no disagreement.
        let p = place(
            &Call {
                spoken: Some(fp(2025, 3)),
                ..call("TGT", Some(fp(2026, 3)), Some(d(2025, 11, 19)))
            },
            &none,
        );
        assert_eq!((p.fiscal, p.note), (Some(fp(2026, 3)), None));
    }

    #[test]
    fn unknown_company_fitted_to_its_call_date() {
        // Not in the table; Q3 reported in early December fits a January year end best.
        let c = call("ZZZZ", Some(fp(2026, 3)), Some(d(2025, 12, 4)));
        assert_eq!(fye_month(&c, &HashMap::new()), (1, FyeSource::CallDate));
    }

    #[test]
    fn overrides_parse() {
        assert_eq!(parse_override("acme=jun"), Ok(("ACME".into(), 6)));
        assert_eq!(parse_override("ACME=11"), Ok(("ACME".into(), 11)));
        assert!(parse_override("ACME=13").is_err());
        assert!(parse_override("ACME").is_err());
    }
}
