//! A split's input sequences prepared for many integer models of one float model: normalized
//! once, and quantized once per input format (a search's genomes share a handful of formats),
//! in the layout the integer model's kernel reads (time-major, each step's codes padded with
//! zeros to an even count).

use crate::calibration::quantize;
use crate::data::Sample;
use crate::model::Norm;
use lutforge_core::FixedFormat;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One split's inputs, normalized by one model's normalization.
#[derive(Debug)]
pub struct Inputs {
    pub features: usize,
    pub norm: Norm,
    /// Steps of each sequence.
    pub lens: Vec<usize>,
    /// Where each sequence's first step starts, in steps.
    starts: Vec<usize>,
    /// Every step's normalized features, time-major, sequences one after another.
    normalized: Vec<f64>,
    codes: Mutex<HashMap<FixedFormat, Arc<Vec<i16>>>>,
}

impl Inputs {
    pub fn new(samples: &[Sample], features: usize, norm: &Norm) -> Inputs {
        let mut normalized = Vec::new();
        let mut starts = Vec::with_capacity(samples.len());
        let mut steps = 0;
        let mut buf = Vec::new();
        for s in samples {
            starts.push(steps);
            steps += s.len;
            norm.apply(&s.x, &mut buf);
            normalized.extend_from_slice(&buf);
        }
        Inputs {
            features,
            norm: norm.clone(),
            lens: samples.iter().map(|s| s.len).collect(),
            starts,
            normalized,
            codes: Mutex::new(HashMap::new()),
        }
    }

    pub fn len(&self) -> usize {
        self.lens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// Every step's codes in format `fmt` (rounded to nearest, ties away from zero, and
    /// saturated, as the integer model quantizes its input), each step padded to
    /// `crate::kernel::padded(features)` codes.
    pub fn codes(&self, fmt: FixedFormat) -> Arc<Vec<i16>> {
        if let Some(c) = self.lock().get(&fmt) {
            return c.clone();
        }
        let width = crate::kernel::padded(self.features);
        let mut v = vec![0i16; self.normalized.len() / self.features.max(1) * width];
        for (row, x) in v
            .chunks_exact_mut(width)
            .zip(self.normalized.chunks_exact(self.features))
        {
            for (c, &x) in row.iter_mut().zip(x) {
                *c = quantize(x, fmt) as i16;
            }
        }
        let v = Arc::new(v);
        self.lock().entry(fmt).or_insert(v).clone()
    }

    /// Sequence `i`'s codes within `codes(fmt)`.
    pub fn sequence<'a>(&self, codes: &'a [i16], i: usize) -> &'a [i16] {
        let width = crate::kernel::padded(self.features);
        &codes[self.starts[i] * width..(self.starts[i] + self.lens[i]) * width]
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<FixedFormat, Arc<Vec<i16>>>> {
        self.codes.lock().unwrap_or_else(|e| e.into_inner())
    }
}
