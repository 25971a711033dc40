//! Comma-separated values (RFC 4180 quoting), one row per company and
//! quarter plus a total per quarter.

use std::io::{self, Write};

use crate::aggregate::Summary;
use crate::labels::Label;

/// The columns before the per-label ones; each label then adds
/// `<label>_count`, `<label>_share`, `<label>_low`, `<label>_high`.
/// `estimate` names how the shares were estimated (`--estimate`).
pub const LEADING_COLUMNS: [&str; 9] = [
    "ticker",
    "company",
    "quarter",
    "total",
    "calls",
    "analysts",
    "questions",
    "human",
    "estimate",
];

pub fn columns() -> Vec<String> {
    let mut cols: Vec<String> = LEADING_COLUMNS.map(String::from).to_vec();
    for l in Label::ALL {
        cols.extend(["count", "share", "low", "high"].map(|part| format!("{}_{part}", l.name())));
    }
    cols
}

/// Quotes a field if it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

pub fn write_record<S: AsRef<str>>(fields: &[S], out: &mut dyn Write) -> io::Result<()> {
    let fields: Vec<String> = fields.iter().map(|f| field(f.as_ref())).collect();
    writeln!(out, "{}", fields.join(","))
}

/// Shares to 4 decimals; empty where a row has no questions.
fn number(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.4}")).unwrap_or_default()
}

pub fn write_summary(summary: &Summary, out: &mut dyn Write) -> io::Result<()> {
    write_record(&columns(), out)?;
    for r in &summary.rows {
        let c = &r.cell;
        let mut rec = vec![
            r.ticker.clone(),
            r.company.clone(),
            summary.quarter_label(r.quarter),
            r.total.to_string(),
            c.calls.to_string(),
            c.analysts.to_string(),
            c.questions.to_string(),
            c.human.to_string(),
            summary.estimate.to_string(),
        ];
        for l in Label::ALL {
            let s = c.share(l);
            rec.extend([s.count.to_string(), number(s.share), number(s.low), number(s.high)]);
        }
        write_record(&rec, out)?;
    }
    Ok(())
}
