//! `lutforge gru verify DIR`: a generated GRU cell checked twice over its whole stimulus:
//! the cell model's every h_t against the integer model's (`expected.txt`), then the
//! Verilated RTL against the cell model, cycle by cycle, with seeded stalls on both sides
//! (and, for a programmable cell, random weight, bias and table reloads between sequences).

use clap::Args;
use lutforge_rtl::gru_check::{crosscheck_verilog, random_writes, Steps};

/// A programmable cell's reloads: this many random writes before every this-many-th sequence.
const RELOAD_EVERY: usize = 20;
const RELOAD_WRITES: usize = 48;
use lutforge_rtl::gru_dir;
use lutforge_sim::gru::Cell;
use std::path::PathBuf;

use crate::error::{note, CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct VerifyArgs {
    /// Directory written by `lutforge gru gen`.
    dir: PathBuf,
    /// Chance (of 256) per cycle that the input is offered, and that the output is taken.
    #[arg(long, default_value_t = 192)]
    valid: u32,
    #[arg(long, default_value_t = 160)]
    ready: u32,
    /// Seed of the stall pattern.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Check only the first N sequences of the stimulus (a waveform of a whole split runs to
    /// gigabytes).
    #[arg(long)]
    sequences: Option<usize>,
    /// Also write the Verilator run's waveforms (VCD).
    #[arg(long)]
    vcd: Option<PathBuf>,
    /// Also write the cell model's waveforms of the same run (VCD, the RTL's names, 500 MHz);
    /// with --vcd, the two are compared signal by signal at every clock edge.
    #[arg(long)]
    model_vcd: Option<PathBuf>,
}

/// The model's waveform clock: the harness's.
const MODEL_VCD_MHZ: f64 = lutforge_rtl::gru_check::WAVE_MHZ;

pub fn run(a: &VerifyArgs) -> CliResult {
    if a.valid == 0 || a.ready == 0 || a.valid > 256 || a.ready > 256 {
        return Err(CliError::input(format!(
            "--valid {} --ready {}: 1 to 256 (of 256; 256 = every cycle)",
            a.valid, a.ready
        )));
    }
    let d = gru_dir::read(&a.dir)?;
    let lanes = d.manifest.lanes;
    // Both waveforms are outputs like any other: staged and committed at the end, never one
    // of the directory's own files.
    let inputs: Vec<std::path::PathBuf> = std::fs::read_dir(&a.dir)
        .map_err(|e| CliError::input(format!("{}: {e}", a.dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let input_refs: Vec<&std::path::Path> = inputs.iter().map(|p| p.as_path()).collect();
    // Each waveform named .vcd gets a GTKWave save file beside it (a device or a pipe does not).
    let save_for = |v: &Option<std::path::PathBuf>| {
        v.as_deref()
            .filter(|v| v.extension().is_some_and(|e| e == "vcd"))
            .map(lutforge_sim::gtkw::path_for)
    };
    let (rtl_gtkw, model_gtkw) = (save_for(&a.vcd), save_for(&a.model_vcd));
    let mut outs: Vec<&std::path::Path> = Vec::new();
    outs.extend(a.vcd.as_deref());
    outs.extend(a.model_vcd.as_deref());
    outs.extend(rtl_gtkw.as_deref());
    outs.extend(model_gtkw.as_deref());
    let mut opened = crate::outputs::open(&outs, &input_refs)?.into_iter();
    let mut rtl_vcd = a.vcd.as_ref().and_then(|_| opened.next());
    let mut model_vcd = a.model_vcd.as_ref().and_then(|_| opened.next());
    let rtl_gtkw = rtl_gtkw.and_then(|_| opened.next());
    let model_gtkw = model_gtkw.and_then(|_| opened.next());
    if let (Some(r), Some(m)) = (&rtl_vcd, &model_vcd) {
        if r.staged_path().is_none() || m.staged_path().is_none() {
            return Err(CliError::input(
                "--vcd with --model-vcd compares the two files: both must be files, not devices or pipes",
            ));
        }
    }
    // 1. The cell model against the integer model, step by step.
    let mut seqs = d.sequences();
    if let Some(n) = a.sequences {
        if n == 0 {
            return Err(CliError::input("--sequences 0: at least one"));
        }
        seqs.truncate(n);
    }
    let mut cell = Cell::with_port(d.spec.clone(), lanes, d.manifest.programmable)?;
    let mut k = 0usize;
    for (si, seq) in seqs.iter().enumerate() {
        let (hs, _) = cell.run_sequence(seq)?;
        for (t, h) in hs.iter().enumerate() {
            if *h != d.expected[k] {
                return Err(CliError::failed(format!(
                    "sequence {si} step {t}: the cell model gives h = {h:?}, the integer model {:?}",
                    d.expected[k]
                )));
            }
            k += 1;
        }
    }
    outln!(
        "cell model = integer model: {} steps of {} sequences",
        k,
        seqs.len()
    );
    // 2. The RTL against the cell model; a programmable cell also gets random weight, bias
    // and table reloads before every RELOAD_EVERY-th sequence.
    let writes: Vec<_> = (0..seqs.len())
        .map(|s| {
            if d.manifest.programmable && s > 0 && s % RELOAD_EVERY == 0 {
                random_writes(&d.spec, lanes, a.seed ^ s as u64, RELOAD_WRITES)
            } else {
                Vec::new()
            }
        })
        .collect();
    let n_writes: usize = writes.iter().map(|w| w.len()).sum();
    let st = Steps::with_writes(&seqs, &writes, a.valid, a.ready, a.seed);
    let cache = lutforge_rtl::verilator::default_cache_dir();
    let t = std::time::Instant::now();
    let vpath = a.dir.join(format!("{}.v", d.manifest.module));
    let verilog = lutforge_core::io::read_text(&vpath)?;
    // Verilator writes its waveform itself: into the staged file, or, for a device or a pipe,
    // into a private file copied there afterwards.
    let trace_dir = lutforge_core::io::TempDir::new()?;
    let trace_path = rtl_vcd.as_ref().map(|o| {
        o.staged_path()
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| trace_dir.path().join("rtl.vcd"))
    });
    let r = crosscheck_verilog(&verilog, &d.design(), &st, &cache, trace_path.as_deref())?;
    if let (Some(out), Some(p)) = (rtl_vcd.as_mut(), &trace_path) {
        if out.staged_path().is_none() {
            let mut f = std::fs::File::open(p)
                .map_err(|e| CliError::input(format!("{}: {e}", p.display())))?;
            std::io::copy(&mut f, out)
                .map_err(|e| out.failure().unwrap_or_else(|| out.error(e)))?;
        }
    }
    if let Some(m) = r.mismatch {
        // The waveform of a failed check is what one debugs it with: it is kept.
        if let Some(out) = rtl_vcd {
            crate::outputs::finish_all(vec![(out, Vec::new())])?;
        }
        return Err(CliError::failed(m));
    }
    outln!(
        "RTL = cell model: {} steps, {n_writes} cfg writes, {} cycles with stalls (valid {}/256, ready {}/256, seed {}), 0 mismatches",
        r.steps,
        r.cycles,
        a.valid,
        a.ready,
        a.seed
    );
    if let Some(out) = model_vcd.as_mut() {
        lutforge_rtl::gru_waves::model_vcd(&d.design(), &st, &mut *out, MODEL_VCD_MHZ)
            .map_err(|e| out.failure().unwrap_or(e))?;
    }
    // The comparison reads the staged waveforms before either is committed.
    let staged_or = |o: &Option<lutforge_core::io::Output>, given: &Option<std::path::PathBuf>| {
        o.as_ref()
            .and_then(|o| o.staged_path().map(|p| p.to_path_buf()))
            .or_else(|| given.clone())
    };
    let model_path = staged_or(&model_vcd, &a.model_vcd);
    let rtl_path = staged_or(&rtl_vcd, &trace_path);
    let mut done = Vec::new();
    if let Some(out) = model_vcd {
        done.push((out, Vec::new()));
    }
    if let Some(out) = rtl_vcd {
        done.push((out, Vec::new()));
    }
    // The save files: one hierarchy, so one layout serves the model's and Verilator's files.
    let m = &d.manifest.module;
    let rst = d.iface.reset.port();
    for (out, vcd, mhz) in [
        (model_gtkw, &a.model_vcd, MODEL_VCD_MHZ),
        (rtl_gtkw, &a.vcd, MODEL_VCD_MHZ),
    ] {
        if let (Some(out), Some(v)) = (out, vcd) {
            let name = v
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let text = lutforge_sim::gru::gtkw_save_file(&cell, m, rst, mhz, &name);
            done.push((out, text.into_bytes()));
        }
    }
    if let (Some(model), Some(rtl), true) = (
        &model_path,
        &rtl_path,
        a.model_vcd.is_some() && a.vcd.is_some(),
    ) {
        {
            let model = lutforge_core::io::read_text(model)?;
            let rtl = lutforge_core::io::read_text(rtl)?;
            match lutforge_rtl::gru_waves::compare(&model, &rtl, &d.manifest.module, 2)? {
                (n, None) => {
                    outln!("waveforms: the model's = the RTL's at every one of {n} clock edges")
                }
                (_, Some(diff)) => {
                    return Err(CliError::failed(format!("waveforms differ: {diff}")))
                }
            }
        }
    }
    // 3. The Verilog testbench under Icarus: a second simulator, the integer model's states.
    let work = lutforge_core::io::TempDir::new()?;
    let m = &d.manifest.module;
    for f in [
        format!("{m}.v"),
        format!("{m}_tb.v"),
        gru_dir::TB_STEPS_HEX.to_string(),
        gru_dir::TB_EXPECTED_HEX.to_string(),
    ] {
        std::fs::copy(a.dir.join(&f), work.path().join(&f))
            .map_err(|e| CliError::input(format!("{}: {e}", a.dir.join(&f).display())))?;
    }
    let v = lutforge_rtl::testbench::icarus_verdict(work.path(), m, &[])?;
    if !v.passed {
        return Err(CliError::failed(format!(
            "icarus testbench: {}{}",
            v.line,
            v.first_mismatch
                .map(|l| format!("; {l}"))
                .unwrap_or_default()
        )));
    }
    outln!("icarus testbench = integer model: {}", v.line);
    crate::outputs::finish_all(done)?;
    note(format_args!(
        "{}: verified ({}, {:.1} s)",
        d.manifest.module,
        if r.fresh_build {
            "Verilator model built"
        } else {
            "Verilator model from the cache"
        },
        t.elapsed().as_secs_f64()
    ));
    Ok(())
}
