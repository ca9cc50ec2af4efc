//! The GRU cell in hardware: the Verilog of a layer of the integer model, lint-clean under
//! `verilator -Wall`, and cycle by cycle equal to the cell model (and so to the integer
//! model) under Verilator, with stalls on both sides.

use lutforge_gru::cell::spec;
use lutforge_gru::data::{load, wheel::data_dir};
use lutforge_gru::genome::Genome;
use lutforge_gru::import::from_safetensors;
use lutforge_gru::quant::{Calibration, QuantGru, Ranges};
use lutforge_gru::tables::TableCache;
use lutforge_rtl::gru::render_cell;
use lutforge_rtl::gru_check::{crosscheck, Steps};
use lutforge_rtl::render::Interface;

const TORCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../gru/tests/corpus/torch_vowels");

fn vowels(genome: &Genome) -> (QuantGru, Vec<Vec<Vec<i64>>>) {
    let bytes = std::fs::read(format!("{TORCH}/model.safetensors")).unwrap();
    let g = from_safetensors(&bytes, "fc").unwrap();
    let ds = load("vowels", &data_dir()).unwrap();
    let ranges = Ranges::calibrate(&g, &ds.train, Calibration::MaxAbs);
    let q = QuantGru::new(&g, &ranges, genome, &TableCache::new()).unwrap();
    let seqs = ds
        .test
        .iter()
        .map(|s| {
            let x = q.quantize_input(s);
            (0..s.len)
                .map(|t| x[t * q.inputs..(t + 1) * q.inputs].to_vec())
                .collect()
        })
        .collect();
    (q, seqs)
}

#[test]
fn the_cell_lints_clean_and_equals_the_model_under_verilator() {
    let (q, seqs) = vowels(&Genome::homogeneous(1, 8, 8));
    let sp = spec(&q, 0).unwrap();
    let iface = Interface {
        module: "gru_cell".into(),
        ..Interface::default()
    };
    for lanes in [1, 3, sp.hidden] {
        let v = render_cell(&sp, lanes, &[], &iface).unwrap();
        std::fs::write(format!("/tmp/gru_cell_{lanes}.v"), &v).unwrap();
        lutforge_rtl::verilator::lint(&v, "gru_cell").unwrap();
        let st = Steps::of(&seqs[..20], 200, 180, 7);
        let cache = lutforge_rtl::verilator::default_cache_dir();
        let r = crosscheck(&sp, lanes, &iface, &st, &cache, None).unwrap();
        assert_eq!(r.steps, st.steps.len());
    }
}
