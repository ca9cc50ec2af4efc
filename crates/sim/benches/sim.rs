//! Simulation speed in lane-cycles per second (goal: ≥ 50 M/s single-threaded, trace and VCD
//! off). Each iteration runs a fixed number of cycles of a full pipeline; criterion's
//! throughput is set in lane-cycles so its "elem/s" is the figure docs/results.md records.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lutforge_core::{Datapath, FixedFormat, IntParams, Params, Rounding};
use lutforge_sim::convert::widen;
use lutforge_sim::{Arith, Unit, UnitConfig};
use std::hint::black_box;

const CYCLES: u64 = 100_000;

fn int8() -> (Datapath, IntParams) {
    (
        Datapath {
            input: FixedFormat::new(8, 4),
            slope: FixedFormat::new(8, 6),
            intercept: FixedFormat::new(8, 6),
            output: FixedFormat::new(8, 4),
            rounding: Rounding::HalfUp,
        },
        IntParams {
            breakpoints: vec![-48, -30, -12, 0, 10, 25, 44],
            slopes: vec![0, -6, 10, 30, 45, 60, 66, 64],
            intercepts: vec![-1, -10, -2, 0, 0, -3, -8, 0],
        },
    )
}

/// Stimulus beats generated once, outside the timed loop: a period long enough that the
/// segments are visited in an irregular order.
const PERIOD: usize = 4096;

fn stimulus(arith: Arith, lanes: usize) -> Vec<i64> {
    let mut out = Vec::with_capacity(PERIOD * lanes);
    for c in 0..PERIOD as i64 {
        for l in 0..lanes as i64 {
            out.push(match arith {
                Arith::Int(dp) => {
                    let m = dp.input.max_code();
                    ((c * 37 + l * 11) & m) - m / 2
                }
                Arith::Fp32 => (((c * 37 + l) % 200 - 100) as f32 * 0.03).to_bits() as i64,
            });
        }
    }
    out
}

/// How a bench drives the unit.
#[derive(Clone, Copy)]
enum Drive {
    /// `Unit::step` per cycle, activity tracking off.
    Step,
    /// `Unit::step` per cycle with activity tracking (what `lutforge sim` runs).
    Activity,
    /// `Unit::stream` over the stimulus period.
    Stream,
}

/// Drives the unit directly: a new sample every cycle, out_ready always high (a full pipeline),
/// the inner loop of `lutforge sim` without the stimulus parser.
fn drive(u: &mut Unit, beats: &[i64], lanes: usize) -> i64 {
    let mut acc = 0i64;
    let mut it = beats.chunks_exact(lanes).cycle();
    for _ in 0..CYCLES {
        let beat = it.next().expect("cycled");
        if u.out_valid() {
            acc = acc.wrapping_add(u.out_data()[0]);
        }
        u.step(true, beat, true, None).expect("valid stimulus");
    }
    acc
}

/// The same cycles through `Unit::stream`, a stimulus period per call.
fn stream(u: &mut Unit, beats: &[i64], lanes: usize) -> i64 {
    let mut acc = 0i64;
    let mut out = Vec::with_capacity(beats.len());
    let mut left = CYCLES as usize;
    while left > 0 {
        let n = left.min(PERIOD);
        out.clear();
        u.stream(&beats[..n * lanes], &mut out)
            .expect("valid stimulus");
        acc = out
            .iter()
            .step_by(lanes)
            .fold(acc, |a, &y| a.wrapping_add(y));
        left -= n;
    }
    acc
}

fn bench(c: &mut Criterion) {
    let (dp, p) = int8();
    let mut g = c.benchmark_group("sim");
    for (name, arith, params, lanes, how) in [
        (
            "int8_p1",
            Arith::Int(dp),
            Params::Int(p.clone()),
            1usize,
            Drive::Step,
        ),
        (
            "int8_p1_stream",
            Arith::Int(dp),
            Params::Int(p.clone()),
            1,
            Drive::Stream,
        ),
        (
            "int8_p1_activity",
            Arith::Int(dp),
            Params::Int(p.clone()),
            1,
            Drive::Activity,
        ),
        (
            "int8_p8",
            Arith::Int(dp),
            Params::Int(p.clone()),
            8,
            Drive::Step,
        ),
        (
            "int8_p8_stream",
            Arith::Int(dp),
            Params::Int(p.clone()),
            8,
            Drive::Stream,
        ),
        (
            "int32_p1",
            Arith::Int(widen(&dp, &p, 24).0),
            Params::Int(widen(&dp, &p, 24).1),
            1,
            Drive::Step,
        ),
        (
            "fp32_p1",
            Arith::Fp32,
            Params::Fp32(lutforge_core::Fp32Params::from_int(&p, 4, 6, 6)),
            1,
            Drive::Step,
        ),
        (
            "fp32_p1_stream",
            Arith::Fp32,
            Params::Fp32(lutforge_core::Fp32Params::from_int(&p, 4, 6, 6)),
            1,
            Drive::Stream,
        ),
    ] {
        let cfg = UnitConfig {
            arch: lutforge_sim::unit::Arch::Pwl,
            arith,
            segments: 8,
            lanes,
            stages: 4,
            programmable: true,
        };
        let beats = stimulus(arith, lanes);
        g.throughput(Throughput::Elements(CYCLES * lanes as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut u = Unit::new(cfg, &params).expect("valid unit");
                u.set_tracking(matches!(how, Drive::Activity));
                black_box(match how {
                    Drive::Stream => stream(&mut u, &beats, lanes),
                    Drive::Step | Drive::Activity => drive(&mut u, &beats, lanes),
                })
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
