//! GitHub-flavoured Markdown tables, for pasting into notes.

use std::io::{self, Write};

use super::Grid;

/// Pipes inside cells are escaped; runs of spaces (the padding that
/// aligns text columns) are collapsed, since Markdown aligns by itself.
fn cell(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}

pub fn write(grid: &Grid, out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = grid.header.iter().map(|h| cell(h)).collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    let align: Vec<&str> = grid.numeric.iter().map(|n| if *n { "---:" } else { "---" }).collect();
    writeln!(out, "| {} |", align.join(" | "))?;
    for row in &grid.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    Ok(())
}
