//! Aligned plain-text columns for a terminal.

use std::io::{self, Write};

use super::Grid;

const GAP: &str = "  ";

/// Columns padded to their widest cell, numbers right-aligned, a rule
/// under the header, a blank line after each row listed in `breaks`.
pub fn write(grid: &Grid, out: &mut dyn Write) -> io::Result<()> {
    let widths: Vec<usize> = (0..grid.header.len())
        .map(|i| {
            grid.rows
                .iter()
                .map(|r| r[i].chars().count())
                .chain([grid.header[i].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&grid.numeric)
            .map(|((c, w), right)| if *right { format!("{c:>w$}") } else { format!("{c:<w$}") })
            .collect();
        padded.join(GAP).trim_end().to_owned()
    };
    writeln!(out, "{}", line(&grid.header))?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    writeln!(out, "{}", rule.join(GAP))?;
    for (i, row) in grid.rows.iter().enumerate() {
        writeln!(out, "{}", line(row))?;
        if grid.breaks.contains(&i) && i + 1 < grid.rows.len() {
            writeln!(out)?;
        }
    }
    Ok(())
}

/// One block per question: what it is and where it came from on one line,
/// the text indented under it (too long for a column). Fields in
/// `QUESTION_COLUMNS` order.
pub fn write_questions(records: &[[String; 9]], out: &mut dyn Write) -> io::Result<()> {
    for [ticker, quarter, id, analyst, firm, label, by, source, text] in records {
        writeln!(
            out,
            "{ticker} {quarter} {id}  {analyst} ({firm})  {label}: {by}  [{source}]"
        )?;
        writeln!(out, "    {text}")?;
    }
    writeln!(out, "{} questions", records.len())
}
