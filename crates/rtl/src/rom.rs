//! The direct-table unit's Verilog (`rtl_templates/unit_rom.v`): a fixed ROM of one word per
//! input code behind the one-stage unit's valid/ready interface. It is the design the PWL unit
//! is measured against (`examples/rom_crossover.rs`); the simulator does not model it yet.

use crate::render::check_module_name;
use askama::Template;
use lutforge_core::{Error, Result};

struct RomShape {
    name: String,
    version: &'static str,
    header: Vec<String>,
    nx: u32,
    ny: u32,
    /// (input code, output code) as exact-width hex digits.
    words: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "unit_rom.v", escape = "none")]
struct RomUnit {
    u: RomShape,
}

/// `bits` low bits of `v` as ceil(bits / 4) hex digits.
fn hex(v: i64, bits: u32) -> String {
    let m = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    format!("{:0w$x}", v as u64 & m, w = bits.div_ceil(4) as usize)
}

/// The module `name` holding `words` (one per input code of an `nx`-bit input, lowest code
/// first, as `lutforge_core::rom::words` gives them) as `ny`-bit outputs.
pub fn render_rom(
    name: &str,
    nx: u32,
    ny: u32,
    words: &[i64],
    header: &[String],
) -> Result<String> {
    check_module_name(name)?;
    if words.len() as u64 != 1u64 << nx {
        return Err(Error::internal(format!(
            "{} words for a {nx}-bit input",
            words.len()
        )));
    }
    let lo = -(1i64 << (nx - 1));
    let u = RomShape {
        name: name.to_string(),
        version: lutforge_core::VERSION,
        header: header.to_vec(),
        nx,
        ny,
        words: words
            .iter()
            .enumerate()
            .map(|(i, &y)| (hex(lo + i as i64, nx), hex(y, ny)))
            .collect(),
    };
    let mut v = RomUnit { u }
        .render()
        .map_err(|e| Error::internal(format!("template unit_rom.v: {e}")))?;
    v.push('\n');
    Ok(v)
}

/// The one-stage unit's cycles, as `lutforge-trace/1` lines, for `codes` offered back to back
/// with random output stalls: the register loads `words[code]` at an edge where it is empty
/// or taken (`in_ready`), exactly as `unit_rom.v` does. The testbench replays them.
pub fn trace(words: &[i64], nx: u32, ny: u32, codes: &[i64], stall_prob: f64, seed: u64) -> String {
    use rand::{Rng, SeedableRng};
    use std::fmt::Write as _;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let lo = -(1i64 << (nx - 1));
    let (mut valid, mut y) = (false, 0i64);
    let mut next = 0;
    let mut out = String::from("# lutforge-trace/1\n# direct table, 1 stage, 1 lane, fixed\n");
    let mut cycle = 0u64;
    while next < codes.len() || valid {
        let in_valid = next < codes.len();
        let x = if in_valid { codes[next] } else { 0 };
        let out_ready = rng.gen::<f64>() >= stall_prob;
        let in_ready = !valid || out_ready;
        let b = |v: bool| if v { '1' } else { '0' };
        let _ = writeln!(
            out,
            "{cycle} {} {} {} {} {} {} 0 0 0",
            b(in_valid),
            b(in_ready),
            hex(x, nx),
            b(valid),
            b(out_ready),
            hex(y, ny)
        );
        if in_ready {
            valid = in_valid;
            if in_valid {
                y = words[(x - lo) as usize];
                next += 1;
            }
        }
        cycle += 1;
    }
    out
}

/// What `generate` wrote.
pub struct RomGenerated {
    pub module: String,
    pub files: Vec<std::path::PathBuf>,
    pub cycles: usize,
    pub words: usize,
    pub max_err_lsb: f64,
}

/// The port shape of the direct-table unit: the testbench and the Verilator harness need only
/// its widths, which a one-segment integer unit of the same input and output has.
pub fn port_shape(nx: u32, ny: u32) -> lutforge_sim::unit::UnitConfig {
    use lutforge_core::{Datapath, FixedFormat, Rounding};
    lutforge_sim::unit::UnitConfig {
        arith: lutforge_sim::unit::Arith::Int(Datapath {
            input: FixedFormat::new(nx, 0),
            slope: FixedFormat::new(2, 0),
            intercept: FixedFormat::new(ny, 0),
            output: FixedFormat::new(ny, 0),
            rounding: Rounding::HalfUp,
        }),
        segments: 1,
        lanes: 1,
        stages: 1,
        programmable: false,
    }
}

/// Writes the direct-table unit of `table` at `scale` (its function, domain, input width and
/// output format; correctly rounded), its self-checking testbench replaying every input code
/// through random output stalls, a README and the manifest into `dir`, as a whole.
pub fn generate(
    table: &lutforge_core::Table,
    scale: i32,
    name: Option<&str>,
    dir: &std::path::Path,
    force: bool,
) -> Result<RomGenerated> {
    use crate::gen::{check_dir, foreign_files, Manifest, MANIFEST, MANIFEST_FORMAT};
    use crate::render::{Interface, Reset};
    use lutforge_core::{io, FixedFormat};
    check_dir(dir, force)?;
    let foreign = foreign_files(dir)?;
    table.require_scale(scale)?;
    let input = FixedFormat::new(table.formats.input_bits, scale);
    let output = table.formats.output;
    let words = lutforge_core::rom::words(&table.function, table.domain, input, output)?;
    let err = lutforge_core::rom::max_err_lsb(&words, &table.function, table.domain, input, output);
    let (nx, ny) = (input.bits, output.bits);
    let module = match name {
        Some(n) => n.to_string(),
        None => crate::gen::identifier(&format!(
            "{}_s{}_rom_int{nx}",
            table.function.name(),
            crate::gen::scale_tag(scale)
        )),
    };
    check_module_name(&module)?;
    let header = vec![
        format!(
            "function {} on [{}, {}], input scale 2^-{scale}: {} words, correctly rounded (largest error {:.3} output LSB in the domain; codes outside it hold the nearest end's value)",
            table.function.name(),
            lutforge_core::format::Num(table.domain.0),
            lutforge_core::format::Num(table.domain.1),
            words.len(),
            err
        ),
        format!("formats (bits, frac): input ({nx}, {scale}), output {output}"),
    ];
    let unit_v = render_rom(&module, nx, ny, &words, &header)?;
    let lo = -(1i64 << (nx - 1));
    let codes: Vec<i64> = (lo..-lo).collect();
    let tmp = io::TempDir::new()?;
    let trace_path = tmp.path().join("rom.trace");
    std::fs::write(&trace_path, trace(&words, nx, ny, &codes, 0.25, 1))
        .map_err(|e| Error::io(&trace_path, e))?;
    let iface = Interface {
        module: module.clone(),
        reset: Reset::default(),
    };
    let vectors = crate::testbench::from_trace(&port_shape(nx, ny), &trace_path, &iface)?;
    let tb = crate::testbench::tb_name(&module);
    let names = vec![
        format!("{module}.v"),
        format!("{tb}.v"),
        "stimulus.hex".to_string(),
        "expected.hex".to_string(),
        "README.md".to_string(),
    ];
    let mut files_list = names.clone();
    files_list.push(MANIFEST.into());
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        module: module.clone(),
        reset: Reset::default(),
        scale,
        number_format: None,
        lanes: 1,
        stages: 1,
        programmable: false,
        files: files_list,
        table: crate::gen::table_json(table, scale)?,
        also: Vec::new(),
        arch: Some("rom".into()),
    };
    let readme = format!(
        "# {module}: direct table of {} ({} words)\n\n\
         Generated by lutforge {} from a `lutforge-table/1` file (recorded in `{MANIFEST}`): one output\n\
         word per input code, f rounded to the nearest output code, largest error {err:.3} LSB.\n\n\
         | port | dir | bits | meaning |\n|---|---|---|---|\n\
         | `clk` | in | 1 | clock |\n\
         | `rst` | in | 1 | synchronous, active high |\n\
         | `in_valid`, `in_ready` | in, out | 1, 1 | a sample offered, taken when both are high |\n\
         | `in_data` | in | {nx} | signed code, x = code · 2^-{scale} |\n\
         | `out_valid`, `out_ready` | out, in | 1, 1 | a result offered, taken when both are high |\n\
         | `out_data` | out | {ny} | signed code at {output} |\n\n\
         One cycle of latency, one sample per cycle. The testbench replays {} cycles: every input\n\
         code with random output stalls; last line PASS or FAIL, `$fatal` on FAIL.\n\n\
         ```sh\n\
         iverilog -g2005 -o {tb}.vvp {tb}.v {module}.v && vvp -n {tb}.vvp\n\
         verilator --lint-only -Wall {module}.v\n\
         lutforge verify .      # the testbench under Icarus and Verilator\n\
         lutforge synth .\n\
         ```\n",
        table.function.name(),
        words.len(),
        lutforge_core::VERSION,
        vectors.cycles
    );
    let contents = [
        unit_v,
        vectors.testbench,
        vectors.stimulus,
        vectors.expected,
        readme,
    ];
    let files = crate::gen::write_dir(dir, &names, &contents, &manifest, &foreign)?;
    Ok(RomGenerated {
        module,
        files,
        cycles: vectors.cycles,
        words: words.len(),
        max_err_lsb: err,
    })
}

/// What `verify_dir` found for a direct-table directory.
pub struct RomCheck {
    pub cycles: usize,
    /// Cycles with a result waiting and `out_ready` low.
    pub out_stalls: u64,
    pub words: usize,
    /// The testbench's last line under Icarus and under Verilator (`--binary`).
    pub icarus: String,
    pub verilator: String,
    /// The first mismatch either simulator printed, when one failed.
    pub mismatch: Option<String>,
}

/// Checks a direct-table directory: its Verilog (as found there) under its own testbench,
/// with vectors rebuilt from the manifest's table (so edited vectors cannot hide an edited
/// unit), under Icarus and under Verilator.
pub fn verify_dir(dir: &std::path::Path, m: &crate::gen::Manifest) -> Result<RomCheck> {
    use crate::tools::Tool;
    use lutforge_core::FixedFormat;
    let table = m.table()?;
    let input = FixedFormat::new(table.formats.input_bits, m.scale);
    let output = table.formats.output;
    let words = lutforge_core::rom::words(&table.function, table.domain, input, output)?;
    let (nx, ny) = (input.bits, output.bits);
    let work = lutforge_core::io::TempDir::new()?;
    for f in &m.files {
        let from = dir.join(f);
        if from.is_file() {
            std::fs::copy(&from, work.path().join(f)).map_err(|e| Error::io(&from, e))?;
        }
    }
    let lo = -(1i64 << (nx - 1));
    let codes: Vec<i64> = (lo..-lo).collect();
    let trace_path = work.path().join("rom.trace");
    let text = trace(&words, nx, ny, &codes, 0.25, 1);
    let out_stalls = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| {
            let t: Vec<&str> = l.split_whitespace().collect();
            t.get(4) == Some(&"1") && t.get(5) == Some(&"0")
        })
        .count() as u64;
    std::fs::write(&trace_path, text).map_err(|e| Error::io(&trace_path, e))?;
    let iface = m.interface();
    let vectors = crate::testbench::from_trace(&port_shape(nx, ny), &trace_path, &iface)?;
    for (name, text) in [
        ("stimulus.hex", &vectors.stimulus),
        ("expected.hex", &vectors.expected),
    ] {
        let p = work.path().join(name);
        std::fs::write(&p, text).map_err(|e| Error::io(&p, e))?;
    }
    let ic = crate::testbench::icarus_verdict(work.path(), &m.module, &[])?;
    let tb = crate::testbench::tb_name(&m.module);
    Tool::Verilator.run(
        work.path(),
        &[
            "--binary",
            "-Wno-fatal",
            "--top-module",
            &tb,
            &format!("{tb}.v"),
            &format!("{}.v", m.module),
            "-Mdir",
            "vobj",
        ],
    )?;
    let out = lutforge_core::io::cleanup::output_of(
        std::process::Command::new(work.path().join("vobj").join(format!("V{tb}")))
            .current_dir(work.path()),
    )
    .map_err(|e| Error::input(format!("verilator model: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let vl = text
        .lines()
        .rfind(|l| l.starts_with("PASS") || l.starts_with("FAIL"))
        .unwrap_or("no verdict")
        .to_string();
    let v_ok = out.status.success() && vl.starts_with("PASS");
    let mismatch = if ic.passed && v_ok {
        None
    } else {
        Some(
            ic.first_mismatch
                .clone()
                .or_else(|| {
                    text.lines()
                        .find(|l| l.starts_with("MISMATCH"))
                        .map(str::to_string)
                })
                .unwrap_or_else(|| format!("icarus: {}; verilator: {vl}", ic.line)),
        )
    };
    Ok(RomCheck {
        cycles: vectors.cycles,
        out_stalls,
        words: words.len(),
        icarus: ic.line,
        verilator: vl,
        mismatch,
    })
}
