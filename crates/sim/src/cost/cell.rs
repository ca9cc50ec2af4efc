//! The GRU cell's area, component by component, from the structure the RTL
//! (`rtl_templates/gru_cell.v`) describes: per MAC lane a weight ROM, a multiplier, an
//! alignment shifter and four accumulators; shared, the operand multiplexer, the state and
//! input registers, the elementwise stage with its products, adders and requantizations, the
//! control counters, and the three LUT units priced by the unit's own model. The cells are
//! the unit model's (`CellLib`), the structures its textbook ones; docs/cost-model.md ("The
//! GRU cell") lists them and compares the total with Yosys. Nothing is fitted.

use super::product::{field_bits, product_gates, product_switching};
use super::rom::bdd_nodes;
use super::{ratio, CellLib, Component, ComponentCost, Driver, Tech, FLIP_FLOPS, NANGATE45};
use crate::gru::{Cell, CellActivity, CellSpec, Operand, Sum};
use crate::unit::ceil_log2;
use serde::Serialize;

/// The node whose toggles a component's energy is charged by (`estimate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Node {
    /// Each lane's weight word: the ROM's read logic, the registers' read multiplexers.
    Weight,
    /// The weight and bias registers themselves: written through the cfg port only.
    Registers,
    /// The multipliers' inputs: the weight word and the operand.
    Multiply,
    /// The shifted products.
    Product,
    /// The accumulator updated each MAC cycle.
    Accumulate,
    /// The shared operand.
    Operand,
    /// The input, state and output registers.
    State,
    Elementwise,
    Control,
    /// The LUT unit of r (0), z (1) or n (2).
    Lut(usize),
}

fn part(node: Node, name: &str, ge: f64, driver: Driver, structure: String) -> (Node, Component) {
    (
        node,
        Component {
            name: name.into(),
            ge,
            per_lane: false,
            driver,
            structure,
        },
    )
}

/// A signed a × b product, all a + b bits used.
fn mul(a: u32, b: u32, cell: &CellLib) -> f64 {
    let (wide, narrow) = if a >= b { (a, b) } else { (b, a) };
    product_gates(
        &field_bits(None, wide as usize),
        &field_bits(None, narrow as usize),
        true,
        (a + b) as usize,
        0,
    )
    .ge(cell)
}

/// The output step of a `iw`-bit sum shifted right by `sh` into `ow` bits: the rounding
/// constant's half adders (none for an exact left shift) and the saturation (an AND and an OR
/// tree over the dropped top bits, one multiplexer per output bit).
fn requant(iw: u32, sh: i32, ow: u32, cell: &CellLib) -> f64 {
    let (round, qw) = if sh > 0 {
        let ww = iw.max(sh as u32) + 1;
        (f64::from(ww) * cell.ha, ww - sh as u32)
    } else {
        (0.0, iw + (-sh) as u32)
    };
    let sat = if qw > ow {
        2.0 * f64::from(qw - ow) * cell.and2 + f64::from(ow) * cell.mux2
    } else {
        0.0
    };
    round + sat
}

/// A register of `bits` data bits with load enable and reset, as the unit model prices them.
fn reg(bits: u32, cell: &CellLib) -> f64 {
    f64::from(bits) * (cell.dff + cell.mux2 + cell.rst)
}

/// The components of the cell of `spec` with `lanes` MAC lanes (`programmable`: weights,
/// biases and tables in registers behind the write port).
pub fn components(
    spec: &CellSpec,
    lanes: usize,
    programmable: bool,
    cell: &CellLib,
) -> Vec<Component> {
    parts(spec, lanes, programmable, cell)
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

fn parts(
    spec: &CellSpec,
    lanes: usize,
    programmable: bool,
    cell: &CellLib,
) -> Vec<(Node, Component)> {
    let Ok(c) = Cell::new(spec.clone(), lanes) else {
        return Vec::new();
    };
    let (i, h, p) = (spec.inputs as u32, spec.hidden as u32, lanes as u32);
    let f = &spec.fmt;
    let groups = c.groups();
    let (nx, nh) = (spec.input.bits, f.h.bits);
    let counters = c.counter_bits();
    let (gb, cb, jb) = (counters.group, counters.col, counters.row);
    let vw = spec.operand_bits();
    let ww = spec.weight_word_bits();
    let aw: [u32; 4] = Sum::ALL.map(|s| spec.acc_bits(s));
    let aw_max = aw.iter().copied().max().unwrap_or(1);
    let aw_sum: u32 = aw.iter().sum();
    let max_shift = spec.max_shift();
    let shb = 32 - max_shift.leading_zeros();
    let mut v = Vec::new();

    if programmable {
        // Per lane: G·M weight registers and 4·G bias registers (flip-flop, write-enable
        // multiplexer, reset gate: they reset to the generated values), a G·M:1 read
        // multiplexer per weight bit and a G:1 one per bias bit, and the write decoders.
        let gm = (groups * spec.mac_cycles()) as f64;
        let nb = spec.bias_word_bits();
        let g = groups as f64;
        let ab = f64::from(ceil_log2(groups * spec.mac_cycles()).max(1));
        let regs = gm * f64::from(ww) * (cell.dff + cell.mux2 + cell.rst)
            + 4.0 * g * f64::from(nb) * (cell.dff + cell.mux2 + cell.rst)
            + (gm + 4.0 * g) * ab * cell.and2;
        let read =
            (gm - 1.0) * f64::from(ww) * cell.mux2 + 4.0 * (g - 1.0) * f64::from(nb) * cell.mux2;
        v.push(part(
            Node::Registers,
            "weight and bias registers",
            p as f64 * regs,
            Driver::Table,
            format!(
                "{lanes} x ({} weights of {ww} bits, {} biases of {nb} bits) with write decoders",
                groups * spec.mac_cycles(),
                4 * groups
            ),
        ));
        v.push(part(
            Node::Weight,
            "weight read multiplexers",
            p as f64 * read,
            Driver::Select,
            format!(
                "{lanes} x ({}:1 of {ww} bits, {groups}:1 of {nb} bits)",
                groups * spec.mac_cycles()
            ),
        ));
    } else {
        // Per lane: the weight ROM over {sum, group, column}, as its words' shared BDD.
        let kb = 2 + gb + cb;
        let mut rom_ge = 0.0;
        let mut rom_nodes = 0;
        for l in 0..lanes {
            let mut words = vec![0i64; 1usize << kb];
            for g in 0..groups {
                let j = g * lanes + l;
                if j >= spec.hidden {
                    continue;
                }
                for s in Sum::ALL {
                    for col in 0..spec.columns(s) {
                        let key = (s.index() << (gb + cb)) | (g << cb) | col;
                        words[key] = spec.weight(s, j, col);
                    }
                }
            }
            let b = bdd_nodes(&words, kb, ww);
            rom_ge += b.ge(cell);
            rom_nodes += b.mux + b.gate + b.inv;
        }
        v.push(part(
            Node::Weight,
            "weight ROMs",
            rom_ge,
            Driver::Select,
            format!("{lanes} ROM(s) of 2^{kb} x {ww} bits as their shared BDDs: {rom_nodes} nodes"),
        ));
        if spec.row_scaled() && shb > 0 {
            // Weights scaled per row: each lane's shift over {sum, part, group}, a small ROM.
            let sb = 3 + gb;
            let mut sh_ge = 0.0;
            for l in 0..lanes {
                let mut words = vec![0i64; 1usize << sb];
                for g in 0..groups {
                    let j = g * lanes + l;
                    if j >= spec.hidden {
                        continue;
                    }
                    for s in Sum::ALL {
                        for col in 0..spec.columns(s) {
                            let is_h = matches!(spec.operand(s, col), Operand::H(_));
                            let key = (((s.index() << 1) | usize::from(is_h)) << gb) | g;
                            words[key] = i64::from(spec.shift(s, j, col));
                        }
                    }
                }
                sh_ge += bdd_nodes(&words, sb, shb + 1).ge(cell);
            }
            v.push(part(
                Node::Weight,
                "row-shift ROMs",
                sh_ge,
                Driver::Select,
                format!("{lanes} ROM(s) of 2^{sb} x {shb} bits: each row's product shift"),
            ));
        }
    }
    let lane_mul = mul(ww, vw, cell);
    v.push(part(
        Node::Multiply,
        "MAC multipliers",
        p as f64 * lane_mul,
        Driver::Product,
        format!("{lanes} signed {ww} x {vw}-bit multipliers"),
    ));
    let shift = f64::from(aw_max) * f64::from(shb) * cell.mux2;
    v.push(part(
        Node::Product,
        "alignment shifters",
        p as f64 * shift,
        Driver::Multiply,
        format!("{lanes} {aw_max}-bit barrel shifters of {shb} stage(s)"),
    ));
    // Four accumulators per lane: adder, bias-or-sum and hold multiplexers, flip-flops.
    let acc = f64::from(aw_sum) * (cell.fa + 2.0 * cell.mux2 + cell.dff);
    v.push(part(
        Node::Accumulate,
        "accumulators",
        p as f64 * acc,
        Driver::Add,
        format!(
            "{lanes} x 4 accumulators of {}/{}/{}/{} bits (adder, load and hold multiplexers, flip-flops)",
            aw[0], aw[1], aw[2], aw[3]
        ),
    ));
    // Shared: the operand multiplexers (x[col], h[hidx]) and the h index subtractor.
    let operand =
        f64::from((i - 1) + (h - 1) + 1) * f64::from(vw) * cell.mux2 + f64::from(cb) * cell.fa;
    v.push(part(
        Node::Operand,
        "operand select",
        operand,
        Driver::Select,
        format!("{i}:1 and {h}:1 multiplexers of {vw} bits"),
    ));
    let state =
        reg(i * nx, cell) + 3.0 * reg(h * nh, cell) + f64::from(h) * f64::from(jb) * cell.and2;
    v.push(part(
        Node::State,
        "input and state registers",
        state,
        Driver::PipeData,
        format!(
            "x ({} bits), h, h_next and out_h ({} bits each), row write decoder",
            i * nx,
            h * nh
        ),
    ));
    let sel = f64::from(p - 1) * f64::from(aw_sum) * cell.mux2;
    let sc = |s: Sum| spec.scale(s);
    let (nr, nz, nn, nhn) = (f.r.bits, f.z.bits, f.n.bits, f.hn.bits);
    let ow = f.z.frac.max(nz as i32 - 1) as u32 + 2;
    let u = f.zn.frac.max(f.zh.frac);
    let hw = (f.zn.bits as i32 + u - f.zn.frac).max(f.zh.bits as i32 + u - f.zh.frac) as u32 + 1;
    let tn = sc(Sum::Nx);
    let elementwise = sel
        + requant(aw[0], sc(Sum::R) - f.a_r.frac, f.a_r.bits, cell)
        + requant(aw[1], sc(Sum::Z) - f.a_z.frac, f.a_z.bits, cell)
        + requant(aw[3], sc(Sum::Hn) - f.hn.frac, nhn, cell)
        + mul(nr, nhn, cell)
        + requant(
            nr + nhn,
            f.r.frac + f.hn.frac - f.rhn.frac,
            f.rhn.bits,
            cell,
        )
        + f64::from(aw[2]) * cell.fa
        + requant(aw[2], tn - f.a_n.frac, f.a_n.bits, cell)
        + f64::from(h - 1) * f64::from(nh) * cell.mux2
        + mul(nz, nh, cell)
        + requant(nz + nh, f.z.frac + f.h.frac - f.zh.frac, f.zh.bits, cell)
        + f64::from(ow) * cell.fa
        + mul(ow, nn, cell)
        + requant(ow + nn, f.z.frac + f.n.frac - f.zn.frac, f.zn.bits, cell)
        + f64::from(hw) * cell.fa
        + requant(hw, u - f.h.frac, nh, cell)
        + reg(1 + jb + nhn + aw[2], cell)
        + reg(1 + jb + nz, cell);
    v.push(part(
        Node::Elementwise,
        "elementwise stage",
        elementwise,
        Driver::Round,
        format!(
            "{lanes}:1 lane select, 3 products, 3 adders, 7 requantizations, {h}:1 state read, 2 pipeline registers"
        ),
    ));
    let ctl_bits = counters.total() + 4;
    v.push(part(
        Node::Control,
        "control",
        f64::from(ctl_bits) * (cell.dffr + cell.fa + cell.mux2),
        Driver::PipeData,
        format!("{ctl_bits} bits of phase, sum, group, column and row counters"),
    ));
    for (u, (name, t)) in [
        ("sigmoid unit r", &spec.sig_r),
        ("sigmoid unit z", &spec.sig_z),
        ("tanh unit n", &spec.tanh_n),
    ]
    .into_iter()
    .enumerate()
    {
        let ucfg = crate::gru::act_unit(t, programmable);
        let params = lutforge_core::Params::Int(t.params.clone());
        let ge: f64 = super::components_in(&ucfg, Some(&params), cell)
            .iter()
            .map(|c| c.ge)
            .sum();
        v.push(part(
            Node::Lut(u),
            name,
            ge,
            Driver::Round,
            format!(
                "{} {}-segment LUT unit, one stage (the unit's cost model)",
                if programmable {
                    "programmable"
                } else {
                    "fixed"
                },
                t.params.segments()
            ),
        ));
    }
    v
}

/// The cell's area and energy over a run of the cycle model with tracking on: each
/// component charged by the toggles of the node that drives it (`CellActivity`), as the
/// unit's model charges its components, and each LUT unit by the unit's own model on the
/// very codes it received. docs/cost-model.md ("The GRU cell") lists the charges.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CellCost {
    pub tech: Tech,
    pub clock_mhz: f64,
    pub ge: f64,
    pub area_um2: f64,
    pub cycles: u64,
    pub steps: u64,
    pub sequences: u64,
    /// Dynamic energy of the whole run.
    pub energy_pj: f64,
    /// Of which the flip-flops' clock (every flip-flop every cycle, with the clock net's wire).
    pub clock_pj: f64,
    pub energy_per_step_pj: f64,
    /// Per sequence (one inference of the layer), the clock's included.
    pub energy_per_inference_pj: f64,
    /// Of which the flip-flops' clock, every flip-flop every cycle.
    pub clock_per_inference_pj: f64,
    pub leakage_per_inference_pj: f64,
    pub dynamic_mw: f64,
    pub leakage_mw: f64,
    /// Per component; `energy_pj` per step.
    pub components: Vec<ComponentCost>,
}

/// The energy of one LUT unit over `codes`, by the unit's model with the activity the unit
/// model counts on them (pJ in all), without its clock: the unit's flip-flops are clocked
/// every cycle of the cell, and the cell's model charges them with its own.
fn lut_energy(t: &crate::gru::ActTable, programmable: bool, codes: &[i64], tech: &Tech) -> f64 {
    if codes.is_empty() {
        return 0.0;
    }
    let ucfg = crate::gru::act_unit(t, programmable);
    let params = lutforge_core::Params::Int(t.params.clone());
    let Ok(mut unit) = crate::unit::Unit::new(ucfg, &params) else {
        return 0.0;
    };
    unit.set_tracking(true);
    let mut stim = crate::stimulus::VecStimulus::samples(codes, 1);
    let opts = crate::run::RunOptions {
        stall_prob: 0.0,
        seed: 1,
    };
    match crate::run::run(&mut unit, &mut stim, &opts, &mut [], |_| Ok(())) {
        Ok(st) => {
            let r = super::estimate(
                &ucfg,
                Some(&params),
                unit.activity(),
                st.samples,
                tech,
                500.0,
            );
            (r.energy_per_op_pj - r.clock_per_op_pj) * st.samples as f64
        }
        Err(_) => 0.0,
    }
}

/// Prices `act`, the activity of a run of the cell of `spec` with `lanes` lanes.
pub fn estimate(
    spec: &CellSpec,
    lanes: usize,
    programmable: bool,
    act: &CellActivity,
    tech: &Tech,
    clock_mhz: f64,
) -> CellCost {
    let f = &spec.fmt;
    let p = lanes.max(1) as f64;
    let (ww, vw) = (
        f64::from(spec.weight_word_bits()),
        f64::from(spec.operand_bits()),
    );
    let aw: Vec<f64> = Sum::ALL
        .iter()
        .map(|&s| f64::from(spec.acc_bits(s)))
        .collect();
    let aw_sum: f64 = aw.iter().sum();
    let aw_max = aw.iter().copied().fold(1.0, f64::max);
    let tail_bits: f64 = [
        f.a_r.bits, f.a_z.bits, f.r.bits, f.z.bits, f.hn.bits, f.rhn.bits, f.a_n.bits, f.n.bits,
        f.zh.bits, f.zn.bits, f.h.bits,
    ]
    .iter()
    .map(|&b| f64::from(b))
    .sum();
    // The control counters and the phase and sum registers, as `parts` counts them.
    let ctl_bits = match Cell::new(spec.clone(), lanes) {
        Ok(c) => f64::from(c.counter_bits().total() + 4),
        Err(_) => 1.0,
    };
    // A register bit's data toggle, its output feeding one multiplexer input (the state the
    // operand multiplexer, a weight register the weight multiplexer) over its net's wire.
    let reg =
        tech.reg_toggle_fj + super::Load::of(1.0, "MUX2_X1").register_ff() * tech.load_fj_per_ff;
    let luts = [
        (&spec.sig_r, &act.lut_r),
        (&spec.sig_z, &act.lut_z),
        (&spec.tanh_n, &act.lut_n),
    ];
    let steps = act.steps.max(1) as f64;
    let mut comps = Vec::new();
    let mut total_fj = 0.0;
    let mut clock_fj = 0.0;
    let mut total_ge = 0.0;
    let flip_flops = parts(spec, lanes, programmable, &FLIP_FLOPS);
    let clock_fj_per_ff =
        super::clock_fj_per_flip_flop(tech, flip_flops.iter().map(|(_, c)| c.ge).sum::<f64>());
    for ((node, c), (_, ffs)) in parts(spec, lanes, programmable, &NANGATE45)
        .into_iter()
        .zip(flip_flops)
    {
        // (activity relative to random data, fJ over the run)
        let by = |ge: f64, t: u64, evals: u64, bits: f64| {
            let a = ratio(t as f64, evals as f64 * bits) / 0.5;
            (a, ge * tech.ge_fj * ratio(t as f64, 0.5 * bits))
        };
        let (activity, fj) = match node {
            Node::Weight => by(c.ge / p, act.weight, act.macs, ww),
            // The lanes' operands replayed through the product's netlist (the unit model's
            // multiplier activity); without them, the inputs' toggle rate.
            Node::Multiply if !act.mul_ops.is_empty() => {
                let a = product_switching(
                    &field_bits(None, ww as usize),
                    &field_bits(None, vw as usize),
                    true,
                    (ww + vw) as usize,
                    0,
                    act.mul_ops.lanes(),
                )
                .activity(&NANGATE45);
                (a, c.ge / p * tech.ge_fj * a * act.macs as f64)
            }
            Node::Multiply => by(c.ge / p, act.mul_in, act.macs, ww + vw),
            Node::Product => by(c.ge / p, act.product, act.macs, aw_max),
            Node::Accumulate => by(c.ge / p, act.acc, act.macs, aw_sum),
            Node::Operand => by(c.ge, act.operand, act.mac_cycles, vw),
            Node::Elementwise => by(c.ge, act.elementwise, act.items, tail_bits),
            Node::Control => by(c.ge, act.control, act.cycles, ctl_bits),
            Node::State => (
                ratio(act.state as f64, act.state_loads as f64) / 0.5,
                reg * act.state as f64,
            ),
            // A write drives the 32-bit data bus into one register, as the unit's tables.
            Node::Registers => (0.0, reg * 0.5 * act.cfg_writes as f64 * 32.0),
            Node::Lut(u) => {
                // The activity shown is its input's; the energy is the unit model's own.
                let (t, codes) = luts[u];
                let bits = t.dp.input.bits;
                let flips: u64 = codes
                    .windows(2)
                    .map(|w| crate::unit::toggles128(w[0].into(), w[1].into(), bits))
                    .sum();
                let evals = codes.len().saturating_sub(1) as u64;
                (
                    ratio(flips as f64, evals as f64 * f64::from(bits)) / 0.5,
                    1000.0 * lut_energy(t, programmable, codes, tech),
                )
            }
        };
        let clock = ffs.ge * act.cycles as f64 * clock_fj_per_ff;
        clock_fj += clock;
        let fj = fj + clock;
        total_fj += fj;
        total_ge += c.ge;
        comps.push(ComponentCost::of(
            c,
            tech,
            activity,
            fj / 1000.0 / steps,
            clock / 1000.0 / steps,
        ));
    }
    let seconds = act.cycles as f64 / (clock_mhz * 1e6);
    let energy_pj = total_fj / 1000.0;
    let leakage_mw = total_ge * tech.leak_nw_per_ge * 1e-6;
    let seqs = act.sequences.max(1) as f64;
    CellCost {
        tech: *tech,
        clock_mhz,
        ge: total_ge,
        area_um2: total_ge * tech.ge_um2,
        cycles: act.cycles,
        steps: act.steps,
        sequences: act.sequences,
        energy_pj,
        clock_pj: clock_fj / 1000.0,
        energy_per_step_pj: energy_pj / steps,
        energy_per_inference_pj: energy_pj / seqs,
        clock_per_inference_pj: clock_fj / 1000.0 / seqs,
        leakage_per_inference_pj: leakage_mw * 1e-3 * seconds / seqs * 1e12,
        dynamic_mw: if seconds > 0.0 {
            energy_pj * 1e-12 / seconds * 1e3
        } else {
            0.0
        },
        leakage_mw,
        components: comps,
    }
}
