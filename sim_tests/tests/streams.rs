//! Random streams through the simulator and the RTL: random input gaps, random output stalls and
//! mid-stream table rewrites, over lane counts, stage counts, INT8/INT16/INT32 with every
//! rounding mode, and FP32 with special values (subnormals, ±0, ±inf, NaN) everywhere.

use lutforge_core::{Datapath, FixedFormat, Fp32Params, IntParams, Params, Rounding};
use lutforge_rtl::crosscheck::{self, load_events, random_events};
use lutforge_sim::unit::{Arith, UnitConfig};
use lutforge_sim::RunOptions;
use lutforge_sim_tests::cache_dir;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn check(cfg: UnitConfig, params: Params, pool: &[i64], rewrite: Params, n: usize, seed: u64) {
    let (build, zeros) = crosscheck::shared_build(&cfg, &cache_dir(), 500.0).unwrap();
    let mut ev = load_events(&cfg, &params).unwrap();
    ev.extend(random_events(&cfg, pool, &rewrite, n, seed));
    let dir = tempfile::tempdir().unwrap();
    let opts = RunOptions {
        stall_prob: 0.35,
        seed,
    };
    let r = crosscheck::check(&build, &cfg, &zeros, ev, &opts, dir.path()).unwrap();
    assert_eq!(r.mismatch, None, "{cfg:?}");
    assert!(
        r.stats.out_stalls > 0 && r.stats.cfg_writes > 0,
        "{:?}",
        r.stats
    );
    assert_eq!(r.stats.samples as usize, n);
}

fn random_int_table(rng: &mut ChaCha8Rng, dp: &Datapath, k: usize) -> IntParams {
    let code = |rng: &mut ChaCha8Rng, f: FixedFormat| rng.gen_range(f.min_code()..=f.max_code());
    let mut bps: Vec<i64> = (0..k - 1).map(|_| code(rng, dp.input)).collect();
    bps.sort();
    IntParams {
        breakpoints: bps,
        slopes: (0..k).map(|_| code(rng, dp.slope)).collect(),
        intercepts: (0..k).map(|_| code(rng, dp.intercept)).collect(),
    }
}

#[test]
fn integer_shapes_with_stalls_gaps_and_rewrites() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let shapes = [
        // (bits x/k/b/y, fracs x/k/b/y, stages, lanes, K)
        ((8, 8, 8, 8), (3, 6, 6, 4), 4, 1, 8),
        ((8, 8, 8, 8), (0, 6, 6, 6), 3, 2, 16),
        ((8, 8, 8, 8), (5, 6, 5, 2), 2, 3, 5),
        ((8, 8, 8, 8), (2, 6, 6, 9), 1, 1, 4),
        ((16, 16, 16, 16), (10, 14, 14, 12), 4, 2, 8),
        ((32, 32, 32, 32), (24, 30, 30, 28), 4, 1, 8),
        ((32, 24, 32, 12), (20, 20, 20, 6), 3, 1, 1),
    ];
    for (i, (b, f, stages, lanes, k)) in shapes.into_iter().enumerate() {
        let rounding = Rounding::ALL[i % 3];
        let dp = Datapath {
            input: FixedFormat::new(b.0, f.0),
            slope: FixedFormat::new(b.1, f.1),
            intercept: FixedFormat::new(b.2, f.2),
            output: FixedFormat::new(b.3, f.3),
            rounding,
        };
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Int(dp),
            segments: k,
            lanes,
            stages,
            programmable: true,
        };
        let p = random_int_table(&mut rng, &dp, k);
        let rewrite = random_int_table(&mut rng, &dp, k);
        let pool: Vec<i64> = (0..512)
            .map(|_| rng.gen_range(dp.input.min_code()..=dp.input.max_code()))
            .chain([dp.input.min_code(), dp.input.max_code(), 0, -1])
            .collect();
        check(
            cfg,
            Params::Int(p),
            &pool,
            Params::Int(rewrite),
            2500,
            i as u64 + 100,
        );
    }
}

/// Binary32 patterns that exercise every path of the FP multiplier and adder.
fn special_bits(rng: &mut ChaCha8Rng) -> u32 {
    const SPECIAL: [u32; 16] = [
        0x0000_0000,
        0x8000_0000,
        0x0000_0001,
        0x8000_0001,
        0x007f_ffff,
        0x0080_0000,
        0x7f7f_ffff,
        0xff7f_ffff,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0123,
        0x3f80_0000,
        0xbf80_0000,
        0x3400_0000,
        0x4b00_0000,
    ];
    match rng.gen_range(0..4) {
        0 => SPECIAL[rng.gen_range(0..SPECIAL.len())],
        1 => rng.gen(),
        // Small exponents: subnormal products and sums.
        2 => (rng.gen::<u32>() & 0x80ff_ffff) | (rng.gen_range(0..24u32) << 23),
        // Ordinary numbers near 1 that cancel in the adder.
        _ => (rng.gen::<u32>() & 0x807f_ffff) | (rng.gen_range(120..135u32) << 23),
    }
}

#[test]
fn fp32_special_values_everywhere() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for (stages, lanes, k) in [(4, 1, 8), (2, 2, 4)] {
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith: Arith::Fp32,
            segments: k,
            lanes,
            stages,
            programmable: true,
        };
        let table = |rng: &mut ChaCha8Rng| Fp32Params {
            breakpoints: (0..k - 1)
                .map(|_| f32::from_bits(special_bits(rng)))
                .collect(),
            slopes: (0..k).map(|_| f32::from_bits(special_bits(rng))).collect(),
            intercepts: (0..k).map(|_| f32::from_bits(special_bits(rng))).collect(),
        };
        let p = table(&mut rng);
        // Many rewrite candidates so the table keeps changing under the stream.
        let mut rewrite = table(&mut rng);
        for _ in 0..30 {
            let more = table(&mut rng);
            rewrite.breakpoints.extend(more.breakpoints);
            rewrite.slopes.extend(more.slopes);
            rewrite.intercepts.extend(more.intercepts);
        }
        let pool: Vec<i64> = (0..4096).map(|_| special_bits(&mut rng) as i64).collect();
        check(
            cfg,
            Params::Fp32(p),
            &pool,
            Params::Fp32(rewrite),
            20000,
            stages as u64,
        );
    }
}
