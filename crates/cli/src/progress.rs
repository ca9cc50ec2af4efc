//! The one progress-bar style of the binary: on stderr, with position, rate and ETA, hidden
//! with `--quiet`. On a terminal the bar redraws in place; when stderr is not a terminal (a CI
//! log, a file) a plain line reports the bar every few seconds instead, so that a long run
//! shows that it is alive without filling the log.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

/// Time between two progress lines when stderr is not a terminal.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// A bar of `len` steps labelled `prefix`; `unit` names the steps ("codes", "generations").
pub fn bar(len: u64, prefix: &str, unit: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    if !std::io::stderr().is_terminal() {
        // A hidden bar keeps its state; a thread reports it while the bar lives and is not
        // finished (it holds only a weak reference, so it ends with the bar).
        let bar = ProgressBar::hidden();
        bar.set_length(len);
        let weak = bar.downgrade();
        let (prefix, unit) = (prefix.to_string(), unit.to_string());
        let _ = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || loop {
                std::thread::sleep(LOG_EVERY);
                let Some(b) = weak.upgrade() else { break };
                if b.is_finished() {
                    break;
                }
                let msg = b.message();
                crate::error::stderr_line(format_args!(
                    "lutforge: {prefix}: {}/{} {unit}{}{} ({:.0} s)",
                    b.position(),
                    b.length().unwrap_or(0),
                    if msg.is_empty() { "" } else { ", " },
                    msg,
                    b.elapsed().as_secs_f64()
                ));
            });
        return bar;
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{prefix}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} {{msg}} ({{elapsed}}, ETA {{eta}})"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(prefix.to_string());
    bar
}
