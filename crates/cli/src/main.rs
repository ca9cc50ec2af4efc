//! `lutforge`: the command-line front end over the lutforge libraries.

use clap::Parser;
use lutforge::error::stderr_line;
use lutforge::{run, Cli};

/// SIGINT, SIGTERM and SIGHUP end the run: staged outputs and temporary directories are
/// removed, child tools are terminated, earlier outputs stay as they were, and the exit code is
/// 128 + the signal (130, 143, 129).
fn install_signal_handlers() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            lutforge_core::io::cleanup::run_and_exit(128 + sig);
        }
    });
}

/// A panic is a defect, but it must not leave staged files behind either.
fn install_panic_cleanup() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        lutforge_core::io::cleanup::run();
        default(info);
    }));
}

/// The subcommands the command line names, e.g. `lutforge gru train`.
fn subcommand_path() -> String {
    use clap::CommandFactory;
    let mut cmd = Cli::command();
    let mut path = vec!["lutforge".to_string()];
    for a in std::env::args().skip(1) {
        match cmd.find_subcommand(&a) {
            Some(sub) => {
                path.push(a);
                cmd = sub.clone();
            }
            None => break,
        }
    }
    path.join(" ")
}

/// A usage error as clap words it, in two lines: the error with its items ("the following
/// required arguments …: --output <OUTPUT>, <TABLES>…") on the first, and one hint line — the
/// "did you mean" tip, if clap has one, and the subcommand's help — without the usage block.
fn usage_error(text: &str) -> String {
    let mut lines = text.lines();
    let mut first = lines
        .next()
        .unwrap_or("invalid usage")
        .trim_start_matches("error: ")
        .to_string();
    let mut command = subcommand_path();
    let mut items = Vec::new();
    let mut tips = Vec::new();
    for l in lines {
        let t = l.trim();
        if let Some(u) = t.strip_prefix("Usage: ") {
            // "lutforge gru train --task <TASK> …" → "lutforge gru train".
            command = u
                .split_whitespace()
                .take_while(|w| !w.starts_with(['-', '<', '[']))
                .collect::<Vec<_>>()
                .join(" ");
            break;
        }
        if let Some(tip) = t.strip_prefix("tip: ") {
            tips.push(tip.to_string());
        } else if !t.is_empty() && !t.starts_with("For more information") {
            items.push(t.to_string());
        }
    }
    if !items.is_empty() {
        let sep = if first.ends_with(':') { " " } else { ": " };
        first = format!("{first}{sep}{}", items.join(", "));
    }
    tips.push(format!("see '{command} --help'"));
    format!("lutforge: error: {first}\n  {}", tips.join("; "))
}

fn main() {
    install_signal_handlers();
    install_panic_cleanup();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                std::process::exit(
                    if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                        2
                    } else {
                        0
                    },
                );
            }
            stderr_line(usage_error(&e.render().to_string()));
            std::process::exit(2);
        }
    };
    if let Err(e) = run(cli).and_then(|_| lutforge::out::flush()) {
        if !e.msg.is_empty() {
            stderr_line(format_args!("lutforge: error: {e}"));
        }
        std::process::exit(e.code);
    }
}
