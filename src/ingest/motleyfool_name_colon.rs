//! `motleyfool_name_colon`: a Motley Fool page (see `fool`) saved as plain
//! text with no wrapper (the nathan8823_index collection). What the page
//! lacks, the file name (`AMZN_2026_Q1_839a9c.transcript.txt`) supplies.

use std::path::Path;

use super::{fool, meta, Format, IngestError};
use crate::call::Call;

pub struct MotleyFoolNameColon;

impl Format for MotleyFoolNameColon {
    fn name(&self) -> &'static str {
        "motleyfool_name_colon"
    }

    fn detect(&self, text: &str) -> u8 {
        let t = text.trim_start();
        if t.starts_with(['{', '[', '=']) || !fool::looks_like_page(text) {
            0
        } else {
            70
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let page = fool::parse(text);
        if page.turns.is_empty() {
            return Err(IngestError::Malformed {
                format: self.name(),
                message: "the page holds no transcript turns (summary only?)".into(),
            });
        }
        let ticker = page
            .ticker
            .or_else(|| meta::ticker_from_file_name(path))
            .unwrap_or_default();
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: page.company.unwrap_or_else(|| ticker.clone()),
            ticker,
            fiscal: page
                .fiscal
                .or_else(|| meta::quarter_label(&path.file_name().unwrap_or_default().to_string_lossy())),
            spoken: None,
            call_date: page.call_date,
            participants: page.participants,
            turns: page.turns,
            notes: Vec::new(),
        })
    }
}
