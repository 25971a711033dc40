//! `motleyfool_json_transcript_field`: a JSON object with `ticker`,
//! `company`, `year`, `quarter`, `url` and the whole Motley Fool page (see
//! `fool`) in `transcript` (the nathan8823 collection). Some hold only the
//! page's summary: those are refused with a diagnostic, not read as a call
//! without questions.

use std::path::Path;

use serde::Deserialize;

use super::{fool, meta, Format, IngestError};
use crate::call::{Call, FiscalPeriod};

pub struct MotleyFoolJsonTranscriptField;

#[derive(Deserialize)]
struct Record {
    ticker: Option<String>,
    company: Option<String>,
    title: Option<String>,
    year: Option<i32>,
    quarter: Option<u8>,
    transcript: Option<String>,
}

impl Format for MotleyFoolJsonTranscriptField {
    fn name(&self) -> &'static str {
        "motleyfool_json_transcript_field"
    }

    fn detect(&self, text: &str) -> u8 {
        let t = text.trim_start();
        let keys = ["\"transcript\"", "\"ticker\"", "\"url\""];
        if t.starts_with('{') && keys.iter().all(|k| t.contains(k)) {
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
        let r: Record = serde_json::from_str(text).map_err(|e| malformed(format!("invalid JSON: {e}")))?;
        let transcript = r
            .transcript
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| malformed("no `transcript` text".into()))?;
        let page = fool::parse(&transcript);
        if page.turns.is_empty() {
            return Err(malformed(
                "`transcript` holds only the page's summary, no speaker turns".into(),
            ));
        }
        let fiscal = match (r.year, r.quarter) {
            (Some(year), Some(quarter @ 1..=4)) => Some(FiscalPeriod { year, quarter }),
            _ => r.title.as_deref().and_then(meta::quarter_label).or(page.fiscal),
        };
        let ticker = r.ticker.or(page.ticker).unwrap_or_default();
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: r.company.or(page.company).unwrap_or_else(|| ticker.clone()),
            ticker,
            fiscal,
            spoken: None,
            call_date: page.call_date,
            participants: page.participants,
            turns: page.turns,
            notes: Vec::new(),
        })
    }
}
