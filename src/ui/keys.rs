//! Keys: the terminal-independent `Key`, movement (`Nav`), the key handling of
//! every screen, and the key table the help overlay and docs/KEYBINDINGS.md show.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::{App, Column, DetailTab, Effect, Input, Pane, Screen};
use super::trace_modes::TreeMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Char(char),
    Ctrl(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
}

impl Key {
    /// Maps a terminal key press; releases and unknown keys are `None`.
    pub fn from_crossterm(ev: KeyEvent) -> Option<Key> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        Some(match ev.code {
            KeyCode::Char(c) if ctrl => Key::Ctrl(c.to_ascii_lowercase()),
            KeyCode::Char(c) => Key::Char(c),
            KeyCode::Enter => Key::Enter,
            KeyCode::Esc => Key::Esc,
            KeyCode::Tab => Key::Tab,
            KeyCode::BackTab => Key::BackTab,
            KeyCode::Up => Key::Up,
            KeyCode::Down => Key::Down,
            KeyCode::Left => Key::Left,
            KeyCode::Right => Key::Right,
            KeyCode::PageUp => Key::PageUp,
            KeyCode::PageDown => Key::PageDown,
            KeyCode::Home => Key::Home,
            KeyCode::End => Key::End,
            KeyCode::Backspace => Key::Backspace,
            _ => return None,
        })
    }
}

/// The keys of one terminal key event. No screen binds Alt: an Alt+key is what
/// crossterm reports when Esc and a key arrive together (typed fast, or over SSH),
/// so it is Esc, then the key.
pub fn keys_of(ev: KeyEvent) -> Vec<Key> {
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    let plain = KeyEvent {
        modifiers: ev.modifiers - KeyModifiers::ALT,
        ..ev
    };
    match Key::from_crossterm(plain) {
        // Esc Esc read together arrives as Alt+Esc: two Escs.
        Some(k) if alt => vec![Key::Esc, k],
        Some(k) => vec![k],
        None => vec![],
    }
}

/// A movement of a selection or scroll position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Up(usize),
    Down(usize),
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Nav {
    fn from_key(key: Key) -> Option<Nav> {
        Some(match key {
            Key::Char('j') | Key::Down => Nav::Down(1),
            Key::Char('k') | Key::Up => Nav::Up(1),
            Key::PageDown | Key::Ctrl('d') | Key::Ctrl('f') => Nav::PageDown,
            Key::PageUp | Key::Ctrl('u') | Key::Ctrl('b') => Nav::PageUp,
            Key::Char('g') | Key::Home => Nav::Top,
            Key::Char('G') | Key::End => Nav::Bottom,
            _ => return None,
        })
    }

    /// New row for a selection at `cur` in a list of `len` rows.
    pub fn apply(self, cur: Option<usize>, len: usize, page: usize) -> Option<usize> {
        if len == 0 {
            return None;
        }
        let cur = cur.unwrap_or(0);
        let last = len - 1;
        Some(match self {
            Nav::Up(n) => cur.saturating_sub(n),
            Nav::Down(n) => (cur + n).min(last),
            Nav::PageUp => cur.saturating_sub(page),
            Nav::PageDown => (cur + page).min(last),
            Nav::Top => 0,
            Nav::Bottom => last,
        })
    }

    /// New scroll position (the view clamps it to the content).
    pub fn scroll(self, cur: usize, page: usize) -> usize {
        match self {
            Nav::Up(n) => cur.saturating_sub(n),
            Nav::Down(n) => cur + n,
            Nav::PageUp => cur.saturating_sub(page),
            Nav::PageDown => cur + page,
            Nav::Top => 0,
            Nav::Bottom => usize::MAX / 2,
        }
    }
}

/// The help overlay's table for a screen: (keys, what they do).
pub fn help(screen: Screen, pane: Option<Pane>) -> Vec<(&'static str, &'static str)> {
    let mut keys = vec![
        ("j/k ↓/↑", "move"),
        ("g/G Home/End", "first / last"),
        ("PgUp/PgDn ^u/^d", "page up / down"),
    ];
    match (screen, pane) {
        (Screen::Traces, _) => keys.extend([
            ("Enter", "open the trace"),
            (
                "/",
                "filter (service: model: status:error session: tokens>N duration>2s name~x)",
            ),
            ("Esc", "clear the filter / leave the session"),
            ("s / r", "sort by next column / reverse"),
            ("e", "errors only on/off"),
            ("p or Space", "pause / resume live updates"),
            ("S", "group by session"),
            ("C", "cost and tokens"),
            ("E", "error timeline"),
            ("V", "eval scorecards"),
            ("y", "copy the trace id"),
            ("m", "mark the trace as A of a comparison"),
            ("=", "compare the marked trace (A) with this one (B)"),
        ]),
        (Screen::Sessions, _) => keys.extend([
            ("Enter", "the session's traces, in order"),
            ("S or Esc", "back to traces"),
            ("C", "cost and tokens"),
            ("E", "error timeline"),
            ("V", "eval scorecards"),
            ("y", "copy the session id"),
        ]),
        (Screen::Cost, _) => keys.extend([
            ("w", "window: 15m, 1h, 24h, all"),
            (
                "Tab/S-Tab ←/→ 1-6",
                "models, services, projects, sessions, users, top traces",
            ),
            ("Enter", "open the top trace / the session's traces"),
            ("y", "copy the top trace's id"),
            ("Esc", "back"),
        ]),
        (Screen::Evals, _) => keys.extend(super::evals_screen::HELP),
        (Screen::Trace, Some(Pane::Detail)) => keys.extend([
            ("Tab or Esc", "back to the span tree"),
            ("[ ] or 1-5", "Chat, Attributes, Events, Logs, Raw"),
            ("/", "filter attributes"),
            ("s", "show / hide the system prompt"),
            ("y", "copy this tab's text"),
        ]),
        (Screen::Errors, _) => keys.extend([
            (
                "Enter or l",
                "a group's occurrences; an occurrence's trace at the failing span",
            ),
            ("Esc or h", "back to the groups; from the groups, back"),
            ("w", "window: 15m, 1h, 24h, all"),
            ("r", "reload now"),
            ("y", "copy the fingerprint / the occurrence's trace id"),
            (
                "markers",
                "↻ retry chain · ⤳ fallback · ◐ degraded (also in traces and tree)",
            ),
        ]),
        (Screen::Trace, _) => keys.extend([
            ("Enter or Tab", "into the span detail"),
            ("h/l ←/→", "collapse / expand"),
            ("Space", "collapse or expand"),
            ("n / N", "next / previous error or LLM call"),
            ("c", "critical path: only its spans, each one's share"),
            ("f", "agent flow: the steps in order (Enter: to the span)"),
            ("[ ] or 1-5", "Chat, Attributes, Events, Logs, Raw"),
            ("y / Y", "copy the span id / the trace id"),
            (
                "m / =",
                "mark as A / compare the marked trace with this one",
            ),
            ("markers", "◆ on the critical path · dim time: self time"),
            ("Esc", "back to the trace list (from c/f: to the tree)"),
        ]),
        (Screen::Compare, _) => keys.extend(super::compare_screen::HELP),
    }
    if matches!(screen, Screen::Cost | Screen::Errors | Screen::Evals) {
        keys.push(("C / E / V", "cost · error timeline · eval scorecards"));
    }
    keys.extend([
        ("?", "this help"),
        ("q", "quit (asks when data arrived in the last minute)"),
        ("Q ^c", "quit at once"),
    ]);
    keys
}

impl App {
    pub(super) fn on_key(&mut self, key: Key) -> Vec<Effect> {
        if let Some(input) = self.input.take() {
            return self.on_input_key(input, key);
        }
        if self.help {
            if matches!(key, Key::Char('?') | Key::Esc | Key::Char('q') | Key::Enter) {
                self.help = false;
            }
            return vec![];
        }
        if let Some(effects) = self.quit_key(key) {
            return effects;
        }
        if key == Key::Char('?') {
            self.help = true;
            return vec![];
        }
        if let Some(nav) = Nav::from_key(key) {
            self.navigate(nav);
            return vec![];
        }
        match self.screen {
            // The analysis screens reach each other directly.
            Screen::Errors | Screen::Evals if key == Key::Char('C') => self.open_cost(),
            Screen::Cost | Screen::Evals if key == Key::Char('E') => self.open_errors(),
            Screen::Cost | Screen::Errors if key == Key::Char('V') => self.open_evals(),
            Screen::Traces => self.traces_key(key),
            Screen::Sessions => self.sessions_key(key),
            Screen::Trace => self.trace_key(key),
            Screen::Cost => self.cost_key(key),
            Screen::Errors => self.errors_key(key),
            Screen::Evals => self.evals_key(key),
            Screen::Compare => self.trace_compare_key(key),
        }
    }

    fn on_input_key(&mut self, input: Input, key: Key) -> Vec<Effect> {
        let (mut text, is_trace_filter) = match input {
            Input::TraceFilter(t) => (t, true),
            Input::AttributeFilter(t) => (t, false),
        };
        match key {
            Key::Enter if is_trace_filter => return self.apply_filter(text),
            Key::Enter => {
                self.input = None;
                return vec![];
            }
            Key::Esc => {
                if !is_trace_filter && let Some(t) = self.trace.as_mut() {
                    t.attribute_filter.clear();
                }
                self.input = None;
                return vec![];
            }
            Key::Backspace => {
                text.pop();
            }
            Key::Char(c) => text.push(c),
            _ => {}
        }
        if is_trace_filter {
            self.input = Some(Input::TraceFilter(text));
        } else {
            if let Some(t) = self.trace.as_mut() {
                t.attribute_filter = text.clone();
                t.detail_scroll = 0;
            }
            self.input = Some(Input::AttributeFilter(text));
        }
        vec![]
    }

    fn traces_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Enter => {
                if let Some(id) = self.list.selected {
                    return self.open_trace(id);
                }
            }
            Key::Char('/') => self.input = Some(Input::TraceFilter(self.list.filter_text.clone())),
            Key::Esc => {
                if self.list.session.take().is_some() {
                    self.screen = Screen::Sessions;
                    self.list.sort = None;
                    return vec![Effect::LoadTraces(self.list_query())];
                }
                if !self.list.filter_text.is_empty() {
                    return self.apply_filter(String::new());
                }
            }
            Key::Char('s') => {
                let pos = self
                    .list
                    .sort
                    .and_then(|c| Column::ALL.iter().position(|x| *x == c));
                self.list.sort = match pos {
                    None => Some(Column::ALL[0]),
                    Some(p) if p + 1 < Column::ALL.len() => Some(Column::ALL[p + 1]),
                    Some(_) => None,
                };
                self.resort();
            }
            Key::Char('r') => {
                self.list.ascending = !self.list.ascending;
                if self.list.sort.is_none() {
                    self.list.sort = Some(Column::Time);
                }
                self.resort();
            }
            Key::Char('e') => {
                let mut q = self.list.query.clone();
                q.errors_only = !q.errors_only;
                let text = toggle_word(&self.list.filter_text, "status:error", q.errors_only);
                return self.apply_filter(text);
            }
            Key::Char('p') | Key::Char(' ') => {
                self.list.paused = !self.list.paused;
                if !self.list.paused && self.list.pending > 0 {
                    self.list.pending = 0;
                    return vec![Effect::LoadTraces(self.list_query())];
                }
            }
            Key::Char('S') | Key::Tab => self.screen = Screen::Sessions,
            Key::Char('C') => return self.open_cost(),
            Key::Char('E') => return self.open_errors(),
            Key::Char('V') => return self.open_evals(),
            Key::Char('m') => {
                if let Some(id) = self.list.selected {
                    return self.mark(id);
                }
            }
            Key::Char('=') => {
                if let Some(id) = self.list.selected {
                    return self.compare_with(id);
                }
            }
            Key::Char('y') => {
                if let Some(id) = self.list.selected {
                    self.message = Some(format!("copied trace id {id}"));
                    return vec![Effect::Copy(id.to_string())];
                }
            }
            _ => {}
        }
        vec![]
    }

    fn sessions_key(&mut self, key: Key) -> Vec<Effect> {
        match key {
            Key::Enter => {
                if let Some(s) = self.sessions.sessions.get(self.sessions.selected) {
                    self.list.session = Some(s.session.clone());
                    self.list.sort = Some(Column::Time);
                    self.list.ascending = true;
                    self.list.selected = None;
                    self.screen = Screen::Traces;
                    return vec![Effect::LoadTraces(self.list_query())];
                }
            }
            Key::Esc | Key::Char('S') | Key::Tab => self.screen = Screen::Traces,
            Key::Char('C') => return self.open_cost(),
            Key::Char('E') => return self.open_errors(),
            Key::Char('V') => return self.open_evals(),
            Key::Char('y') => {
                if let Some(s) = self.sessions.sessions.get(self.sessions.selected) {
                    self.message = Some(format!("copied session id {}", s.session));
                    return vec![Effect::Copy(s.session.clone())];
                }
            }
            _ => {}
        }
        vec![]
    }

    fn trace_key(&mut self, key: Key) -> Vec<Effect> {
        if let Some(effects) = self.step_key(key) {
            return effects;
        }
        let Some(t) = self.trace.as_mut() else {
            self.screen = Screen::Traces;
            return vec![];
        };
        let tab_index = DetailTab::ALL.iter().position(|x| *x == t.tab).unwrap_or(0);
        match key {
            Key::Char(c @ '1'..='5') => {
                t.tab = DetailTab::ALL[c as usize - '1' as usize];
                t.detail_scroll = 0;
            }
            Key::Char(']') => {
                t.tab = DetailTab::ALL[(tab_index + 1) % DetailTab::ALL.len()];
                t.detail_scroll = 0;
            }
            Key::Char('[') => {
                t.tab =
                    DetailTab::ALL[(tab_index + DetailTab::ALL.len() - 1) % DetailTab::ALL.len()];
                t.detail_scroll = 0;
            }
            _ if t.pane == Pane::Detail => match key {
                Key::Tab | Key::BackTab | Key::Esc | Key::Char('h') | Key::Left => {
                    t.pane = Pane::Tree
                }
                Key::Char('/') if t.tab == DetailTab::Attributes => {
                    self.input = Some(Input::AttributeFilter(t.attribute_filter.clone()));
                }
                Key::Char('s') => t.system_expanded = !t.system_expanded,
                Key::Char('y') => {
                    let text = super::views::span_detail::plain_text(t);
                    self.message = Some(format!("copied the {} tab", t.tab.title()));
                    return vec![Effect::Copy(text)];
                }
                _ => {}
            },
            Key::Enter | Key::Tab => {
                t.pane = Pane::Detail;
                t.detail_scroll = 0;
            }
            Key::Esc => {
                self.screen = t.return_to;
                self.trace = None;
            }
            Key::Char('h') | Key::Left => self.collapse(true),
            Key::Char('l') | Key::Right => self.collapse(false),
            Key::Char(' ') => {
                let collapsed = t.selected.is_some_and(|s| t.collapsed.contains(&s));
                self.collapse(!collapsed);
            }
            Key::Char('Y') => {
                let id = t.trace_id.to_string();
                self.message = Some(format!("copied trace id {id}"));
                return vec![Effect::Copy(id)];
            }
            Key::Char('c') => return self.toggle_mode(TreeMode::CriticalPath),
            Key::Char('f') => return self.toggle_mode(TreeMode::Flow),
            Key::Char('m') => {
                let id = t.trace_id;
                return self.mark(id);
            }
            Key::Char('=') => {
                let id = t.trace_id;
                return self.compare_with(id);
            }
            Key::Char('n') => self.jump(true),
            Key::Char('N') => self.jump(false),
            Key::Char('y') => {
                let (what, id) = match t.selected {
                    Some(s) => ("span", s.to_string()),
                    None => ("trace", t.trace_id.to_string()),
                };
                self.message = Some(format!("copied {what} id {id}"));
                return vec![Effect::Copy(id)];
            }
            _ => {}
        }
        vec![]
    }
}

/// Adds or removes a word in a filter line.
fn toggle_word(text: &str, word: &str, on: bool) -> String {
    let mut words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| *w != word && *w != "errors")
        .collect();
    if on {
        words.push(word);
    }
    words.join(" ")
}
