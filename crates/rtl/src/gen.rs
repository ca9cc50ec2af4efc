//! `lutforge gen`: a directory a hardware engineer can take away — the unit (file name = module
//! name), the self-checking testbench with its vectors, and a README saying how to run it.

use crate::render::{render_unit, MODULE};
use crate::testbench;
use lutforge_core::{io, Error, Params, Result, Table};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::stimulus::VecStimulus;
use lutforge_sim::trace::TraceWriter;
use lutforge_sim::unit::{Arith, Unit, UnitConfig};
use lutforge_sim::RunOptions;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub scale: i32,
    pub format: Option<NumFormat>,
    pub programmable: bool,
    pub stages: u32,
    pub lanes: usize,
    /// Probability of an output stall in the testbench's stimulus.
    pub stall_prob: f64,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            scale: 0,
            format: None,
            programmable: false,
            stages: 4,
            lanes: 1,
            stall_prob: 0.25,
            seed: 1,
        }
    }
}

/// The files `generate` writes, in order.
pub const FILES: [&str; 5] = [
    "lutforge_unit.v",
    "lutforge_tb.v",
    "stimulus.hex",
    "expected.hex",
    "README.md",
];

/// What was generated.
#[derive(Clone, Debug)]
pub struct Generated {
    pub cfg: UnitConfig,
    pub params: Params,
    pub files: Vec<PathBuf>,
    pub cycles: usize,
    pub samples: u64,
}

/// The header comment of a generated unit: enough to trace the file back to its table.
pub fn header(table: &Table, cfg: &UnitConfig, params: &Params, scale: i32) -> Vec<String> {
    let f = &table.formats;
    let mut h = vec![
        format!(
            "function {} on [{}, {}], {} segments, input scale 2^-{scale}",
            table.function.name(),
            lutforge_core::format::Num(table.domain.0),
            lutforge_core::format::Num(table.domain.1),
            table.segments
        ),
        format!(
            "table provenance: method {}{}, lutforge {}",
            table.provenance.method,
            table
                .provenance
                .seed
                .map(|s| format!(", seed {s}"))
                .unwrap_or_default(),
            table.provenance.lutforge_version
        ),
    ];
    match (&cfg.arith, params) {
        (Arith::Int(dp), Params::Int(p)) => {
            h.push(format!(
                "formats (bits, frac): input ({}, {}), slope {}, intercept {}, output {}, rounding {}",
                dp.input.bits, dp.input.frac, dp.slope, dp.intercept, dp.output, dp.rounding
            ));
            h.push(format!("breakpoints (input codes): {:?}", p.breakpoints));
            h.push(format!("slopes (codes): {:?}", p.slopes));
            h.push(format!("intercepts (codes): {:?}", p.intercepts));
        }
        (_, Params::Fp32(p)) => {
            h.push(format!(
                "IEEE-754 binary32 unit (from the table's formats: slope {}, intercept {}, output {})",
                f.slope, f.intercept, f.output
            ));
            h.push(format!("breakpoints: {:?}", p.breakpoints));
            h.push(format!("slopes: {:?}", p.slopes));
            h.push(format!("intercepts: {:?}", p.intercepts));
        }
        _ => {}
    }
    h.push(format!(
        "{} stage(s), {} lane(s), {} table",
        cfg.stages,
        cfg.lanes,
        if cfg.programmable {
            "programmable"
        } else {
            "fixed"
        }
    ));
    h
}

/// Every input code of the unit's input format at this scale, as unit words: integer codes
/// (shifted up when the unit is wider than the table), or the binary32 bit patterns of their
/// values for an FP32 unit (an FP32 table, or any table built with `--format fp32`).
pub fn all_codes(table: &Table, scale: i32, format: Option<NumFormat>) -> Vec<i64> {
    let bits = table.formats.input_bits.min(16);
    let lo = -(1i64 << (bits - 1));
    let fp32 = match format {
        Some(f) => f == NumFormat::Fp32,
        None => table.arith == lutforge_core::Arith::Fp32,
    };
    (lo..-lo)
        .map(|c| match format {
            _ if fp32 => lutforge_core::fp32::code_to_f32(c, scale).to_bits() as i64,
            Some(NumFormat::Int(n)) if n > table.formats.input_bits => {
                c << (n - table.formats.input_bits)
            }
            _ => c,
        })
        .collect()
}

/// Refuses a directory that holds files `generate` does not write, unless `force`.
pub fn check_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::io(dir, "exists and is not a directory"));
    }
    if !dir.exists() || force {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for e in entries {
        let name = e.map_err(|e| Error::io(dir, e))?.file_name();
        let name = name.to_string_lossy();
        if !FILES.contains(&name.as_ref()) && !name.starts_with("lutforge_tb.v") {
            return Err(Error::io(
                dir,
                format!("holds other files ({name}); choose an empty directory or pass --force"),
            ));
        }
    }
    Ok(())
}

/// Writes the unit, testbench, vectors and README for one scale of `table` into `dir`.
pub fn generate(table: &Table, opts: &GenOptions, dir: &Path, force: bool) -> Result<Generated> {
    check_dir(dir, force)?;
    let (cfg, params) = unit_for(
        table,
        opts.scale,
        &UnitShape {
            format: opts.format,
            lanes: opts.lanes,
            stages: opts.stages,
            programmable: opts.programmable,
        },
    )?;
    let unit_v = render_unit(&cfg, &params, &header(table, &cfg, &params, opts.scale))?;

    // The testbench's vectors: every input code once, with random output stalls.
    let codes = all_codes(table, opts.scale, opts.format);
    let mut unit = Unit::new(cfg, &params)?;
    let mut stim = VecStimulus::samples(&codes, cfg.lanes);
    let tmp = io::TempDir::new()?;
    let trace = tmp.path().join("sim.trace");
    let file = std::fs::File::create(&trace).map_err(|e| Error::io(&trace, e))?;
    let mut tw = TraceWriter::new(std::io::BufWriter::new(file));
    let run = RunOptions {
        stall_prob: opts.stall_prob,
        seed: opts.seed,
    };
    let stats = lutforge_sim::run(&mut unit, &mut stim, &run, &mut [&mut tw], |_| Ok(()))?;
    drop(tw);
    let vectors = testbench::from_trace(&cfg, &trace)?;

    let mut staged = io::StagedDir::create(dir)?;
    let readme = readme(table, &cfg, opts, vectors.cycles);
    let contents = [
        unit_v,
        vectors.testbench,
        vectors.stimulus,
        vectors.expected,
        readme,
    ];
    let mut files = Vec::new();
    for (name, text) in FILES.iter().zip(contents) {
        staged.write_file(name, text.as_bytes())?;
        files.push(dir.join(name));
    }
    // The directory appears (or replaces the old one) as a whole; see io::StagedDir.
    staged.commit(force)?;
    Ok(Generated {
        cfg,
        params,
        files,
        cycles: vectors.cycles,
        samples: stats.samples,
    })
}

fn readme(table: &Table, cfg: &UnitConfig, opts: &GenOptions, cycles: usize) -> String {
    let w = cfg.widths();
    let fmt = match cfg.arith {
        Arith::Int(_) => format!("int{}", w.x),
        Arith::Fp32 => "fp32".into(),
    };
    format!(
        "# {MODULE}: {} ({} segments, scale {}, {fmt})\n\n\
         Generated by lutforge {} from a `lutforge-table/1` file; the header of `{MODULE}.v`\n\
         records the table values and formats.\n\n\
         | file | what it is |\n|---|---|\n\
         | `{MODULE}.v` | the unit: plain Verilog-2005, {} stage(s), {} lane(s), {} table |\n\
         | `lutforge_tb.v` | self-checking testbench: replays `stimulus.hex`, checks `expected.hex` |\n\
         | `stimulus.hex`, `expected.hex` | {cycles} cycles from lutforge-sim: every input code, random output stalls |\n\n\
         Ports, registers, handshake and the table write port are specified in lutforge's\n\
         docs/sim.md; the arithmetic in docs/semantics.md.\n\n\
         ```sh\n\
         iverilog -g2005 -o tb.vvp lutforge_tb.v {MODULE}.v && vvp tb.vvp        # prints PASS\n\
         vvp tb.vvp +vcd                                                            # also writes lutforge_tb.vcd\n\
         verilator --lint-only -Wall {MODULE}.v                                      # no warnings\n\
         yosys -p 'synth -top {MODULE}; stat'  {MODULE}.v\n\
         lutforge synth .                                                           # cells, transistors, gate equivalents\n\
         ```\n",
        table.function.name(),
        table.segments,
        opts.scale,
        lutforge_core::VERSION,
        cfg.stages,
        cfg.lanes,
        if cfg.programmable { "programmable (cfg_we/cfg_addr/cfg_data)" } else { "fixed" },
    )
}
