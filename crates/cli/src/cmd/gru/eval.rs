//! `lutforge gru eval`: a model's float scores on every split and, with `--bits` or
//! `--homogeneous`, the integer model's scores, size and energy per inference.

use clap::Args;
use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::Metric;
use lutforge_gru::energy::EnergyModel;
use lutforge_gru::genome::Genome;
use lutforge_gru::pareto::mean_steps;
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{score, score_outputs};
use lutforge_sim::cost::Tech;
use std::path::PathBuf;

use super::{load_model, parse_calibration, show};
use crate::args::parse_tech;
use crate::error::{CliError, CliResult};
use crate::out::outln;

#[derive(Args)]
pub struct EvalArgs {
    /// Model file (lutforge-gru/1).
    model: PathBuf,
    /// Score on this task's data instead of the model's own task.
    #[arg(long)]
    task: Option<String>,
    /// The integer model's widths: every gene in order (8,4,…) or name=value pairs
    /// (all=4,h=8,k_sigma=8); `lutforge gru eval M.json --genes` lists the genes.
    #[arg(long, conflicts_with = "homogeneous", allow_hyphen_values = true)]
    bits: Option<String>,
    /// The integer model with every width B (2..16) and 16-segment tables.
    #[arg(long)]
    homogeneous: Option<u32>,
    /// Print the genes of this model's genome, in order, and exit.
    #[arg(long)]
    genes: bool,
    /// How scales are chosen: mse (least squared error), max, or percentile:P (activations).
    #[arg(long, default_value = "mse", value_parser = parse_calibration)]
    calibration: Calibration,
    /// Weight scales per tensor or per output row.
    #[arg(long, default_value = "tensor", value_parser = WeightScales::parse)]
    weight_scales: WeightScales,
    /// Technology node of the energy model: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    node: Tech,
    /// Print one JSON document instead of text.
    #[arg(long)]
    json: bool,
}

pub fn run(a: &EvalArgs) -> CliResult {
    let (m, ds) = load_model(&a.model, a.task.as_deref())?;
    let g = &m.model;
    let layers = g.shape.layers;
    if a.genes {
        outln!("{}", Genome::names(layers).join(","));
        return Ok(());
    }
    let genome = match (&a.bits, a.homogeneous) {
        (Some(b), _) => Some(Genome::parse(b, layers)?),
        (None, Some(b)) => {
            if !lutforge_gru::genome::BITS_RANGE.contains(&b) {
                return Err(CliError::input(format!(
                    "--homogeneous {b}: widths lie in 2..16"
                )));
            }
            Some(Genome::homogeneous(layers, b, 16))
        }
        (None, None) => None,
    };
    let splits: Vec<(&str, &Vec<lutforge_gru::data::Sample>)> =
        [("train", &ds.train), ("val", &ds.val), ("test", &ds.test)]
            .into_iter()
            .filter(|(_, s)| !s.is_empty())
            .collect();
    let float: Vec<_> = splits
        .iter()
        .map(|(n, s)| (*n, score(g, ds.metric, s)))
        .collect();
    let int = match &genome {
        Some(gen) => {
            let ranges = Ranges::calibrate(g, &ds.train, a.calibration, a.weight_scales);
            let q = QuantGru::new(g, &ranges, gen, &TableCache::new())?;
            let scores: Vec<_> = splits
                .iter()
                .map(|(n, s)| (*n, score_outputs(ds.metric, s, |x| q.forward(x))))
                .collect();
            // Priced at the training split's mean length, as `gru pareto` prices it.
            let steps = mean_steps(&ds.train);
            let e = EnergyModel::new(a.node).inference(&q, steps);
            Some((gen.clone(), q.size_bits(), e, scores, steps))
        }
        None => None,
    };
    let float_size = g.shape.params() as u64 * 32;
    if a.json {
        let sc = |v: &[(&str, lutforge_gru::train::Score)]| -> serde_json::Value {
            v.iter()
                .map(|(n, s)| (n.to_string(), serde_json::json!(s)))
                .collect::<serde_json::Map<_, _>>()
                .into()
        };
        let mut doc = serde_json::json!({
            "model": a.model,
            "task": ds.task,
            "metric": ds.metric,
            "shape": g.shape,
            "float": sc(&float),
            "float_size_bits": float_size,
        });
        if let Some((gen, size, e, scores, steps)) = &int {
            doc["integer"] = serde_json::json!({
                "genome": gen.to_string(),
                "genes": gen.to_genes(),
                "size_bits": size,
                "energy_pj": e.total_pj,
                "energy": e,
                "mean_steps": steps,
                "mean_steps_of": "the training split",
                "weight_scales": a.weight_scales,
                "node": a.node.name,
                "calibration": a.calibration,
                "scores": sc(scores),
            });
        }
        outln!("{doc}");
        return Ok(());
    }
    let sh = g.shape;
    outln!(
        "{}: {} inputs, {} hidden, {} layer(s), {} outputs; {} parameters ({} bits as float32)",
        ds.task,
        sh.input,
        sh.hidden,
        sh.layers,
        sh.outputs,
        sh.params(),
        float_size
    );
    // Accuracies with their counts and 95 % intervals: the test splits are small.
    let sizes: Vec<usize> = splits.iter().map(|(_, s)| s.len()).collect();
    let line = |v: &[(&str, lutforge_gru::train::Score)]| -> String {
        v.iter()
            .zip(&sizes)
            .map(|((n, s), &len)| match ds.metric {
                Metric::Accuracy => format!(
                    "{n} {}",
                    super::front_report::accuracy((s.value * len as f64).round() as usize, len)
                ),
                Metric::Mse => format!("{n} {}", show(ds.metric, s.value)),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    outln!("float    {}", line(&float));
    if let Some((gen, size, e, scores, steps)) = &int {
        outln!("integer  {}", line(scores));
        outln!(
            "size     {size} bits ({:.1} % of float32); energy {:.1} pJ per inference ({:.1} steps, the training split's mean, {}: MACs {:.1}, LUTs {:.1}, elementwise {:.1}, weights {:.1}, state {:.1})",
            100.0 * *size as f64 / float_size as f64,
            e.total_pj,
            steps,
            a.node.name,
            e.mac_pj,
            e.lut_pj,
            e.elementwise_pj,
            e.weights_pj,
            e.state_pj
        );
        outln!("genome   {gen}");
    }
    Ok(())
}
