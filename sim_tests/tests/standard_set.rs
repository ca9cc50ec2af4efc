//! Every standard function at 8 and 16 segments, every scale 0..6, INT8 and FP32: every input
//! code through the simulator and the Verilator-built RTL, compared cycle by cycle, with random
//! output stalls and input gaps. One build per unit shape; each table is loaded through the
//! write port, followed by all its input codes.

use lutforge_rtl::crosscheck::{self, beats, load_events};
use lutforge_sim::convert::NumFormat;
use lutforge_sim::stimulus::Event;
use lutforge_sim::RunOptions;
use lutforge_sim_tests::{by_shape, cache_dir, cases, standard_table, STANDARD};

fn run_format(format: NumFormat) {
    let mut all = Vec::new();
    for f in STANDARD {
        for k in lutforge_core::Builtin::STANDARD_SEGMENTS {
            all.extend(cases(&standard_table(f, k), format));
        }
    }
    let total = all.len();
    let groups = by_shape(all);
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (gi, group) in groups.iter().enumerate() {
        let cfg = group[0].cfg;
        let (build, zeros) = crosscheck::shared_build(&cfg, &cache_dir(), 500.0).unwrap();
        let mut events = Vec::new();
        for c in group {
            events.extend(load_events(&cfg, &c.params).unwrap());
            events.extend(beats(&c.codes, cfg.lanes));
            // Drain between tables so the next load is not a mid-stream rewrite.
            events.push((Event::Idle(5), vec![0; cfg.lanes]));
        }
        let opts = RunOptions {
            stall_prob: 0.2,
            seed: gi as u64 + 1,
        };
        let r = crosscheck::check(&build, &cfg, &zeros, events, &opts, dir.path()).unwrap();
        let names: Vec<&str> = group.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(r.mismatch, None, "{names:?}");
        assert_eq!(
            r.stats.samples as usize,
            group.iter().map(|c| c.codes.len()).sum::<usize>()
        );
        checked += group.len();
    }
    assert_eq!(checked, total);
    eprintln!(
        "{format}: {total} tables in {} builds, all equal",
        groups.len()
    );
}

#[test]
fn int8_standard_set_equals_simulator() {
    run_format(NumFormat::Int(8));
}

#[test]
fn fp32_standard_set_equals_simulator() {
    run_format(NumFormat::Fp32);
}
