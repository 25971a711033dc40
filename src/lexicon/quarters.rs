//! Fiscal quarters as labels write them (`Q1 2025`, `2026_Q1`) and as
//! calls say them ("fiscal year 2025 first quarter"), what shows a quarter
//! is the one a call reports, and the company a call welcomes listeners to.

use regex::Regex;

use super::regex;

/// A compact label: `Q1 2025`, `Q3 FY2026`, `q4_2020`, `Q2 '24` (quarter,
/// year) or `2026_Q1` (year, quarter: groups 3 and 4).
pub fn label() -> &'static Regex {
    regex!(r"(?i)(?:^|[^0-9a-z])(?:Q([1-4])[\s_-]*(?:FY)?'?(\d{4}|\d{2})|(\d{4})[\s_-]*Q([1-4]))(?:$|[^0-9a-z])")
}

/// A vendor's event title: `Q3 2025 Earnings Call`, `Q2 FY 2026` (quarter, year).
pub fn event_label() -> &'static Regex {
    regex!(r"\bQ([1-4])\s*(?:FY)?\s*'?(\d{4})\b")
}

/// A file name's `_3Q25_` (quarter, two-digit year).
pub fn file_name_label() -> &'static Regex {
    regex!(r"_([1-4])Q(\d{2})(?:_|$)")
}

/// A file name that starts `TICKER_q1_2021` (ticker, quarter, year).
pub fn ticker_quarter_file_name() -> &'static Regex {
    regex!(r"(?i)^([A-Z0-9.\-]+)_q([1-4])_(\d{4})")
}

/// Words of an event's title that make it an earnings call.
pub fn earnings_event() -> &'static Regex {
    regex!(r"(?i)\b(?:earnings|results|sales|trading|quarter|Q[1-4]|H[12])\b")
}

/// A quarter's ordinal in words.
const ORDINAL: &str = "(first|second|third|fourth|1st|2nd|3rd|4th)";

/// 1-4 for a quarter's ordinal as `ORDINAL` captures it.
pub fn ordinal(word: &str) -> u8 {
    match &word.to_ascii_lowercase()[..] {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        _ => 4,
    }
}

/// Year first: "fiscal year 2025 first quarter", "fiscal 2025
/// fourth-quarter", "FY '22 Q1", "2021 second quarter" (fiscal year or
/// year, then the ordinal or the Q's digit).
pub fn spoken_year_first() -> &'static Regex {
    regex!(format!(
        r"(?i)\b(?:(?:fiscal(?:\s+year)?|FY)\s*'?(\d{{4}}|\d{{2}})|(\d{{4}}))\s+(?:{ORDINAL}[\s-]+quarter|Q([1-4])\b)"
    ))
}

/// Quarter first: "first quarter fiscal year 2025", "fourth quarter and
/// full year of fiscal 2025", "second quarter 2025" (ordinal, year).
pub fn spoken_quarter_first() -> &'static Regex {
    regex!(format!(
        r"(?i)\b{ORDINAL}[\s-]+quarter(?:\s+(?:of|in|and|for|the|full|fiscal|year|FY))*\s+'?(\d{{4}}|\d{{2}})\b"
    ))
}

/// "Q1 fiscal year 2023", "Q4 2019", "Q2 FY2026" (quarter, year).
pub fn spoken_q_form() -> &'static Regex {
    regex!(r"(?i)\bQ([1-4])(?:\s+(?:of|fiscal|year))*\s*(?:FY\s*)?'?(\d{4}|\d{2})\b")
}

/// Words before a quarter in its sentence that make it one the call does
/// not report: guidance for the next ("outlook for our first quarter"), a
/// comparison ("up 12% from the fourth quarter"), the next call's date.
pub fn not_reported_before() -> &'static Regex {
    regex!(
        r"(?i)\b(?:outlook|guidance|guide|expect\w*|forecast\w*|quiet period|until|replay|compared?|versus|vs|since|from the|next|upcoming|last year|prior|year-ago|ago|building on)\b"
    )
}

/// The same right after it: "first quarter 2025 quiet period", "second-quarter 2020 outlook".
pub fn not_reported_after() -> &'static Regex {
    regex!(r"(?i)^\W*(?:\w+\W+){0,2}?(?:outlook|guidance|quiet period|10-[QK])\b")
}

/// A sentence about the call itself: "welcome to ... conference call",
/// "our fourth quarter results".
pub fn about_the_call() -> &'static Regex {
    regex!(r"(?i)\b(?:welcome|conference|call|results|joining|webcast)\b")
}

/// The company the operator welcomes listeners to: "welcome to the
/// Contoso Fiscal Year 2025 First Quarter call" (the company).
pub fn welcome() -> &'static Regex {
    regex!(
        r"(?i)\b(?:welcome|standing by)(?:,?\s+\w+){0,3}?,?\s+(?:to|for)\s+(?:the\s+)?([A-Z][\w.&,-]*(?:\s+[A-Z][\w.&-]*){0,4}?)(?:\s*'\s*)?(?:'s|’s)?\s+(?:fiscal|first|second|third|fourth|full|q[1-4]|\d{4}|FY|earnings|quarterly)"
    )
}

/// The same where names hold apostrophes and lower-case words: "Welcome to
/// the Aaron's Company First Quarter 2021 Earnings Call" (`co`).
pub fn welcome_long_name() -> &'static Regex {
    regex!(
        r"(?i)welcome to (?:the )?(?:today's )?(?P<co>[A-Z][\w&.,'’ -]{1,60}?)(?:'s|’s)?\s+(?:first|second|third|fourth|1st|2nd|3rd|4th|Q[1-4]|fiscal|full[- ]year|20\d\d|quarter|earnings)\b"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (quarter, year) from a label's captures, in either order.
    fn quarter_year(text: &str) -> Option<(String, String)> {
        let c = label().captures(text)?;
        Some(match (c.get(1), c.get(2)) {
            (Some(q), Some(y)) => (q.as_str().into(), y.as_str().into()),
            _ => (c[4].into(), c[3].into()),
        })
    }

    #[test]
    fn compact_labels() {
        let qy = |q: &str, y: &str| Some((q.to_owned(), y.to_owned()));
        for (text, want) in [
            ("Quarter: Q1 2025", qy("1", "2025")),
            ("CTSO - Q2 FY2026 Contoso", qy("2", "2026")),
            ("AAN_q4_2020", qy("4", "2020")),
            ("AMZN_2026_Q1_839a9c.transcript.txt", qy("1", "2026")),
            ("Q2 '24", qy("2", "24")),
            ("HQ1 2025", None),
        ] {
            assert_eq!(quarter_year(text), want, "{text}");
        }
        for (re, text, want) in [
            (event_label(), "Q3 2025 Earnings Call", Some(("3", "2025"))),
            (event_label(), "Q2 FY 2026", Some(("2", "2026"))),
            (file_name_label(), "ACME_3Q25_call", Some(("3", "25"))),
            (file_name_label(), "ACME_3Q2025", None),
        ] {
            let got = re.captures(text).map(|c| (c[1].to_owned(), c[2].to_owned()));
            assert_eq!(got, want.map(|(q, y)| (q.to_owned(), y.to_owned())), "{text}");
        }
        let c = ticker_quarter_file_name().captures("AAN_q1_2021.json").unwrap();
        assert_eq!((&c[1], &c[2], &c[3]), ("AAN", "1", "2021"));
    }

    #[test]
    fn spoken_quarters() {
        for (re, text, found) in [
            (spoken_year_first(), "fiscal year 2025 first quarter", true),
            (spoken_year_first(), "FY '22 Q1", true),
            (spoken_year_first(), "2021 second quarter", true),
            (
                spoken_quarter_first(),
                "fourth quarter and full year of fiscal 2025",
                true,
            ),
            (spoken_quarter_first(), "second-quarter 2025", true),
            (spoken_q_form(), "Q1 fiscal year 2023", true),
            (spoken_q_form(), "Q2 FY2026", true),
            (spoken_quarter_first(), "record revenue this quarter", false),
        ] {
            assert_eq!(re.is_match(text), found, "{text}");
        }
        for (word, q) in [("first", 1), ("2nd", 2), ("Third", 3), ("fourth", 4)] {
            assert_eq!(ordinal(word), q, "{word}");
        }
    }

    #[test]
    fn reported_or_not() {
        for (re, text, matches) in [
            (not_reported_before(), "We will give guidance for our", true),
            (not_reported_before(), "Net income rose from the", true),
            (not_reported_before(), "Welcome to the", false),
            (not_reported_after(), " quiet period begins", true),
            (not_reported_after(), " results call.", false),
            (about_the_call(), "Welcome to the Q4 call.", true),
            (about_the_call(), "Net income rose.", false),
            (earnings_event(), "Q3 2025 Earnings Call", true),
            (earnings_event(), "Investor Day", false),
        ] {
            assert_eq!(re.is_match(text), matches, "{text}");
        }
    }

    #[test]
    fn welcomed_companies() {
        for (text, company) in [
            (
                "Hello, and welcome to the Contoso Fiscal Year 2025 First Quarter call",
                Some("Contoso"),
            ),
            (
                "Welcome to Fabrikam's Second Quarter 2025 Earnings Conference Call",
                Some("Fabrikam"),
            ),
            ("Welcome, everyone.", None),
        ] {
            assert_eq!(
                welcome().captures(text).map(|c| c[1].to_owned()).as_deref(),
                company,
                "{text}"
            );
        }
        let c = welcome_long_name()
            .captures("Welcome to the Aaron's Company First Quarter 2021 Earnings Call")
            .unwrap();
        assert_eq!(&c["co"], "Aaron's Company");
    }
}
