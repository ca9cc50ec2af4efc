//! lutforge's commands as a library: the binary parses its command line into [`Cli`] and
//! calls [`run`]; the Python package runs a command line in-process through [`run_argv`], so a
//! search or a front from Python takes exactly the command's code path and writes its bytes.

pub mod args;
pub mod cmd;
pub mod error;
pub mod metrics;
pub mod out;
pub mod outputs;
mod progress;
mod quant;

use clap::{Parser, Subcommand};
use error::CliError;

#[derive(Parser)]
#[command(
    name = "lutforge",
    version,
    about = "PWL lookup-table units for quantized non-linear functions: search, simulate, generate Verilog, verify"
)]
pub struct Cli {
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

/// Runs one parsed command.
pub fn run(cli: Cli) -> Result<(), CliError> {
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

/// The arguments of a `gru pareto` command line (without the program name): what the Python
/// package's distributed search and its workers build the same problem from.
pub fn gru_pareto_args(argv: &[String]) -> Result<Box<cmd::gru::pareto::ParetoArgs>, String> {
    match parse(argv)?.command {
        Command::Gru(cmd::gru::GruArgs {
            command: cmd::gru::GruCommand::Pareto(a),
        }) => Ok(a),
        _ => Err("not a 'gru pareto' command line".into()),
    }
}

/// The arguments of a `pareto` (unit) command line, likewise.
pub fn unit_pareto_args(argv: &[String]) -> Result<Box<cmd::pareto::ParetoArgs>, String> {
    match parse(argv)?.command {
        Command::Pareto(a) => Ok(a),
        _ => Err("not a 'pareto' command line".into()),
    }
}

fn parse(argv: &[String]) -> Result<Cli, String> {
    Cli::try_parse_from(std::iter::once("lutforge".to_string()).chain(argv.iter().cloned()))
        .map_err(|e| {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid usage");
            first.trim_start_matches("error: ").to_string()
        })
}

/// Runs one command line (without the program name) in this process: the error's one-line
/// message, as the binary would print it after "lutforge: error: ", on failure.
pub fn run_argv(argv: &[String]) -> Result<(), String> {
    let cli =
        Cli::try_parse_from(std::iter::once("lutforge".to_string()).chain(argv.iter().cloned()))
            .map_err(|e| {
                let text = e.render().to_string();
                let first = text.lines().next().unwrap_or("invalid usage");
                first.trim_start_matches("error: ").to_string()
            })?;
    run(cli)
        .and_then(|_| out::flush())
        .map_err(|e| e.msg.lines().next().unwrap_or("").to_string())
}
