//! `lutforge gen`: a directory a hardware engineer can take away — the unit (file name = module
//! name), the self-checking testbench with its vectors, a README listing the ports and the
//! commands that work there, and `lutforge.json`, the record of what was generated (which
//! `verify DIR` and `synth DIR` read, and which makes the directory gen's own to rewrite).

use crate::crosscheck::{load_events, zero_table};
use crate::render::{check_module_name, render_unit, Interface, Reset};
use crate::testbench;
use lutforge_core::{io, Error, Params, Result, Table};
use lutforge_sim::convert::{unit_for, NumFormat, UnitShape};
use lutforge_sim::stimulus::{beats, Event, VecStimulus};
use lutforge_sim::trace::TraceWriter;
use lutforge_sim::unit::{Arch, Arith, Unit, UnitConfig};
use lutforge_sim::RunOptions;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    pub scale: i32,
    pub shape: UnitShape,
    /// The module name (default: [`default_name`]).
    pub name: Option<String>,
    pub reset: Reset,
    /// Probability of an output stall in the testbench's stimulus.
    pub stall_prob: f64,
    pub seed: u64,
    /// Further tables (with their scales) that the same programmable unit serves, loaded
    /// through its write port one after another: each must need the same hardware
    /// ([`UnitConfig::hardware`]) as the first. Each gets a load image, and the testbench
    /// checks every input code of each.
    pub also: Vec<(Table, i32)>,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            scale: 0,
            shape: UnitShape::default(),
            name: None,
            reset: Reset::default(),
            stall_prob: 0.25,
            seed: 1,
            also: Vec::new(),
        }
    }
}

/// The record of a generated directory.
pub const MANIFEST: &str = "lutforge.json";
pub const MANIFEST_FORMAT: &str = "lutforge-gen/1";

/// The unit files of older lutforge versions, which a directory without a manifest may hold.
const LEGACY_FILES: [&str; 5] = [
    "lutforge_unit.v",
    "lutforge_tb.v",
    "stimulus.hex",
    "expected.hex",
    "README.md",
];

/// What `lutforge.json` records: enough to rebuild the simulator's unit and check the
/// directory's Verilog against it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub module: String,
    pub reset: Reset,
    pub scale: i32,
    /// `intN` or `fp32`; absent: the table's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_format: Option<String>,
    pub lanes: usize,
    pub stages: u32,
    pub programmable: bool,
    /// Every file gen wrote here, the manifest included.
    pub files: Vec<String>,
    /// The table the unit was generated from (`lutforge-table/1`); a programmable unit
    /// holds it after reset.
    pub table: serde_json::Value,
    /// The further tables a shared programmable unit serves through its write port.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<AlsoTable>,
    /// `rom` for a direct-table unit (`lutforge_rtl::rom`); absent for the PWL unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
}

/// One further table of a shared unit, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlsoTable {
    pub scale: i32,
    /// Base name of its load image (`LABEL.mem`, `LABEL.h`, `LABEL.json`).
    pub load_image: String,
    pub table: serde_json::Value,
}

impl Manifest {
    pub fn shape(&self) -> Result<UnitShape> {
        let format = match &self.number_format {
            Some(f) => Some(f.parse::<NumFormat>().map_err(Error::input)?),
            None => None,
        };
        let arch = match self.arch.as_deref() {
            None => Arch::Pwl,
            Some("rom") => Arch::Rom,
            Some(a) => {
                return Err(Error::field(
                    "arch",
                    format!("'{a}' is not an architecture (rom, or absent for pwl)"),
                ))
            }
        };
        Ok(UnitShape {
            arch,
            format,
            lanes: self.lanes,
            stages: self.stages,
            programmable: self.programmable,
        })
    }

    pub fn interface(&self) -> Interface {
        Interface {
            module: self.module.clone(),
            reset: self.reset,
        }
    }

    /// The table, checked as any table file is.
    pub fn table(&self) -> Result<Table> {
        Table::from_json(&self.table.to_string())
            .map(|(t, _)| t)
            .map_err(|e| Error::field("table", e.to_string()))
    }

    /// The further tables of a shared unit with their scales, each checked as a table file is.
    pub fn also_tables(&self) -> Result<Vec<(Table, i32)>> {
        self.also
            .iter()
            .enumerate()
            .map(|(i, a)| {
                Table::from_json(&a.table.to_string())
                    .map(|(t, _)| (t, a.scale))
                    .map_err(|e| Error::field(format!("also[{i}].table"), e.to_string()))
            })
            .collect()
    }

    /// Reads `dir/lutforge.json`.
    pub fn load(dir: &Path) -> Result<Manifest> {
        let path = dir.join(MANIFEST);
        let v = io::read_json(&path)?;
        let m: Manifest = serde_json::from_value(v).map_err(|e| Error::io(&path, e))?;
        if m.format != MANIFEST_FORMAT {
            return Err(Error::io(
                &path,
                format!("format '{}' is not {MANIFEST_FORMAT}", m.format),
            ));
        }
        check_module_name(&m.module).map_err(|e| Error::io(&path, e))?;
        Ok(m)
    }
}

/// What was generated.
#[derive(Clone, Debug)]
pub struct Generated {
    pub cfg: UnitConfig,
    pub params: Params,
    pub module: String,
    pub files: Vec<PathBuf>,
    pub cycles: usize,
    pub samples: u64,
}

/// One scale of a table as the manifest records it.
pub(crate) fn table_json(table: &Table, scale: i32) -> Result<serde_json::Value> {
    let mut one = table.clone();
    one.scales.retain(|s| s.frac == scale);
    serde_json::from_str(&one.to_json()).map_err(|e| Error::internal(format!("table JSON: {e}")))
}

/// A scale in a name: a negative one is written `m2`.
pub(crate) fn scale_tag(scale: i32) -> String {
    if scale < 0 {
        format!("m{}", -scale)
    } else {
        scale.to_string()
    }
}

/// `s` with every character a Verilog name cannot hold as `_`, and a letter in front when it
/// would start with a digit.
pub(crate) fn identifier(s: &str) -> String {
    let mut name: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        name.insert(0, 'u');
    }
    name
}

/// The default name of a shared unit: its labels, segments and format, e.g.
/// `gelu_exp_k8_int8`.
fn shared_name(units: &[Served]) -> String {
    let labels: Vec<&str> = units.iter().map(|u| u.label.as_str()).collect();
    identifier(&format!(
        "{}_k{}_{}",
        labels.join("_"),
        units[0].cfg.segments,
        format_tag(&units[0].cfg)
    ))
}

fn format_tag(cfg: &UnitConfig) -> String {
    match cfg.arith {
        Arith::Int(dp) => format!("int{}", dp.input.bits),
        Arith::Fp32 => "fp32".into(),
    }
}

/// The module name a table's unit gets unless one is given: function, scale, segments and
/// number format, e.g. `gelu_s4_k8_int8` (a negative scale is written `m2`; characters a
/// Verilog name cannot hold become `_`).
pub fn default_name(table: &Table, scale: i32, cfg: &UnitConfig) -> String {
    // A quantized function is named by its codes (`gelu_qu8s8_k7`): its scale is not a power
    // of two, and the codes in and out are what the unit's ports carry.
    if let Some(q) = table.function.quantized() {
        let what = if cfg.arch == Arch::Rom {
            "rom".to_string()
        } else {
            format!("k{}", cfg.segments)
        };
        return identifier(&format!("{}_{}_{what}", table.function.name(), q.tag()));
    }
    if cfg.arch == Arch::Rom {
        return identifier(&format!(
            "{}_s{}_rom_{}",
            table.function.name(),
            scale_tag(scale),
            format_tag(cfg)
        ));
    }
    identifier(&format!(
        "{}_s{}_k{}_{}",
        table.function.name(),
        scale_tag(scale),
        cfg.segments,
        format_tag(cfg)
    ))
}

/// The header comment of a generated unit: enough to trace the file back to its table.
pub fn header(table: &Table, cfg: &UnitConfig, params: &Params, scale: i32) -> Vec<String> {
    let mut h = header_of(table, cfg, params, scale);
    if let Some(q) = table.function.quantized() {
        h.insert(0, q.describe());
    }
    h
}

fn header_of(table: &Table, cfg: &UnitConfig, params: &Params, scale: i32) -> Vec<String> {
    if let (Arch::Rom, Arith::Int(dp)) = (cfg.arch, &cfg.arith) {
        return rom_header(table, cfg, dp, params, scale);
    }
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
        (Arith::Int(dp), Params::Int(_)) => {
            h.push(format!(
                "formats (bits, frac): input ({}, {}), slope {}, intercept {}, output {}, rounding {}",
                dp.input.bits, dp.input.frac, dp.slope, dp.intercept, dp.output, dp.rounding
            ));
        }
        (_, Params::Fp32(_)) => {
            h.push(format!(
                "IEEE-754 binary32 unit (from the table's formats: slope {}, intercept {}, output {})",
                f.slope, f.intercept, f.output
            ));
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

/// The direct table's header: the function, the words' error, the formats and the shape.
fn rom_header(
    table: &Table,
    cfg: &UnitConfig,
    dp: &lutforge_core::Datapath,
    params: &Params,
    scale: i32,
) -> Vec<String> {
    let words = params.words(lutforge_core::table::Field::Intercept);
    let err =
        lutforge_core::rom::max_err_lsb(&words, &table.function, table.domain, dp.input, dp.output);
    vec![
        format!(
            "function {} on [{}, {}], input scale 2^-{scale}: direct table of {} words, correctly rounded (largest error {err:.3} output LSB in the domain; codes outside it hold the nearest end's value)",
            table.function.name(),
            lutforge_core::format::Num(table.domain.0),
            lutforge_core::format::Num(table.domain.1),
            words.len(),
        ),
        format!(
            "formats (bits, frac): input ({}, {}), output {}",
            dp.input.bits, dp.input.frac, dp.output
        ),
        format!(
            "{} stage(s), {} lane(s), {}",
            cfg.stages,
            cfg.lanes,
            if cfg.programmable {
                "words in a RAM behind the write port"
            } else {
                "words in a ROM"
            }
        ),
    ]
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

/// The files a directory holds that gen did not write there: none for a new directory or one
/// gen made (its manifest lists its files; a directory from before manifests holds the
/// legacy names).
pub fn foreign_files(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(Error::io(dir, "exists and is not a directory"));
    }
    let owned: Vec<String> = match Manifest::load(dir) {
        Ok(m) => m.files,
        Err(_) => LEGACY_FILES.iter().map(|s| s.to_string()).collect(),
    };
    let mut foreign = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let name = e.map_err(|e| Error::io(dir, e))?.file_name();
        let name = name.to_string_lossy().into_owned();
        if !owned.contains(&name) && name != MANIFEST {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// Refuses a directory that holds files gen did not write, unless `force` (which keeps them).
pub fn check_dir(dir: &Path, force: bool) -> Result<()> {
    let foreign = foreign_files(dir)?;
    if !force && !foreign.is_empty() {
        return Err(Error::io(
            dir,
            format!(
                "holds files lutforge did not write ({}); choose another directory or pass --force to keep them beside the unit",
                foreign.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Writes a generated directory as a whole: `names` with `contents`, then the manifest, staged;
/// committed, the directory appears (or replaces the old one) at once, and of the files gen did
/// not write the `foreign` ones stay (check_dir refused them unless --force).
pub(crate) fn write_dir(
    dir: &Path,
    names: &[String],
    contents: &[String],
    manifest: &Manifest,
    foreign: &[String],
) -> Result<(Vec<PathBuf>, io::PendingDir)> {
    let mut manifest_text = serde_json::to_string_pretty(manifest)
        .map_err(|e| Error::internal(format!("manifest: {e}")))?;
    manifest_text.push('\n');
    let mut staged = io::StagedDir::create(dir)?;
    let mut files = Vec::new();
    for (name, text) in names
        .iter()
        .map(String::as_str)
        .zip(contents.iter().map(String::as_str))
        .chain([(MANIFEST, manifest_text.as_str())])
    {
        staged.write_file(name, text.as_bytes())?;
        files.push(dir.join(name));
    }
    Ok((files, io::PendingDir::new(staged, foreign.to_vec())))
}

/// The testbench's stimulus: for a programmable unit, first a table of zeros loaded through
/// the write port and a few samples through it, then the real table loaded and every input
/// code; for a fixed unit, every input code.
fn testbench_events(
    cfg: &UnitConfig,
    params: &Params,
    codes: &[i64],
) -> Result<Vec<(Event, Vec<i64>)>> {
    let mut ev = Vec::new();
    if cfg.programmable {
        ev.extend(load_events(cfg, &zero_table(cfg))?);
        let probe: Vec<i64> = codes
            .iter()
            .step_by((codes.len() / 16).max(1))
            .copied()
            .collect();
        ev.extend(beats(&probe, cfg.lanes));
        ev.extend(load_events(cfg, params)?);
    }
    ev.extend(beats(codes, cfg.lanes));
    Ok(ev)
}

/// One table a generated unit serves.
pub struct Served {
    /// Names its load image: the function, with the scale when two tables share a function.
    pub label: String,
    pub table: Table,
    pub scale: i32,
    /// The unit in this table's own formats (same hardware as the others).
    pub cfg: UnitConfig,
    pub params: Params,
}

/// The tables the unit of `table` at `scale` serves (itself first, then `also`), each checked
/// to need the same hardware.
pub fn served(
    table: &Table,
    scale: i32,
    also: &[(Table, i32)],
    shape: &UnitShape,
) -> Result<Vec<Served>> {
    let (cfg, params) = unit_for(table, scale, shape)?;
    if !also.is_empty() && !cfg.programmable {
        return Err(Error::input(
            "a unit shared by several tables loads them through its write port: it must be programmable (drop --fixed)",
        ));
    }
    let mut out = vec![Served {
        label: String::new(),
        table: table.clone(),
        scale,
        cfg,
        params,
    }];
    for (t, s) in also {
        let (c, p) = unit_for(t, *s, shape)?;
        if c.hardware() != cfg.hardware() {
            return Err(Error::input(format!(
                "{} at scale {s} needs another unit than {} at scale {scale} ({} against {}): one unit serves tables of one design, e.g. the tables of one member of a `pareto --function f,g` front",
                t.function.name(),
                table.function.name(),
                c.hardware_summary(),
                cfg.hardware_summary()
            )));
        }
        out.push(Served {
            label: String::new(),
            table: t.clone(),
            scale: *s,
            cfg: c,
            params: p,
        });
    }
    let names: Vec<String> = out
        .iter()
        .map(|u| identifier(u.table.function.name()))
        .collect();
    for i in 0..out.len() {
        let n = &names[i];
        out[i].label = if names.iter().filter(|m| *m == n).count() > 1 {
            format!("{n}_s{}", scale_tag(out[i].scale))
        } else {
            n.clone()
        };
    }
    for i in 0..out.len() {
        if out[..i].iter().any(|u| u.label == out[i].label) {
            return Err(Error::input(format!(
                "{} at scale {} is given twice",
                out[i].table.function.name(),
                out[i].scale
            )));
        }
    }
    Ok(out)
}

/// Writes the unit, testbench, vectors, README and manifest for one scale of `table` (and,
/// for a shared unit, the load image of every table it serves) into `dir`, as a whole (see
/// `io::StagedDir`).
pub fn generate(table: &Table, opts: &GenOptions, dir: &Path, force: bool) -> Result<Generated> {
    let (g, pending) = prepare(table, opts, dir, force)?;
    pending.commit()?;
    Ok(g)
}

/// [`generate`] with the directory staged but not yet in place: the caller commits it when
/// the rest of its work (its report on stdout) has succeeded, or drops it, which removes it.
pub fn prepare(
    table: &Table,
    opts: &GenOptions,
    dir: &Path,
    force: bool,
) -> Result<(Generated, io::PendingDir)> {
    check_dir(dir, force)?;
    // What stays of the old directory: the files lutforge did not write (with --force);
    // gen's own earlier files, whatever their names, go.
    let foreign = foreign_files(dir)?;
    let units = served(table, opts.scale, &opts.also, &opts.shape)?;
    let shared = units.len() > 1;
    let (cfg, params) = (units[0].cfg, units[0].params.clone());
    let module = match &opts.name {
        Some(n) => n.clone(),
        None if shared => shared_name(&units),
        None => default_name(table, opts.scale, &cfg),
    };
    check_module_name(&module)?;
    let iface = Interface {
        module: module.clone(),
        reset: opts.reset,
    };
    let mut head = header(table, &cfg, &params, opts.scale);
    if shared {
        head.push(format!(
            "shared unit: serves {}, each loaded through the write port ({module}_LABEL.mem/.h/.json); after reset it holds the table of {}",
            units
                .iter()
                .map(|u| format!("{} (scale {})", u.label, u.scale))
                .collect::<Vec<_>>()
                .join(", "),
            units[0].label
        ));
    }
    let unit_v = render_unit(&cfg, &params, &head, &iface)?;

    // The testbench's vectors, from the simulator, with random output stalls; a shared unit
    // then loads each further table and runs every code of it.
    let codes = all_codes(table, opts.scale, opts.shape.format);
    let mut unit = Unit::new(cfg, &params)?;
    let mut events = testbench_events(&cfg, &params, &codes)?;
    for u in &units[1..] {
        events.extend(load_events(&cfg, &u.params)?);
        events.extend(beats(
            &all_codes(&u.table, u.scale, opts.shape.format),
            cfg.lanes,
        ));
    }
    let mut stim = VecStimulus::new(events);
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
    let vectors = testbench::from_trace(&cfg, &trace, &iface)?;

    let tb = testbench::tb_name(&module);
    let mut names = vec![
        format!("{module}.v"),
        format!("{tb}.v"),
        "stimulus.hex".to_string(),
        "expected.hex".to_string(),
        "README.md".to_string(),
    ];
    let mut contents = vec![
        unit_v,
        vectors.testbench,
        vectors.stimulus,
        vectors.expected,
    ];
    let mut also = Vec::new();
    if shared {
        for u in &units {
            let base = format!("{module}_{}", u.label);
            let image = crate::load::LoadImage::new(&u.cfg, &u.params, &base)?;
            names.extend([
                format!("{base}.mem"),
                format!("{base}.h"),
                format!("{base}.json"),
            ]);
            contents.extend([image.mem(), image.c_header(), image.json()]);
        }
        for u in &units[1..] {
            also.push(AlsoTable {
                scale: u.scale,
                load_image: format!("{module}_{}", u.label),
                table: table_json(&u.table, u.scale)?,
            });
        }
    }
    // The testbench's waveform (+vcd) opens in GTKWave with this save file: 10 ns clock.
    names.push(format!("{tb}.gtkw"));
    contents.push(lutforge_sim::waves::save_file(
        &cfg,
        &module,
        iface.reset.port(),
        testbench::CLOCK_MHZ,
        &format!("{tb}.vcd"),
    ));
    let mut files_list: Vec<String> = names.to_vec();
    files_list.push(MANIFEST.into());
    let manifest = Manifest {
        format: MANIFEST_FORMAT.into(),
        module: module.clone(),
        reset: opts.reset,
        scale: opts.scale,
        number_format: opts.shape.format.map(|f| f.to_string()),
        lanes: cfg.lanes,
        stages: cfg.stages,
        programmable: cfg.programmable,
        files: files_list,
        table: table_json(table, opts.scale)?,
        also,
        arch: (cfg.arch == Arch::Rom).then(|| "rom".to_string()),
    };
    contents.insert(4, readme(&units, &cfg, &iface, vectors.cycles));
    let (files, pending) = write_dir(dir, &names, &contents, &manifest, &foreign)?;
    Ok((
        Generated {
            cfg,
            params,
            module,
            files,
            cycles: vectors.cycles,
            samples: stats.samples,
        },
        pending,
    ))
}

fn readme(units: &[Served], cfg: &UnitConfig, iface: &Interface, cycles: usize) -> String {
    let w = cfg.widths();
    let m = &iface.module;
    let tb = testbench::tb_name(m);
    let fmt = match cfg.arith {
        Arith::Int(_) => format!("int{}", w.x),
        Arith::Fp32 => "fp32".into(),
    };
    let p = cfg.lanes as u32;
    let rst = iface.reset.port();
    let rst_what = format!(
        "{}, {} reset",
        if iface.reset.active_low {
            "active low"
        } else {
            "active high"
        },
        if iface.reset.asynchronous {
            "asynchronous"
        } else {
            "synchronous"
        }
    );
    let mut ports = vec![
        (
            "clk".to_string(),
            "in".to_string(),
            "1".to_string(),
            "clock; everything happens at its rising edge".to_string(),
        ),
        (rst.to_string(), "in".into(), "1".into(), rst_what),
        (
            "in_valid".into(),
            "in".into(),
            "1".into(),
            "a beat of samples is offered".into(),
        ),
        (
            "in_ready".into(),
            "out".into(),
            "1".into(),
            "the unit takes it (a transfer: valid and ready high at an edge)".into(),
        ),
        (
            "in_data".into(),
            "in".into(),
            format!("{}", p * w.x),
            format!("{p} sample(s) of {} bits, lane 0 in the low bits", w.x),
        ),
        (
            "out_valid".into(),
            "out".into(),
            "1".into(),
            "a beat of results is offered".into(),
        ),
        (
            "out_ready".into(),
            "in".into(),
            "1".into(),
            "the consumer takes it; low stalls the pipeline without loss".into(),
        ),
        (
            "out_data".into(),
            "out".into(),
            format!("{}", p * w.y),
            format!("{p} result(s) of {} bits, lane 0 in the low bits", w.y),
        ),
    ];
    if cfg.programmable {
        ports.extend([
            ("cfg_we".to_string(), "in".to_string(), "1".to_string(), "write one table entry this cycle".to_string()),
            ("cfg_addr".into(), "in".into(), format!("{}", w.cfg_addr), if cfg.arch == Arch::Rom {
                "word address: the input code with its sign bit flipped (the lowest code is word 0)".to_string()
            } else {
                format!("entry address: field (bits {}..{}: 0 breakpoint, 1 slope, 2 intercept) and index", w.cfg_addr - 1, w.cfg_index)
            }),
            ("cfg_data".into(), "in".into(), format!("{}", w.cfg_data), "the entry's code (`lutforge export --to load` writes the sequence)".into()),
        ]);
    }
    let table = &units[0].table;
    let shared = if units.len() > 1 {
        let rows: String = units
            .iter()
            .map(|u| {
                format!(
                    "| {} | {} | {} | `{m}_{}.mem`, `{m}_{}.h`, `{m}_{}.json` |\n",
                    u.table.function.name(),
                    u.scale,
                    match u.cfg.arith {
                        Arith::Int(dp) => format!(
                            "slope {}, intercept {}, output {}",
                            dp.slope, dp.intercept, dp.output
                        ),
                        Arith::Fp32 => "fp32".into(),
                    },
                    u.label,
                    u.label,
                    u.label
                )
            })
            .collect();
        format!(
            "## Tables\n\nOne unit serves {n} tables: the hardware (widths, shifts, segments) is the same for each,\nonly the binary points at which its codes are read differ. Load one through the write\nport (the load images: a `$readmemh` file, a C header and JSON of the `cfg_addr`/`cfg_data`\nwrites, one per cycle with `cfg_we` high), then stream that function's inputs. After reset\nthe unit holds {first}'s table. The testbench loads and checks each in turn; `lutforge\nverify .` checks each against the simulator.\n\n| function | input scale | formats (bits, frac) | load image |\n|---|---|---|---|\n{rows}\n",
            n = units.len(),
            first = units[0].table.function.name(),
        )
    } else {
        String::new()
    };
    let port_rows: String = ports
        .iter()
        .map(|(n, d, b, what)| format!("| `{n}` | {d} | {b} | {what} |\n"))
        .collect();
    let (what, holds) = match cfg.arch {
        Arch::Pwl => (
            format!("{} segments", table.segments),
            "its `localparam`s hold the table, entry by entry",
        ),
        Arch::Rom => (
            format!("direct table of {} words", cfg.segments),
            "its `rom_word` function holds one word per input code",
        ),
    };
    let quant: String = units
        .iter()
        .filter_map(|u| u.table.function.quantized())
        .map(|q| format!("A {}.\n\n", q.describe()))
        .collect();
    format!(
        "# {m}: {} ({what}, scale {}, {fmt})\n\n\
         {quant}Generated by lutforge {} from a `lutforge-table/1` file (recorded in `{MANIFEST}`, which\n\
         `lutforge verify .` and `lutforge synth .` read). The unit's header comment gives the formats;\n\
         {holds}.\n\n\
         | file | what it is |\n|---|---|\n\
         | `{m}.v` | the unit: plain Verilog-2005, {} stage(s) (latency {} cycles), {} lane(s), {} table |\n\
         | `{tb}.v` | self-checking testbench: replays `stimulus.hex`, checks `expected.hex`; last line PASS or FAIL, `$fatal` on FAIL |\n\
         | `stimulus.hex`, `expected.hex` | {cycles} cycles from lutforge-sim: {}every input code, random output stalls |\n\
         | `{MANIFEST}` | what was generated: module, shape, reset, the table; gen rewrites this directory as its own |\n\n\
         {shared}\
         ## Ports\n\n\
         | port | dir | bits | meaning |\n|---|---|---|---|\n{port_rows}\n\
         A result leaves {} cycles after its beat is taken when `out_ready` stays high; one beat per\n\
         cycle at full throughput. Handshake, pipeline and table writes: lutforge's docs/sim.md;\n\
         arithmetic: docs/semantics.md.\n\n\
         ## Commands that work here\n\n\
         ```sh\n\
         iverilog -g2005 -o {tb}.vvp {tb}.v {m}.v && vvp -n {tb}.vvp   # PASS, or FAIL and exit 1\n\
         vvp -n {tb}.vvp +vcd                                          # also writes {tb}.vcd\n\
         verilator --binary --top-module {tb} {tb}.v {m}.v && obj_dir/V{tb}   # the same under Verilator\n\
         verilator --lint-only -Wall {m}.v                             # no warnings\n\
         yosys -p 'synth -top {m}; stat' {m}.v\n\
         lutforge verify .                                             # this Verilog against the simulator, cycle by cycle\n\
         lutforge synth .                                              # cells, transistors, gate equivalents\n\
         ```\n",
        units
            .iter()
            .map(|u| u.table.function.name())
            .collect::<Vec<_>>()
            .join(", "),
        units
            .iter()
            .map(|u| u.scale.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        lutforge_core::VERSION,
        cfg.stages,
        cfg.stages,
        cfg.lanes,
        if cfg.programmable { "programmable (cfg_we/cfg_addr/cfg_data)" } else { "fixed" },
        if cfg.programmable { "a zero table loaded and probed, the table loaded through the write port, then " } else { "" },
        cfg.stages,
    )
}
