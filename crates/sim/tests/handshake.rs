//! The handshake never loses or duplicates a sample under any stall pattern, and table writes
//! in the middle of a stream take effect exactly as docs/sim.md says.

mod common;

use lutforge_core::{golden, Builtin, Params};
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::run::{run, RunOptions};
use lutforge_sim::stimulus::{Event, VecStimulus};
use lutforge_sim::trace::{parse_line, TraceWriter};
use lutforge_sim::{CfgWrite, Field, Unit};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Drives the unit directly with arbitrary in_valid and out_ready patterns: every sample
    /// comes out exactly once, in order, with the golden value; in_ready follows the
    /// documented rule; the pipeline never holds more than `stages` beats.
    #[test]
    fn lossless_under_any_stall_pattern(
        samples in prop::collection::vec(-128i64..=127, 0..80),
        valid_pat in prop::collection::vec(any::<bool>(), 1..12),
        ready_pat in prop::collection::vec(any::<bool>(), 1..12),
        stages in 1u32..=4,
        lanes in 1usize..=3,
        func in 0usize..Builtin::ALL.len(),
        frac in 0i32..=6,
    ) {
        let t = common::table(Builtin::ALL[func], 8);
        let (cfg, params) = unit_for(&t, frac, &UnitShape { format: None, lanes, stages, programmable: true, arch: lutforge_sim::unit::Arch::Pwl }).unwrap();
        let dp = t.datapath(frac);
        let p = common::int_params(&t, frac);
        let mut u = Unit::new(cfg, &params).unwrap();
        let beats: Vec<Vec<i64>> = samples
            .chunks(lanes)
            .map(|c| { let mut v = c.to_vec(); v.resize(lanes, 0); v })
            .collect();
        let mut next = 0usize;
        let mut got: Vec<Vec<i64>> = Vec::new();
        let mut in_flight = 0usize;
        // A ready pattern with no high bit would stall forever; force progress.
        let ready_any = ready_pat.iter().any(|&r| r);
        let valid_any = valid_pat.iter().any(|&v| v);
        let bound = (beats.len() + 5) * valid_pat.len() * ready_pat.len() * 4 + 100;
        let zeros = vec![0i64; lanes];
        let mut cycle = 0usize;
        while got.len() < beats.len() {
            prop_assert!(cycle < bound, "no progress after {} cycles", cycle);
            let in_valid =
                next < beats.len() && (!valid_any || valid_pat[cycle % valid_pat.len()]);
            let out_ready = !ready_any || ready_pat[cycle % ready_pat.len()];
            let in_ready = u.in_ready(out_ready);
            prop_assert_eq!(in_ready, !u.out_valid() || out_ready);
            let delivered = u.out_valid() && out_ready;
            if delivered {
                got.push(u.out_data().to_vec());
                in_flight -= 1;
            }
            let data = if in_valid { &beats[next] } else { &zeros };
            let e = u.step(in_valid, data, out_ready, None).unwrap();
            prop_assert_eq!(e.accepted, in_valid && in_ready);
            prop_assert_eq!(e.delivered, delivered);
            if e.accepted {
                next += 1;
                in_flight += 1;
            }
            prop_assert!(in_flight <= stages as usize);
            cycle += 1;
        }
        prop_assert!(!u.busy());
        let want: Vec<Vec<i64>> = beats
            .iter()
            .map(|b| b.iter().map(|&x| golden::eval(&dp, p, x).y).collect())
            .collect();
        prop_assert_eq!(got, want);
    }
}

fn gelu_unit(stages: u32) -> (Unit, lutforge_core::Datapath, lutforge_core::IntParams) {
    let t = common::table(Builtin::Gelu, 4);
    let (cfg, params) = unit_for(
        &t,
        2,
        &UnitShape {
            arch: lutforge_sim::unit::Arch::Pwl,
            format: None,
            lanes: 1,
            stages,
            programmable: true,
        },
    )
    .unwrap();
    let Params::Int(p) = &params else {
        unreachable!()
    };
    let p = p.clone();
    (Unit::new(cfg, &params).unwrap(), t.datapath(2), p)
}

/// One sample accepted at cycle 0, a write during cycle `w`, no stalls: the output.
fn one_sample_with_write(stages: u32, x: i64, w_cycle: u64, write: CfgWrite) -> i64 {
    let (mut u, _, _) = gelu_unit(stages);
    for c in 0..=4u64 {
        if u.out_valid() {
            return u.out_data()[0];
        }
        let cfg = (c == w_cycle).then_some(write);
        u.step(c == 0, &[if c == 0 { x } else { 0 }], true, cfg)
            .unwrap();
    }
    assert!(u.out_valid());
    u.out_data()[0]
}

/// docs/sim.md: a write in cycle w (at the edge ending it) is seen by every capture at a later
/// edge. With four stages and no stalls, a sample accepted at the edge ending cycle 0 is
/// compared at edge 1 and looks up its slope and intercept at edge 2.
#[test]
fn mid_stream_writes_follow_the_capture_edge_rule() {
    let (u, dp, p) = gelu_unit(4);
    let cfg = *u.config();
    let x = 3; // segment 2 of the 4-segment table at scale 2 (breakpoints -8, 0, 8)
    let seg = golden::segment(&p.breakpoints, x);
    let new_k = if p.slopes[seg] == 100 { 101 } else { 100 };
    let old = golden::eval(&dp, &p, x).y;
    let mut q = p.clone();
    q.slopes[seg] = new_k;
    let new = golden::eval(&dp, &q, x).y;
    assert_ne!(old, new);
    let wk = CfgWrite {
        addr: cfg.addr_of(Field::Slope, seg),
        data: new_k,
    };
    // Slope captured at edge 2 (stage 3): writes at edges 0 and 1 are seen, 2 and later not.
    assert_eq!(one_sample_with_write(4, x, 0, wk), new);
    assert_eq!(one_sample_with_write(4, x, 1, wk), new);
    assert_eq!(one_sample_with_write(4, x, 2, wk), old);
    assert_eq!(one_sample_with_write(4, x, 3, wk), old);

    // Breakpoint captured at edge 1 (stage 2): moving breakpoint `seg-1` above x sends x to
    // segment seg-1 if the write lands at edge 0, not at edge 1.
    let wb = CfgWrite {
        addr: cfg.addr_of(Field::Breakpoint, seg - 1),
        data: x + 1,
    };
    let mut r = p.clone();
    r.breakpoints[seg - 1] = x + 1;
    let moved = golden::eval(&dp, &r, x).y;
    assert_eq!(one_sample_with_write(4, x, 0, wb), moved);
    assert_eq!(one_sample_with_write(4, x, 1, wb), old);

    // With one stage everything is captured at the accepting edge: a write in the same cycle
    // is not seen.
    assert_eq!(one_sample_with_write(1, x, 0, wk), old);
    // With two stages compare and lookup happen at edge 0, the add at edge 1: an intercept
    // write at edge 0 is not seen.
    let wi = CfgWrite {
        addr: cfg.addr_of(Field::Intercept, seg),
        data: 5,
    };
    assert_eq!(one_sample_with_write(2, x, 0, wi), old);
}

/// Stalls freeze the pipeline, so the capture moves with the sample: a sample held in s2 by
/// back-pressure sees a slope written while it waits.
#[test]
fn a_stalled_sample_sees_writes_made_while_it_waits() {
    let (mut u, dp, p) = gelu_unit(4);
    let x = 3;
    let seg = golden::segment(&p.breakpoints, x);
    let mut q = p.clone();
    q.slopes[seg] = -77;
    // Fill: a first sample at cycle 0, x at cycle 1.
    u.step(true, &[0], true, None).unwrap();
    u.step(true, &[x], true, None).unwrap();
    u.step(false, &[0], true, None).unwrap();
    u.step(false, &[0], true, None).unwrap();
    // Now the first sample is in s4, x in s3... stall for three cycles and write the slope.
    assert!(u.out_valid());
    let addr = u.config().addr_of(Field::Slope, seg);
    for _ in 0..3 {
        u.step(false, &[0], false, Some(CfgWrite { addr, data: -77 }))
            .unwrap();
    }
    // x already captured its slope at edge 3 (before the write): the old value.
    u.step(false, &[0], true, None).unwrap();
    assert_eq!(u.out_data()[0], golden::eval(&dp, &p, x).y);
    // A new sample uses the new slope.
    u.step(true, &[x], true, None).unwrap();
    for _ in 0..4 {
        u.step(false, &[0], true, None).unwrap();
        if u.out_valid() {
            break;
        }
    }
    assert_eq!(u.out_data()[0], golden::eval(&dp, &q, x).y);
}

/// Reprogramming the whole table through the port, then streaming every code, gives the new
/// table's golden outputs; the trace records the writes and replays as documented.
#[test]
fn full_reprogramming_through_the_port_and_trace_round_trip() {
    let a = common::table(Builtin::Gelu, 8);
    let b = common::table(Builtin::Tanh, 8);
    let frac = 4;
    let (cfg, params) = unit_for(
        &a,
        frac,
        &UnitShape {
            arch: lutforge_sim::unit::Arch::Pwl,
            format: None,
            lanes: 2,
            stages: 4,
            programmable: true,
        },
    )
    .unwrap();
    let pb = common::int_params(&b, frac).clone();
    let mut events: Vec<(Event, Vec<i64>)> = Vec::new();
    for (f, words) in [
        (Field::Breakpoint, &pb.breakpoints),
        (Field::Slope, &pb.slopes),
        (Field::Intercept, &pb.intercepts),
    ] {
        for (i, &w) in words.iter().enumerate() {
            events.push((
                Event::Cfg(CfgWrite {
                    addr: cfg.addr_of(f, i),
                    data: w,
                }),
                vec![],
            ));
        }
    }
    events.push((Event::Idle(2), vec![]));
    let codes: Vec<i64> = (-128..=127).collect();
    for c in codes.chunks(2) {
        events.push((Event::Beat { real: 2 }, c.to_vec()));
    }
    let mut u = Unit::new(cfg, &params).unwrap();
    let mut stim = VecStimulus::new(events);
    let mut trace = TraceWriter::new(Vec::new());
    let mut out = Vec::new();
    let stats = run(
        &mut u,
        &mut stim,
        &RunOptions {
            stall_prob: 0.3,
            seed: 3,
        },
        &mut [&mut trace],
        |beat| {
            out.extend_from_slice(beat);
            Ok(())
        },
    )
    .unwrap();
    // The output format is fixed in hardware: the unit keeps table a's.
    let dp = a.datapath(frac);
    let want: Vec<i64> = codes.iter().map(|&x| golden::eval(&dp, &pb, x).y).collect();
    assert_eq!(out, want);
    assert_eq!(stats.cfg_writes, 23);

    // The trace: header, one line per cycle; the accepted inputs and delivered outputs match.
    let text = String::from_utf8(trace.into_inner()).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("# lutforge-trace/1"));
    let data: Vec<_> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| parse_line(&cfg, l).unwrap())
        .collect();
    assert_eq!(data.len() as u64, stats.cycles);
    let ins: Vec<i64> = data
        .iter()
        .filter(|l| l.in_valid && l.in_ready)
        .flat_map(|l| l.in_data.clone())
        .collect();
    assert_eq!(ins, codes);
    let outs: Vec<i64> = data
        .iter()
        .filter(|l| l.out_valid && l.out_ready)
        .flat_map(|l| l.out_data.clone())
        .collect();
    assert_eq!(outs, want);
    let writes: Vec<(u64, i64)> = data
        .iter()
        .filter(|l| l.cfg_we)
        .map(|l| (l.cfg_addr, l.cfg_data))
        .collect();
    assert_eq!(writes.len(), 23);
    assert_eq!(writes[7], (cfg.addr_of(Field::Slope, 0), pb.slopes[0]));
    // Replaying the trace's inputs into a fresh unit reproduces its outputs cycle by cycle.
    let mut r = Unit::new(cfg, &params).unwrap();
    for l in &data {
        assert_eq!(r.in_ready(l.out_ready), l.in_ready, "cycle {}", l.cycle);
        assert_eq!(r.out_valid(), l.out_valid, "cycle {}", l.cycle);
        assert_eq!(r.out_data(), &l.out_data[..], "cycle {}", l.cycle);
        let cfgw = l.cfg_we.then_some(CfgWrite {
            addr: l.cfg_addr,
            data: l.cfg_data,
        });
        r.step(l.in_valid, &l.in_data, l.out_ready, cfgw).unwrap();
    }
}
