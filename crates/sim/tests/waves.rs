//! The VCD file parses back with the `vcd` crate's parser, has the RTL's hierarchy and names,
//! and its values replay the run: one rising clock edge per cycle, and the outputs delivered
//! are the ones the testbench saw.

mod common;

use lutforge_core::Builtin;
use lutforge_sim::convert::{unit_for, UnitShape};
use lutforge_sim::run::{run, RunOptions};
use lutforge_sim::stimulus::{Event, VecStimulus};
use lutforge_sim::waves::{VcdWriter, RESET_CYCLES};
use lutforge_sim::{CfgWrite, Field, Unit};
use std::collections::HashMap;
use vcd::{Command, IdCode, Value};

fn bits_to_i64(v: &[Value], signed: bool) -> i64 {
    let mut x: i64 = 0;
    for b in v {
        x = (x << 1) | i64::from(*b == Value::V1);
    }
    if signed && v.first() == Some(&Value::V1) && v.len() < 64 {
        x -= 1 << v.len();
    }
    x
}

#[test]
fn vcd_parses_back_with_rtl_names_and_replays_the_run() {
    for stages in [4u32, 2] {
        let t = common::table(Builtin::Gelu, 8);
        let (cfg, params) = unit_for(
            &t,
            3,
            &UnitShape {
                arch: lutforge_sim::unit::Arch::Pwl,
                format: None,
                lanes: 2,
                stages,
                programmable: true,
            },
        )
        .unwrap();
        let mut u = Unit::new(cfg, &params).unwrap();
        let codes: Vec<i64> = (-40..40).collect();
        let mut events = vec![(
            Event::Cfg(CfgWrite {
                addr: cfg.addr_of(Field::Slope, 3),
                data: 17,
            }),
            vec![],
        )];
        for c in codes.chunks(2) {
            events.push((Event::Beat { real: 2 }, c.to_vec()));
        }
        let mut stim = VecStimulus::new(events);
        let mut buf = Vec::new();
        let mut delivered = Vec::new();
        let stats = {
            let mut vcd = VcdWriter::new(&mut buf, 500.0, "lutforge_unit").unwrap();
            run(
                &mut u,
                &mut stim,
                &RunOptions {
                    stall_prob: 0.3,
                    seed: 11,
                },
                &mut [&mut vcd],
                |b| {
                    delivered.push(b.to_vec());
                    Ok(())
                },
            )
            .unwrap()
        };

        let mut p = vcd::Parser::new(&buf[..]);
        let header = p.parse_header().unwrap();
        let dut = header
            .find_scope(&["lutforge_unit_tb", "lutforge_unit"])
            .expect("scope lutforge_unit_tb.lutforge_unit");
        let id = |name: &str| -> IdCode {
            header
                .find_var(&["lutforge_unit_tb", "lutforge_unit", name])
                .unwrap_or_else(|| panic!("lutforge_unit_tb.lutforge_unit.{name} missing"))
                .code
        };
        for name in [
            "clk",
            "rst",
            "in_valid",
            "in_ready",
            "in_data",
            "out_valid",
            "out_ready",
            "out_data",
            "cfg_we",
            "cfg_addr",
            "cfg_data",
            "adv",
            "seg",
            "s3_valid",
            "s3_prod",
            "s3_icpt",
            "s4_valid",
            "s4_y",
            "tbl_bp",
            "tbl_k",
            "tbl_b",
        ] {
            id(name);
        }
        let w = cfg.widths();
        assert_eq!(
            header
                .find_var(&["lutforge_unit_tb", "lutforge_unit", "in_data"])
                .unwrap()
                .size,
            2 * w.x
        );
        assert_eq!(
            header
                .find_var(&["lutforge_unit_tb", "lutforge_unit", "s3_prod"])
                .unwrap()
                .size,
            2 * w.prod
        );
        assert_eq!(
            header
                .find_var(&["lutforge_unit_tb", "lutforge_unit", "s2_seg"])
                .is_some(),
            stages >= 3,
            "{dut:?}"
        );
        assert!(header.find_var(&["lutforge_unit_tb", "clk"]).is_some());

        // Replay: sample the signals at each rising clock edge.
        let (clk, ov, or, od) = (id("clk"), id("out_valid"), id("out_ready"), id("out_data"));
        let rst = id("rst");
        let mut cur: HashMap<IdCode, Vec<Value>> = HashMap::new();
        let mut rises = 0u64;
        // The rising edges at which rst is high: the first RESET_CYCLES, no other.
        let mut in_reset = Vec::new();
        let mut seen = Vec::new();
        let mut check = |cur: &HashMap<IdCode, Vec<Value>>| {
            if cur.get(&ov).map(|v| v[0]) == Some(Value::V1)
                && cur.get(&or).map(|v| v[0]) == Some(Value::V1)
            {
                let bus = &cur[&od];
                let lane_w = w.y as usize;
                let lanes: Vec<i64> = (0..2)
                    .map(|l| {
                        let hi = bus.len() - l * lane_w;
                        bits_to_i64(&bus[hi - lane_w..hi], true)
                    })
                    .collect();
                seen.push(lanes);
            }
        };
        let mut pending = false;
        for cmd in p {
            match cmd.unwrap() {
                Command::Timestamp(_) if pending => {
                    if cur.get(&rst).map(|v| v[0]) == Some(Value::V1) {
                        in_reset.push(rises);
                    }
                    check(&cur);
                    pending = false;
                }
                Command::ChangeScalar(i, v) => {
                    if i == clk && v == Value::V1 {
                        rises += 1;
                        pending = true;
                    }
                    cur.insert(i, vec![v]);
                }
                Command::ChangeVector(i, v) => {
                    cur.insert(i, v.iter().collect());
                }
                _ => {}
            }
        }
        if pending {
            check(&cur);
        }
        assert_eq!(rises, stats.cycles + RESET_CYCLES);
        assert_eq!(in_reset, (1..=RESET_CYCLES).collect::<Vec<_>>());
        assert_eq!(seen, delivered);
    }
}
