//! The mixed-precision search: NSGA-II (lutforge-search's `nsga2`, the same one the unit's
//! Pareto search runs) over the genome of `genome`, scoring each genome by post-training
//! quantization: error on the search data, model size in bits (or the GRU cell's area) and
//! energy per inference. Homogeneous models of every width are the baselines and seed the
//! first generation.
//!
//! Three kinds of data are kept apart (docs/gru.md, "Choosing a member"): the float model's
//! training data; the **search data**, on which genomes are scored and every choice is made —
//! a validation split the float model never trained on, k folds of the training split scored
//! by k fold models, the user's own held-out sequences, or (for a model trained elsewhere, with
//! nothing held out) the training inputs scored against the float model without labels; and
//! the **test** split, scored for every member and read by no choice.

use crate::calibration::{Calibration, Ranges, WeightScales};
use crate::cell::CellScore;
use crate::data::{self, Dataset, Metric, Sample, Target};
use crate::energy::{Energy, EnergyModel};
use crate::finetune::{finetune, FinetuneConfig};
use crate::genome::{Genome, SEGMENT_CHOICES};
use crate::inputs::Inputs;
use crate::model::Gru;
use crate::model_file::FoldModels;
use crate::quant::QuantGru;
use crate::scoring::{paired, wilson, Objective, Paired, Tally};
use crate::tables::TableCache;
use lutforge_core::{Error, Result};
use lutforge_search::nsga2::{self, Evaluation, Problem, Settings};
use lutforge_sim::cost::Tech;
use serde::{Deserialize, Serialize};
use std::ops::RangeInclusive;

pub const FRONT_FORMAT: &str = "lutforge-gru-front/2";

/// Where genomes are scored and members chosen.
#[derive(Clone, Debug, PartialEq)]
pub enum SearchData {
    /// The task's validation split, which training never reads.
    Val,
    /// k-fold cross-validation over the training split: fold i scored by the model file's
    /// fold model i, which never saw it.
    Folds,
    /// The user's own held-out sequences (`--search-data FILE`), labelled or not.
    External {
        name: String,
        samples: Vec<Sample>,
        labelled: bool,
    },
    /// The training inputs, without labels: each genome against the float model (the only
    /// search data a model trained elsewhere brings).
    TrainInputs,
}

impl SearchData {
    /// The default for a model: its fold models when it has them, the validation split when
    /// the task has one of at least [`MIN_VAL`] sequences, else the training inputs (said
    /// plainly in the front and the summary).
    pub fn default_for(ds: &Dataset, folds: Option<&FoldModels>) -> SearchData {
        if folds.is_some() {
            SearchData::Folds
        } else if ds.val.len() >= MIN_VAL {
            SearchData::Val
        } else {
            SearchData::TrainInputs
        }
    }
}

/// The label-free checks on training inputs (the deployed model's, with fold models; the
/// search data itself, for a model with nothing held out) see about this many sequences: the
/// training inputs (an evenly spaced subset of a larger split), then copies of them with
/// Gaussian noise of [`CHECK_NOISE`] standard deviations per feature. A genome that erodes the float model's margins flips decisions on
/// the noisy copies long before it flips them on the clean inputs the model was fitted to.
pub const CHECK_SEQUENCES: usize = 1000;
pub const CHECK_NOISE: f64 = 0.2;
/// At most this many noisy copies of each training sequence.
pub const CHECK_COPIES: usize = 4;

/// The training inputs and their noisy copies (see [`CHECK_SEQUENCES`]); the noise of copy c
/// of sequence i comes from its own generator, the same on every machine.
pub fn check_samples(train: &[Sample], features: usize) -> Vec<Sample> {
    let copies = CHECK_SEQUENCES
        .div_ceil(train.len().max(1))
        .saturating_sub(1)
        .min(CHECK_COPIES);
    let spread = crate::model::Norm::fit(train, features);
    // A large training split: an evenly spaced subset of it.
    let step = train.len().div_ceil(CHECK_SEQUENCES).max(1);
    let train: Vec<Sample> = train.iter().step_by(step).cloned().collect();
    let train = &train[..];
    let mut v = train.to_vec();
    for c in 0..copies {
        v.extend(
            train
                .iter()
                .enumerate()
                .map(|(i, s)| crate::train::noisy(s, &spread, CHECK_NOISE, CHECK_SEED, c, i)),
        );
    }
    v
}

/// The seed of the checks' noise.
const CHECK_SEED: u64 = 0x0063_6865_636b;

/// Fewest validation sequences the default search data takes (below, a point is a fraction of
/// a sequence and genomes cannot be told apart).
pub const MIN_VAL: usize = 100;

/// What the front says of its search data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchInfo {
    /// `validation`, `folds`, `file` or `training-inputs`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<usize>,
    pub sequences: usize,
    /// Whether the labels are read (else the float model's outputs are the reference).
    pub labelled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub objective: Objective,
    /// The protocol in one sentence, as the summary prints it.
    pub description: String,
}

/// What the search optimizes and within which bounds.
#[derive(Clone, Debug)]
pub struct Config {
    /// Widths every operator gene may take.
    pub bits: RangeInclusive<u32>,
    /// Objectives: error and size always; energy too unless turned off.
    pub energy_objective: bool,
    pub max_size_bits: Option<f64>,
    /// Classification: least accuracy on the search data; regression: this is the largest MSE.
    pub min_accuracy: Option<f64>,
    pub max_mse: Option<f64>,
    pub search: SearchData,
    pub objective: Objective,
    pub calibration: Calibration,
    pub weight_scales: WeightScales,
    pub tech: Tech,
    /// Fine-tune (quantization-aware) this many of the smallest members near the 8-bit
    /// model's error before the choice; 0: none.
    pub finetune: usize,
    pub finetune_cfg: FinetuneConfig,
    /// Score the hardware as the GRU cell of this many MAC lanes: the size objective becomes
    /// the cell's area, the energy objective its energy per inference from the cell model's
    /// activity over the first `CELL_SAMPLES` sequences of the training split.
    pub cell_lanes: Option<usize>,
}

/// Sequences the cell's energy is measured over, per genome: enough for the activity to
/// settle, few enough that a genome costs a few milliseconds more.
pub const CELL_SAMPLES: usize = 16;

/// A model's figure on one set of sequences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SplitScore {
    pub n: usize,
    /// Sequences classified right (labelled classification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correct: Option<usize>,
    /// Accuracy or MSE (with labels); agreement with the float model or the mean squared
    /// difference from it (without).
    pub value: f64,
    /// Wilson's 95 % interval of the accuracy (labelled classification).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci95: Option<(f64, f64)>,
    /// The mean task loss (with labels).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loss: Option<f64>,
    /// The mean divergence from the float model (KL, or squared difference).
    pub divergence: f64,
}

impl SplitScore {
    fn of(t: &Tally, metric: Metric, labelled: bool) -> SplitScore {
        let classify = metric == Metric::Accuracy && labelled;
        SplitScore {
            n: t.n,
            correct: classify.then_some(t.correct),
            value: t.value(metric, labelled),
            ci95: classify.then(|| wilson(t.correct, t.n)),
            loss: labelled.then(|| t.loss / t.n.max(1) as f64),
            divergence: t.divergence / t.n.max(1) as f64,
        }
    }
}

/// One scored genome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub genome: String,
    pub genes: Vec<u32>,
    /// The search objective's value (what NSGA-II minimized).
    pub objective: f64,
    /// The error on the search data that the choice rules read: 1 − accuracy (or 1 −
    /// agreement with the float model without labels), or the MSE; with fold models, plus
    /// the deployed model's disagreement with its float model on the training inputs.
    pub error: f64,
    pub search: SplitScore,
    pub test: SplitScore,
    /// On the search data, against the 8-bit model (paired, the same sequences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_vs_int8: Option<Paired>,
    /// With fold models: the deployed model (trained on the whole training split) on its
    /// training inputs against its float model: the check that the genome holds for the
    /// model that is built, not only for the fold models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed: Option<SplitScore>,
    /// On the test split, against the 8-bit model (paired, the same sequences).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_vs_int8: Option<Paired>,
    pub size_bits: u64,
    pub energy_pj: f64,
    pub energy: Energy,
    /// Largest width of the genome.
    pub max_bits: u32,
    pub fine_tuned: bool,
    /// The member as the GRU cell (`Config::cell_lanes`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<CellScore>,
    /// A fine-tuned member's float weights (the flat layout of the model file's tensors);
    /// the others quantize the search's float model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weights: Option<Vec<f64>>,
}

impl Scored {
    /// The size objective: the cell's area when the search priced the cell, else the bits.
    pub fn size(&self) -> f64 {
        self.cell.map_or(self.size_bits as f64, |c| c.ge)
    }
}

/// A homogeneous baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub bits: u32,
    #[serde(flatten)]
    pub scored: Scored,
}

/// The recommended member: the one `rule` picks, and what it saves against the 8-bit model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saving {
    pub rule: String,
    pub reference_bits: u32,
    pub reference_error: f64,
    /// Accuracy points (or MSE) a member may lose, on the search data.
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
/// widest baseline's), reference (1.1, 1.1): the front's, the baselines' together, and each
/// baseline's alone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypervolume {
    pub front: f64,
    pub homogeneous: f64,
    pub baselines: Vec<(u32, f64)>,
    pub dominates_every_baseline: bool,
}

/// The hypervolumes by the search data's error and by the test split's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hypervolumes {
    pub search: Hypervolume,
    pub test: Hypervolume,
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
    pub search: SearchInfo,
    pub gene_names: Vec<String>,
    pub members: Vec<Scored>,
    pub baselines: Vec<Baseline>,
    pub float_search: SplitScore,
    pub float_test: SplitScore,
    /// The tolerance "within one point" on the search data (accuracy points, or MSE).
    pub tolerance: f64,
    pub saving: Option<Saving>,
    pub hypervolume: Hypervolumes,
    pub widths: Vec<GeneWidth>,
    pub evaluations: usize,
    /// Activation tables built in this process: reported, not written to the front file, since
    /// it depends on where the evaluations ran (here, or on a cluster's workers).
    #[serde(skip_serializing, default)]
    pub tables: usize,
    /// Wall time of the search: reported, never written to the front file (whose bytes the
    /// same seed reproduces).
    #[serde(skip)]
    pub seconds: f64,
    pub settings: serde_json::Value,
    /// The calibration of the model the members quantize.
    pub ranges: Ranges,
}

/// One set of search (or test) sequences with the model that scores them.
struct View {
    model: Gru,
    ranges: Ranges,
    /// What `model` was trained on (fine-tuning trains it further on the same).
    train: Vec<Sample>,
    /// The sequences scored, and them prepared for `model`.
    samples: Vec<Sample>,
    inputs: Inputs,
    targets: Vec<Option<Target>>,
    /// The float model's outputs, the reference of the divergence.
    float: Vec<Vec<f64>>,
}

impl View {
    fn new(
        model: Gru,
        train: Vec<Sample>,
        samples: &[Sample],
        labelled: bool,
        config: &Config,
    ) -> View {
        let ranges = Ranges::calibrate(&model, &train, config.calibration, config.weight_scales);
        View {
            inputs: Inputs::new(samples, model.shape.input, &model.norm),
            targets: samples.iter().map(|s| labelled.then_some(s.y)).collect(),
            float: samples.iter().map(|s| model.forward(s)).collect(),
            samples: samples.to_vec(),
            model,
            ranges,
            train,
        }
    }

    /// The same sequences, scored by `model` (trained on the same data) instead.
    fn with_model(&self, model: Gru, config: &Config) -> View {
        let ranges = Ranges::calibrate(
            &model,
            &self.train,
            config.calibration,
            config.weight_scales,
        );
        View {
            inputs: Inputs::new(&self.samples, model.shape.input, &model.norm),
            targets: self.targets.clone(),
            float: self.float.clone(),
            samples: self.samples.clone(),
            model,
            ranges,
            train: self.train.clone(),
        }
    }

    /// The tally of the integer model of `genome`, and each sequence's result for paired
    /// comparisons.
    fn tally(
        &self,
        genome: &Genome,
        metric: Metric,
        tables: &TableCache,
    ) -> Result<(Tally, Vec<f64>, QuantGru)> {
        let q = QuantGru::new(&self.model, &self.ranges, genome, tables)?;
        let outs = q.outputs(&self.inputs)?;
        let mut t = Tally::default();
        let mut per = Vec::with_capacity(outs.len());
        for ((codes, float), target) in outs.iter().zip(&self.float).zip(&self.targets) {
            let out: Vec<f64> = codes.iter().map(|&c| q.o.value(c)).collect();
            let before = (t.correct, t.agree, t.sq_err, t.divergence);
            t.add(metric, &out, float, *target);
            // Labelled: right (0/1) or the squared error; unlabelled: agreement with the float
            // model (0/1) or the squared difference from it.
            per.push(match (metric, target.is_some()) {
                (Metric::Accuracy, true) => (t.correct - before.0) as f64,
                (Metric::Accuracy, false) => (t.agree - before.1) as f64,
                (Metric::Mse, true) => t.sq_err - before.2,
                (Metric::Mse, false) => t.divergence - before.3,
            });
        }
        Ok((t, per, q))
    }

    /// The float model's own tally.
    fn float_tally(&self, metric: Metric) -> Tally {
        let mut t = Tally::default();
        for (f, target) in self.float.iter().zip(&self.targets) {
            t.add(metric, f, f, *target);
        }
        t
    }
}

/// The problem NSGA-II sees.
pub struct GruProblem<'a> {
    pub model: &'a Gru,
    pub metric: Metric,
    pub config: Config,
    pub tables: TableCache,
    pub energy: EnergyModel,
    /// Mean steps of the training split: the sequence length the energy per inference is
    /// priced at, everywhere (the front, `gru eval`).
    pub mean_steps: f64,
    /// The search data, each part with its model.
    views: Vec<View>,
    /// With fold models: the deployed model on the training inputs, unlabelled.
    check: Option<View>,
    labelled: bool,
    /// The model of the members, on the training split (for calibration and the cell's
    /// activity) and the test split.
    deployed: View,
    cell_samples: Vec<Sample>,
    bounds: Vec<RangeInclusive<i64>>,
    info: SearchInfo,
}

/// The mean number of steps of `samples`.
pub fn mean_steps(samples: &[Sample]) -> f64 {
    samples.iter().map(|s| s.len as f64).sum::<f64>() / samples.len().max(1) as f64
}

impl<'a> GruProblem<'a> {
    pub fn new(
        model: &'a Gru,
        folds: Option<&FoldModels>,
        ds: &Dataset,
        config: Config,
    ) -> Result<GruProblem<'a>> {
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
        let classification = ds.metric == Metric::Accuracy;
        let (views, labelled, info) = match &config.search {
            SearchData::Val => {
                if ds.val.is_empty() {
                    return Err(Error::input(format!(
                        "task {} has no validation split: search on folds (a model from `gru train --folds K`) or --search-data FILE",
                        ds.task
                    )));
                }
                let v = View::new(model.clone(), ds.train.clone(), &ds.val, true, &config);
                let info = SearchInfo {
                    kind: "validation".into(),
                    k: None,
                    sequences: ds.val.len(),
                    labelled: true,
                    source: None,
                    objective: config.objective,
                    description: format!(
                        "the validation split ({} sequences), which training never reads",
                        ds.val.len()
                    ),
                };
                (vec![v], true, info)
            }
            SearchData::Folds => {
                let f = folds.ok_or_else(|| {
                    Error::input(
                        "the model has no fold models: train it with `gru train --folds K`, or choose other search data",
                    )
                })?;
                let fold_of = data::folds(&ds.train, f.k)?;
                let mut views = Vec::with_capacity(f.k);
                for (i, m) in f.models.iter().enumerate() {
                    let in_fold = |want: bool| -> Vec<Sample> {
                        ds.train
                            .iter()
                            .zip(&fold_of)
                            .filter(|(_, &k)| (k == i) == want)
                            .map(|(s, _)| s.clone())
                            .collect()
                    };
                    let (held, rest) = (in_fold(true), in_fold(false));
                    views.push(View::new(m.clone(), rest, &held, true, &config));
                }
                let info = SearchInfo {
                    kind: "folds".into(),
                    k: Some(f.k),
                    sequences: ds.train.len(),
                    labelled: true,
                    source: None,
                    objective: config.objective,
                    description: format!(
                        "{} folds of the training split ({} sequences), each scored by a fold model that never saw it; and the deployed model against its float model on the training inputs and noisy copies ({})",
                        f.k,
                        ds.train.len(),
                        check_samples(&ds.train, ds.features).len()
                    ),
                };
                (views, true, info)
            }
            SearchData::External {
                name,
                samples,
                labelled,
            } => {
                if samples.is_empty() {
                    return Err(Error::input(format!("{name}: no sequences")));
                }
                let v = View::new(model.clone(), ds.train.clone(), samples, *labelled, &config);
                let info = SearchInfo {
                    kind: "file".into(),
                    k: None,
                    sequences: samples.len(),
                    labelled: *labelled,
                    source: Some(name.clone()),
                    objective: config.objective,
                    description: format!(
                        "{name} ({} sequences{})",
                        samples.len(),
                        if *labelled {
                            ""
                        } else {
                            ", unlabelled: against the float model"
                        }
                    ),
                };
                (vec![v], *labelled, info)
            }
            SearchData::TrainInputs => {
                let inputs = check_samples(&ds.train, ds.features);
                let v = View::new(model.clone(), ds.train.clone(), &inputs, false, &config);
                let info = SearchInfo {
                    kind: "training-inputs".into(),
                    k: None,
                    sequences: inputs.len(),
                    labelled: false,
                    source: None,
                    objective: config.objective,
                    description: format!(
                        "the training inputs and noisy copies of them ({} sequences) against the float model, without labels: the model brings no held-out data, so the search sees only what it was trained on (--search-data FILE gives it some)",
                        inputs.len()
                    ),
                };
                (vec![v], false, info)
            }
        };
        if !labelled && config.objective == Objective::Loss {
            return Err(Error::input(
                "--objective loss needs labelled search data; these have none (use fidelity or error)",
            ));
        }
        if !labelled && classification && config.min_accuracy.is_some() {
            return Err(Error::input(
                "--min-accuracy needs labelled search data; these have none",
            ));
        }
        let deployed = View::new(model.clone(), ds.train.clone(), &ds.test, true, &config);
        let check = matches!(config.search, SearchData::Folds).then(|| {
            let inputs = check_samples(&ds.train, ds.features);
            View::new(model.clone(), ds.train.clone(), &inputs, false, &config)
        });
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
            metric: ds.metric,
            tables: TableCache::new(),
            energy: EnergyModel::new(config.tech),
            mean_steps: mean_steps(&ds.train),
            cell_samples: ds.train.iter().take(CELL_SAMPLES).cloned().collect(),
            config,
            views,
            check,
            labelled,
            deployed,
            bounds,
            info,
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

    /// The integer model of `g` the members deploy: the float model, calibrated on the
    /// training split.
    pub fn quantize(&self, g: &Genome) -> Result<QuantGru> {
        QuantGru::new(&self.deployed.model, &self.deployed.ranges, g, &self.tables)
    }

    /// `g` on the search data: every view (or the fine-tuned ones), and the deployed
    /// model's check.
    fn searched(&self, g: &Genome, tuned: Option<&Tuned>) -> Result<Searched> {
        let views = tuned.map_or(&self.views[..], |t| &t.views[..]);
        let mut tally = Tally::default();
        let mut per = Vec::new();
        for v in views {
            let (t, p, _) = v.tally(g, self.metric, &self.tables)?;
            tally.merge(&t);
            per.extend(p);
        }
        let check = match tuned.map_or(self.check.as_ref(), |t| t.check.as_ref()) {
            Some(v) => Some(v.tally(g, self.metric, &self.tables)?.0),
            None => None,
        };
        let (m, l, o) = (self.metric, self.labelled, self.config.objective);
        let objective = tally.objective(m, l, o)
            + check
                .as_ref()
                .map_or(0.0, |c| c.objective(m, false, Objective::Fidelity));
        let error = tally.error(m, l) + check.as_ref().map_or(0.0, |c| c.error(m, false));
        Ok(Searched {
            tally,
            per,
            check,
            objective,
            error,
        })
    }

    /// The cell's score of `q`, when the search prices the cell.
    pub fn cell_score(&self, q: &QuantGru) -> Result<Option<CellScore>> {
        let Some(lanes) = self.config.cell_lanes else {
            return Ok(None);
        };
        crate::cell::score(q, lanes, &self.cell_samples, &self.config.tech).map(Some)
    }

    /// The hardware objectives of `q`: size (or the cell's area) and, when searched, energy
    /// (or the cell's).
    fn hardware(&self, q: &QuantGru, cell: Option<&CellScore>) -> Vec<f64> {
        let mut v = vec![cell.map_or(q.size_bits() as f64, |c| c.ge)];
        if self.config.energy_objective {
            v.push(cell.map_or_else(
                || self.energy.inference(q, self.mean_steps).total_pj,
                |c| c.energy_per_inference_pj,
            ));
        }
        v
    }

    /// Scores a genome on the search data and the test split; `tuned` replaces the search
    /// data's models and the deployed one by fine-tuned ones. Returns the test split's
    /// per-sequence results too.
    fn scored_with(&self, g: &Genome, tuned: Option<&Tuned>) -> Result<(Scored, PerSequence)> {
        let search = self.searched(g, tuned)?;
        let deployed = tuned.map_or(&self.deployed, |t| &t.deployed);
        let (test, per, q) = deployed.tally(g, self.metric, &self.tables)?;
        let e = self.energy.inference(&q, self.mean_steps);
        let labelled = self.labelled;
        Ok((
            Scored {
                genome: g.to_string(),
                genes: g.to_genes(),
                objective: search.objective,
                error: search.error,
                search: SplitScore::of(&search.tally, self.metric, labelled),
                search_vs_int8: None,
                deployed: search
                    .check
                    .as_ref()
                    .map(|c| SplitScore::of(c, self.metric, false)),
                test: SplitScore::of(&test, self.metric, true),
                test_vs_int8: None,
                size_bits: q.size_bits(),
                energy_pj: e.total_pj,
                energy: e,
                max_bits: g.max_bits(),
                fine_tuned: tuned.is_some(),
                cell: self.cell_score(&q)?,
                weights: tuned.map(|t| t.deployed.model.params.clone()),
            },
            PerSequence {
                search: search.per,
                test: per,
            },
        ))
    }

    /// Scores a genome on the search data and the test split.
    pub fn scored(&self, g: &Genome) -> Result<Scored> {
        Ok(self.scored_with(g, None)?.0)
    }

    /// Fine-tunes every model of the search data and the deployed one for `g`, each on its
    /// own training data. The divergence stays measured from the untuned float model: fidelity
    /// is to the model the user brought.
    fn tune(&self, g: &Genome) -> Tuned {
        let c = &self.config;
        let tuned = |v: &View| -> View {
            let m = finetune(
                &v.model,
                &v.train,
                g,
                c.calibration,
                c.weight_scales,
                &c.finetune_cfg,
            );
            v.with_model(m, c)
        };
        let deployed = tuned(&self.deployed);
        Tuned {
            views: self.views.iter().map(tuned).collect(),
            check: self
                .check
                .as_ref()
                .map(|v| v.with_model(deployed.model.clone(), c)),
            deployed,
        }
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

    /// What the front says of its search data.
    pub fn info(&self) -> &SearchInfo {
        &self.info
    }
}

/// The fine-tuned models of one genome.
struct Tuned {
    views: Vec<View>,
    check: Option<View>,
    deployed: View,
}

/// Each sequence's result (0/1 right, or the squared error) on the search data and the test
/// split: the paired comparisons' input.
#[derive(Clone, Debug, Default)]
struct PerSequence {
    search: Vec<f64>,
    test: Vec<f64>,
}

/// A genome on the search data.
struct Searched {
    tally: Tally,
    /// Each search sequence's result (0/1 right, or the squared error), views in order.
    per: Vec<f64>,
    check: Option<Tally>,
    objective: f64,
    error: f64,
}

impl Problem for GruProblem<'_> {
    fn bounds(&self) -> &[RangeInclusive<i64>] {
        &self.bounds
    }

    fn evaluate(&self, genes: &[i64]) -> Evaluation {
        let infeasible = || Evaluation {
            objectives: vec![f64::INFINITY; 2 + usize::from(self.config.energy_objective)],
            violation: f64::INFINITY,
        };
        let g = self.genome_of(genes);
        let Ok(t) = self.searched(&g, None) else {
            return infeasible();
        };
        let Ok(q) = self.quantize(&g) else {
            return infeasible();
        };
        let Ok(cell) = self.cell_score(&q) else {
            return infeasible();
        };
        let (objective, err) = (t.objective, t.error);
        let mut objectives = vec![objective];
        objectives.extend(self.hardware(&q, cell.as_ref()));
        Evaluation {
            violation: self.violation(err, q.size_bits() as f64),
            objectives,
        }
    }
}

/// The tolerance "within one point": one point of accuracy (or agreement), or for regression
/// one point of explained variance (R²): 1 % of the targets' variance in MSE.
pub fn tolerance(metric: Metric, samples: &[Sample]) -> f64 {
    match metric {
        Metric::Accuracy => 0.01,
        Metric::Mse => {
            let ys: Vec<f64> = samples
                .iter()
                .filter_map(|s| match s.y {
                    Target::Value(v) => Some(v),
                    Target::Class(_) => None,
                })
                .collect();
            let n = ys.len().max(1) as f64;
            let mean = ys.iter().sum::<f64>() / n;
            0.01 * ys.iter().map(|y| (y - mean).powi(2)).sum::<f64>() / n
        }
    }
}

/// How a member is chosen from a front. Every rule reads the search data only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Rule {
    /// Member N.
    Index(usize),
    /// The smallest member whose search error is within P points of the 8-bit model's (for
    /// regression: P % of the targets' variance).
    SmallestWithin(f64),
    /// The smallest member non-inferior to the 8-bit model by a margin of P points on the
    /// search data: the 95 % interval of their paired difference, sequence by sequence, lies
    /// above −P points (for regression: its MSE increase below P % of the variance); with
    /// fold models, the deployed model also agrees with its float model within P points of
    /// the 8-bit model's agreement. Stricter than `SmallestWithin`: a member must be better
    /// than the 8-bit model by chance no more than it is worse.
    SmallestNoninferior(f64),
    /// The smallest member whose search accuracy is at least A (classification).
    SmallestAbove(f64),
    /// The smallest member whose search MSE is at most M (regression).
    SmallestBelow(f64),
}

/// The default rule: the smallest member within one point of the 8-bit model on the search
/// data (docs/results.md compares the rules by what holds on the test split).
pub const DEFAULT_RULE: Rule = Rule::SmallestWithin(1.0);

impl Rule {
    /// Parses `N`, `smallest-within:P`, `smallest-above:A` or `smallest-below:M`.
    pub fn parse(s: &str) -> std::result::Result<Rule, String> {
        let num = |v: &str| -> std::result::Result<f64, String> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .ok_or_else(|| format!("'{s}': '{v}' is not a non-negative number"))
        };
        if let Ok(n) = s.parse::<usize>() {
            return Ok(Rule::Index(n));
        }
        match s.split_once(':') {
            Some(("smallest-within", v)) => Ok(Rule::SmallestWithin(num(v)?)),
            Some(("smallest-noninferior", v)) => Ok(Rule::SmallestNoninferior(num(v)?)),
            Some(("smallest-above", v)) => {
                let a = num(v)?;
                if a > 1.0 {
                    return Err(format!(
                        "'{s}': an accuracy as a fraction in 0..1 (smallest-above:0.97)"
                    ));
                }
                Ok(Rule::SmallestAbove(a))
            }
            Some(("smallest-below", v)) => Ok(Rule::SmallestBelow(num(v)?)),
            _ => Err(format!(
                "'{s}': a member index, intB, smallest-noninferior:P or smallest-within:P (points of the 8-bit model's error), smallest-above:A (accuracy 0..1) or smallest-below:M (MSE)"
            )),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Rule::Index(n) => format!("{n}"),
            Rule::SmallestWithin(p) => format!("smallest-within:{p}"),
            Rule::SmallestNoninferior(p) => format!("smallest-noninferior:{p}"),
            Rule::SmallestAbove(a) => format!("smallest-above:{a}"),
            Rule::SmallestBelow(m) => format!("smallest-below:{m}"),
        }
    }
}

/// The member `rule` picks from `members`, given the 8-bit model and the tolerance of one
/// point; the error names the closest member when none qualifies.
pub fn select(
    members: &[Scored],
    metric: Metric,
    reference: &Scored,
    tolerance: f64,
    rule: Rule,
) -> Result<usize> {
    let reference_error = reference.error;
    let smallest = |ok: &dyn Fn(&Scored) -> bool, what: &str, gap: &dyn Fn(&Scored) -> f64| {
        members
            .iter()
            .enumerate()
            .filter(|(_, m)| ok(m))
            .min_by(|a, b| a.1.size().total_cmp(&b.1.size()))
            .map(|(i, _)| i)
            .ok_or_else(|| {
                let closest = members
                    .iter()
                    .enumerate()
                    .min_by(|a, b| gap(a.1).total_cmp(&gap(b.1)));
                Error::input(match closest {
                    Some((i, m)) => format!(
                        "no member is {what} on the search data; the closest is member {i} ({})",
                        show_error(metric, m.error)
                    ),
                    None => "the front has no members".to_string(),
                })
            })
    };
    match rule {
        Rule::Index(n) if n < members.len() => Ok(n),
        Rule::Index(_) => Err(Error::input(format!(
            "the front holds {} members (0 to {})",
            members.len(),
            members.len().saturating_sub(1)
        ))),
        Rule::SmallestWithin(p) => {
            let limit = reference_error + p * tolerance;
            smallest(
                &|m| m.error <= limit + 1e-12,
                &format!("within {p} point(s) of the 8-bit model"),
                &|m| m.error - limit,
            )
        }
        Rule::SmallestNoninferior(p) => {
            let margin = p * tolerance;
            // The paired interval's worse end, as a loss (points of accuracy lost, or MSE
            // gained); a member without the comparison never qualifies.
            let worst = |m: &Scored| -> f64 {
                m.search_vs_int8.map_or(f64::INFINITY, |d| match metric {
                    Metric::Accuracy => -d.ci95.0,
                    Metric::Mse => d.ci95.1,
                })
            };
            let deployed_gap = |m: &Scored| -> f64 {
                match (&m.deployed, &reference.deployed) {
                    (Some(a), Some(r)) => match metric {
                        Metric::Accuracy => r.value - a.value,
                        Metric::Mse => a.value - r.value,
                    },
                    _ => 0.0,
                }
            };
            smallest(
                &|m| worst(m) <= margin + 1e-12 && deployed_gap(m) <= margin + 1e-12,
                &format!("non-inferior to the 8-bit model by {p} point(s)"),
                &|m| worst(m).max(deployed_gap(m)) - margin,
            )
        }
        Rule::SmallestAbove(a) => {
            if metric != Metric::Accuracy {
                return Err(Error::input(
                    "smallest-above: a regression front; use smallest-below:M or smallest-within:P",
                ));
            }
            smallest(
                &|m| 1.0 - m.error >= a - 1e-12,
                &format!("at accuracy {a} or above"),
                &|m| m.error - (1.0 - a),
            )
        }
        Rule::SmallestBelow(mse) => {
            if metric != Metric::Mse {
                return Err(Error::input(
                    "smallest-below: a classification front; use smallest-above:A or smallest-within:P",
                ));
            }
            smallest(
                &|m| m.error <= mse,
                &format!("at MSE {mse} or below"),
                &|m| m.error - mse,
            )
        }
    }
}

/// An error on the search data as the summary prints it.
fn show_error(metric: Metric, e: f64) -> String {
    match metric {
        Metric::Accuracy => format!("{:.2} % on the search data", 100.0 * (1.0 - e)),
        Metric::Mse => format!("MSE {e:.5} on the search data"),
    }
}

/// Runs the search; `progress` hears every generation.
pub fn run(
    model: &Gru,
    folds: Option<&FoldModels>,
    ds: &Dataset,
    config: Config,
    settings: &Settings,
    progress: &mut dyn FnMut(&nsga2::Progress),
) -> Result<Front> {
    run_with(model, folds, ds, config, settings, progress, None)
}

/// [`run`] with the generations' evaluations handed to `evaluator` (worker processes, a
/// cluster): it must return, in order, what [`GruProblem`] built from the same inputs returns
/// for each genome. The baselines, the front's scoring and fine-tuning stay here.
pub fn run_with(
    model: &Gru,
    folds: Option<&FoldModels>,
    ds: &Dataset,
    config: Config,
    settings: &Settings,
    progress: &mut dyn FnMut(&nsga2::Progress),
    evaluator: Option<&dyn nsga2::Evaluator>,
) -> Result<Front> {
    let t0 = std::time::Instant::now();
    let problem = GruProblem::new(model, folds, ds, config.clone())?;
    let layers = model.shape.layers;
    let metric = ds.metric;
    // Every width of the range is a baseline, and the 8-bit model (the reference of every
    // saving) is one whatever the range.
    let mut widths: Vec<u32> = config.bits.clone().collect();
    if !widths.contains(&8) {
        widths.push(8);
        widths.sort_unstable();
    }
    let mut baselines = Vec::new();
    let mut per_base: Vec<PerSequence> = Vec::new();
    for &b in &widths {
        let g = Genome::homogeneous(layers, b, 16);
        let (scored, per) = problem.scored_with(&g, None)?;
        per_base.push(per);
        baselines.push(Baseline { bits: b, scored });
    }
    let seeds: Vec<Vec<i64>> = baselines
        .iter()
        .filter(|b| config.bits.contains(&b.bits))
        .map(|b| problem.genes_of(&Genome::homogeneous(layers, b.bits, 16)))
        .collect();
    let out =
        nsga2::run_with(&problem, settings, &seeds, progress, evaluator).map_err(Error::input)?;
    let mut members = Vec::new();
    let mut member_per: Vec<PerSequence> = Vec::new();
    for ind in &out.front {
        let (m, per) = problem.scored_with(&problem.genome_of(&ind.genes), None)?;
        members.push(m);
        member_per.push(per);
    }
    let reference = baselines
        .iter()
        .find(|b| b.bits == 8)
        .cloned()
        .expect("the 8-bit baseline is always built");
    let tol = match &config.search {
        SearchData::External { samples, .. } => tolerance(metric, samples),
        SearchData::Val => tolerance(metric, &ds.val),
        SearchData::Folds | SearchData::TrainInputs => tolerance(metric, &ds.train),
    };
    if config.finetune > 0 {
        // The smallest members within five points of the reference on the search data: the
        // ones fine-tuning may bring within one. Tuned before the choice, chosen on the
        // search data like the rest.
        let mut near: Vec<usize> = (0..members.len())
            .filter(|&i| members[i].error <= reference.scored.error + 5.0 * tol)
            .collect();
        near.sort_by(|&a, &b| members[a].size().total_cmp(&members[b].size()));
        for i in near.into_iter().take(config.finetune) {
            let g = Genome::from_genes(&members[i].genes, layers)?;
            let tuned = problem.tune(&g);
            let (sc, per) = problem.scored_with(&g, Some(&tuned))?;
            members.push(sc);
            member_per.push(per);
        }
        // Fine-tuned members can dominate others of the front: keep the non-dominated ones.
        let obj = |m: &Scored| -> Vec<f64> {
            let mut v = vec![m.objective, m.size()];
            if config.energy_objective {
                v.push(m.cell.map_or(m.energy_pj, |c| c.energy_per_inference_pj));
            }
            v
        };
        let all = members.clone();
        let keep: Vec<bool> = members
            .iter()
            .map(|m| {
                !all.iter()
                    .any(|o| nsga2::pareto_dominates(&obj(o), &obj(m)))
            })
            .collect();
        let mut k = keep.iter();
        members.retain(|_| *k.next().unwrap_or(&true));
        let mut k = keep.iter();
        member_per.retain(|_| *k.next().unwrap_or(&true));
    }
    // Sorted by size, then error; the per-sequence results follow.
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| {
        members[a]
            .size()
            .total_cmp(&members[b].size())
            .then(members[a].error.total_cmp(&members[b].error))
            .then(members[a].genome.cmp(&members[b].genome))
    });
    let mut members: Vec<Scored> = order.iter().map(|&i| members[i].clone()).collect();
    let member_per: Vec<PerSequence> = order.iter().map(|&i| member_per[i].clone()).collect();
    // Every member and baseline against the 8-bit model, paired, on the search data and on
    // the test split.
    let ref_per = baselines
        .iter()
        .position(|b| b.bits == 8)
        .map(|i| per_base[i].clone())
        .unwrap_or_default();
    let compare = |s: &mut Scored, per: &PerSequence| {
        s.search_vs_int8 = Some(paired(metric, &per.search, &ref_per.search));
        s.test_vs_int8 = Some(paired(metric, &per.test, &ref_per.test));
    };
    for (m, per) in members.iter_mut().zip(&member_per) {
        compare(m, per);
    }
    for (b, per) in baselines.iter_mut().zip(&per_base) {
        compare(&mut b.scored, per);
    }
    let reference = baselines
        .iter()
        .find(|b| b.bits == 8)
        .cloned()
        .expect("the 8-bit baseline is always built");

    let float_search = {
        let mut t = Tally::default();
        for v in &problem.views {
            t.merge(&v.float_tally(metric));
        }
        SplitScore::of(&t, metric, problem.labelled)
    };
    let float_test = SplitScore::of(&problem.deployed.float_tally(metric), metric, true);

    let saving = select(&members, metric, &reference.scored, tol, DEFAULT_RULE)
        .ok()
        .map(|i| saving_of(&members, i, &reference, tol, DEFAULT_RULE));
    let hypervolume = Hypervolumes {
        search: hypervolume(&members, &baselines, |s| s.error),
        test: hypervolume(&members, &baselines, |s| s.test.value_error(metric)),
    };
    let widths = gene_widths(&members, reference.scored.error + tol, layers);
    let seconds = t0.elapsed().as_secs_f64();
    let evaluations = out.evaluated.len();
    Ok(Front {
        format: FRONT_FORMAT.into(),
        task: ds.task.clone(),
        metric,
        search: problem.info.clone(),
        gene_names: Genome::names(layers),
        members,
        baselines,
        float_search,
        float_test,
        tolerance: tol,
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
            "weight_scales": config.weight_scales,
            "node": config.tech.name,
            "mean_steps": problem.mean_steps,
            "mean_steps_of": "the training split",
            "finetune": config.finetune,
            "finetune_settings": config.finetune_cfg,
            "cell_lanes": config.cell_lanes,
            "cell_samples": config.cell_lanes.map(|_| CELL_SAMPLES),
        }),
        ranges: problem.deployed.ranges.clone(),
    })
}

/// The saving of member `i` against the reference.
pub fn saving_of(members: &[Scored], i: usize, r: &Baseline, tol: f64, rule: Rule) -> Saving {
    let m = &members[i];
    Saving {
        rule: rule.describe(),
        reference_bits: r.bits,
        reference_error: r.scored.error,
        tolerance: tol,
        member: i,
        size_saving: 1.0 - m.size_bits as f64 / r.scored.size_bits as f64,
        energy_saving: 1.0 - m.energy_pj / r.scored.energy_pj,
        cell_area_saving: m.cell.zip(r.scored.cell).map(|(m, r)| 1.0 - m.ge / r.ge),
        cell_energy_saving: m
            .cell
            .zip(r.scored.cell)
            .map(|(m, r)| 1.0 - m.energy_per_inference_pj / r.energy_per_inference_pj),
    }
}

impl SplitScore {
    /// 1 − accuracy, or the MSE.
    pub fn value_error(&self, metric: Metric) -> f64 {
        match metric {
            Metric::Accuracy => 1.0 - self.value,
            Metric::Mse => self.value,
        }
    }
}

fn hypervolume(
    members: &[Scored],
    baselines: &[Baseline],
    error: impl Fn(&Scored) -> f64,
) -> Hypervolume {
    let err_ref = baselines
        .iter()
        .map(|b| error(&b.scored))
        .chain(members.iter().map(&error))
        .filter(|e| e.is_finite())
        .fold(0.0f64, f64::max)
        .max(1e-12);
    let size_ref = baselines
        .iter()
        .map(|b| b.scored.size())
        .fold(1.0f64, f64::max);
    let pt = |s: &Scored| vec![error(s) / err_ref, s.size() / size_ref];
    let r = [1.1, 1.1];
    let hv = |pts: Vec<Vec<f64>>| nsga2::hypervolume(&pts, &r).unwrap_or(0.0);
    let front = hv(members.iter().map(pt).collect());
    let homogeneous = hv(baselines.iter().map(|b| pt(&b.scored)).collect());
    let per: Vec<(u32, f64)> = baselines
        .iter()
        .map(|b| (b.bits, hv(vec![pt(&b.scored)])))
        .collect();
    Hypervolume {
        dominates_every_baseline: !per.is_empty()
            && per.iter().all(|(_, v)| front >= *v)
            && front >= homogeneous,
        front,
        homogeneous,
        baselines: per,
    }
}

fn gene_widths(members: &[Scored], limit: f64, layers: usize) -> Vec<GeneWidth> {
    let good: Vec<&Scored> = members.iter().filter(|m| m.error <= limit).collect();
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
