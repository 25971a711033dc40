//! Keys to actions: the review's state machine, testable without a terminal.

use std::collections::HashMap;
use std::path::Path;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::session::Session;
use crate::labels::{Label, LabelsError};
use crate::question::Question;

/// What the screen shows besides the question.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Review,
    /// The keys and the class definitions.
    Help,
    /// A note being typed, for the next decision on the question shown.
    Note(String),
}

pub struct App {
    pub session: Session,
    pub mode: Mode,
    /// Show the executives' whole reply rather than its opening.
    pub whole_reply: bool,
    /// Lines scrolled down in the question and reply.
    pub scroll: u16,
    /// One line of feedback on the last key (undone, nothing to undo, ...).
    pub message: Option<String>,
    pub quit: bool,
    /// Whole replies read so far, by queue position (`None`: not found).
    replies: HashMap<usize, Option<String>>,
}

/// The label a key decides, if it is one: `1`/`p`, `2`/`i`, `3`/`o`.
fn label_key(c: char) -> Option<Label> {
    match c {
        '1' | 'p' => Some(Label::Profitability),
        '2' | 'i' => Some(Label::Investment),
        '3' | 'o' => Some(Label::Other),
        _ => None,
    }
}

/// The executives' whole reply to the question's turn, read again from its
/// transcript (questions keep only the reply's opening).
fn read_whole_reply(q: &Question) -> Option<String> {
    let call = crate::ingest::read_file(Path::new(&q.source), None).ok()?;
    crate::segment::whole_reply(&call, q.turn)
}

impl App {
    pub fn new(session: Session) -> App {
        App {
            session,
            mode: Mode::Review,
            whole_reply: false,
            scroll: 0,
            message: None,
            quit: false,
            replies: HashMap::new(),
        }
    }

    /// The whole reply to the question shown, read once per question.
    pub fn whole_reply(&mut self) -> Option<&str> {
        let i = self.session.cursor()?;
        let q = &self.session.items()[i].question;
        self.replies.entry(i).or_insert_with(|| read_whole_reply(q)).as_deref()
    }

    /// Acts on one key. An error is a decision that could not be written:
    /// the session must end rather than go on without it.
    pub fn handle(&mut self, key: KeyEvent) -> Result<(), LabelsError> {
        if key.kind == KeyEventKind::Release {
            return Ok(());
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            self.quit = true;
            return Ok(());
        }
        match &mut self.mode {
            Mode::Help => self.mode = Mode::Review,
            Mode::Note(text) => match key.code {
                KeyCode::Enter => {
                    let note = text.trim().to_owned();
                    self.session.note = (!note.is_empty()).then_some(note);
                    self.mode = Mode::Review;
                }
                KeyCode::Esc => self.mode = Mode::Review,
                KeyCode::Backspace => {
                    text.pop();
                }
                KeyCode::Char(c) => text.push(c),
                _ => {}
            },
            Mode::Review => return self.review_key(key.code),
        }
        Ok(())
    }

    fn review_key(&mut self, code: KeyCode) -> Result<(), LabelsError> {
        let before = self.session.cursor();
        self.message = None;
        match code {
            KeyCode::Char(c) if label_key(c).is_some() => {
                self.session.decide(label_key(c).expect("a label key"), false)?
            }
            KeyCode::Enter => self.session.accept(false)?,
            KeyCode::Char('f') => self.session.accept(true)?,
            KeyCode::Char('s') => self.session.skip(),
            KeyCode::Char('u') => {
                let undone = self.session.undo()?;
                self.message = undone.is_none().then(|| "nothing to undo".into());
            }
            KeyCode::Char('n') if before.is_some() => {
                self.mode = Mode::Note(self.session.note.clone().unwrap_or_default());
            }
            KeyCode::Char('r') => self.whole_reply = !self.whole_reply,
            KeyCode::Char('?') => self.mode = Mode::Help,
            KeyCode::Char('q') | KeyCode::Esc => self.quit = true,
            KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            _ => {}
        }
        if self.session.cursor() != before || code == KeyCode::Char('u') {
            self.scroll = 0;
            self.whole_reply = false;
        }
        Ok(())
    }
}
