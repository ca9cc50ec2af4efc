//! Verilator: lint the generated unit, build it with the C++ harness (cached by a hash of the
//! sources and the build flags, so one build serves every table of the same shape), replay a
//! trace through it, or run the harness's timed built-in stimulus ([`Build::bench`]).

use crate::render::Interface;
use crate::tools::{first_error, Tool};
use askama::Template;
use lutforge_core::io::cleanup::{self, output_of};
use lutforge_core::{Error, Result};
use lutforge_sim::unit::UnitConfig;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Name of the harness executable inside a build directory.
const EXE: &str = "Vharness";

#[derive(Template)]
#[template(path = "harness.cpp", escape = "none")]
struct HarnessCpp<'a> {
    module: &'a str,
    rst: &'a str,
    rst_on: u8,
    version: &'a str,
    period_ps: u64,
    reset_cycles: u64,
    programmable: bool,
    out_bits: u32,
    lanes: usize,
    x_bits: u32,
    y_bits: u32,
}

/// Renders the C++ harness for units of `cfg`'s shape named and reset as `iface` says,
/// clocked at `clock_mhz`.
pub fn render_harness(cfg: &UnitConfig, clock_mhz: f64, iface: &Interface) -> Result<String> {
    let w = cfg.widths();
    HarnessCpp {
        module: &iface.module,
        rst: iface.reset.port(),
        rst_on: iface.reset.asserted(),
        version: lutforge_core::VERSION,
        period_ps: (1e6 / clock_mhz).round() as u64,
        reset_cycles: lutforge_sim::waves::RESET_CYCLES,
        programmable: cfg.programmable,
        out_bits: cfg.lanes as u32 * w.y,
        lanes: cfg.lanes,
        x_bits: w.x,
        y_bits: w.y,
    }
    .render()
    .map(|t| t + "\n")
    .map_err(|e| Error::internal(format!("template: {e}")))
}

/// `verilator --lint-only -Wall` on the unit (module `module`); any warning is an error
/// carrying its first line.
pub fn lint(unit_v: &str, module: &str) -> Result<()> {
    Tool::Verilator.require()?;
    let dir = lutforge_core::io::TempDir::new()?;
    let file = format!("{module}.v");
    std::fs::write(dir.path().join(&file), unit_v).map_err(|e| Error::io(dir.path(), e))?;
    let out = output_of(
        Command::new("verilator")
            .args(["--lint-only", "-Wall", &file])
            .current_dir(dir.path()),
    )
    .map_err(|e| Error::input(format!("verilator: {e}")))?;
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !text.trim().is_empty() {
        return Err(Error::input(format!(
            "verilator lint: {}",
            first_error(&out)
        )));
    }
    Ok(())
}

/// FNV-1a, 64 bits: a hash that is the same on every machine and Rust version, for cache keys.
pub fn stable_hash(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Where builds are cached: `$LUTFORGE_CACHE`, else `$XDG_CACHE_HOME/lutforge`, else
/// `~/.cache/lutforge`, else the system temp directory.
pub fn default_cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("LUTFORGE_CACHE") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("lutforge");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("lutforge");
    }
    std::env::temp_dir().join("lutforge-cache")
}

/// A built Verilator model with its harness.
#[derive(Clone, Debug)]
pub struct Build {
    pub dir: PathBuf,
    /// Whether this call compiled it (false: taken from the cache).
    pub fresh: bool,
}

/// How a model is compiled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    /// For the cross-checks: VCD tracing compiled in, light optimization, quick to build.
    #[default]
    Check,
    /// For measuring simulation speed: no tracing, Verilator's own optimizations at `-O3`,
    /// X values resolved the fast way, assertions off, and the C++ compiled at `-O2`.
    Speed,
}

impl Profile {
    /// The Verilator arguments that set this profile (part of the cache key).
    pub fn args(self) -> &'static [&'static str] {
        match self {
            Profile::Check => &["--trace", "-CFLAGS", "-O1"],
            // verilated.mk puts OPT_FAST (default -Os) after -CFLAGS on the compiler's command
            // line, so the model and the harness get -O2 only through OPT_FAST/OPT_SLOW/OPT_GLOBAL.
            Profile::Speed => &[
                "-O3",
                "--x-assign",
                "fast",
                "--x-initial",
                "fast",
                "--noassert",
                "-CFLAGS",
                "-O2",
                "-MAKEFLAGS",
                "OPT_FAST=-O2",
                "-MAKEFLAGS",
                "OPT_SLOW=-O2",
                "-MAKEFLAGS",
                "OPT_GLOBAL=-O2",
            ],
        }
    }
}

/// One run of the harness's bench mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BenchRun {
    pub cycles: u64,
    /// The checksum of the outputs ([`crate::speed::fold`]).
    pub checksum: u64,
    /// Time of the stimulus loop alone, measured inside the harness.
    pub seconds: f64,
}

impl BenchRun {
    /// Parses the harness's line `CYCLES CHECKSUM NANOSECONDS`.
    pub fn parse(line: &str) -> Result<BenchRun> {
        let bad = || {
            Error::input(format!(
                "bench output '{}' is not CYCLES CHECKSUM NS",
                line.trim()
            ))
        };
        let f: Vec<&str> = line.split_whitespace().collect();
        let [cycles, checksum, ns] = f.as_slice() else {
            return Err(bad());
        };
        let num = |s: &str| s.parse::<u64>().map_err(|_| bad());
        Ok(BenchRun {
            cycles: num(cycles)?,
            checksum: num(checksum)?,
            seconds: num(ns)? as f64 * 1e-9,
        })
    }
}

fn verilator_version() -> String {
    Command::new("verilator")
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// Builds (or finds in `cache`) the model of `unit_v` with `harness_cpp`, for the cross-checks
/// ([`Profile::Check`]); `module` is the unit's top module.
pub fn build(unit_v: &str, harness_cpp: &str, module: &str, cache: &Path) -> Result<Build> {
    build_with(unit_v, harness_cpp, module, cache, Profile::Check)
}

/// Builds (or finds in `cache`) the model of `unit_v` with `harness_cpp`, compiled as `profile`
/// says; the cache key covers the sources, the Verilator version and the profile's flags.
pub fn build_with(
    unit_v: &str,
    harness_cpp: &str,
    module: &str,
    cache: &Path,
    profile: Profile,
) -> Result<Build> {
    Tool::Verilator.require()?;
    let version = verilator_version();
    let flags = profile.args().join(" ");
    let key = stable_hash(&[
        unit_v.as_bytes(),
        harness_cpp.as_bytes(),
        version.as_bytes(),
        flags.as_bytes(),
    ]);
    let dir = cache.join(format!("verilator-{key:016x}"));
    if dir.join(EXE).is_file() {
        return Ok(Build { dir, fresh: false });
    }
    let created = !cache.exists();
    std::fs::create_dir_all(cache).map_err(|e| Error::io(cache, e))?;
    // A cache directory this build created goes again if the build fails and leaves it empty
    // (a full disk must not leave an empty directory behind).
    let result = build_into(cache, &dir, unit_v, harness_cpp, module, profile);
    if result.is_err() && created {
        let _ = std::fs::remove_dir(cache);
    }
    result
}

/// [`build_with`]'s work once the cache directory exists.
fn build_into(
    cache: &Path,
    dir: &Path,
    unit_v: &str,
    harness_cpp: &str,
    module: &str,
    profile: Profile,
) -> Result<Build> {
    // Build in a private directory, then rename: concurrent builds of the same key never see
    // a half-built model, and a failed or interrupted build leaves nothing in the cache (a
    // killed one is removed as stale by the next build).
    cleanup::remove_stale(cache);
    let path = cleanup::stage_name(cache, Path::new("build"));
    // Owned before it exists: a signal just after the creation removes it.
    let work = cleanup::Owned::new(&path);
    std::fs::create_dir(&path).map_err(|e| Error::io(cache, e))?;
    let w = work.path();
    std::fs::write(w.join(format!("{module}.v")), unit_v).map_err(|e| Error::io(w, e))?;
    std::fs::write(w.join("harness.cpp"), harness_cpp).map_err(|e| Error::io(w, e))?;
    let jobs = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .to_string();
    let mut args: Vec<String> = [
        "--cc",
        "--exe",
        "--build",
        "-j",
        &jobs,
        "--top-module",
        module,
        "-o",
        EXE,
    ]
    .iter()
    .chain(profile.args())
    .map(|s| s.to_string())
    .collect();
    if Command::new("ccache").arg("--version").output().is_ok() {
        args.push("-MAKEFLAGS".into());
        args.push("OBJCACHE=ccache".into());
    }
    args.push(format!("{module}.v"));
    args.push("harness.cpp".into());
    checked(
        Command::new("verilator").args(&args).current_dir(w),
        "verilator build",
    )?;
    std::fs::copy(w.join("obj_dir").join(EXE), w.join(EXE)).map_err(|e| Error::io(w, e))?;
    let _ = std::fs::remove_dir_all(w.join("obj_dir"));
    if std::fs::rename(w, dir).is_ok() {
        work.keep();
    }
    // Else another process finished the same build first: use it (`work` is removed).
    Ok(Build {
        dir: dir.to_path_buf(),
        fresh: true,
    })
}

/// Runs `cmd`: failing to start it or a non-zero exit is an error naming `what`, with the
/// first error line of its output.
fn checked(cmd: &mut Command, what: &str) -> Result<std::process::Output> {
    let out = output_of(cmd).map_err(|e| Error::input(format!("{what}: {e}")))?;
    if !out.status.success() {
        return Err(Error::input(format!(
            "{what} failed: {}",
            first_error(&out)
        )));
    }
    Ok(out)
}

impl Build {
    /// Replays `trace_in` through the model, writing the RTL's trace (and waveforms).
    pub fn run(&self, trace_in: &Path, trace_out: &Path, vcd: Option<&Path>) -> Result<()> {
        let mut cmd = Command::new(self.dir.join(EXE));
        cmd.arg(trace_in).arg(trace_out);
        if let Some(v) = vcd {
            cmd.arg(v);
        }
        checked(&mut cmd, "verilated model").map(|_| ())
    }

    /// [`Build::run`] for a harness that exits 1 when the outputs it saw differ in number from
    /// the stimulus (the GRU cell's): `Ok(false)` then, so that the caller compares the logs;
    /// any other failure (a file it could not write, a signal) is an error, never a verdict.
    pub fn run_counted(
        &self,
        trace_in: &Path,
        trace_out: &Path,
        vcd: Option<&Path>,
    ) -> Result<bool> {
        let mut cmd = Command::new(self.dir.join(EXE));
        cmd.arg(trace_in).arg(trace_out);
        if let Some(v) = vcd {
            cmd.arg(v);
        }
        let out = output_of(&mut cmd).map_err(|e| Error::input(format!("verilated model: {e}")))?;
        // Verilator reports a waveform it could not write (a full disk) and goes on.
        let said = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(l) = said.lines().find(|l| l.contains("%Error")) {
            return Err(Error::input(format!("verilated model: {}", l.trim())));
        }
        match out.status.code() {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => Err(Error::input(format!(
                "verilated model failed: {}",
                first_error(&out)
            ))),
        }
    }

    /// Runs the harness's bench mode: replays `load_trace` (a `lutforge-trace/1` file, e.g. the
    /// cfg writes that load the table), then `cycles` cycles of the built-in stimulus, timed
    /// inside the harness. The checksum equals [`crate::speed::run`]'s on the same unit.
    pub fn bench(&self, cycles: u64, load_trace: &Path) -> Result<BenchRun> {
        let out = checked(
            Command::new(self.dir.join(EXE))
                .arg("--bench")
                .arg(cycles.to_string())
                .arg(load_trace),
            "verilated model",
        )?;
        let run = BenchRun::parse(&String::from_utf8_lossy(&out.stdout))?;
        if run.cycles != cycles {
            return Err(Error::input(format!(
                "the harness ran {} cycles, {cycles} asked",
                run.cycles
            )));
        }
        Ok(run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_stable_and_separates_parts() {
        assert_eq!(stable_hash(&[b"abc"]), stable_hash(&[b"abc"]));
        assert_ne!(stable_hash(&[b"ab", b"c"]), stable_hash(&[b"a", b"bc"]));
        // FNV-1a is fixed by its constants: this value is the same on every machine.
        assert_eq!(stable_hash(&[]), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn bench_line_parses_and_rejects_garbage() {
        let r = BenchRun::parse("20000 18446744073709551615 1500000000\n").unwrap();
        assert_eq!((r.cycles, r.checksum), (20000, u64::MAX));
        assert!((r.seconds - 1.5).abs() < 1e-12);
        for bad in [
            "",
            "20000 5",
            "20000 5 7 9",
            "20000 -5 7",
            "x 5 7",
            "20000 5 7ns",
            "20000 18446744073709551616 7",
        ] {
            assert!(BenchRun::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn profiles_differ_in_flags() {
        assert!(Profile::Check.args().contains(&"--trace"));
        assert!(!Profile::Speed.args().contains(&"--trace"));
        assert_ne!(Profile::Check.args(), Profile::Speed.args());
    }
}
