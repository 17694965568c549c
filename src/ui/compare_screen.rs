//! The compare screen's state and keys: `m` marks a trace (A), `=` on another
//! trace (the list's selection or the open trace: B) loads both and compares them
//! (`crate::compare`, on the blocking pool); the screen opens on the first
//! divergence. `n`/`N` walk the rows that diverge, Enter opens the row's span in
//! its trace (B's, else A's), `x` swaps A and B, Esc goes back.

use crate::compare::{RowSide, TraceComparison};
use crate::model::TraceId;

use super::app::{Action, App, Effect, Screen};
use super::keys::{Key, Nav};
use super::layout;
use super::source::UiSource;

/// Lines above the rows: A's totals, B's, the deltas and divergence, the header.
pub const HEADER_LINES: u16 = 4;

pub const HELP: [(&str, &str); 6] = [
    ("n / N", "next / previous row where the runs diverge"),
    (
        "Enter",
        "open the row's span (in B; in A when only A has it)",
    ),
    ("x", "swap A and B"),
    ("y", "copy both trace ids"),
    ("Esc", "back"),
    (
        "markers",
        "= same · ~ changed · - only in A · + only in B · ▶ divergence",
    ),
];

#[derive(Debug, Clone)]
pub struct CompareScreen {
    pub a: TraceId,
    pub b: TraceId,
    /// `None` while loading.
    pub result: Option<Box<TraceComparison>>,
    pub selected: usize,
    pub offset: usize,
    /// Where Esc goes.
    pub return_to: Screen,
}

/// Loads both traces and compares them (runs on the blocking pool).
pub fn load(source: &dyn UiSource, a: TraceId, b: TraceId) -> Action {
    let detail = |id: TraceId| match source.detail(id) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(format!("trace {id} is not in the store")),
        Err(e) => Err(e.to_string()),
    };
    let result = detail(a).and_then(|da| {
        detail(b).map(|db| Box::new(crate::compare::compare_traces(a, &da.spans, b, &db.spans)))
    });
    Action::CompareLoaded(a, b, result)
}

impl App {
    fn compare_rows(&self) -> usize {
        let l = layout::compute(self.width, self.height, Screen::Compare);
        l.main.height.saturating_sub(HEADER_LINES).max(1) as usize
    }

    /// `m`: marks a trace as A (again: unmarks it).
    pub(super) fn mark(&mut self, id: TraceId) -> Vec<Effect> {
        if self.list.marked == Some(id) {
            self.list.marked = None;
            self.message = Some("unmarked".into());
        } else {
            self.list.marked = Some(id);
            let hex = id.to_hex();
            self.message = Some(format!(
                "marked {} as A · select or open another trace and press =",
                &hex[..8]
            ));
        }
        vec![]
    }

    /// `=`: compares the marked trace (A) with `b`.
    pub(super) fn compare_with(&mut self, b: TraceId) -> Vec<Effect> {
        let Some(a) = self.list.marked else {
            self.message = Some("mark a trace with m first, then press = on another".into());
            return vec![];
        };
        if a == b {
            self.message = Some("this is the marked trace: select another one".into());
            return vec![];
        }
        self.open_compare(a, b)
    }

    pub(super) fn open_compare(&mut self, a: TraceId, b: TraceId) -> Vec<Effect> {
        let return_to = match (&self.compare, self.screen) {
            (Some(c), Screen::Compare) => c.return_to,
            _ => self.screen,
        };
        self.compare = Some(CompareScreen {
            a,
            b,
            result: None,
            selected: 0,
            offset: 0,
            return_to,
        });
        self.screen = Screen::Compare;
        vec![Effect::LoadCompare(a, b)]
    }

    pub(super) fn compare_loaded(
        &mut self,
        a: TraceId,
        b: TraceId,
        result: Result<Box<TraceComparison>, String>,
    ) {
        let rows = self.compare_rows();
        let Some(c) = self.compare.as_mut().filter(|c| c.a == a && c.b == b) else {
            return;
        };
        match result {
            Ok(r) => {
                c.selected = r.divergence.as_ref().map_or(0, |d| d.row);
                c.offset = c.selected.saturating_sub(rows / 2);
                c.result = Some(r);
            }
            Err(e) => {
                self.message = Some(e);
                self.screen = c.return_to;
                self.compare = None;
            }
        }
    }

    pub(super) fn compare_navigate(&mut self, nav: Nav) {
        let rows = self.compare_rows();
        let Some(c) = self.compare.as_mut() else {
            return;
        };
        let len = c.result.as_ref().map_or(0, |r| r.rows.len());
        if let Some(row) = nav.apply(Some(c.selected), len, rows) {
            c.select(row, rows);
        }
    }

    pub(super) fn compare_click(&mut self, y: u16) {
        let rows = self.compare_rows();
        let l = layout::compute(self.width, self.height, Screen::Compare);
        let first = l.main.y + HEADER_LINES;
        let Some(c) = self.compare.as_mut() else {
            return;
        };
        if y < first || y >= l.main.bottom() {
            return;
        }
        let row = c.offset + (y - first) as usize;
        if c.result.as_ref().is_some_and(|r| row < r.rows.len()) {
            c.select(row, rows);
        }
    }

    pub(super) fn trace_compare_key(&mut self, key: Key) -> Vec<Effect> {
        let rows = self.compare_rows();
        let Some(c) = self.compare.as_mut() else {
            self.screen = Screen::Traces;
            return vec![];
        };
        match key {
            Key::Esc | Key::Char('h') => {
                self.screen = c.return_to;
            }
            Key::Char('x') => {
                let (a, b) = (c.b, c.a);
                return self.open_compare(a, b);
            }
            Key::Char('y') => {
                let text = format!("{} {}", c.a, c.b);
                self.message = Some("copied both trace ids".into());
                return vec![Effect::Copy(text)];
            }
            Key::Char('n') | Key::Char('N') => {
                let Some(r) = c.result.as_ref() else {
                    return vec![];
                };
                let rows_d: Vec<usize> = r.divergent_rows().collect();
                let next = if key == Key::Char('n') {
                    rows_d.iter().find(|&&i| i > c.selected).or(rows_d.first())
                } else {
                    rows_d
                        .iter()
                        .rev()
                        .find(|&&i| i < c.selected)
                        .or(rows_d.last())
                };
                match next {
                    Some(&i) => c.select(i, rows),
                    None => self.message = Some("the runs do not diverge".into()),
                }
            }
            Key::Enter | Key::Char('l') => {
                let Some(row) = c.result.as_ref().and_then(|r| r.rows.get(c.selected)) else {
                    return vec![];
                };
                let (id, span) = match (row.side, &row.b, &row.a) {
                    (RowSide::OnlyA, _, Some(a)) => (c.a, a.span_id),
                    (_, Some(b), _) => (c.b, b.span_id),
                    (_, _, Some(a)) => (c.a, a.span_id),
                    _ => return vec![],
                };
                return self.open_trace_at(id, Some(span));
            }
            _ => {}
        }
        vec![]
    }
}

impl CompareScreen {
    fn select(&mut self, row: usize, rows: usize) {
        self.selected = row;
        if row < self.offset {
            self.offset = row;
        } else if row >= self.offset + rows {
            self.offset = row + 1 - rows;
        }
    }
}
