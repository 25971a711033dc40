//! The built-in table of companies (`data/fiscal_year_ends.csv`): each
//! ticker's fiscal-year-end month and name, and one spelling per ticker.

use std::collections::HashMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/fiscal_year_ends.csv");

/// One company's row in `data/fiscal_year_ends.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub fye_month: u32,
    pub name: String,
}

fn table() -> &'static HashMap<String, Company> {
    static TABLE_MAP: OnceLock<HashMap<String, Company>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("ticker,") && !l.trim().is_empty())
            .filter_map(|l| {
                let mut f = l.splitn(3, ',');
                let ticker = f.next()?.trim().to_owned();
                let fye_month = f.next()?.trim().parse().ok().filter(|m| (1..=12).contains(m))?;
                let name = f.next().unwrap_or("").trim().to_owned();
                Some((ticker, Company { fye_month, name }))
            })
            .collect()
    })
}

/// The table's row for a ticker (canonical or not).
pub fn company(ticker: &str) -> Option<&'static Company> {
    table().get(&canonical_ticker(ticker))
}

/// The ticker of the one company in the table whose name begins with
/// `name`, case, punctuation and legal suffixes ignored: "Broadcom" and
/// "Broadcom, Inc" -> AVGO.
pub fn ticker_of_company(name: &str) -> Option<String> {
    fn words(name: &str) -> Vec<String> {
        const SUFFIXES: [&str; 8] = ["inc", "corp", "corporation", "co", "company", "ltd", "plc", "the"];
        let mut w: Vec<String> = crate::question::normalize(name).split(' ').map(str::to_owned).collect();
        while w.last().is_some_and(|l| SUFFIXES.contains(&l.as_str()) || l.is_empty()) {
            w.pop();
        }
        w
    }
    let want = words(name);
    if want.is_empty() {
        return None;
    }
    let mut found = table().iter().filter(|(_, c)| words(&c.name).starts_with(&want));
    match (found.next(), found.next()) {
        (Some((ticker, _)), None) => Some(ticker.clone()),
        _ => None,
    }
}

/// One name per company: upper case, exchange prefixes dropped, share
/// classes folded (GOOG -> GOOGL, BRK-B / BRK/B / BRKB -> BRK.B).
pub fn canonical_ticker(ticker: &str) -> String {
    let t = ticker.trim().to_uppercase();
    let t = t.rsplit(':').next().unwrap_or("").trim().replace(['-', '/'], ".");
    match t.as_str() {
        "GOOG" => "GOOGL".into(),
        "BRKB" | "BRK" | "BRK.A" => "BRK.B".into(),
        "FOX" => "FOXA".into(),
        "NWS" => "NWSA".into(),
        "GPS" => "GAP".into(),
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_from_company_names() {
        assert_eq!(ticker_of_company("Broadcom").as_deref(), Some("AVGO"));
        assert_eq!(ticker_of_company("Broadcom, Inc").as_deref(), Some("AVGO"));
        assert_eq!(ticker_of_company("NVIDIA").as_deref(), Some("NVDA"));
        assert_eq!(ticker_of_company("Contoso"), None);
        assert_eq!(ticker_of_company("Inc."), None);
    }

    #[test]
    fn share_classes_fold() {
        assert_eq!(canonical_ticker("goog"), "GOOGL");
        assert_eq!(canonical_ticker("NYSE:BRK-B"), "BRK.B");
        assert_eq!(canonical_ticker("NASDAQ:MSFT"), "MSFT");
    }
}
