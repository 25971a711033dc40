//! The account a session gives at its end.

use std::fmt;

use super::session::Changes;
use crate::labels::Label;

/// `profitability +2, other -2`: the non-zero changes, in label order.
fn deltas(counts: &[i64; 3]) -> String {
    let parts: Vec<String> = Label::ALL
        .iter()
        .filter(|l| counts[l.index()] != 0)
        .map(|l| format!("{l} {:+}", counts[l.index()]))
        .collect();
    parts.join(", ")
}

impl fmt::Display for Changes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.tally;
        let per: Vec<String> = Label::ALL
            .iter()
            .map(|l| format!("{l} {}", t.per_label[l.index()]))
            .collect();
        writeln!(
            f,
            "This session: {} decisions ({}); {} flagged for discussion.",
            t.decided(),
            per.join(", "),
            t.flagged
        )?;
        if t.decided() > 0 {
            writeln!(
                f,
                "The model's label was right on {} of the {} questions decided ({} changed).",
                t.decided() - t.model_changed,
                t.decided(),
                t.model_changed
            )?;
        }
        if self.changed == 0 {
            return writeln!(f, "No label the report counts has changed.");
        }
        writeln!(
            f,
            "Labels the report counts changed on {} question{}: {}",
            self.changed,
            if self.changed == 1 { "" } else { "s" },
            deltas(&self.per_label)
        )?;
        for ((ticker, quarter), counts) in &self.cells {
            if counts.iter().any(|&c| c != 0) {
                writeln!(f, "  {ticker} {quarter}: {}", deltas(counts))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::session::Tally;

    #[test]
    fn names_what_changed_per_label_and_per_cell() {
        let mut c = Changes {
            tally: Tally {
                per_label: [1, 2, 0],
                model_changed: 2,
                flagged: 1,
            },
            changed: 2,
            per_label: [0, 2, -2],
            ..Changes::default()
        };
        c.cells.insert(("AMZN".into(), "2025Q4".parse().unwrap()), [0, 2, -2]);
        c.cells.insert(("MSFT".into(), "2025Q4".parse().unwrap()), [0, 0, 0]);
        let text = c.to_string();
        assert!(
            text.contains("3 decisions (profitability 1, investment 2, other 0); 1 flagged"),
            "{text}"
        );
        assert!(
            text.contains("right on 1 of the 3 questions decided (2 changed)"),
            "{text}"
        );
        assert!(
            text.contains("changed on 2 questions: investment +2, other -2"),
            "{text}"
        );
        assert!(text.contains("  AMZN 2025Q4: investment +2, other -2\n"), "{text}");
        assert!(!text.contains("MSFT"), "{text}");
    }
}
