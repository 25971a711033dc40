//! How each label looks on the chart: fill, hatching, text colour, and
//! its name in the legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Drawn;
use crate::labels::Label;

/// What a label looks like.
pub(super) struct Look {
    fill: RGBColor,
    /// Hatching over the fill, in this colour.
    pub(super) hatch: Option<RGBColor>,
    pub(super) text: RGBColor,
}

pub(super) fn look(label: Label) -> Look {
    match label {
        Label::Profitability => Look {
            fill: RGBColor(31, 58, 104),
            hatch: None,
            text: WHITE,
        },
        Label::Investment => Look {
            fill: RGBColor(236, 160, 84),
            hatch: Some(RGBColor(70, 40, 10)),
            text: BLACK,
        },
        Label::Other => Look {
            fill: RGBColor(228, 228, 228),
            hatch: None,
            text: BLACK,
        },
    }
}

/// The note's names for the classes.
pub(super) fn legend_name(label: Label) -> &'static str {
    match label {
        Label::Profitability => "AI business profitability",
        Label::Investment => "AI investment plan",
        Label::Other => "Other",
    }
}

/// Diagonal lines (45 degrees, `/`) clipped to a rectangle.
fn hatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x0, y0): (i32, i32),
    (x1, y1): (i32, i32),
    color: &RGBColor,
) -> Drawn<DB> {
    const SPACING: i32 = 7;
    let mut c = x0 + y0 + SPACING;
    while c < x1 + y1 {
        // The points with x + y = c inside the rectangle.
        let xa = x0.max(c - y1);
        let xb = x1.min(c - y0);
        if xa < xb {
            area.draw(&PathElement::new(
                vec![(xa, c - xa), (xb, c - xb)],
                color.stroke_width(1),
            ))?;
        }
        c += SPACING;
    }
    Ok(())
}

/// A filled box in a label's look, outlined in black.
pub(super) fn swatch<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    label: Label,
    a: (i32, i32),
    b: (i32, i32),
) -> Drawn<DB> {
    let l = look(label);
    area.draw(&Rectangle::new([a, b], l.fill.filled()))?;
    if let Some(h) = l.hatch {
        hatch(area, a, b, &h)?;
    }
    area.draw(&Rectangle::new([a, b], BLACK.stroke_width(1)))
}
