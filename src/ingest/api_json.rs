//! `api_json`: what financial-data APIs return for a transcript, an object
//! (or a one-element array) `{"symbol", "quarter", "year", "date",
//! "content"}` with the call in `content` as `Name: text` lines.

use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{name_colon, Format, IngestError};
use crate::call::{Call, FiscalPeriod};

pub struct ApiJson;

#[derive(Deserialize)]
struct Record {
    symbol: String,
    quarter: Option<u8>,
    year: Option<i32>,
    date: Option<String>,
    content: String,
    company: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Body {
    One(Record),
    Many(Vec<Record>),
}

impl Format for ApiJson {
    fn name(&self) -> &'static str {
        "api_json"
    }

    fn detect(&self, text: &str) -> u8 {
        let t = text.trim_start();
        if t.starts_with(['{', '[']) && t.contains("\"symbol\"") && t.contains("\"content\"") {
            90
        } else {
            0
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let malformed = |m: String| IngestError::Malformed {
            format: self.name(),
            message: m,
        };
        let body: Body = serde_json::from_str(text).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
        let r = match body {
            Body::One(r) => r,
            Body::Many(mut v) if v.len() == 1 => v.remove(0),
            Body::Many(v) => return Err(malformed(format!("holds {} calls; give one call a file", v.len()))),
        };
        let turns = name_colon::turns(&r.content);
        if turns.is_empty() {
            return Err(malformed("`content` has no `Name: text` turns".into()));
        }
        // "2025-01-29 17:30:00" or "2025-01-29".
        let call_date = r
            .date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d.get(..10)?, "%Y-%m-%d").ok());
        let fiscal = match (r.year, r.quarter) {
            (Some(year), Some(quarter @ 1..=4)) => Some(FiscalPeriod { year, quarter }),
            _ => None,
        };
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: r.company.unwrap_or_else(|| r.symbol.clone()),
            ticker: r.symbol,
            fiscal,
            spoken: None,
            call_date,
            participants: Vec::new(),
            turns,
            notes: Vec::new(),
        })
    }
}
