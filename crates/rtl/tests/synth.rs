//! Every variant synthesizes with Yosys and its statistics parse: integer and FP32, fixed and
//! programmable, and the FPGA targets. Area grows with width as the cost model expects.

use lutforge_core::{Datapath, FixedFormat, Fp32Params, IntParams, Params, Rounding};
use lutforge_rtl::yosys::{synth, Target};
use lutforge_rtl::{render_unit, MODULE};
use lutforge_sim::unit::{Arith, UnitConfig};

fn table() -> IntParams {
    IntParams {
        breakpoints: vec![-48, -35, -14, -7, 1, 10, 45],
        slopes: vec![0, -2, -7, 3, 23, 48, 69, 64],
        intercepts: vec![0, -6, -17, -8, 0, -1, -14, 0],
    }
}

fn int_dp(bits: u32) -> Datapath {
    let d = bits as i32 - 8;
    Datapath {
        input: FixedFormat::new(bits, 4 + d),
        slope: FixedFormat::new(bits, 6 + d),
        intercept: FixedFormat::new(bits, 6 + d),
        output: FixedFormat::new(bits, 4 + d),
        rounding: Rounding::HalfUp,
    }
}

fn run(
    arith: Arith,
    params: &Params,
    programmable: bool,
    target: Target,
) -> lutforge_rtl::yosys::SynthReport {
    let cfg = UnitConfig {
        arch: lutforge_sim::unit::Arch::Pwl,
        arith,
        segments: 8,
        lanes: 1,
        stages: 4,
        programmable,
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(format!("{MODULE}.v")),
        render_unit(&cfg, params, &[], &Default::default()).unwrap(),
    )
    .unwrap();
    synth(dir.path(), &[&format!("{MODULE}.v")], MODULE, target).unwrap()
}

fn widened(bits: u32) -> Params {
    let sh = |v: &[i64]| v.iter().map(|c| c << (bits - 8)).collect();
    let p = table();
    Params::Int(IntParams {
        breakpoints: sh(&p.breakpoints),
        slopes: sh(&p.slopes),
        intercepts: sh(&p.intercepts),
    })
}

#[test]
fn integer_units_synthesize_and_grow_with_width() {
    let mut last = 0.0;
    for bits in [8, 16, 32] {
        let r = run(
            Arith::Int(int_dp(bits)),
            &widened(bits),
            false,
            Target::Generic,
        );
        let ge = r
            .nand2_ge
            .expect("generic synthesis has a transistor estimate");
        assert!(r.flip_flops > 0 && r.cells.contains_key("$_NAND_"), "{r:?}");
        assert!(ge > last, "int{bits}: {ge} GE not above {last}");
        last = ge;
    }
    let fixed = run(Arith::Int(int_dp(8)), &widened(8), false, Target::Generic);
    let prog = run(Arith::Int(int_dp(8)), &widened(8), true, Target::Generic);
    // Table registers: (K−1)·N_x + K·N_k + K·N_b = 7·8 + 8·8 + 8·8 flip-flops more.
    assert!(
        prog.flip_flops >= fixed.flip_flops + 150,
        "{} vs {}",
        prog.flip_flops,
        fixed.flip_flops
    );
}

#[test]
fn fpga_targets_report_luts() {
    for target in [Target::Ice40, Target::Xilinx] {
        let r = run(Arith::Int(int_dp(8)), &widened(8), false, target);
        assert!(r.luts.unwrap() > 0, "{target:?}: {r:?}");
        assert!(r.transistors.is_none());
    }
}

#[test]
fn fp32_unit_synthesizes_and_is_larger_than_int8() {
    let p = Params::Fp32(Fp32Params::from_int(&table(), 4, 6, 6));
    let fp = run(Arith::Fp32, &p, false, Target::Generic);
    let int8 = run(Arith::Int(int_dp(8)), &widened(8), false, Target::Generic);
    assert!(
        fp.nand2_ge.unwrap() > 3.0 * int8.nand2_ge.unwrap(),
        "{:?} vs {:?}",
        fp.nand2_ge,
        int8.nand2_ge
    );
}
