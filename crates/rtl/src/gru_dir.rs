//! A generated GRU cell's directory (`lutforge gru gen`), everything `gru verify`, `gru sim`
//! and `gru synth` need without the model or the front it came from:
//!
//! - `NAME.v`: the cell and its three LUT units;
//! - `NAME_sig_r.json`, `NAME_sig_z.json`, `NAME_tanh_n.json`: the units' tables
//!   (`lutforge-table/1`, so `lutforge gen` and `eval` take them too);
//! - `cell.json` (`lutforge-gru-cell/1`): shape, lanes, interface, every format and every
//!   weight and bias code;
//! - `steps.txt`: the stimulus, one sequence step per line (`start x0 … x(I−1)`, start = 1 on
//!   a sequence's first step);
//! - `expected.txt`: h_t of every step by the integer model of lutforge-gru, one line each;
//! - `NAME_tb.v` with `tb_steps.hex` and `tb_expected.hex`: a self-checking Verilog testbench
//!   of the whole sequences among the first `TB_STEPS` steps (PASS, or FAIL and `$fatal`).
//! - `NAME_tb.gtkw`: a GTKWave save file for the testbench's waveform (`+vcd`).

use crate::gru::render_cell;
use crate::iface::{Interface, Reset};
use lutforge_core::io::{read_text, StagedDir};
use lutforge_core::table::Table;
use lutforge_core::{Error, FixedFormat, Params, Result};
use lutforge_sim::gru::{ActTable, Cell, CellSpec, LayerFormats, QTensor};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::path::Path;

pub const FORMAT: &str = "lutforge-gru-cell/1";
pub const MANIFEST: &str = "cell.json";
pub const STEPS: &str = "steps.txt";
pub const EXPECTED: &str = "expected.txt";

/// Most steps the Verilog testbench replays (from the first of the stimulus): several
/// sequences, few enough that Icarus (a few thousand cycles per second on a cell) takes seconds.
pub const TB_STEPS: usize = 64;

/// The steps the testbench replays: the whole sequences that fit in `TB_STEPS` (the first
/// alone, cut at `TB_STEPS`, when it is longer).
pub fn tb_steps(seqs: &[Vec<Vec<i64>>]) -> usize {
    let mut n = 0;
    for s in seqs {
        if n + s.len() > TB_STEPS {
            break;
        }
        n += s.len();
    }
    if n == 0 {
        seqs.first().map_or(0, |s| s.len().min(TB_STEPS))
    } else {
        n
    }
}
pub const TB_STEPS_HEX: &str = "tb_steps.hex";
pub const TB_EXPECTED_HEX: &str = "tb_expected.hex";

#[derive(askama::Template)]
#[template(path = "gru_testbench.v", escape = "none")]
struct Testbench<'a> {
    module: &'a str,
    version: &'a str,
    steps: usize,
    ix: u32,
    hb: u32,
    rst_port: &'a str,
    rst_on: u8,
    rst_off: u8,
    programmable: bool,
    cfg_ab: u32,
    cfg_db: u32,
}

/// Codes packed little end first (code k at bits [k·bits +: bits]), with `top` bits above
/// them, as hex digits.
fn packed_hex(codes: &[i64], bits: u32, top: Option<bool>) -> String {
    let mut v: Vec<bool> = Vec::new();
    for &c in codes {
        for b in 0..bits {
            v.push((c >> b) & 1 == 1);
        }
    }
    if let Some(t) = top {
        v.push(t);
    }
    let digits = v.len().div_ceil(4);
    (0..digits)
        .rev()
        .map(|d| {
            let n = (0..4).fold(0u32, |a, i| {
                a | (u32::from(v.get(d * 4 + i).copied().unwrap_or(false)) << i)
            });
            char::from_digit(n, 16).unwrap_or('0')
        })
        .collect()
}

/// `cell.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format: String,
    pub module: String,
    pub reset: Reset,
    pub lanes: usize,
    /// Weights, biases and tables behind the write port (docs/gru.md, "Programmable cells").
    #[serde(default)]
    pub programmable: bool,
    pub inputs: usize,
    pub hidden: usize,
    pub input: FixedFormat,
    pub formats: LayerFormats,
    pub w_i: [QTensor; 3],
    pub w_h: [QTensor; 3],
    pub b: [QTensor; 4],
    /// Table files of the r and z sigmoids and the n tanh, in the directory.
    pub tables: [String; 3],
    pub sequences: usize,
    pub steps: usize,
    pub cycles_per_step: u64,
    /// Where the cell came from (front, member, genome, task), for the reader.
    pub source: serde_json::Value,
    /// SHA-256 of every data file the cell model reads (the tables, the stimulus, the
    /// expected states): a directory whose parts no longer agree is refused, while its
    /// Verilog may be edited and checked (`gru verify` simulates what it finds).
    #[serde(default)]
    pub digests: std::collections::BTreeMap<String, String>,
}

/// Everything a cell directory holds, read back.
#[derive(Clone, Debug)]
pub struct CellDir {
    pub manifest: Manifest,
    pub spec: CellSpec,
    pub iface: Interface,
    /// (start, input codes) per step.
    pub steps: Vec<(bool, Vec<i64>)>,
    /// h_t per step by the integer model.
    pub expected: Vec<Vec<i64>>,
}

/// What `gru gen` writes.
pub struct CellSource<'a> {
    pub spec: &'a CellSpec,
    pub lanes: usize,
    pub programmable: bool,
    pub iface: &'a Interface,
    /// The three activation tables as table files (r, z, n).
    pub tables: [&'a Table; 3],
    pub sequences: &'a [Vec<Vec<i64>>],
    pub expected: &'a [Vec<i64>],
    pub header: &'a [String],
    pub source: serde_json::Value,
}

fn codes_line(v: &[i64]) -> String {
    let mut s = String::new();
    for (k, c) in v.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{c}");
    }
    s
}

/// Writes the cell directory into `dir` (staged: all of it or nothing); returns its files.
pub fn write(dir: &Path, c: &CellSource, force: bool) -> Result<Vec<String>> {
    let (files, pending) = prepare(dir, c, force)?;
    pending.commit()?;
    Ok(files)
}

/// The files of a cell directory named `module` that `gru gen` writes.
fn own_files(module: &str) -> Vec<String> {
    let mut v: Vec<String> = [
        format!("{module}.v"),
        format!("{module}_sig_r.json"),
        format!("{module}_sig_z.json"),
        format!("{module}_tanh_n.json"),
        format!("{module}_tb.v"),
        format!("{module}_tb.gtkw"),
    ]
    .to_vec();
    v.extend([MANIFEST, STEPS, EXPECTED, TB_STEPS_HEX, TB_EXPECTED_HEX].map(String::from));
    v
}

/// The entries of `dir` that an earlier `gru gen` did not write (none if it does not exist).
fn foreign_files(dir: &Path) -> Result<Vec<String>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    if !dir.is_dir() {
        return Err(Error::io(dir, "exists and is not a directory"));
    }
    let owned = read_text(&dir.join(MANIFEST))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v["module"].as_str().map(own_files))
        .unwrap_or_default();
    let mut foreign = Vec::new();
    for e in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let name = e.map_err(|e| Error::io(dir, e))?.file_name();
        let name = name.to_string_lossy().into_owned();
        if !owned.contains(&name) && !name.starts_with(lutforge_core::io::cleanup::STAGE_PREFIX) {
            foreign.push(name);
        }
    }
    foreign.sort();
    Ok(foreign)
}

/// [`write`] with the directory staged, not yet in place: the caller commits it once its
/// report is out. A directory holding files `gru gen` did not write is refused unless
/// `force`, which keeps them (the rule of `gen`).
pub fn prepare(
    dir: &Path,
    c: &CellSource,
    force: bool,
) -> Result<(Vec<String>, lutforge_core::io::PendingDir)> {
    let foreign = foreign_files(dir)?;
    if !force && !foreign.is_empty() {
        return Err(Error::io(
            dir,
            format!(
                "holds files gru gen did not write ({}); choose another directory or pass --force to keep them beside the cell",
                foreign.join(", ")
            ),
        ));
    }
    crate::iface::check_module_name(&c.iface.module)?;
    let cell = Cell::with_port(c.spec.clone(), c.lanes, c.programmable)?;
    let steps: usize = c.sequences.iter().map(|s| s.len()).sum();
    if steps != c.expected.len() {
        return Err(Error::internal(format!(
            "{steps} steps but {} expected states",
            c.expected.len()
        )));
    }
    let m = &c.iface.module;
    let names = [
        format!("{m}_sig_r.json"),
        format!("{m}_sig_z.json"),
        format!("{m}_tanh_n.json"),
    ];
    let s = c.spec;
    let manifest = Manifest {
        format: FORMAT.into(),
        module: m.clone(),
        reset: c.iface.reset,
        lanes: c.lanes,
        programmable: c.programmable,
        inputs: s.inputs,
        hidden: s.hidden,
        input: s.input,
        formats: s.fmt,
        w_i: s.w_i.clone(),
        w_h: s.w_h.clone(),
        b: s.b.clone(),
        tables: names.clone(),
        sequences: c.sequences.len(),
        steps,
        cycles_per_step: cell.cycles_per_step(),
        source: c.source.clone(),
        digests: Default::default(),
    };
    let verilog = render_cell(s, c.lanes, c.programmable, c.header, c.iface)?;
    let mut manifest = manifest;
    let mut out = StagedDir::create(dir)?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        out.write_file(name, bytes)?;
        files.push(name.to_string());
        Ok(())
    };
    put(&format!("{m}.v"), verilog.as_bytes())?;
    let mut data: Vec<(String, Vec<u8>)> = Vec::new();
    for (name, t) in names.iter().zip(c.tables) {
        data.push((name.clone(), t.to_json().into_bytes()));
    }
    let mut st = String::new();
    for seq in c.sequences {
        for (t, x) in seq.iter().enumerate() {
            let _ = writeln!(st, "{} {}", u8::from(t == 0), codes_line(x));
        }
    }
    data.push((STEPS.to_string(), st.into_bytes()));
    let mut ex = String::new();
    for h in c.expected {
        let _ = writeln!(ex, "{}", codes_line(h));
    }
    data.push((EXPECTED.to_string(), ex.into_bytes()));
    for (name, bytes) in &data {
        manifest.digests.insert(name.clone(), sha256_hex(bytes));
        put(name, bytes)?;
    }
    let mut text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Error::internal(format!("cell.json: {e}")))?;
    text.push('\n');
    put(MANIFEST, text.as_bytes())?;
    // The Verilog testbench and its two memories.
    let n = tb_steps(c.sequences);
    let map = lutforge_sim::gru::CfgMap::new(s, c.lanes);
    let tb = askama::Template::render(&Testbench {
        module: m,
        version: lutforge_core::VERSION,
        steps: n,
        ix: s.inputs as u32 * s.input.bits,
        hb: s.hidden as u32 * s.fmt.h.bits,
        rst_port: c.iface.reset.port(),
        rst_on: c.iface.reset.asserted(),
        rst_off: 1 - c.iface.reset.asserted(),
        programmable: c.programmable,
        cfg_ab: map.addr_bits(),
        cfg_db: map.data_bits,
    })
    .map_err(|e| Error::internal(format!("template gru_testbench.v: {e}")))?;
    put(&format!("{m}_tb.v"), tb.as_bytes())?;
    // The testbench's waveform (+vcd) opens in GTKWave with this save file.
    let gtkw = lutforge_sim::gru::gtkw_save_file(
        &cell,
        m,
        c.iface.reset.port(),
        crate::testbench::CLOCK_MHZ,
        &format!("{m}_tb.vcd"),
    );
    put(&format!("{m}_tb.gtkw"), gtkw.as_bytes())?;
    let mut sh = String::new();
    for seq in c.sequences {
        for (t, x) in seq.iter().enumerate() {
            sh.push_str(&packed_hex(x, s.input.bits, Some(t == 0)));
            sh.push('\n');
        }
    }
    let sh: String = sh.lines().take(n).map(|l| format!("{l}\n")).collect();
    put(TB_STEPS_HEX, sh.as_bytes())?;
    let eh: String = c
        .expected
        .iter()
        .take(n)
        .map(|h| format!("{}\n", packed_hex(h, s.fmt.h.bits, None)))
        .collect();
    put(TB_EXPECTED_HEX, eh.as_bytes())?;
    Ok((files, lutforge_core::io::PendingDir::new(out, foreign)))
}

/// Lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One activation's table file as the cell's LUT unit holds it.
fn act_table(dir: &Path, name: &str, input: FixedFormat, output: FixedFormat) -> Result<ActTable> {
    let path = dir.join(name);
    let (t, _) = Table::from_json(&read_text(&path)?)
        .map_err(|e| Error::input(format!("{}: {}", path.display(), e)))?;
    let scale = t.require_scale(input.frac)?;
    let Params::Int(params) = &scale.params else {
        return Err(Error::input(format!(
            "{}: an FP32 table; the cell's units are integer",
            path.display()
        )));
    };
    let dp = t.datapath(input.frac);
    if dp.input != input || dp.output != output {
        return Err(Error::input(format!(
            "{}: maps {}-bit codes at scale {} to {} bits at {}; the cell needs {} at {} to {} at {}",
            path.display(),
            dp.input.bits,
            dp.input.frac,
            dp.output.bits,
            dp.output.frac,
            input.bits,
            input.frac,
            output.bits,
            output.frac
        )));
    }
    Ok(ActTable {
        dp,
        params: params.clone(),
    })
}

/// Parses whitespace-separated integers of one line.
fn ints(line: &str, path: &Path, n: usize) -> Result<Vec<i64>> {
    let v: Vec<i64> = line
        .split_whitespace()
        .map(|w| w.parse::<i64>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| {
            Error::input(format!(
                "{}: '{line}' is not a line of integers",
                path.display()
            ))
        })?;
    if v.len() != n {
        return Err(Error::input(format!(
            "{}: '{line}' holds {} numbers; {n} expected",
            path.display(),
            v.len()
        )));
    }
    Ok(v)
}

/// Reads a cell directory back; anything missing or inconsistent is an input error.
pub fn read(dir: &Path) -> Result<CellDir> {
    let mpath = dir.join(MANIFEST);
    let text = read_text(&mpath)?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
        Error::input(format!(
            "{}: not a GRU cell manifest ({FORMAT}): {e}",
            mpath.display()
        ))
    })?;
    if manifest.format != FORMAT {
        return Err(Error::input(format!(
            "{}: format '{}', expected {FORMAT}",
            mpath.display(),
            manifest.format
        )));
    }
    let bad = |m: String| Error::input(format!("{}: {m}", mpath.display()));
    crate::iface::check_module_name(&manifest.module).map_err(|e| bad(e.to_string()))?;
    let own = own_files(&manifest.module);
    if manifest.tables.iter().any(|t| !own.contains(t)) {
        return Err(bad(format!(
            "tables {:?} are not the cell's (module {})",
            manifest.tables, manifest.module
        )));
    }
    if manifest.inputs == 0
        || manifest.hidden == 0
        || manifest.inputs > 4096
        || manifest.hidden > 4096
    {
        return Err(bad(format!(
            "{} inputs and {} hidden units: 1 to 4096 each",
            manifest.inputs, manifest.hidden
        )));
    }
    if manifest.lanes == 0 || manifest.lanes > manifest.hidden {
        return Err(bad(format!(
            "{} lanes for {} hidden units",
            manifest.lanes, manifest.hidden
        )));
    }
    let f = manifest.formats;
    for (name, x) in [
        ("input", manifest.input),
        ("a_r", f.a_r),
        ("a_z", f.a_z),
        ("a_n", f.a_n),
        ("hn", f.hn),
        ("r", f.r),
        ("z", f.z),
        ("n", f.n),
        ("rhn", f.rhn),
        ("h", f.h),
        ("zh", f.zh),
        ("zn", f.zn),
    ]
    .into_iter()
    .chain(
        manifest
            .w_i
            .iter()
            .chain(&manifest.w_h)
            .chain(&manifest.b)
            .map(|t| ("weights", t.fmt)),
    ) {
        if !(2..=16).contains(&x.bits) || !(-64..=64).contains(&x.frac) {
            return Err(bad(format!(
                "format {name} is ({}, {}): widths 2 to 16, scales -64 to 64",
                x.bits, x.frac
            )));
        }
    }
    for t in manifest.w_i.iter().chain(&manifest.w_h).chain(&manifest.b) {
        if t.row_frac
            .iter()
            .any(|&r| r > t.fmt.frac || r < t.fmt.frac - 32)
        {
            return Err(bad(
                "a row's scale is finer than its tensor's, or 32 coarser".into(),
            ));
        }
    }
    if manifest.digests.is_empty() {
        return Err(bad(
            "no digests of its files: made by an older lutforge; run gru gen again".into(),
        ));
    }
    for (name, want) in &manifest.digests {
        if !own.contains(name) {
            return Err(bad(format!(
                "a digest of '{name}', which is no file of the cell"
            )));
        }
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if &sha256_hex(&bytes) != want {
            return Err(Error::input(format!(
                "{}: its SHA-256 is not the one cell.json records: the directory's parts no longer agree (run gru gen again)",
                path.display()
            )));
        }
    }
    let spec = CellSpec {
        inputs: manifest.inputs,
        hidden: manifest.hidden,
        input: manifest.input,
        w_i: manifest.w_i.clone(),
        w_h: manifest.w_h.clone(),
        b: manifest.b.clone(),
        fmt: f,
        sig_r: act_table(dir, &manifest.tables[0], f.a_r, f.r)?,
        sig_z: act_table(dir, &manifest.tables[1], f.a_z, f.z)?,
        tanh_n: act_table(dir, &manifest.tables[2], f.a_n, f.n)?,
    };
    spec.check()
        .map_err(|e| Error::input(format!("{}: {}", mpath.display(), e)))?;
    let spath = dir.join(STEPS);
    let mut steps = Vec::new();
    for line in read_text(&spath)?.lines() {
        let v = ints(line, &spath, 1 + spec.inputs)?;
        steps.push((v[0] != 0, v[1..].to_vec()));
    }
    let epath = dir.join(EXPECTED);
    let expected = read_text(&epath)?
        .lines()
        .map(|l| ints(l, &epath, spec.hidden))
        .collect::<Result<Vec<_>>>()?;
    if expected.len() != steps.len() {
        return Err(Error::input(format!(
            "{}: {} states for {} steps",
            epath.display(),
            expected.len(),
            steps.len()
        )));
    }
    let sequences = steps.iter().filter(|s| s.0).count();
    if steps.len() != manifest.steps || sequences != manifest.sequences {
        return Err(bad(format!(
            "{} sequences of {} steps, where {STEPS} holds {sequences} of {}",
            manifest.sequences,
            manifest.steps,
            steps.len()
        )));
    }
    let cell = Cell::with_port(spec.clone(), manifest.lanes, manifest.programmable)
        .map_err(|e| bad(e.to_string()))?;
    if cell.cycles_per_step() != manifest.cycles_per_step {
        return Err(bad(format!(
            "{} cycles per step, where the cell takes {}",
            manifest.cycles_per_step,
            cell.cycles_per_step()
        )));
    }
    let iface = Interface {
        module: manifest.module.clone(),
        reset: manifest.reset,
    };
    Ok(CellDir {
        manifest,
        spec,
        iface,
        steps,
        expected,
    })
}

impl CellDir {
    /// The cell as the cross-check takes it.
    pub fn design(&self) -> crate::gru_check::CellDesign<'_> {
        crate::gru_check::CellDesign {
            spec: &self.spec,
            lanes: self.manifest.lanes,
            programmable: self.manifest.programmable,
            iface: &self.iface,
        }
    }

    /// The steps grouped into sequences (a start flag opens each).
    pub fn sequences(&self) -> Vec<Vec<Vec<i64>>> {
        let mut out: Vec<Vec<Vec<i64>>> = Vec::new();
        for (start, x) in &self.steps {
            if *start || out.is_empty() {
                out.push(Vec::new());
            }
            if let Some(last) = out.last_mut() {
                last.push(x.clone());
            }
        }
        out
    }
}
