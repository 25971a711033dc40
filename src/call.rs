//! The shape every transcript layout is read into.

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::quarter::FiscalPeriod;
use crate::quarter::Quarter;

/// Who is speaking. Only analysts ask the questions we count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Operator,
    Analyst,
    Executive,
    Unknown,
}

/// Prepared remarks or the question-and-answer session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    Remarks,
    Qa,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Turn {
    pub speaker: String,
    pub role: Role,
    pub firm: Option<String>,
    pub text: String,
    /// Set where the layout says it (a `q_and_a` list, a "Questions and
    /// Answers" rule); `segment` decides the rest.
    pub section: Option<Section>,
}

impl Turn {
    /// Appends a line of the transcript to what this speaker says.
    pub fn push_line(&mut self, line: &str) {
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
    }
}

/// A name from the call's participant lists, with what the list says of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    pub role: Role,
    pub firm: Option<String>,
}

/// Which call a question comes from, once `period::place` has placed it
/// in time: the one declaration of a call's identity, carried by every
/// `Question` and by every call the report counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallId {
    pub ticker: String,
    pub company: String,
    /// The company's own label, e.g. `FY2026 Q2`; written `""` when unknown.
    #[serde(with = "crate::quarter::fiscal_or_empty")]
    pub fiscal_period: Option<FiscalPeriod>,
    /// Last day of the fiscal quarter the call reports.
    pub period_end: Option<NaiveDate>,
    /// Calendar quarter containing `period_end`, e.g. `2025Q4`.
    pub calendar_quarter: Option<Quarter>,
    pub call_date: Option<NaiveDate>,
}

/// One earnings call as read from one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub source: PathBuf,
    /// The layout it was read as (`Format::name`).
    pub format: String,
    pub ticker: String,
    pub company: String,
    /// The quarter the file's label gives (a header, the file name).
    pub fiscal: Option<FiscalPeriod>,
    /// The quarter the call's opening says it reports (`meta::spoken_quarter`);
    /// `period::place` weighs it against `fiscal` and the call date.
    #[serde(default)]
    pub spoken: Option<FiscalPeriod>,
    pub call_date: Option<NaiveDate>,
    /// The rosters ("Conference Call Participants" and the like).
    pub participants: Vec<Participant>,
    pub turns: Vec<Turn>,
    /// What reading the file noticed and stderr should say: where its
    /// sources of metadata disagree, and which was trusted.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A call of ticker ACME with these turns and rosters and nothing else
/// known, for the unit tests of the modules that read calls.
#[cfg(test)]
pub(crate) fn fixture(turns: Vec<Turn>, participants: Vec<Participant>) -> Call {
    Call {
        source: "x".into(),
        format: "test".into(),
        ticker: "ACME".into(),
        company: "Acme".into(),
        fiscal: None,
        spoken: None,
        call_date: None,
        participants,
        turns,
        notes: vec![],
    }
}

/// An unlabelled-role turn, for the same tests.
#[cfg(test)]
pub(crate) fn said(speaker: &str, text: &str) -> Turn {
    Turn {
        speaker: speaker.into(),
        role: Role::Unknown,
        firm: None,
        text: text.into(),
        section: None,
    }
}
