//! The chart of the research note's Figure 2 (right panel): per quarter, a
//! group of bars, one per company, each stacked by label: the counts, or
//! under another `--estimate` each share of the bar's questions. Each
//! label has its own fill *and* pattern (solid dark, hatched, plain light)
//! and every segment tall enough carries its count, so the chart reads in
//! black and white. SVG or PNG, by the file's extension.

mod marks;
mod text;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::ReportError;
use crate::aggregate::Summary;
use crate::labels::Label;
use marks::{legend_name, look, swatch};
use text::{register_font, Pen};

struct Bar {
    ticker: String,
    calls: usize,
    questions: usize,
    /// Per label: its estimated number of the bar's questions.
    counts: [f64; 3],
}

struct Group {
    quarter: String,
    bars: Vec<Bar>,
}

fn groups(summary: &Summary) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for r in summary.rows.iter().filter(|r| !r.total) {
        let quarter = summary.quarter_label(r.quarter);
        if groups.last().is_none_or(|g| g.quarter != quarter) {
            groups.push(Group {
                quarter,
                bars: Vec::new(),
            });
        }
        let bar = Bar {
            ticker: r.ticker.clone(),
            calls: r.cell.calls,
            questions: r.cell.questions,
            counts: r.cell.estimated_counts(),
        };
        groups.last_mut().expect("pushed above").bars.push(bar);
    }
    groups
}

// Layout in pixels.
const MIN_SLOT: i32 = 46; // one bar and the space beside it
const MAX_SLOT: i32 = 80;
const MIN_WIDTH: i32 = 760; // room for the legend and the caption
const GROUP_GAP: i32 = 26;
const LEFT: i32 = 60;
const RIGHT: i32 = 24;
const TOP: i32 = 104;
const BOTTOM: i32 = 118;
const PLOT_HEIGHT: i32 = 330;

/// More bars than fit a page, and a bitmap that grows without bound.
pub const MAX_BARS: usize = 120;

/// Draws the chart to `path` (`.svg` or `.png`); `source` names the data
/// in the caption line.
/// Refuses a chart path whose file type is neither `.svg` nor `.png`, so
/// that `report` can check it before any work.
pub fn check_path(path: &Path) -> Result<(), ReportError> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("svg" | "png") => Ok(()),
        _ => Err(ReportError::ChartExtension(path.display().to_string())),
    }
}

pub fn write(summary: &Summary, path: &Path, source: &str) -> Result<(), ReportError> {
    register_font();
    let groups = groups(summary);
    let bars: usize = groups.iter().map(|g| g.bars.len()).sum();
    if bars > MAX_BARS {
        return Err(ReportError::TooManyBars(bars));
    }
    let bars = bars as i32;
    // Few bars widen to fill the minimum width rather than leave it empty.
    let gaps = groups.len() as i32 * GROUP_GAP;
    let slot = ((MIN_WIDTH - LEFT - RIGHT - gaps) / bars.max(1)).clamp(MIN_SLOT, MAX_SLOT);
    let size = (
        (LEFT + bars * slot + gaps + RIGHT).max(MIN_WIDTH) as u32,
        (TOP + PLOT_HEIGHT + BOTTOM) as u32,
    );
    let caption = caption(summary, source);
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let err = |e: String| ReportError::Chart(format!("{}: {e}", path.display()));
    match ext.as_deref() {
        Some("svg") => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            draw(&root, &Pen::new(false), &groups, slot, &caption, summary)
                .and_then(|_| root.present())
                .map_err(|e| err(e.to_string()))
        }
        Some("png") => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            draw(&root, &Pen::new(true), &groups, slot, &caption, summary)
                .and_then(|_| root.present())
                .map_err(|e| err(e.to_string()))
        }
        _ => Err(ReportError::ChartExtension(path.display().to_string())),
    }
}

/// The period, the counts behind the bars and where the data came from.
fn caption(summary: &Summary, source: &str) -> [String; 2] {
    let quarters: Vec<String> = summary.rows.iter().map(|r| summary.quarter_label(r.quarter)).collect();
    let period = match (quarters.first(), quarters.last()) {
        (Some(a), Some(b)) if a != b => format!("{a} to {b}"),
        (Some(a), _) => a.clone(),
        _ => "no calls".to_owned(),
    };
    let (human, model) = summary.label_sources();
    [
        format!(
            "Period: {period}, by {}. {} calls, {} analyst questions; labels: {human} human-reviewed, {model} model-predicted; shares by {}.",
            summary.by.name().replace('-', " "),
            summary.calls.len(),
            human + model,
            summary.estimate,
        ),
        format!("Source: earnings-call transcripts ({source}); counted with earnings-qa."),
    ]
}

/// A round step giving at most about six gridlines up to `max`.
fn step(max: usize) -> usize {
    let raw = (max as f64 / 6.0).max(1.0);
    let mag = 10f64.powf(raw.log10().floor());
    let nice = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .find(|m| m * mag >= raw)
        .unwrap_or(10.0);
    (nice * mag) as usize
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pen: &Pen,
    groups: &[Group],
    slot: i32,
    caption: &[String; 2],
    summary: &Summary,
) -> Drawn<DB> {
    use HPos::{Center, Left, Right};
    use VPos::{Bottom, Top};
    area.fill(&WHITE)?;
    let (width, _) = area.dim_in_pixel();
    let base = TOP + PLOT_HEIGHT;
    let plot_right = width as i32 - RIGHT;
    let max = groups
        .iter()
        .flat_map(|g| &g.bars)
        .map(|b| b.questions)
        .max()
        .unwrap_or(0)
        .max(1);
    let step = step(max);
    // A step of headroom over the tallest bar, for the total above it.
    let top_value = (max / step + 1) * step;
    let y = |v: f64| base - (v / top_value as f64 * PLOT_HEIGHT as f64).round() as i32;

    pen.write(
        area,
        "Analyst questions by type, per company and quarter",
        (19.0, &BLACK),
        (Left, Top),
        (12, 12),
    )?;

    // Legend, one swatch per label, on a line under the title.
    let mut x = 12;
    for label in Label::ALL {
        swatch(area, label, (x, 48), (x + 22, 62))?;
        let name = legend_name(label);
        pen.write(area, name, (14.0, &BLACK), (Left, VPos::Center), (x + 30, 55))?;
        x += 30 + pen.width(name, 14.0).round() as i32 + 28;
    }

    // The y axis: its title over it, gridlines, values.
    pen.write(area, "Questions", (13.0, &BLACK), (Left, Bottom), (12, TOP - 12))?;
    for v in (0..=top_value).step_by(step) {
        let yy = y(v as f64);
        area.draw(&PathElement::new(
            vec![(LEFT, yy), (plot_right, yy)],
            RGBColor(210, 210, 210).stroke_width(1),
        ))?;
        pen.write(
            area,
            &v.to_string(),
            (13.0, &BLACK),
            (Right, VPos::Center),
            (LEFT - 8, yy),
        )?;
    }
    area.draw(&PathElement::new(
        vec![(LEFT, TOP - 6), (LEFT, base), (plot_right, base)],
        BLACK.stroke_width(1),
    ))?;

    // Bars, group by group.
    let mut x = LEFT + GROUP_GAP / 2;
    for (gi, g) in groups.iter().enumerate() {
        let group_start = x;
        for bar in &g.bars {
            let width = slot * 3 / 4;
            let (x0, x1) = (x + (slot - width) / 2, x + (slot + width) / 2);
            let mid_x = (x0 + x1) / 2;
            let mut below = 0.0;
            for label in Label::ALL {
                let n = bar.counts[label.index()];
                if n <= 0.0 {
                    continue;
                }
                let (ya, yb) = (y(below + n), y(below));
                swatch(area, label, (x0, ya), (x1, yb))?;
                if yb - ya >= 15 {
                    let l = look(label);
                    let (s, mid_y) = (format!("{n:.0}"), (ya + yb) / 2);
                    if l.hatch.is_some() {
                        // A white patch keeps the digits legible over the hatching.
                        let hw = (pen.width(&s, 12.0) / 2.0).round() as i32 + 3;
                        area.draw(&Rectangle::new(
                            [(mid_x - hw, mid_y - 8), (mid_x + hw, mid_y + 8)],
                            WHITE.filled(),
                        ))?;
                    }
                    pen.write(area, &s, (12.0, &l.text), (Center, VPos::Center), (mid_x, mid_y))?;
                }
                below += n;
            }
            let above = if bar.calls == 0 {
                "no call".to_owned()
            } else {
                bar.questions.to_string()
            };
            pen.write(area, &above, (12.0, &BLACK), (Center, Bottom), (mid_x, y(below) - 3))?;
            pen.write(area, &bar.ticker, (12.0, &BLACK), (Center, Top), (mid_x, base + 6))?;
            x += slot;
        }
        pen.write(
            area,
            &g.quarter,
            (14.0, &BLACK),
            (Center, Top),
            ((group_start + x) / 2, base + 26),
        )?;
        if gi + 1 < groups.len() {
            let sep = x + GROUP_GAP / 2;
            area.draw(&PathElement::new(
                vec![(sep, base), (sep, base + 44)],
                RGBColor(150, 150, 150).stroke_width(1),
            ))?;
        }
        x += GROUP_GAP;
    }
    let x_title = format!("Company, grouped by quarter ({})", summary.by.name().replace('-', " "));
    pen.write(
        area,
        &x_title,
        (14.0, &BLACK),
        (Center, Top),
        ((LEFT + plot_right) / 2, base + 52),
    )?;
    for (i, line) in caption.iter().enumerate() {
        pen.write(
            area,
            line,
            (12.0, &RGBColor(60, 60, 60)),
            (Left, Top),
            (12, base + 80 + 17 * i as i32),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::step;

    #[test]
    fn gridline_steps_are_round() {
        assert_eq!(step(3), 1);
        assert_eq!(step(18), 5);
        assert_eq!(step(40), 10);
        assert_eq!(step(250), 50);
    }
}
