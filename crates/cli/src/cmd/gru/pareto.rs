//! `lutforge gru pareto`: the mixed-precision front of a task's GRU by NSGA-II over the
//! per-operator widths: error, model size and energy per inference (docs/gru.md).

use clap::Args;
use lutforge_gru::data::Metric;
use lutforge_gru::finetune::FinetuneConfig;
use lutforge_gru::pareto::{run as search, Config, Front, SearchSplit};
use lutforge_gru::quant::Calibration;
use lutforge_gru::train::{train, TrainConfig};
use lutforge_search::nsga2::Settings;
use lutforge_sim::cost::Tech;
use plotters::prelude::*;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};

use super::{load_model, load_task, parse_calibration, show};
use crate::args::{parse_range, parse_tech};
use crate::error::{note, CliError, CliResult};
use crate::outputs;

#[derive(Args)]
pub struct ParetoArgs {
    /// Task: fsdd, vowels, motions, adding, or a .npz / .ts file.
    #[arg(long)]
    task: String,
    /// The float model to quantize (default: one trained now with the task's settings).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Widths every operator may take, A..B within 2..16.
    #[arg(long, default_value = "2..8", value_parser = parse_bits)]
    bits: RangeInclusive<u32>,
    #[arg(long, default_value_t = 48)]
    population: usize,
    #[arg(long, default_value_t = 40)]
    generations: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Search error and size only (the paper's two objectives), without energy.
    #[arg(long)]
    no_energy: bool,
    /// Constraint: model size at most this many bits.
    #[arg(long)]
    max_size: Option<f64>,
    /// Constraint (classification): accuracy on the search split at least this (0..1).
    #[arg(long)]
    min_accuracy: Option<f64>,
    /// Constraint (regression): MSE on the search split at most this.
    #[arg(long)]
    max_mse: Option<f64>,
    /// Split the genomes are scored on: val, train or trainval (default: val, or trainval
    /// when the validation split holds fewer than 100 sequences).
    #[arg(long, value_parser = parse_split)]
    split: Option<SearchSplit>,
    /// Calibration of the activation scales: max, or percentile:P.
    #[arg(long, default_value = "max", value_parser = parse_calibration)]
    calibration: Calibration,
    /// Technology node of the energy model: 28nm or 45nm.
    #[arg(long, default_value = "28nm", value_parser = parse_tech)]
    node: Tech,
    /// After the search, fine-tune (quantization-aware training, straight-through estimator)
    /// the N smallest members within five points of the 8-bit model; they join the front
    /// marked "fine_tuned", with their weights.
    #[arg(long, default_value_t = 0)]
    finetune: usize,
    /// Epochs of each fine-tuning.
    #[arg(long, default_value_t = 15)]
    finetune_epochs: usize,
    /// Price the hardware as the GRU cell of P MAC lanes (`gru gen --lanes P`): the size
    /// objective becomes the cell's area and the energy objective its energy per inference,
    /// from the cell model's activity (one-layer models).
    #[arg(long, value_name = "P")]
    cell_lanes: Option<usize>,
    /// Front file to write (JSON).
    #[arg(short, long)]
    output: PathBuf,
    /// Also draw accuracy (or MSE) against size, the homogeneous baselines and the numbered
    /// members, as an SVG.
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Also write the members and baselines as CSV.
    #[arg(long)]
    csv: Option<PathBuf>,
    /// No progress bar and no summary on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn parse_bits(s: &str) -> Result<RangeInclusive<u32>, String> {
    let r = parse_range::<u32>(s)?;
    if r.is_empty() || *r.start() < 2 || *r.end() > 16 {
        return Err(format!("'{s}': a width range within 2..16"));
    }
    Ok(r)
}

fn parse_split(s: &str) -> Result<SearchSplit, String> {
    match s {
        "val" => Ok(SearchSplit::Val),
        "train" => Ok(SearchSplit::Train),
        "trainval" => Ok(SearchSplit::TrainVal),
        _ => Err(format!("'{s}': val, train or trainval")),
    }
}

pub fn run(a: &ParetoArgs) -> CliResult {
    for (name, v, ok) in [
        (
            "--max-size",
            a.max_size,
            a.max_size.is_none_or(|v| v > 0.0 && v.is_finite()),
        ),
        (
            "--min-accuracy",
            a.min_accuracy,
            a.min_accuracy.is_none_or(|v| (0.0..=1.0).contains(&v)),
        ),
        (
            "--max-mse",
            a.max_mse,
            a.max_mse.is_none_or(|v| v > 0.0 && v.is_finite()),
        ),
    ] {
        if !ok {
            return Err(CliError::input(format!(
                "{name} {}: out of range",
                v.unwrap_or(0.0)
            )));
        }
    }
    let mut inputs: Vec<&Path> = a.model.iter().map(|p| p.as_path()).collect();
    if a.task.ends_with(".npz") || a.task.ends_with(".ts") {
        inputs.push(Path::new(&a.task));
    }
    let mut paths = vec![a.output.as_path()];
    paths.extend(a.plot.as_deref());
    paths.extend(a.csv.as_deref());
    let mut files = outputs::open(&paths, &inputs)?.into_iter();
    let (front_file, plot_file, csv_file) = (
        files.next(),
        a.plot.as_ref().and_then(|_| files.next()),
        a.csv.as_ref().and_then(|_| files.next()),
    );
    let (loaded, ds) = match &a.model {
        Some(p) => {
            let (m, ds) = load_model(p, Some(&a.task))?;
            (Some((p, m)), ds)
        }
        None => (None, load_task(&a.task)?),
    };
    if ds.metric == Metric::Mse && a.min_accuracy.is_some() {
        return Err(CliError::input(format!(
            "--min-accuracy: task {} is a regression; use --max-mse",
            ds.task
        )));
    }
    if ds.metric == Metric::Accuracy && a.max_mse.is_some() {
        return Err(CliError::input(format!(
            "--max-mse: task {} is a classification; use --min-accuracy",
            ds.task
        )));
    }
    if a.generations == 0 {
        return Err(CliError::input("--generations 0: at least one is needed"));
    }
    if a.finetune > 64 || a.finetune_epochs > 10_000 {
        return Err(CliError::input(
            "--finetune at most 64 members, --finetune-epochs at most 10000",
        ));
    }
    let settings = Settings {
        population: a.population,
        generations: a.generations,
        seed: a.seed,
        ..Settings::default()
    };
    lutforge_search::nsga2::check_settings(&settings).map_err(CliError::input)?;
    let (model, model_note) = match loaded {
        Some((p, m)) => (
            m.model,
            serde_json::json!({ "file": p, "provenance": m.provenance }),
        ),
        None => {
            let cfg = TrainConfig::for_task(&a.task);
            if !a.quiet {
                note(format_args!(
                    "no --model: training one with the task's settings ({} hidden, seed {})",
                    cfg.hidden, cfg.seed
                ));
            }
            let r = train(&ds, &cfg, &mut |_| {});
            (r.model, serde_json::json!({ "trained": cfg }))
        }
    };
    let config = Config {
        bits: a.bits.clone(),
        energy_objective: !a.no_energy,
        max_size_bits: a.max_size,
        min_accuracy: a.min_accuracy,
        max_mse: a.max_mse,
        split: a.split.unwrap_or_else(|| SearchSplit::default_for(&ds)),
        calibration: a.calibration,
        tech: a.node,
        finetune: a.finetune,
        finetune_cfg: FinetuneConfig {
            epochs: a.finetune_epochs,
            seed: a.seed,
            ..FinetuneConfig::default()
        },
        cell_lanes: a.cell_lanes,
    };
    let bar = crate::progress::bar(
        a.generations as u64 + 1,
        &format!("gru pareto {}", ds.task),
        "generations",
        a.quiet,
    );
    let front = search(&model, &ds, config, &settings, &mut |p| {
        bar.set_position(p.generation as u64 + 1);
        bar.set_message(format!("{} evaluations, front {}", p.evaluations, p.front));
    })?;
    bar.finish_and_clear();
    if front.members.is_empty() {
        return Err(CliError::input(
            "no genome meets the constraints (--max-size, --min-accuracy, --max-mse)",
        ));
    }
    let mut doc = serde_json::to_value(&front)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    doc["model"] = model_note;
    let mut text = serde_json::to_string_pretty(&doc)
        .map_err(|e| CliError::internal(format!("cannot serialize the front: {e}")))?;
    text.push('\n');
    let mut done = vec![];
    if let Some(f) = plot_file {
        let svg =
            plot(&front).map_err(|e| CliError::internal(format!("cannot draw the plot: {e}")))?;
        done.push((f, svg.into_bytes()));
    }
    if let Some(f) = csv_file {
        done.push((f, csv(&front).into_bytes()));
    }
    if let Some(f) = front_file {
        done.push((f, text.into_bytes()));
    }
    outputs::finish_all(done)?;
    if !a.quiet {
        summary(&front, &a.output);
    }
    Ok(())
}

fn summary(f: &Front, out: &Path) {
    note(format_args!(
        "{} members after {} evaluations in {:.1} s ({:.0}/s, {} tables); float {} on the search split, {} on test; wrote {}",
        f.members.len(),
        f.evaluations,
        f.seconds,
        f.evaluations as f64 / f.seconds.max(1e-9),
        f.tables,
        show(f.metric, f.float_search),
        show(f.metric, f.float_test),
        out.display()
    ));
    if let Some(s) = &f.saving {
        let m = &f.members[s.member];
        let r = f.baselines.iter().find(|b| b.bits == s.reference_bits);
        note(format_args!(
            "at the int{} model's error (within {}): member {} is {:.1} % smaller and uses {:.1} % less energy; search {} (int{}: {}), test {} (int{}: {})",
            s.reference_bits,
            match f.metric { Metric::Accuracy => "1 point".to_string(), Metric::Mse => format!("{:.2e} MSE", s.tolerance) },
            s.member,
            100.0 * s.size_saving,
            100.0 * s.energy_saving,
            show(f.metric, m.search),
            s.reference_bits,
            r.map(|b| show(f.metric, b.scored.search)).unwrap_or_default(),
            show(f.metric, m.test),
            s.reference_bits,
            r.map(|b| show(f.metric, b.scored.test)).unwrap_or_default(),
        ));
        if let (Some(a), Some(e), Some(c)) = (s.cell_area_saving, s.cell_energy_saving, m.cell) {
            note(format_args!(
                "as the GRU cell of {} lane(s): member {} is {:.1} % smaller ({:.0} GE) and uses {:.1} % less energy per inference ({:.0} pJ) than the int{} cell",
                c.lanes,
                s.member,
                100.0 * a,
                c.ge,
                100.0 * e,
                c.energy_per_inference_pj,
                s.reference_bits
            ));
        }
    }
    let wide: Vec<String> = f
        .widths
        .iter()
        .take(6)
        .map(|g| format!("{} {:.1}", g.gene, g.mean_bits))
        .collect();
    note(format_args!(
        "the members within a point of int8 keep widest: {}; hypervolume {:.4} vs the homogeneous {:.4} ({})",
        wide.join(", "),
        f.hypervolume.front,
        f.hypervolume.homogeneous,
        if f.hypervolume.dominates_every_baseline { "above every baseline" } else { "NOT above every baseline" }
    ));
}

fn csv(f: &Front) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["kind".to_string(), "index".into()];
    head.extend(f.gene_names.iter().cloned());
    head.extend(["error", "search", "test", "size_bits", "energy_pj"].map(String::from));
    let cell = f.members.iter().any(|m| m.cell.is_some());
    if cell {
        head.extend(["cell_ge", "cell_energy_pj"].map(String::from));
    }
    let _ = w.write_record(&head);
    let rows = f
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| ("front", i, m))
        .chain(
            f.baselines
                .iter()
                .map(|b| ("baseline", b.bits as usize, &b.scored)),
        );
    for (kind, i, m) in rows {
        let mut r = vec![kind.to_string(), i.to_string()];
        r.extend(m.genes.iter().map(|g| g.to_string()));
        r.extend([m.error, m.search, m.test].map(|v| v.to_string()));
        r.push(m.size_bits.to_string());
        r.push(m.energy_pj.to_string());
        if cell {
            r.push(m.cell.map_or(String::new(), |c| c.ge.to_string()));
            r.push(
                m.cell
                    .map_or(String::new(), |c| c.energy_per_inference_pj.to_string()),
            );
        }
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Accuracy (or MSE, log scale) against model size: members numbered, baselines labelled.
fn plot(f: &Front) -> Result<String, Box<dyn std::error::Error>> {
    let y = |v: f64| match f.metric {
        Metric::Accuracy => 100.0 * v,
        Metric::Mse => v.max(1e-9),
    };
    let pts: Vec<(usize, f64, f64)> = f
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m.size_bits as f64 / 1000.0, y(m.search)))
        .collect();
    let base: Vec<(u32, f64, f64)> = f
        .baselines
        .iter()
        .map(|b| {
            (
                b.bits,
                b.scored.size_bits as f64 / 1000.0,
                y(b.scored.search),
            )
        })
        .collect();
    let xs = pts.iter().map(|p| p.1).chain(base.iter().map(|b| b.1));
    let ys = pts.iter().map(|p| p.2).chain(base.iter().map(|b| b.2));
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let (x0, x1) = (x0 * 0.9, x1 * 1.05 + 1e-9);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (960, 640)).into_drawing_area();
        root.fill(&WHITE)?;
        let caption = format!(
            "{}: {} vs model size ({} members, {} evaluations)",
            f.task,
            match f.metric {
                Metric::Accuracy => "accuracy",
                Metric::Mse => "MSE",
            },
            f.members.len(),
            f.evaluations
        );
        let mut b = ChartBuilder::on(&root);
        b.caption(caption, ("sans-serif", 18))
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(70);
        macro_rules! draw {
            ($c:expr) => {{
                let mut c = $c;
                c.configure_mesh()
                    .light_line_style(WHITE)
                    .bold_line_style(RGBColor(232, 232, 232))
                    .x_desc("model size (kbit)")
                    .y_desc(match f.metric {
                        Metric::Accuracy => "accuracy on the search split (%)",
                        Metric::Mse => "MSE on the search split",
                    })
                    .draw()?;
                c.draw_series(
                    pts.iter()
                        .map(|&(_, x, y)| Circle::new((x, y), 4, RED.filled())),
                )?
                .label("mixed precision (numbered)")
                .legend(|(x, y)| Circle::new((x + 10, y), 4, RED.filled()));
                for &(i, x, y) in &pts {
                    c.draw_series(std::iter::once(Text::new(
                        format!("{i}"),
                        (x, y),
                        ("sans-serif", 11),
                    )))?;
                }
                c.draw_series(
                    base.iter()
                        .map(|&(_, x, y)| TriangleMarker::new((x, y), 7, BLUE.filled())),
                )?
                .label("homogeneous")
                .legend(|(x, y)| TriangleMarker::new((x + 10, y), 6, BLUE.filled()));
                for &(bits, x, y) in &base {
                    c.draw_series(std::iter::once(Text::new(
                        format!("int{bits}"),
                        (x, y),
                        ("sans-serif", 13),
                    )))?;
                }
                c.configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .position(SeriesLabelPosition::LowerRight)
                    .draw()?;
            }};
        }
        match f.metric {
            Metric::Accuracy => {
                draw!(b.build_cartesian_2d(x0..x1, (y0 - 5.0).max(0.0)..(y1 + 2.0).min(100.5))?)
            }
            Metric::Mse => {
                draw!(b.build_cartesian_2d(x0..x1, ((y0 * 0.5)..(y1 * 2.0)).log_scale())?)
            }
        }
        root.present()?;
    }
    Ok(svg)
}
