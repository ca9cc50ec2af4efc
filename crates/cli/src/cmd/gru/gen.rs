//! `lutforge gru gen`: the GRU cell of a front member as Verilog, with everything needed to
//! check it again later (crates/rtl/src/gru_dir.rs lists the files).

use clap::Args;
use lutforge_gru::cell::spec;
use lutforge_gru::data::Sample;
use lutforge_gru::quant::QuantGru;
use lutforge_rtl::gru_dir::{self, CellSource};
use lutforge_rtl::render::Interface;
use std::path::PathBuf;

use super::load_member;
use crate::args::ResetArgs;
use crate::error::{note, CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct GenArgs {
    /// Front file of `lutforge gru pareto`.
    front: PathBuf,
    /// The member: `recommended` (the front's, by its default rule on the search data), its
    /// index (0 = the smallest), `intB` (the homogeneous B-bit baseline), or a rule on the
    /// search data: smallest-within:P (within P points of the 8-bit model),
    /// smallest-noninferior:P, smallest-above:A (accuracy A, 0..1), smallest-below:M (MSE).
    #[arg(long, default_value = "recommended")]
    member: String,
    /// Float model (default: the file the front names).
    #[arg(long)]
    model: Option<PathBuf>,
    /// MAC lanes P, 1 to the hidden size: rows of the weight matrices computed at once
    /// (default: the lanes the front was priced with, `gru pareto --cell-lanes`, else 1).
    #[arg(long)]
    lanes: Option<usize>,
    /// Weights, biases and tables in registers behind a write port (cfg_we, cfg_addr,
    /// cfg_data, cfg_ready), reset to the member's, instead of ROMs.
    #[arg(long)]
    programmable: bool,
    /// Split whose sequences make the stimulus: test, val or train.
    #[arg(long, default_value = "test")]
    split: String,
    /// Module name (also the file name).
    #[arg(long, default_value = "gru_cell")]
    name: String,
    #[command(flatten)]
    reset: ResetArgs,
    /// Write into a directory that holds files gru gen did not write, keeping them.
    #[arg(long)]
    force: bool,
    /// Output directory (new, or one an earlier `gru gen` wrote).
    #[arg(short, long)]
    output: PathBuf,
}

/// Every sequence's input codes, and every step's h_t by the integer model.
pub fn stimulus(q: &QuantGru, samples: &[Sample]) -> (Vec<Vec<Vec<i64>>>, Vec<Vec<i64>>) {
    let mut seqs = Vec::with_capacity(samples.len());
    let mut expected = Vec::new();
    for s in samples {
        let x = q.quantize_input(s);
        seqs.push(
            (0..s.len)
                .map(|t| x[t * q.inputs..(t + 1) * q.inputs].to_vec())
                .collect(),
        );
        q.run(s, &mut |_, l, h| {
            if l == 0 {
                expected.push(h.to_vec());
            }
        });
    }
    (seqs, expected)
}

pub fn run(a: &GenArgs) -> CliResult {
    let (q, ds, front, m, label) = load_member(&a.front, &a.member, a.model.as_deref())?;
    if q.layers.len() != 1 {
        return Err(CliError::input(format!(
            "the model has {} layers; a GRU cell implements one (generate one cell per layer of a one-layer model)",
            q.layers.len()
        )));
    }
    let samples = match a.split.as_str() {
        "test" => &ds.test,
        "val" => &ds.val,
        "train" => &ds.train,
        s => return Err(CliError::input(format!("--split {s}: test, val or train"))),
    };
    let sp = spec(&q, 0)?;
    let front_lanes = front.settings["cell_lanes"].as_u64().map(|p| p as usize);
    let lanes = a
        .lanes
        .or(front_lanes.map(|p| p.clamp(1, sp.hidden)))
        .unwrap_or(1);
    if a.lanes.is_none() {
        if let Some(p) = front_lanes {
            note(format_args!(
                "{lanes} lane(s): the front was searched as the cell of {p} (--lanes sets another)"
            ));
        }
    }
    if lanes == 0 || lanes > sp.hidden {
        return Err(CliError::input(format!(
            "--lanes {}: 1 to {} (the hidden size; with P not dividing H the last group leaves lanes idle)",
            lanes, sp.hidden
        )));
    }
    let (seqs, expected) = stimulus(&q, samples);
    let layer = &q.layers[0];
    let tables = [
        layer.sig_r.to_table()?,
        layer.sig_z.to_table()?,
        layer.tanh_n.to_table()?,
    ];
    let iface = Interface {
        module: a.name.clone(),
        reset: a.reset.reset(),
    };
    let header = vec![
        format!(
            "task {}, {label} of {} ({} bits of weights, {} {:.4} on the test split)",
            front.task,
            a.front.display(),
            m.size_bits,
            match front.metric {
                lutforge_gru::data::Metric::Accuracy => "accuracy",
                lutforge_gru::data::Metric::Mse => "MSE",
            },
            m.test.value
        ),
        format!("genome {}", m.genome),
    ];
    let (files, pending) = gru_dir::prepare(
        &a.output,
        &CellSource {
            spec: &sp,
            lanes,
            programmable: a.programmable,
            iface: &iface,
            tables: [&tables[0], &tables[1], &tables[2]],
            sequences: &seqs,
            expected: &expected,
            header: &header,
            source: serde_json::json!({
                "front": a.front,
                "member": label,
                "genome": m.genome,
                "task": front.task,
                "split": a.split,
            }),
        },
        a.force,
    )?;
    // The report first: a run whose stdout fails leaves no directory behind.
    for f in &files {
        outln!("{}", a.output.join(f).display());
    }
    crate::out::flush()?;
    pending.commit()?;
    let cell = lutforge_sim::gru::Cell::new(sp.clone(), lanes)?;
    note(format_args!(
        "{}: {} inputs, {} hidden, {} lane(s), {} cycles per step; stimulus {} sequences, {} steps of the {} split",
        a.name,
        sp.inputs,
        sp.hidden,
        lanes,
        cell.cycles_per_step(),
        seqs.len(),
        expected.len(),
        a.split
    ));
    Ok(())
}
