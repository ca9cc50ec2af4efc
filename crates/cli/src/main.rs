//! `lutforge`: the command-line front end over the lutforge libraries.

mod args;
mod cmd;
mod error;
mod metrics;
mod out;
mod outputs;
mod progress;
mod quant;

use clap::{Parser, Subcommand};
use error::{stderr_line, CliError};

#[derive(Parser)]
#[command(
    name = "lutforge",
    version,
    about = "PWL lookup-table units for quantized non-linear functions: search, simulate, generate Verilog, verify"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the built-in functions and their default domains.
    Functions(cmd::functions::FunctionsArgs),
    /// Print every metric of every scale of a table.
    Eval(cmd::eval::EvalArgs),
    /// Convert a foreign LUT file (GQA-LUT JSON) into a table file.
    Import(cmd::interop::ImportArgs),
    /// Write a table file in a foreign format (GQA-LUT JSON).
    Export(cmd::interop::ExportArgs),
    /// Search a table: the GQA-LUT genetic algorithm, our GA, or the exact optimum.
    Search(cmd::search::SearchArgs),
    /// Draw a table's function, hardware output and error as an SVG.
    Plot(cmd::plot::PlotArgs),
    /// Simulate a table's unit cycle by cycle: throughput, stalls, energy, power, trace, VCD.
    Sim(cmd::sim::SimArgs),
    /// Area, energy per operation and power of a table's unit in INT8, INT16, INT32 and FP32.
    Cost(cmd::cost::CostArgs),
    /// Mixed-precision Pareto front of the unit: error vs area vs energy (NSGA-II).
    Pareto(Box<cmd::pareto::ParetoArgs>),
    /// Write the unit's Verilog, a self-checking testbench and its vectors into a directory.
    Gen(cmd::gen::GenArgs),
    /// Check the RTL against the simulator cycle by cycle (Verilator; Icarus for the testbench).
    Verify(cmd::verify::VerifyArgs),
    /// Synthesize the unit with Yosys: cells, transistors, gate equivalents, FPGA resources.
    Synth(cmd::synth::SynthArgs),
    /// Every architecture that meets an error bound (direct table, PWL units), side by side.
    Explore(Box<cmd::explore::ExploreArgs>),
    /// Mixed-precision integer GRUs: tasks, training, import, evaluation, bit-width search.
    Gru(cmd::gru::GruArgs),
}

fn run(cli: Cli) -> Result<(), CliError> {
    match &cli.command {
        Command::Functions(a) => cmd::functions::run(a),
        Command::Eval(a) => cmd::eval::run(a),
        Command::Import(a) => cmd::interop::import(a),
        Command::Export(a) => cmd::interop::export(a),
        Command::Search(a) => cmd::search::run(a),
        Command::Plot(a) => cmd::plot::run(a),
        Command::Sim(a) => cmd::sim::run_cmd(a),
        Command::Cost(a) => cmd::cost::run(a),
        Command::Pareto(a) => cmd::pareto::run(a),
        Command::Gen(a) => cmd::gen::run(a),
        Command::Verify(a) => cmd::verify::run(a),
        Command::Synth(a) => cmd::synth::run(a),
        Command::Explore(a) => cmd::explore::run(a),
        Command::Gru(a) => cmd::gru::run(a),
    }
}

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
            lutforge_core::io::cleanup::run();
            std::process::exit(128 + sig);
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
    if let Err(e) = run(cli).and_then(|_| out::flush()) {
        if !e.msg.is_empty() {
            stderr_line(format_args!("lutforge: error: {e}"));
        }
        std::process::exit(e.code);
    }
}
