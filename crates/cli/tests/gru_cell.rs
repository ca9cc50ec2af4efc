//! The GRU cell in hardware: the Verilog of a layer of the integer model, lint-clean under
//! `verilator -Wall`, and cycle by cycle equal to the cell model under Verilator with stalls
//! on both sides, over whole test splits; the cell model's every step equals the integer
//! model's (crates/gru/tests/cell.rs), so the RTL does too.

use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::cell::spec;
use lutforge_gru::data::{load, wheel::data_dir, Dataset};
use lutforge_gru::genome::Genome;
use lutforge_gru::import::from_safetensors;
use lutforge_gru::model::{Gru, Norm, Shape};
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_rtl::gru::render_cell;
use lutforge_rtl::gru_check::{crosscheck, random_writes, CellDesign, Steps};
use lutforge_rtl::gru_waves::{compare, model_vcd};
use lutforge_rtl::render::Interface;
use std::time::Instant;

const TORCH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../gru/tests/corpus/torch_vowels"
);

/// The input codes of every test sequence.
fn test_split(q: &QuantGru, ds: &Dataset) -> Vec<Vec<Vec<i64>>> {
    ds.test
        .iter()
        .map(|s| {
            let x = q.quantize_input(s);
            (0..s.len)
                .map(|t| x[t * q.inputs..(t + 1) * q.inputs].to_vec())
                .collect()
        })
        .collect()
}

/// Lint, then the cross-check at every lane count in `lanes`; with `programmable`, random
/// weight, bias and table reloads before every 20th sequence.
fn check(q: &QuantGru, ds: &Dataset, lanes: &[usize], programmable: bool, module: &str) {
    let sp = spec(q, 0).unwrap();
    let seqs = test_split(q, ds);
    let iface = Interface {
        module: module.into(),
        ..Interface::default()
    };
    let cache = lutforge_rtl::verilator::default_cache_dir();
    for (n, &p) in lanes.iter().enumerate() {
        let v = render_cell(&sp, p, programmable, &[], &iface).unwrap();
        lutforge_rtl::verilator::lint(&v, module).unwrap();
        let writes: Vec<_> = (0..seqs.len())
            .map(|s| {
                if programmable && s > 0 && s % 20 == 0 {
                    random_writes(&sp, p, s as u64, 48)
                } else {
                    Vec::new()
                }
            })
            .collect();
        // Stalls on both sides, a different pattern per lane count.
        let st = Steps::with_writes(&seqs, &writes, 190, 170, 11 + n as u64);
        let d = CellDesign {
            spec: &sp,
            lanes: p,
            programmable,
            iface: &iface,
        };
        let t = Instant::now();
        let r = crosscheck(&d, &st, &cache, None)
            .unwrap_or_else(|e| panic!("{} P = {p}: {e}", ds.task));
        assert_eq!(r.mismatch, None, "{} P = {p}", ds.task);
        assert_eq!(r.steps, st.steps());
        if n == 0 {
            waves_agree(&d, &seqs, programmable);
        }
        eprintln!(
            "{} P = {p}{}: {} steps, {} writes, {} cycles, 0 mismatches ({:.1} s)",
            ds.task,
            if programmable { " programmable" } else { "" },
            r.steps,
            writes.iter().map(|w| w.len()).sum::<usize>(),
            r.cycles,
            t.elapsed().as_secs_f64()
        );
    }
}

/// The cell model's waveform against Verilator's, signal by signal at every edge, over the
/// first six steps of six sequences with stalls (and, programmable, reloads before the third
/// and the fifth).
fn waves_agree(d: &CellDesign, seqs: &[Vec<Vec<i64>>], programmable: bool) {
    let seqs: Vec<Vec<Vec<i64>>> = seqs
        .iter()
        .take(6)
        .map(|s| s[..s.len().min(6)].to_vec())
        .collect();
    let n = seqs.len();
    let writes: Vec<_> = (0..n)
        .map(|s| {
            if programmable && s % 2 == 0 && s > 0 {
                random_writes(d.spec, d.lanes, 100 + s as u64, 8)
            } else {
                Vec::new()
            }
        })
        .collect();
    let st = Steps::with_writes(&seqs[..n], &writes, 200, 160, 5);
    let dir = tempfile::tempdir().unwrap();
    let rtl = dir.path().join("rtl.vcd");
    let cache = lutforge_rtl::verilator::default_cache_dir();
    let r = crosscheck(d, &st, &cache, Some(&rtl)).unwrap();
    assert_eq!(r.mismatch, None);
    let mut model = Vec::new();
    model_vcd(d, &st, &mut model, 100.0).unwrap();
    let model = String::from_utf8(model).unwrap();
    let rtl = std::fs::read_to_string(&rtl).unwrap();
    // One hierarchy: the testbench's scope above the cell's, in both files.
    let m = &d.iface.module;
    for w in [&model, &rtl] {
        let scopes: Vec<&str> = w
            .lines()
            .filter_map(|l| l.trim().strip_prefix("$scope module "))
            .map(|l| l.trim_end_matches(" $end"))
            .take(2)
            .collect();
        assert_eq!(scopes, [format!("{m}_tb"), m.to_string()]);
    }
    let (edges, diff) = compare(&model, &rtl, &d.iface.module, 2).unwrap();
    assert_eq!(diff, None, "P = {}", d.lanes);
    assert!(
        edges as u64 + 2 >= r.cycles,
        "{edges} edges of {} cycles",
        r.cycles
    );
    // A model that misnames or misstates a signal is caught.
    let (_, diff) = compare(
        &model.replacen("h_next", "h_nxt", 1),
        &rtl,
        &d.iface.module,
        2,
    )
    .unwrap();
    assert!(diff.unwrap().contains("not in the RTL"));
}

#[test]
fn vowels_pytorch_model_whole_test_split_p_1_2_4_h() {
    let bytes = std::fs::read(format!("{TORCH}/model.safetensors")).unwrap();
    let g = from_safetensors(&bytes, "fc").unwrap();
    let ds = load("vowels", &data_dir()).unwrap();
    let ranges = Ranges::calibrate(&g, &ds.train, Calibration::MaxAbs, WeightScales::Tensor);
    let mut genome = Genome::homogeneous(1, 6, 8);
    genome.layers[0].w_hz = 3;
    genome.layers[0].a_n = 7;
    genome.layers[0].h = 8;
    genome.layers[0].zn = 5;
    genome.k_tanh = 16;
    let q = QuantGru::new(&g, &ranges, &genome, &TableCache::new()).unwrap();
    check(&q, &ds, &[1, 2, 4, g.shape.hidden], false, "gru_vowels");
    check(&q, &ds, &[2, g.shape.hidden], true, "gru_vowels_prog");
}

/// An untrained model of BasicMotions' shape (6 features, 16 hidden units) calibrated on its
/// training split: other widths and a partial last group (P = 3).
#[test]
fn motions_shape_whole_test_split_p_3_h() {
    let ds = load("motions", &data_dir()).unwrap();
    let shape = Shape {
        input: ds.features,
        hidden: 16,
        layers: 1,
        outputs: ds.outputs,
    };
    let g = Gru::new(shape, Norm::fit(&ds.train, ds.features), 3);
    let ranges = Ranges::calibrate(&g, &ds.train, Calibration::MaxAbs, WeightScales::Tensor);
    let q = QuantGru::new(
        &g,
        &ranges,
        &Genome::homogeneous(1, 8, 8),
        &TableCache::new(),
    )
    .unwrap();
    check(&q, &ds, &[3, 16], false, "gru_motions");
    check(&q, &ds, &[4], true, "gru_motions_prog");
}

/// The PyTorch model of JapaneseVowels at 32 hidden units with its own normalization, its
/// scales chosen by least squared error and its weights scaled per row: every lane shifts
/// each row's products by that row's own amount (P = 3: a partial last group).
#[test]
fn vowels_rows_scaled_whole_test_split_p_3() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../gru/tests/corpus/torch_vowels_h32"
    );
    let bytes = std::fs::read(format!("{dir}/model.safetensors")).unwrap();
    let mut g = from_safetensors(&bytes, "fc").unwrap();
    let norm: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/norm.json")).unwrap())
            .unwrap();
    let v = |k: &str| -> Vec<f64> {
        norm[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    };
    g.norm = Norm {
        mean: v("mean"),
        std: v("std"),
    };
    let ds = load("vowels", &data_dir()).unwrap();
    let ranges = Ranges::calibrate(&g, &ds.train, Calibration::Mse, WeightScales::Row);
    let genome = Genome::parse("all=6,w_ir=3,w_hz=3,w_in=4,h=8,a_n=7,k_sigma=8", 1).unwrap();
    let q = QuantGru::new(&g, &ranges, &genome, &TableCache::new()).unwrap();
    let sp = spec(&q, 0).unwrap();
    assert!(sp.row_scaled(), "the rows have scales of their own");
    check(&q, &ds, &[3], false, "gru_vowels_rows");
    // A programmable cell wires its shifts per sum: refused, with the way out.
    let e = render_cell(&sp, 3, true, &[], &Interface::default()).unwrap_err();
    assert!(e.to_string().contains("--weight-scales tensor"), "{e}");
}
