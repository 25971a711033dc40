//! Text on the chart: the built-in font, and a pen that places bitmap
//! glyphs with their side bearings.

use std::sync::Once;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Drawn;

/// DejaVu Sans (Bitstream Vera license, assets/fonts/DejaVuSans-LICENSE.txt),
/// built in so a machine with no fonts installed still draws text.
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "sans-serif";

pub(super) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Cannot fail: the bytes are the TTF built into the binary.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

fn style(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(color).pos(Pos::new(h, v))
}

/// Writes text. SVG gets whole strings (the viewer lays them out); bitmaps
/// get one glyph at a time, placed with its side bearing, because plotters'
/// bitmap text drops the bearing and "META" comes out as "ME TA".
pub(super) struct Pen {
    font: FontRef<'static>,
    by_glyph: bool,
}

impl Pen {
    pub(super) fn new(by_glyph: bool) -> Pen {
        Pen {
            font: FontRef::try_from_slice(FONT).expect("the built-in font parses"),
            by_glyph,
        }
    }

    /// Advance width in pixels at `size`.
    pub(super) fn width(&self, s: &str, size: f64) -> f32 {
        let f = self.font.as_scaled(size as f32);
        let mut w = 0.0;
        let mut prev = None;
        for c in s.chars() {
            let g = f.glyph_id(c);
            if let Some(p) = prev {
                w += f.kern(p, g);
            }
            w += f.h_advance(g);
            prev = Some(g);
        }
        w
    }

    pub(super) fn write<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        s: &str,
        (size, color): (f64, &RGBColor),
        (h, v): (HPos, VPos),
        (x, y): (i32, i32),
    ) -> Drawn<DB> {
        if !self.by_glyph {
            return area.draw_text(s, &style(size, color, h, v), (x, y));
        }
        let mut pen = match h {
            HPos::Left => x as f32,
            HPos::Center => x as f32 - self.width(s, size) / 2.0,
            HPos::Right => x as f32 - self.width(s, size),
        };
        let f = self.font.as_scaled(size as f32);
        let glyph_style = style(size, color, HPos::Left, v);
        let mut prev = None;
        for c in s.chars() {
            let g = f.glyph_id(c);
            if let Some(p) = prev {
                pen += f.kern(p, g);
            }
            prev = Some(g);
            if let Some(outline) = f.outline_glyph(f.scaled_glyph(c)) {
                let left = (pen + outline.px_bounds().min.x).round() as i32;
                area.draw_text(&c.to_string(), &glyph_style, (left, y))?;
            }
            pen += f.h_advance(g);
        }
        Ok(())
    }
}
