//! Drawing the review screen with ratatui: the question and its context
//! on top, the model's view and earlier decisions below, then the status
//! and the keys. Everything fits 80x24; more room shows more text.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::app::{App, Mode};
use crate::labels::Label;

/// The keys, as the help screen and the last line show them.
const KEYS: &str = "1/p profitability  2/i investment  3/o other  Enter accept shown  s skip  u undo  \
                    f flag  n note  r whole reply  j/k scroll  ? help  q quit";

/// The classes as the labeling guidelines define them (shortened).
const CLASSES: [(Label, &str); 3] = [
    (
        Label::Profitability,
        "whether and how spending turns into returns: monetization of AI, AI or cloud revenue and \
         its growth drivers, AI's revenue contribution to existing businesses, pricing, margins, \
         ROI, unit economics, payback, depreciation's effect on margins, backlog / RPO.",
    ),
    (
        Label::Investment,
        "how much is being built and how: capex levels, guidance and trajectory, data centers, \
         GPUs / TPUs / custom chips and their procurement, capacity and its constraints, power, \
         supply chain, build-out timing and financing.",
    ),
    (
        Label::Other,
        "everything else: AI product and model strategy, competition, adoption without a \
         monetization angle, non-AI businesses (unless tied to AI), macro, accounting, \
         regulation, capital return not framed against capex, management.",
    ),
];

const RULE: &str = "Ask: what number or plan does the analyst want to hear? Returns, revenue, price or margin: \
                    profitability. Spending, capacity or supply: investment. Neither: other. A split question \
                    takes the topic developed most, then the first asked.";

fn heading(text: &str) -> Line<'static> {
    Line::styled(format!("── {text} "), Style::new().add_modifier(Modifier::BOLD))
}

pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let [head, body, model, decisions, note, status, keys] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_status(frame, app, status);
    frame.render_widget(Paragraph::new(KEYS).wrap(Wrap { trim: true }), keys);
    let Some(i) = app.session.cursor() else {
        let text = "Every question in the queue is decided or skipped. \
                    u undoes the last decision; q quits and prints what changed.";
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), body);
        draw_message(frame, app, note);
        return draw_overlay(frame, app, area);
    };
    let item = app.session.items()[i].clone();
    let q = &item.question;
    let quarter = q.calendar_quarter.as_deref().unwrap_or("?");
    let call = q.call_date.map(|d| format!(" · call {d}")).unwrap_or_default();
    let header = vec![
        Line::from(vec![
            Span::styled(format!("{} ", q.ticker), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(
                "{} · {} (calendar {quarter}){call}",
                q.company, q.fiscal_period
            )),
        ]),
        Line::raw(format!(
            "{}{} · turn {}, question {} · {}/{}",
            q.analyst,
            if q.firm.is_empty() {
                String::new()
            } else {
                format!(", {}", q.firm)
            },
            q.turn,
            q.index,
            i + 1,
            app.session.items().len()
        )),
    ];
    frame.render_widget(Paragraph::new(header), head);

    let whole = app.whole_reply;
    let reply = match whole {
        true => app
            .whole_reply()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("(the transcript {} could not be read again) {}", q.source, q.reply)),
        false => q.reply.clone(),
    };
    let mut text = Text::from(heading("Question"));
    text.push_line(Line::raw(q.text.clone()));
    text.push_line(Line::raw(""));
    text.push_line(heading(if whole {
        "Whole reply (r: opening)"
    } else {
        "Reply, opening (r: whole)"
    }));
    text.push_line(Line::raw(if reply.is_empty() { "(none)".to_owned() } else { reply }));
    let paragraph = Paragraph::new(text).wrap(Wrap { trim: false });
    let lines = paragraph.line_count(body.width) as u16;
    let max = lines.saturating_sub(body.height);
    app.scroll = app.scroll.min(max);
    frame.render_widget(paragraph.scroll((app.scroll, 0)), body);
    if app.scroll < max {
        let more = Rect {
            y: body.bottom() - 1,
            height: 1,
            x: body.right().saturating_sub(14),
            width: 14.min(body.width),
        };
        frame.render_widget(
            Paragraph::new("↓ more (j)").style(Style::new().add_modifier(Modifier::REVERSED)),
            more,
        );
    }

    let shown = app.session.shown(i);
    let probs: Vec<String> = Label::ALL
        .iter()
        .map(|l| format!("{l} {:.2}", item.probs.as_array()[l.index()]))
        .collect();
    let by = shown.by.as_deref().map_or("model".to_owned(), |a| format!("by {a}"));
    let model_line = Line::from(vec![
        Span::raw(format!("Model: {} · {} ", item.model, probs.join(" "))),
        Span::styled(
            format!("│ shown: {} ({by})", shown.label),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ]);
    frame.render_widget(Paragraph::new(model_line), model);

    let ds = app.session.decisions(i);
    let mut lines: Vec<Line> = ds
        .iter()
        .rev()
        .take(decisions.height as usize)
        .map(|d| {
            let note = d.note.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default();
            let flag = if d.flag { " [flagged]" } else { "" };
            Line::raw(format!(
                "{} {} {}{flag}{note}",
                d.annotator,
                d.label,
                d.at.format("%Y-%m-%d %H:%M")
            ))
        })
        .collect();
    if lines.is_empty() {
        lines.push(Line::raw("No human decision yet."));
    }
    frame.render_widget(Paragraph::new(lines), decisions);
    draw_message(frame, app, note);
    draw_overlay(frame, app, area);
}

/// The pending note, the note being typed, or feedback on the last key.
fn draw_message(frame: &mut Frame, app: &App, area: Rect) {
    let text = match (&app.mode, &app.session.note, &app.message) {
        (Mode::Note(typed), _, _) => format!("Note (Enter keeps, Esc drops): {typed}▏"),
        (_, Some(n), _) => format!("Note for the next decision: {n}"),
        (_, _, Some(m)) => m.clone(),
        _ => String::new(),
    };
    frame.render_widget(Paragraph::new(text), area);
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let s = &app.session;
    let t = s.tally();
    let text = format!(
        " {}/{} done · session: profitability {} investment {} other {} · model changed {} · flagged {} · {}",
        s.done(),
        s.items().len(),
        t.per_label[0],
        t.per_label[1],
        t.per_label[2],
        t.model_changed,
        t.flagged,
        s.annotator()
    );
    frame.render_widget(
        Paragraph::new(text).style(Style::new().add_modifier(Modifier::REVERSED)),
        area,
    );
}

fn draw_overlay(frame: &mut Frame, app: &App, area: Rect) {
    if app.mode != Mode::Help {
        return;
    }
    let mut text = Text::from(heading("Keys"));
    text.push_line(Line::raw(KEYS));
    text.push_line(heading("Classes (labeling guidelines)"));
    for (label, what) in CLASSES {
        text.push_line(Line::from(vec![
            Span::styled(format!("{label}: "), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(what),
        ]));
    }
    text.push_line(Line::raw(RULE));
    text.push_line(Line::styled(
        "Any key closes this help.",
        Style::new().add_modifier(Modifier::ITALIC),
    ));
    let block = Block::new().borders(Borders::ALL).title(" Help ");
    frame.render_widget(Clear, area);
    frame.render_widget(Paragraph::new(text).block(block).wrap(Wrap { trim: true }), area);
}
