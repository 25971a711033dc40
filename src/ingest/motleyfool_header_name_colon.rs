//! `motleyfool_header_name_colon`: a Motley Fool page (see `fool`) under a
//! `====` block of `Key: value` lines (company, ticker, quarter, URL), as
//! the zhengcb81 collection keeps them.

use std::path::Path;

use super::{fool, meta, Format, IngestError};
use crate::call::Call;

pub struct MotleyFoolHeaderNameColon;

const RULE: &str = "=====";

/// The `Key: value` lines between the first two `====` rules, and the text after them.
fn header_block(text: &str) -> Option<(Vec<(&str, &str)>, &str)> {
    let is_rule = |l: &str| l.trim().len() >= 10 && l.trim().starts_with(RULE) && l.trim().chars().all(|c| c == '=');
    let (first, rest) = text.trim_start().split_once('\n')?;
    if !is_rule(first) {
        return None;
    }
    let mut fields = Vec::new();
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if is_rule(line) {
            return Some((fields, &rest[offset..]));
        }
        if let Some((k, v)) = line.split_once(':') {
            fields.push((k.trim(), v.trim()));
        }
    }
    None
}

impl Format for MotleyFoolHeaderNameColon {
    fn name(&self) -> &'static str {
        "motleyfool_header_name_colon"
    }

    fn detect(&self, text: &str) -> u8 {
        match header_block(text) {
            Some((fields, body)) if fields.iter().any(|(k, _)| *k == "Ticker") && fool::looks_like_page(body) => 90,
            Some((fields, _)) if fields.iter().any(|(k, _)| *k == "Ticker") => 40,
            _ => 0,
        }
    }

    fn parse(&self, text: &str, path: &Path) -> Result<Call, IngestError> {
        let malformed = |m: &str| IngestError::Malformed {
            format: self.name(),
            message: m.into(),
        };
        let (fields, body) = header_block(text).ok_or_else(|| malformed("no `====` header block"))?;
        let field = |k: &str| {
            fields
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
                .filter(|v| !v.is_empty())
        };
        let page = fool::parse(body);
        if page.turns.is_empty() {
            return Err(malformed("the page holds no transcript turns (summary only?)"));
        }
        let ticker = field("Ticker").map(str::to_owned).or(page.ticker).unwrap_or_default();
        // "Contoso (gloss)": the name without the gloss.
        let company = field("Company").map(|c| c.split(" (").next().unwrap_or(c).trim().to_owned());
        Ok(Call {
            source: path.to_path_buf(),
            format: self.name().into(),
            company: company.or(page.company).unwrap_or_else(|| ticker.clone()),
            ticker,
            fiscal: field("Quarter").and_then(meta::quarter_label).or(page.fiscal),
            spoken: None,
            call_date: page.call_date,
            participants: page.participants,
            turns: page.turns,
            notes: Vec::new(),
        })
    }
}
