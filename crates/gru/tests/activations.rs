//! The GRU's sigmoid and tanh are lutforge LUT units: every table an integer model uses is a
//! valid lutforge table, and the cycle-accurate unit model computes, for every input code, the
//! output the integer GRU uses.

use lutforge_core::Params;
use lutforge_gru::calibration::{Calibration, Ranges, WeightScales};
use lutforge_gru::data::{load, wheel::data_dir};
use lutforge_gru::genome::Genome;
use lutforge_gru::quant::QuantGru;
use lutforge_gru::tables::TableCache;
use lutforge_gru::train::{score, score_outputs, train, TrainConfig};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::stimulus::VecStimulus;
use lutforge_sim::{run, RunOptions, Unit};

#[test]
fn activation_tables_are_lutforge_units_and_16_bits_match_float() {
    let ds = load("vowels", &data_dir()).unwrap();
    let r = train(&ds, &TrainConfig::for_task("vowels"), &mut |_| {});
    let ranges = Ranges::calibrate(
        &r.model,
        &ds.train,
        Calibration::MaxAbs,
        WeightScales::Tensor,
    );
    let cache = TableCache::new();
    let genome = Genome::parse("all=5,a_r=7,a_z=6,r=4,k_sigma=8,k_tanh=4", 1).unwrap();
    let q = QuantGru::new(&r.model, &ranges, &genome, &cache).unwrap();
    let l = &q.layers[0];
    for lut in [&l.sig_r, &l.sig_z, &l.tanh_n] {
        let table = lut.to_table().unwrap();
        let frac = table.scales[0].frac;
        let (cfg, params) = unit_for(
            &table,
            frac,
            &UnitShape {
                arch: lutforge_sim::unit::Arch::Pwl,
                format: None,
                lanes: 1,
                stages: 1,
                programmable: false,
            },
        )
        .unwrap();
        let Params::Int(p) = &params else {
            panic!("integer table")
        };
        assert_eq!(p, &lut.params);
        let codes: Vec<i64> = (lut.dp.input.min_code()..=lut.dp.input.max_code()).collect();
        let mut unit = Unit::new(cfg, &params).unwrap();
        let mut outs = Vec::new();
        let mut stim = VecStimulus::samples(&codes, 1);
        run(
            &mut unit,
            &mut stim,
            &RunOptions {
                stall_prob: 0.0,
                seed: 1,
            },
            &mut [],
            |o| {
                outs.extend_from_slice(o);
                Ok(())
            },
        )
        .unwrap();
        let want: Vec<i64> = codes.iter().map(|&x| lut.eval(x)).collect();
        assert_eq!(outs, want, "{:?} table", lut.act);
    }
    // With every width 16 the integer model is within half a point of the float model.
    let q16 = QuantGru::new(&r.model, &ranges, &Genome::homogeneous(1, 16, 16), &cache).unwrap();
    let fl = score(&r.model, ds.metric, &ds.test).value;
    let int = score_outputs(ds.metric, &ds.test, |s| q16.forward(s)).value;
    assert!((fl - int).abs() <= 0.005, "float {fl} vs int16 {int}");
}
