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
/// The keys, on the last line: 80 columns.
const KEYS: [(&str, &str); 9] = [
    ("1/p 2/i 3/o", "label"),
    ("Enter", "accept"),
    ("s", "skip"),
    ("u", "undo"),
    ("f", "flag"),
    ("n", "note"),
    ("r", "reply"),
    ("?", "help"),
    ("q", "quit"),
];

/// The keys in full, for the help screen.
const KEYS_LONG: &str = "1 or p: profitability · 2 or i: investment · 3 or o: other · Enter: accept the label \
                         shown · s: skip · u: undo the last decision (again: the one before) · f: accept and \
                         flag for discussion · n: note for the next decision · r: whole reply / its opening · \
                         j k PgDn PgUp: scroll · ?: this help · q: quit";

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
        Constraint::Length(2),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_status(frame, app, status);
    let spans = KEYS.iter().flat_map(|(key, what)| {
        [
            Span::styled(*key, Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(" {what} ")),
        ]
    });
    frame.render_widget(Paragraph::new(Line::from_iter(spans)), keys);
    let Some(i) = app.session.cursor() else {
        let text = "Every question in the queue is decided or skipped. \
                    u undoes the last decision; q quits and prints what changed.";
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), body);
        draw_message(frame, app, false, note);
        return draw_overlay(frame, app, area);
    };
    let item = app.session.items()[i].clone();
    let q = &item.question;
    let quarter = q
        .call
        .calendar_quarter
        .map_or_else(|| "?".to_owned(), |q| q.to_string());
    let call = q.call.call_date.map(|d| format!(" · call {d}")).unwrap_or_default();
    let header = vec![
        Line::from(vec![
            Span::styled(format!("{} ", q.call.ticker), Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!(
                "{} · {} (calendar {quarter}){call}",
                q.call.company,
                crate::quarter::fiscal_or_empty::label(q.call.fiscal_period)
            )),
        ]),
        Line::raw(format!(
            "{}/{} · turn {}, question {} · {}{}",
            i + 1,
            app.session.items().len(),
            q.turn,
            q.index,
            q.analyst,
            if q.firm.is_empty() {
                String::new()
            } else {
                format!(", {}", q.firm)
            },
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
    let more = app.scroll < max;

    let shown = app.session.shown(i);
    let probs: Vec<String> = Label::ALL
        .iter()
        .map(|l| {
            format!(
                "{} {:.2}",
                l.name()[..1].to_uppercase(),
                item.probs.as_array()[l.index()]
            )
        })
        .collect();
    let by = shown
        .by
        .as_deref()
        .map_or("the model".to_owned(), |a| format!("by {a}"));
    let model_line = Line::from(vec![
        Span::raw(format!("Model: {} ({})  ", item.model, probs.join(" "))),
        Span::styled(
            format!("Counts as: {} ({by})", shown.label),
            Style::new().add_modifier(Modifier::BOLD),
        ),
    ]);
    frame.render_widget(Paragraph::new(model_line).wrap(Wrap { trim: true }), model);

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
    draw_message(frame, app, more, note);
    draw_overlay(frame, app, area);
}

/// The note being typed, the pending note, feedback on the last key, or
/// that the text goes on below (`more`).
fn draw_message(frame: &mut Frame, app: &App, more: bool, area: Rect) {
    let text = match (&app.mode, &app.session.note, &app.message) {
        (Mode::Note(typed), _, _) => format!("Note (Enter keeps, Esc drops): {typed}▏"),
        (_, Some(n), _) => format!("Note for the next decision: {n}"),
        (_, _, Some(m)) => m.clone(),
        _ if more => "↓ more below: j or PgDn (k or PgUp back)".to_owned(),
        _ => String::new(),
    };
    frame.render_widget(
        Paragraph::new(text).style(Style::new().add_modifier(Modifier::ITALIC)),
        area,
    );
}

fn draw_status(frame: &mut Frame, app: &App, area: Rect) {
    let s = &app.session;
    let t = s.tally();
    let text = format!(
        " {}/{} done · session P {} I {} O {} · model changed {} · flagged {} · {}",
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
    text.push_line(Line::raw(KEYS_LONG));
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
