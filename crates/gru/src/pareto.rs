//! The mixed-precision search: NSGA-II (lutforge-search's `nsga2`, the same one the unit's
//! Pareto search runs) over the genome of `genome`, scoring each genome by post-training
//! quantization of one float model: error on the search split (1 − accuracy, or MSE), model
//! size in bits, and energy per inference from `energy`. Homogeneous models of every width are
//! the baselines and seed the first generation.

use crate::data::{Dataset, Metric, Sample};
use crate::energy::{Energy, EnergyModel};
use crate::finetune::{finetune, FinetuneConfig};
use crate::genome::{Genome, SEGMENT_CHOICES};
use crate::model::Gru;
use crate::quant::{Calibration, QuantGru, Ranges};
use crate::tables::TableCache;
use crate::train::{score_outputs, Score};
use lutforge_core::{Error, Result};
use lutforge_search::nsga2::{self, Evaluation, Problem, Settings};
use lutforge_sim::cost::Tech;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

pub const FRONT_FORMAT: &str = "lutforge-gru-front/1";

/// Which split the search scores genomes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SearchSplit {
    Val,
    Train,
    /// Training and validation together: for tasks whose validation split is too small to
    /// tell genomes apart (BasicMotions has 8 sequences).
    TrainVal,
}

impl SearchSplit {
    /// The default for a dataset: validation, unless it holds fewer than 100 sequences.
    pub fn default_for(ds: &Dataset) -> SearchSplit {
        if ds.val.len() < 100 {
            SearchSplit::TrainVal
        } else {
            SearchSplit::Val
        }
    }

    pub fn samples(self, ds: &Dataset) -> Vec<Sample> {
        match self {
            SearchSplit::Val => ds.val.clone(),
            SearchSplit::Train => ds.train.clone(),
            SearchSplit::TrainVal => ds.train.iter().chain(&ds.val).cloned().collect(),
        }
    }
}

/// What the search optimizes and within which bounds.
#[derive(Clone, Debug)]
pub struct Config {
    /// Widths every operator gene may take.
    pub bits: RangeInclusive<u32>,
    /// Objectives: error and size always; energy too unless turned off.
    pub energy_objective: bool,
    pub max_size_bits: Option<f64>,
    /// Classification: least accuracy; regression: this is the largest MSE.
    pub min_accuracy: Option<f64>,
    pub max_mse: Option<f64>,
    pub split: SearchSplit,
    pub calibration: Calibration,
    pub tech: Tech,
    /// Fine-tune (quantization-aware) this many of the smallest members near the 8-bit
    /// model's error after the search; 0: none.
    pub finetune: usize,
    pub finetune_cfg: FinetuneConfig,
    /// Score the hardware as the GRU cell of this many MAC lanes: the size objective becomes
    /// the cell's area, the energy objective its energy per inference from the cell model's
    /// activity over the first `CELL_SAMPLES` sequences of the search split.
    pub cell_lanes: Option<usize>,
}

/// Sequences of the search split the cell's energy is measured over, per genome: enough for
/// the activity to settle, few enough that a genome costs a few milliseconds more.
pub const CELL_SAMPLES: usize = 16;

/// One scored genome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub genome: String,
    pub genes: Vec<u32>,
    /// Error on the search split (1 − accuracy, or MSE).
    pub error: f64,
    /// Accuracy (or MSE) on the search split and on the test split.
    pub search: f64,
    pub test: f64,
    pub size_bits: u64,
    pub energy_pj: f64,
    pub energy: Energy,
    /// Largest width of the genome.
    pub max_bits: u32,
    pub fine_tuned: bool,
    /// The member as the GRU cell (`Config::cell_lanes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<crate::cell::CellScore>,
    /// A fine-tuned member's float weights (the flat layout of the model file's tensors);
    /// the others quantize the search's float model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
}

/// A homogeneous baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub bits: u32,
    #[serde(flatten)]
    pub scored: Scored,
}

/// The saving of the smallest member within one point of the 8-bit model (on the search
/// split).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saving {
    pub reference_bits: u32,
    pub reference_error: f64,
    /// Accuracy points (or MSE) a member may lose.
    pub tolerance: f64,
    pub member: usize,
    pub size_saving: f64,
    pub energy_saving: f64,
    /// The same member's cell against the reference's, when the search priced the cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_area_saving: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell_energy_saving: Option<f64>,
}

/// Hypervolume in (error, size), both normalized (error by its worst baseline, size by the
/// widest baseline's), reference (1.1, 1.1): the front's, and each baseline's alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypervolume {
    pub front: f64,
    pub homogeneous: f64,
    pub baselines: Vec<(u32, f64)>,
    pub dominates_every_baseline: bool,
}

/// The mean width of each gene over the members within one point of the 8-bit model: which
/// operators the good genomes keep wide.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GeneWidth {
    pub gene: String,
    pub mean_bits: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Front {
    pub format: String,
    pub task: String,
    pub metric: Metric,
    pub split: SearchSplit,
    pub gene_names: Vec<String>,
    pub members: Vec<Scored>,
    pub baselines: Vec<Baseline>,
    pub float_search: f64,
    pub float_test: f64,
    pub saving: Option<Saving>,
    pub hypervolume: Hypervolume,
    pub widths: Vec<GeneWidth>,
    pub evaluations: usize,
    pub tables: usize,
    /// Wall time of the search: reported, never written to the front file (whose bytes the
    /// same seed reproduces).
    #[serde(skip)]
    pub seconds: f64,
    pub settings: serde_json::Value,
    pub ranges: Ranges,
}

/// The problem NSGA-II sees.
pub struct GruProblem<'a> {
    pub model: &'a Gru,
    pub ranges: Ranges,
    pub samples: Vec<Sample>,
    pub metric: Metric,
    pub config: Config,
    pub tables: TableCache,
    pub energy: EnergyModel,
    pub mean_steps: f64,
    bounds: Vec<RangeInclusive<i64>>,
}

impl<'a> GruProblem<'a> {
    pub fn new(model: &'a Gru, ds: &Dataset, config: Config) -> Result<GruProblem<'a>> {
        if config.bits.is_empty()
            || *config.bits.start() < 2
            || *config.bits.end() > *crate::genome::BITS_RANGE.end()
        {
            return Err(Error::input(format!(
                "--bits {}..{}: widths lie in 2..16",
                config.bits.start(),
                config.bits.end()
            )));
        }
        if config.cell_lanes.is_some() && model.shape.layers != 1 {
            return Err(Error::input(format!(
                "--cell-lanes: the GRU cell holds one layer; this model has {}",
                model.shape.layers
            )));
        }
        if config.cell_lanes == Some(0) {
            return Err(Error::input("--cell-lanes 0: at least one MAC lane"));
        }
        let samples = config.split.samples(ds);
        let mean_steps = samples.iter().map(|s| s.len as f64).sum::<f64>() / samples.len() as f64;
        let layers = model.shape.layers;
        let n = Genome::len_for(layers);
        let mut bounds: Vec<RangeInclusive<i64>> =
            vec![*config.bits.start() as i64..=*config.bits.end() as i64; n - 2];
        bounds.extend([
            0..=(SEGMENT_CHOICES.len() as i64 - 1),
            0..=(SEGMENT_CHOICES.len() as i64 - 1),
        ]);
        Ok(GruProblem {
            model,
            ranges: Ranges::calibrate(model, &ds.train, config.calibration),
            samples,
            metric: ds.metric,
            tables: TableCache::new(),
            energy: EnergyModel::new(config.tech),
            mean_steps,
            config,
            bounds,
        })
    }

    /// The genome of NSGA-II's genes (table sizes as indices into {4, 8, 16}).
    pub fn genome_of(&self, genes: &[i64]) -> Genome {
        let n = genes.len();
        let mut g: Vec<u32> = genes.iter().map(|&v| v as u32).collect();
        g[n - 2] = SEGMENT_CHOICES[genes[n - 2] as usize] as u32;
        g[n - 1] = SEGMENT_CHOICES[genes[n - 1] as usize] as u32;
        Genome::from_genes(&g, self.model.shape.layers).expect("genes within their bounds")
    }

    pub fn genes_of(&self, g: &Genome) -> Vec<i64> {
        let mut v: Vec<i64> = g.to_genes().iter().map(|&x| x as i64).collect();
        let n = v.len();
        for i in [n - 2, n - 1] {
            v[i] = SEGMENT_CHOICES
                .iter()
                .position(|&k| k as i64 == v[i])
                .unwrap_or(SEGMENT_CHOICES.len() - 1) as i64;
        }
        v
    }

    pub fn quantize(&self, g: &Genome) -> Result<QuantGru> {
        QuantGru::new(self.model, &self.ranges, g, &self.tables)
    }

    /// A genome's score on `samples`.
    pub fn score_on(&self, q: &QuantGru, samples: &[Sample]) -> Score {
        score_outputs(self.metric, samples, |s| q.forward(s))
    }

    /// The cell's score of `q`, when the search prices the cell.
    pub fn cell_score(&self, q: &QuantGru) -> Result<Option<crate::cell::CellScore>> {
        let Some(lanes) = self.config.cell_lanes else {
            return Ok(None);
        };
        let n = self.samples.len().min(CELL_SAMPLES);
        crate::cell::score(q, lanes, &self.samples[..n], &self.config.tech).map(Some)
    }

    /// The hardware objectives of `q`: size (or the cell's area) and, when searched, energy
    /// (or the cell's).
    fn hardware(&self, q: &QuantGru, cell: Option<&crate::cell::CellScore>) -> Vec<f64> {
        let mut v = vec![cell.map_or(q.size_bits() as f64, |c| c.ge)];
        if self.config.energy_objective {
            v.push(cell.map_or_else(
                || self.energy.inference(q, self.mean_steps).total_pj,
                |c| c.energy_per_inference_pj,
            ));
        }
        v
    }

    /// Scores a genome on the search split and the test split.
    pub fn scored(&self, g: &Genome, test: &[Sample]) -> Result<Scored> {
        let q = self.quantize(g)?;
        let s = self.score_on(&q, &self.samples);
        let t = self.score_on(&q, test);
        let e = self.energy.inference(&q, self.mean_steps);
        Ok(Scored {
            genome: g.to_string(),
            genes: g.to_genes(),
            error: s.error(),
            search: s.value,
            test: t.value,
            size_bits: q.size_bits(),
            energy_pj: e.total_pj,
            energy: e,
            max_bits: g.max_bits(),
            fine_tuned: false,
            cell: self.cell_score(&q)?,
            weights: None,
        })
    }

    fn violation(&self, error: f64, size: f64) -> f64 {
        let mut v = 0.0;
        if let Some(m) = self.config.max_size_bits {
            v += (size / m - 1.0).max(0.0);
        }
        match self.metric {
            Metric::Accuracy => {
                if let Some(a) = self.config.min_accuracy {
                    v += ((1.0 - error) - a).min(0.0).abs();
                }
            }
            Metric::Mse => {
                if let Some(m) = self.config.max_mse {
                    v += (error / m - 1.0).max(0.0);
                }
            }
        }
        v
    }
}

impl Problem for GruProblem<'_> {
    fn bounds(&self) -> &[RangeInclusive<i64>] {
        &self.bounds
    }

    fn evaluate(&self, genes: &[i64]) -> Evaluation {
        let g = self.genome_of(genes);
        let Ok(q) = self.quantize(&g) else {
            return Evaluation {
                objectives: vec![f64::INFINITY; 2 + usize::from(self.config.energy_objective)],
                violation: f64::INFINITY,
            };
        };
        let err = self.score_on(&q, &self.samples).error();
        let size = q.size_bits() as f64;
        let cell = match self.cell_score(&q) {
            Ok(c) => c,
            Err(_) => {
                return Evaluation {
                    objectives: vec![f64::INFINITY; 2 + usize::from(self.config.energy_objective)],
                    violation: f64::INFINITY,
                }
            }
        };
        let mut objectives = vec![err];
        objectives.extend(self.hardware(&q, cell.as_ref()));
        Evaluation {
            violation: self.violation(err, size),
            objectives,
        }
    }
}

/// The tolerance "within one point": one point of accuracy, or for regression one point of
/// explained variance (R²): 1 % of the targets' variance in MSE.
pub fn tolerance(metric: Metric, samples: &[Sample]) -> f64 {
    match metric {
        Metric::Accuracy => 0.01,
        Metric::Mse => {
            let ys: Vec<f64> = samples
                .iter()
                .filter_map(|s| match s.y {
                    crate::data::Target::Value(v) => Some(v),
                    crate::data::Target::Class(_) => None,
                })
                .collect();
            let n = ys.len().max(1) as f64;
            let mean = ys.iter().sum::<f64>() / n;
            0.01 * ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n
        }
    }
}

/// Runs the search; `progress` hears every generation.
pub fn run(
    model: &Gru,
    ds: &Dataset,
    config: Config,
    settings: &Settings,
    progress: &mut dyn FnMut(&nsga2::Progress),
) -> Result<Front> {
    let t0 = std::time::Instant::now();
    let problem = GruProblem::new(model, ds, config.clone())?;
    let layers = model.shape.layers;
    let widths: Vec<u32> = config.bits.clone().filter(|&b| b <= 8).collect();
    let mut baselines = Vec::new();
    for &b in &widths {
        let g = Genome::homogeneous(layers, b, 16);
        baselines.push(Baseline {
            bits: b,
            scored: problem.scored(&g, &ds.test)?,
        });
    }
    let seeds: Vec<Vec<i64>> = baselines
        .iter()
        .map(|b| problem.genes_of(&Genome::homogeneous(layers, b.bits, 16)))
        .collect();
    let out = nsga2::run(&problem, settings, &seeds, progress).map_err(Error::input)?;
    let mut members = Vec::new();
    for ind in &out.front {
        members.push(problem.scored(&problem.genome_of(&ind.genes), &ds.test)?);
    }
    let reference = baselines.iter().max_by_key(|b| b.bits).cloned();
    let tol = tolerance(ds.metric, &problem.samples);
    if let (Some(r), true) = (&reference, config.finetune > 0) {
        // The smallest members within five points of the reference: the ones fine-tuning may
        // bring within one.
        let mut near: Vec<&Scored> = members
            .iter()
            .filter(|m| m.error <= r.scored.error + 5.0 * tol)
            .collect();
        near.sort_by_key(|m| m.size_bits);
        let picks: Vec<Genome> = near
            .iter()
            .take(config.finetune)
            .map(|m| Genome::from_genes(&m.genes, layers))
            .collect::<Result<_>>()?;
        for g in picks {
            let (tuned, _) = finetune(
                model,
                ds,
                &g,
                &problem.samples,
                &problem.tables,
                config.calibration,
                &config.finetune_cfg,
            )?;
            let sub = GruProblem::new(&tuned, ds, config.clone())?;
            let mut sc = sub.scored(&g, &ds.test)?;
            sc.fine_tuned = true;
            sc.weights = Some(tuned.params.clone());
            members.push(sc);
        }
        // Fine-tuned members can dominate others of the front: keep the non-dominated ones.
        let obj = |m: &Scored| -> Vec<f64> {
            let mut v = vec![m.error, m.cell.map_or(m.size_bits as f64, |c| c.ge)];
            if config.energy_objective {
                v.push(m.cell.map_or(m.energy_pj, |c| c.energy_per_inference_pj));
            }
            v
        };
        let all = members.clone();
        members.retain(|m| {
            !all.iter()
                .any(|o| nsga2::pareto_dominates(&obj(o), &obj(m)))
        });
    }
    members.sort_by(|a, b| {
        a.size_bits
            .cmp(&b.size_bits)
            .then(a.error.total_cmp(&b.error))
    });
    let float_search = score_outputs(ds.metric, &problem.samples, |s| model.forward(s)).value;
    let float_test = score_outputs(ds.metric, &ds.test, |s| model.forward(s)).value;

    // The saving at the 8-bit model's error (or the widest baseline's when 8 is not searched).
    let saving = reference.and_then(|r| {
        let best = members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.error <= r.scored.error + tol)
            .min_by(|a, b| a.1.size_bits.cmp(&b.1.size_bits))?;
        Some(Saving {
            reference_bits: r.bits,
            reference_error: r.scored.error,
            tolerance: tol,
            member: best.0,
            size_saving: 1.0 - best.1.size_bits as f64 / r.scored.size_bits as f64,
            energy_saving: 1.0 - best.1.energy_pj / r.scored.energy_pj,
            cell_area_saving: best
                .1
                .cell
                .zip(r.scored.cell)
                .map(|(m, r)| 1.0 - m.ge / r.ge),
            cell_energy_saving: best
                .1
                .cell
                .zip(r.scored.cell)
                .map(|(m, r)| 1.0 - m.energy_per_inference_pj / r.energy_per_inference_pj),
        })
    });
    let hypervolume = hypervolume(&members, &baselines);
    let widths = gene_widths(&members, &saving, layers);
    let seconds = t0.elapsed().as_secs_f64();
    let evaluations = out.evaluated.len();
    Ok(Front {
        format: FRONT_FORMAT.into(),
        task: ds.task.clone(),
        metric: ds.metric,
        split: config.split,
        gene_names: Genome::names(layers),
        members,
        baselines,
        float_search,
        float_test,
        saving,
        hypervolume,
        widths,
        evaluations,
        tables: problem.tables.len(),
        seconds,
        settings: serde_json::json!({
            "population": settings.population,
            "generations": settings.generations,
            "seed": settings.seed,
            "bits": [config.bits.start(), config.bits.end()],
            "energy_objective": config.energy_objective,
            "max_size_bits": config.max_size_bits,
            "min_accuracy": config.min_accuracy,
            "max_mse": config.max_mse,
            "calibration": config.calibration,
            "node": config.tech.name,
            "mean_steps": problem.mean_steps,
            "finetune": config.finetune,
            "finetune_settings": config.finetune_cfg,
            "cell_lanes": config.cell_lanes,
            "cell_samples": config.cell_lanes.map(|_| CELL_SAMPLES),
        }),
        ranges: problem.ranges.clone(),
    })
}

fn hypervolume(members: &[Scored], baselines: &[Baseline]) -> Hypervolume {
    let err_ref = baselines
        .iter()
        .map(|b| b.scored.error)
        .chain(members.iter().map(|m| m.error))
        .filter(|e| e.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let size_ref = baselines
        .iter()
        .map(|b| b.scored.size_bits as f64)
        .fold(1.0f64, f64::max);
    let pt = |s: &Scored| vec![s.error / err_ref, s.size_bits as f64 / size_ref];
    let r = [1.1, 1.1];
    let hv = |pts: Vec<Vec<f64>>| nsga2::hypervolume(&pts, &r).unwrap_or(0.0);
    let front = hv(members.iter().map(pt).collect());
    let homogeneous = hv(baselines.iter().map(|b| pt(&b.scored)).collect());
    let per: Vec<(u32, f64)> = baselines
        .iter()
        .map(|b| (b.bits, hv(vec![pt(&b.scored)])))
        .collect();
    Hypervolume {
        dominates_every_baseline: per.iter().all(|(_, v)| front >= *v) && front >= homogeneous,
        front,
        homogeneous,
        baselines: per,
    }
}

fn gene_widths(members: &[Scored], saving: &Option<Saving>, layers: usize) -> Vec<GeneWidth> {
    let good: Vec<&Scored> = match saving {
        Some(s) => members
            .iter()
            .filter(|m| m.error <= s.reference_error + s.tolerance)
            .collect(),
        None => members.iter().collect(),
    };
    let names = Genome::names(layers);
    let mut v: Vec<GeneWidth> = names[..names.len() - 2]
        .iter()
        .enumerate()
        .map(|(i, n)| GeneWidth {
            gene: n.clone(),
            mean_bits: good.iter().map(|m| m.genes[i] as f64).sum::<f64>()
                / good.len().max(1) as f64,
        })
        .collect();
    v.sort_by(|a, b| {
        b.mean_bits
            .total_cmp(&a.mean_bits)
            .then(a.gene.cmp(&b.gene))
    });
    v
}
