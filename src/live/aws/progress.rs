//! Progress of a scan on stderr: parts done of all, resources found, the parts still running.
//! Drawn only when asked (the CLI asks only when stderr is a terminal and --quiet is not given),
//! so CI logs and pipes stay clean.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::cell::RefCell;
use std::collections::BTreeSet;

pub(super) struct Progress {
    bar: Option<ProgressBar>,
    running: RefCell<BTreeSet<String>>,
    found: RefCell<usize>,
}

impl Progress {
    pub(super) fn new(show: bool, parts: impl Iterator<Item = String>) -> Progress {
        let total = parts.count() as u64;
        let bar = show.then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("live scan {pos}/{len} services · {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            running: RefCell::new(BTreeSet::new()),
            found: RefCell::new(0),
        }
    }

    pub(super) fn started(&self, part: &str) {
        self.running.borrow_mut().insert(part.to_string());
        self.draw();
    }

    pub(super) fn finished(&self, part: &str, resources: usize) {
        self.running.borrow_mut().remove(part);
        *self.found.borrow_mut() += resources;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        self.draw();
    }

    fn draw(&self) {
        if let Some(bar) = &self.bar {
            let running: Vec<String> = self.running.borrow().iter().cloned().collect();
            bar.set_message(format!(
                "{} resources found · reading {}",
                self.found.borrow(),
                if running.is_empty() {
                    "nothing".to_string()
                } else {
                    running.join(", ")
                }
            ));
        }
    }

    pub(super) fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
