//! Aligned plain-text columns for a terminal.

use std::io::{self, Write};

use super::Grid;
use crate::labels::Probs;

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

/// One block per question: what it is and where it came from on one line
/// (paths short: the folder all the listed files share left out), the
/// model's probabilities where it was asked, the text indented under it
/// and wrapped at `width` (too long for a column). Fields in
/// `QUESTION_COLUMNS` order.
pub fn write_questions(
    records: &[[String; 9]],
    probs: &[Option<Probs>],
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sources: Vec<&str> = records.iter().map(|r| r[7].as_str()).collect();
    let short = short_paths(&sources);
    for (([ticker, quarter, id, analyst, firm, label, by, _, text], source), p) in records.iter().zip(short).zip(probs)
    {
        let p = p.map_or(String::new(), |p| {
            format!(
                " (model: profitability {:.2}, investment {:.2}, other {:.2})",
                p.profitability, p.investment, p.other
            )
        });
        let head = format!("{ticker} {quarter} {id}  {analyst} ({firm})  {label}: {by}{p}  [{source}]");
        for (i, line) in wrap(&head, width.map(|w| w.saturating_sub(2).max(20)))
            .iter()
            .enumerate()
        {
            writeln!(out, "{}{line}", if i == 0 { "" } else { "  " })?;
        }
        for line in wrap(text, width.map(|w| w.saturating_sub(INDENT.len()).max(20))) {
            writeln!(out, "{INDENT}{line}")?;
        }
    }
    writeln!(out, "{} questions", records.len())
}

const INDENT: &str = "    ";

/// Paths without the folder they all share; a single file by its name.
fn short_paths(paths: &[&str]) -> Vec<String> {
    let folders = |p: &str| -> Vec<String> {
        let mut parts: Vec<String> = p.split('/').map(str::to_owned).collect();
        parts.pop();
        parts
    };
    let Some(first) = paths.first() else { return Vec::new() };
    let mut shared = folders(first);
    for p in paths {
        let f = folders(p);
        let n = shared.iter().zip(&f).take_while(|(a, b)| a == b).count();
        shared.truncate(n);
    }
    let cut: usize = shared.iter().map(|s| s.len() + 1).sum();
    paths.iter().map(|p| p[cut.min(p.len())..].to_owned()).collect()
}

/// `text` in lines of at most `width` characters, broken between words
/// (a longer word stands alone); one line when `width` is `None`.
fn wrap(text: &str, width: Option<usize>) -> Vec<String> {
    let Some(width) = width else {
        return vec![text.to_owned()];
    };
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("never empty");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_owned());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_between_words_and_paths_lose_their_shared_folder() {
        assert_eq!(
            wrap("how will capex grow next year", Some(12)),
            ["how will", "capex grow", "next year"]
        );
        assert_eq!(wrap("a b", None), ["a b"]);
        assert_eq!(
            short_paths(&["/c/s/1Q25/A.txt", "/c/s/2Q25/B.txt"]),
            ["1Q25/A.txt", "2Q25/B.txt"]
        );
        assert_eq!(short_paths(&["/c/s/A.txt", "/c/s/A.txt"]), ["A.txt", "A.txt"]);
    }
}
