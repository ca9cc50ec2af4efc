//! Area and power of a unit, per component, from textbook structures built of standard cells
//! and the switching activity the simulator counted (docs/cost-model.md explains the model and
//! cites every constant). Nothing here is fitted to the GQA-LUT paper's figures.

use crate::unit::{Activity, Arith, Field, Reg, UnitConfig};
use product::{field_bits, product_gates, product_switching, OpBit};
use serde::Serialize;

pub mod cell;
pub mod library;
pub mod ops;
mod product;
mod rom;

/// The cells every structure below is built from, each priced in gate equivalents (GE). The
/// model counts cells once and prices them with one of two libraries: [`NANGATE45`] for the
/// area and energy figures, [`CMOS_T4`] to compare with Yosys's transistor count.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CellLib {
    pub name: &'static str,
    pub inv: f64,
    pub and2: f64,
    pub or2: f64,
    pub aoi21: f64,
    pub xor2: f64,
    pub mux2: f64,
    pub ha: f64,
    pub fa: f64,
    pub dff: f64,
    /// Flip-flop with reset (the valid bits).
    pub dffr: f64,
    /// The gate that forces a register bit to its reset value (data and table registers).
    pub rst: f64,
}

/// NAND2_X1 of the NanGate FreePDK45 Open Cell Library: 0.798 µm², the unit of gate
/// equivalents.
pub const NAND2_UM2_45: f64 = 0.798;

const fn nangate(um2: f64) -> f64 {
    um2 / NAND2_UM2_45
}

/// Cell areas of the NanGate FreePDK45 Open Cell Library (X1 drive), in µm², divided by the
/// NAND2_X1 area: INV 0.532, AND2/OR2/AOI21 1.064, XOR2 1.596, MUX2 1.862, HA 2.660, FA 4.256,
/// DFF 4.522, DFFR 5.320 µm². The area, energy and leakage of every report come from these.
pub const NANGATE45: CellLib = CellLib {
    name: "NanGate45 cell area / NAND2",
    inv: nangate(0.532),
    and2: nangate(1.064),
    or2: nangate(1.064),
    aoi21: nangate(1.064),
    xor2: nangate(1.596),
    mux2: nangate(1.862),
    ha: nangate(2.660),
    fa: nangate(4.256),
    dff: nangate(4.522),
    dffr: nangate(5.320),
    rst: nangate(1.064),
};

/// Static-CMOS transistor counts divided by 4 (a NAND2), as Yosys's `stat -tech cmos` prices
/// its gate cells (kernel/cost.h, `CellCosts::cmos_gate_cost`): NOT 2, AND/OR/ANDNOT/ORNOT 6,
/// XOR/MUX 12, $_DFF_P_ 16 transistors. Cells outside `synth`'s gate set are built as Yosys
/// builds them: AOI21 = AND + OR (12), HA = XOR + AND (18), FA as techmap.v's full adder (two
/// XOR, two AND, one OR: 42); `dfflegalize` emulates enables and synchronous resets with a MUX
/// each, so the reset gate and a reset flip-flop's extra cost are a MUX (12). Used only to
/// compare the model's structure with synthesis in the same unit; no reported area uses it.
pub const CMOS_T4: CellLib = CellLib {
    name: "CMOS transistors / 4 (Yosys stat -tech cmos)",
    inv: 2.0 / 4.0,
    and2: 6.0 / 4.0,
    or2: 6.0 / 4.0,
    aoi21: 12.0 / 4.0,
    xor2: 12.0 / 4.0,
    mux2: 12.0 / 4.0,
    ha: 18.0 / 4.0,
    fa: 42.0 / 4.0,
    dff: 16.0 / 4.0,
    dffr: 28.0 / 4.0,
    rst: 12.0 / 4.0,
};

/// Flip-flop counts in place of gate equivalents: the same structures counted with this
/// "library" give each component's flip-flops, whose clock pins switch every cycle.
pub const FLIP_FLOPS: CellLib = CellLib {
    name: "flip-flops",
    dff: 1.0,
    dffr: 1.0,
    ..NO_CELLS
};

/// Every cell zero: the base of the counting "libraries" ([`FLIP_FLOPS`], select inputs).
const NO_CELLS: CellLib = CellLib {
    name: "none",
    inv: 0.0,
    and2: 0.0,
    or2: 0.0,
    aoi21: 0.0,
    xor2: 0.0,
    mux2: 0.0,
    ha: 0.0,
    fa: 0.0,
    dff: 0.0,
    dffr: 0.0,
    rst: 0.0,
};

/// A technology node: the area of one gate equivalent, the energy of one GE per evaluation at
/// random-data activity, a flip-flop's clock energy per cycle, leakage per GE, and the supply
/// these energies hold at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tech {
    pub name: &'static str,
    /// µm² per GE.
    pub ge_um2: f64,
    /// fJ per GE per evaluation with inputs toggling at the reference activity (0.5).
    pub ge_fj: f64,
    /// fJ per flip-flop per clock cycle, whatever its data: the clock pin's internal energy
    /// and capacitance switch on both edges.
    pub dff_clock_fj: f64,
    /// fJ per data toggle of a register bit (flip-flop, load-enable multiplexer, reset gate),
    /// the loads of its output aside.
    pub reg_toggle_fj: f64,
    /// fJ per toggle of one fF of load (½·C·V²): what a register's output drives.
    pub load_fj_per_ff: f64,
    /// nW of leakage per GE.
    pub leak_nw_per_ge: f64,
    /// Supply voltage (V) of the energies above.
    pub vdd: f64,
}

/// Horowitz, ISSCC 2014 ("Computing's energy problem"), 45 nm, 0.9 V: a 32-bit integer add
/// costs 0.1 pJ and occupies 137 µm². The ripple-carry adder of 32 FA_X1 cells has the same
/// area (136 µm²), so its energy per GE is the energy constant of the model.
pub const HOROWITZ_ADD32_PJ: f64 = 0.1;

/// Structural GE of a 32-bit ripple-carry adder (32 full adders).
pub fn add32_ge() -> f64 {
    32.0 * NANGATE45.fa
}

/// Energy per GE-evaluation at 45 nm, derived from Horowitz's 32-bit add.
pub fn ge_fj_45() -> f64 {
    HOROWITZ_ADD32_PJ * 1000.0 / add32_ge()
}

/// Supply of Horowitz's 45 nm energies, and so of every energy of the model.
pub const HOROWITZ_VDD: f64 = 0.9;

/// DFF_X1 of the library (`library`, NanGate FreePDK45 typical, 1.10 V): the CK pin's internal
/// energy per clock period (rise and fall) and its capacitance charged once per period (C·V²),
/// the energy a flip-flop spends on the clock whatever its data (fJ at the library's supply).
pub fn nangate45_dff_clock_fj() -> f64 {
    let d = library::cell("DFF_X1");
    d.clock_fj + d.clock_cap_ff * library::VDD * library::VDD
}

/// One data toggle of a register bit at the library's supply (fJ), the loads its output
/// drives aside: the bit is a flip-flop behind its load-enable multiplexer and its reset gate,
/// all in series on D (the model's structure: DFF + MUX2 + an AND2-sized gate), so a new value
/// toggles the multiplexer's output, the gate's, the flip-flop's D (its D-pin energy) and Q
/// (its output's internal energy), and charges the two nets between them and the Q net's own
/// pin on the hold multiplexer.
pub fn nangate45_register_toggle_fj() -> f64 {
    let (dff, mux, gate) = (
        library::cell("DFF_X1"),
        library::cell("MUX2_X1"),
        library::cell("AND2_X1"),
    );
    dff.data_fj
        + dff.internal_fj
        + mux.internal_fj
        + gate.internal_fj
        + library::switch_fj(gate.input_cap_ff + dff.input_cap_ff + mux.input_cap_ff)
}

/// The factor from the library's energies (45 nm, 1.10 V) to the model's at 45 nm and
/// Horowitz's 0.9 V: switched and internal energies are both C·V².
pub fn library_to_45() -> f64 {
    let v = HOROWITZ_VDD / library::VDD;
    v * v
}

/// A flip-flop's clock energy per cycle at 45 nm and the model's supply.
pub fn dff_clock_fj_45() -> f64 {
    nangate45_dff_clock_fj() * library_to_45()
}

/// Leakage of a NAND2_X1 in the NanGate 45 nm typical corner, order of magnitude (nW).
pub const LEAK_NW_PER_GE_45: f64 = 17.0;

/// TSMC 28 nm raw gate density, 3900 kgates/mm² (TSMC, VLSI Symposium 2009, as reported by
/// Electronic Design, "TSMC announces 28nm milestone"): 0.256 µm² per gate.
pub const TSMC28_GE_UM2: f64 = 1e6 / 3.9e6;

impl Tech {
    /// NanGate FreePDK45, the node the cell areas and Horowitz's energies come from.
    pub fn nangate45() -> Tech {
        Tech {
            name: "45nm (NanGate FreePDK45 cells, Horowitz 45nm energy)",
            ge_um2: NAND2_UM2_45,
            ge_fj: ge_fj_45(),
            dff_clock_fj: dff_clock_fj_45(),
            reg_toggle_fj: nangate45_register_toggle_fj() * library_to_45(),
            load_fj_per_ff: library::switch_fj(1.0) * library_to_45(),
            leak_nw_per_ge: LEAK_NW_PER_GE_45,
            vdd: HOROWITZ_VDD,
        }
    }

    /// 28 nm, the paper's node: area per GE from TSMC's published raw gate density; switched
    /// capacitance scaled with feature size at the same 0.9 V supply (E ∝ C·V², C ∝ L:
    /// 28/45); leakage per unit area kept from 45 nm.
    pub fn tsmc28() -> Tech {
        Tech {
            name: "28nm (TSMC 28nm gate density, energy scaled C~L from 45nm)",
            ge_um2: TSMC28_GE_UM2,
            ge_fj: ge_fj_45() * 28.0 / 45.0,
            dff_clock_fj: dff_clock_fj_45() * 28.0 / 45.0,
            reg_toggle_fj: nangate45_register_toggle_fj() * library_to_45() * 28.0 / 45.0,
            load_fj_per_ff: library::switch_fj(1.0) * library_to_45() * 28.0 / 45.0,
            leak_nw_per_ge: LEAK_NW_PER_GE_45 * TSMC28_GE_UM2 / NAND2_UM2_45,
            vdd: HOROWITZ_VDD,
        }
    }

    pub fn by_name(name: &str) -> Option<Tech> {
        match name {
            "45" | "45nm" | "nangate45" => Some(Tech::nangate45()),
            "28" | "28nm" | "tsmc28" => Some(Tech::tsmc28()),
            _ => None,
        }
    }
}

/// What drives a component's switching, for its activity factor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Driver {
    /// Comparator inputs (x).
    Compare,
    /// Comparator outputs.
    Encode,
    /// Segment index (mux selects).
    Select,
    /// Multiplier inputs (x and k).
    Multiply,
    /// A product's partial-product array (the integer product, FP32's significands): the
    /// multiplier's operands replayed through its netlist.
    Product,
    /// Adder inputs (product and intercept).
    Add,
    /// The sum (rounding and saturation).
    Round,
    /// Pipeline registers: their data toggles, and every flip-flop's clock every cycle.
    PipeData,
    /// Table registers: their bits' toggles, and every flip-flop's clock every cycle.
    Table,
    /// Constant wiring: no area, no energy.
    Wiring,
}

/// One component of the unit.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Component {
    pub name: String,
    /// Gate equivalents for the whole unit (all lanes).
    pub ge: f64,
    /// Instances (lanes) the GE are spread over; activity is summed over lanes.
    pub per_lane: bool,
    pub driver: Driver,
    /// How the GE were counted.
    pub structure: String,
}

fn comp(
    name: &str,
    lanes: usize,
    per_lane_ge: f64,
    driver: Driver,
    structure: String,
) -> Component {
    Component {
        name: name.into(),
        ge: per_lane_ge * lanes as f64,
        per_lane: true,
        driver,
        structure,
    }
}

/// The components of a unit and their area in NanGate45 gate equivalents, from its
/// configuration alone (every table bit variable).
pub fn components(cfg: &UnitConfig) -> Vec<Component> {
    components_in(cfg, None, &NANGATE45)
}

/// Bits of a fixed integer table above the low bits that are zero in every entry, per field: a
/// breakpoint whose low t bits are zero compares only x's upper bits (x ≥ P·2^t ⟺ ⌊x/2^t⌋ ≥
/// P), a slope's common low zero bits leave the product's low bits zero (no register bits), an
/// intercept's remove adder bits and let the product's low bits pass the adder unread.
/// Synthesis folds those constants; a table widened from a narrower format (INT8 codes in an
/// INT32 unit) has many.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LiveBits {
    x_cmp: f64,
    k: f64,
    b: f64,
}

fn live_bits(cfg: &UnitConfig, table: Option<&lutforge_core::Params>) -> LiveBits {
    let w = cfg.widths();
    // Integer tables only: an FP32 entry's low bits are its significand's, not a scale.
    let int = matches!(table, Some(lutforge_core::Params::Int(_)));
    let live = |field, n: u32| {
        let entries = fixed_field(cfg, table, field).filter(|_| int);
        f64::from(n - low_zero_bits(&entries, n))
    };
    LiveBits {
        x_cmp: live(Field::Breakpoint, w.x),
        k: live(Field::Slope, w.k),
        b: live(Field::Intercept, w.b),
    }
}

/// The low bits of a table field that are zero in every entry (0 when any entry may hold
/// anything); an all-zero field keeps one bit, its structure still being there.
fn low_zero_bits(entries: &Option<Vec<Vec<bool>>>, n: u32) -> u32 {
    match entries {
        Some(e) if !e.is_empty() => (0..n as usize)
            .take_while(|&m| e.iter().all(|x| !x[m]))
            .count()
            .min(n as usize - 1) as u32,
        _ => 0,
    }
}

/// A fixed table's entries of one field (`Field`), each as its bits, least significant first;
/// `None` for a programmable unit or an unknown table (every bit then varies).
fn fixed_field(
    cfg: &UnitConfig,
    table: Option<&lutforge_core::Params>,
    field: Field,
) -> Option<Vec<Vec<bool>>> {
    use lutforge_core::Params;
    let bits = |v: i64, n: u32| (0..n).map(|m| (v >> m) & 1 == 1).collect::<Vec<bool>>();
    let w = cfg.widths();
    match (cfg.programmable, table) {
        (false, Some(Params::Int(p))) => {
            let (codes, n) = match field {
                Field::Breakpoint => (&p.breakpoints, w.x),
                Field::Slope => (&p.slopes, w.k),
                Field::Intercept => (&p.intercepts, w.b),
            };
            Some(codes.iter().map(|&c| bits(c, n)).collect())
        }
        (false, Some(Params::Fp32(p))) => {
            let values = match field {
                Field::Breakpoint => &p.breakpoints,
                Field::Slope => &p.slopes,
                Field::Intercept => &p.intercepts,
            };
            Some(
                values
                    .iter()
                    .map(|&v| bits(i64::from(v.to_bits()), 32))
                    .collect(),
            )
        }
        _ => None,
    }
}

/// Bits of a table field that differ between entries (`n` when any entry may hold anything):
/// a bit equal in every entry of a fixed table is a constant wire out of the multiplexer.
fn varying_bits(entries: &Option<Vec<Vec<bool>>>, n: u32) -> f64 {
    match entries {
        Some(e) if !e.is_empty() => (0..n as usize)
            .filter(|&m| e.iter().any(|x| x[m] != e[0][m]))
            .count() as f64,
        _ => f64::from(n),
    }
}

/// Bits of a table field that are zero in every entry (0 when any entry may hold anything): a
/// pipeline register bit loaded only with zeros, its reset value, is a constant.
fn zero_bits(entries: &Option<Vec<Vec<bool>>>, n: u32) -> f64 {
    match entries {
        Some(e) if !e.is_empty() => {
            (0..n as usize).filter(|&m| e.iter().all(|x| !x[m])).count() as f64
        }
        _ => 0.0,
    }
}

/// The slope operand of the multiplier as the synthesized netlist sees it, least significant bit
/// first: the integer slope, or the FP32 slope's 24-bit significand (hidden bit = exponent
/// non-zero). With a fixed table a bit equal in every entry is a constant, which folds the
/// partial products it feeds.
fn slope_bits(cfg: &UnitConfig, table: Option<&lutforge_core::Params>) -> Vec<OpBit> {
    let entries = fixed_field(cfg, table, Field::Slope);
    match &cfg.arith {
        Arith::Int(dp) => field_bits(entries, dp.slope.bits as usize),
        Arith::Fp32 => {
            let significands = entries.map(|e| {
                e.into_iter()
                    .map(|b| {
                        let mut sig = b[..23].to_vec();
                        sig.push(b[23..31].iter().any(|&e| e));
                        sig
                    })
                    .collect()
            });
            field_bits(significands, 24)
        }
    }
}

/// The sum's first bit rounding and saturation read: the rounding bit r − 1 (half-up: the
/// added half sits there), the first kept bit r (truncation), every bit (half-even's sticky
/// test, or an exact left shift, r ≤ 0).
fn round_read_lo(dp: &lutforge_core::Datapath) -> u32 {
    let r = dp.out_shift();
    if r <= 0 {
        return 0;
    }
    match dp.rounding {
        lutforge_core::Rounding::HalfEven => 0,
        lutforge_core::Rounding::HalfUp => r as u32 - 1,
        lutforge_core::Rounding::Truncate => r as u32,
    }
}

/// The lowest product bit the output can depend on. Below the aligned intercept's lowest
/// non-zero bit the sum is the product itself, with no carries out, so the product's bits
/// below both that bit and the rounding's first read bit reach nothing.
fn product_used_lo(dp: &lutforge_core::Datapath, intercept_zero_bits: u32) -> usize {
    let quiet = dp.align_shift().max(0) as usize + intercept_zero_bits as usize;
    quiet.min(round_read_lo(dp) as usize)
}

/// The components of a unit with their cells priced by `cell`. With a fixed integer `table`
/// its constant-zero bits are left out, as synthesis leaves them out.
pub fn components_in(
    cfg: &UnitConfig,
    table: Option<&lutforge_core::Params>,
    cell: &CellLib,
) -> Vec<Component> {
    if cfg.arch == crate::unit::Arch::Rom {
        let mut v = rom::components(cfg, table, cell);
        v.push(pipeline_registers(cfg, cell, pipe_bits(cfg, None)));
        return v;
    }
    let live = live_bits(cfg, table);
    let w = cfg.widths();
    let p = cfg.lanes;
    let k = cfg.segments as f64;
    let nb = k - 1.0;
    let prog = cfg.programmable;
    let sw = w.seg as f64;
    let mut v = Vec::new();

    // Comparators: a ripple magnitude comparator against a register costs, per bit, the
    // propagate XNOR, the generate AND (a & !b) and the carry AOI21 (g | p & c); against a
    // constant each bit reduces to one AND2 or OR2 of the carry chain.
    let cmp_bit = if prog {
        cell.xor2 + cell.and2 + cell.aoi21
    } else {
        cell.and2
    };
    // Segment encoder, as the RTL writes it for fixed and programmable tables alike (the
    // breakpoints may be out of order, so no thermometer code is assumed): the count of
    // comparator outputs, one conditional increment per comparator. After comparator i the
    // count needs ceil(log2(i + 2)) bits; each bit is a half adder and a MUX2 (the first
    // comparator's output is the count itself).
    let enc: f64 = (1..(k as usize).saturating_sub(1))
        .map(|i| f64::from(crate::unit::ceil_log2(i + 2)) * (cell.ha + cell.mux2))
        .sum();
    // K:1 multiplexer per output bit: a tree of K−1 MUX2; with constant data the first level
    // collapses to wires and inverters.
    let mux_bits = |bits: f64| {
        if prog {
            bits * (k - 1.0) * cell.mux2
        } else {
            bits * ((k - 1.0 - (k / 2.0).floor()) * cell.mux2 + (k / 2.0).floor() * cell.inv / 2.0)
        }
    };
    let table_bits = nb * w.x as f64 + k * (w.k + w.b) as f64;
    let slopes = fixed_field(cfg, table, Field::Slope);
    let intercepts = fixed_field(cfg, table, Field::Intercept);
    let (k_var, b_var) = (varying_bits(&slopes, w.k), varying_bits(&intercepts, w.b));
    // Table storage: per bit a DFF, a load-enable MUX2 and the gate of the synchronous reset to
    // the generated table (an AND2 for a 0 bit, an OR2 for a 1 bit); an address decoder of
    // 3K−1 AND trees of AW inputs. A fixed table is constants (no cells).
    let table_ge = if prog {
        table_bits * (cell.dff + cell.mux2 + cell.rst)
            + (3.0 * k - 1.0) * (w.cfg_addr as f64 - 1.0).max(1.0) * cell.and2
    } else {
        0.0
    };

    // Product bits the stage-3 register holds: those that are neither constant zero nor unread.
    let mut s3_prod_bits = w.prod as f64;
    match cfg.arith {
        Arith::Int(dp) => {
            let (nx, ny) = (w.x as f64, w.y as f64);
            let (nk, nbb) = (live.k, live.b);
            // Constant-zero low slope/intercept bits leave the product and the aligned
            // intercept zero there.
            let b_zero = w.b as f64 - nbb;
            v.push(comp(
                "comparators",
                p,
                nb * live.x_cmp * cmp_bit,
                Driver::Compare,
                format!("{nb} x {}-bit magnitude comparators", live.x_cmp),
            ));
            v.push(comp(
                "segment encoder",
                p,
                enc,
                Driver::Encode,
                format!(
                    "count of {nb} comparator outputs to {sw} bits, one conditional increment each"
                ),
            ));
            v.push(Component {
                name: "table storage".into(),
                ge: table_ge,
                per_lane: false,
                driver: Driver::Table,
                structure: if prog {
                    format!("{table_bits} flip-flops with load enable and reset value + address decoder")
                } else {
                    "constants".into()
                },
            });
            v.push(comp(
                "multiplexers",
                p,
                mux_bits(k_var) + mux_bits(b_var),
                Driver::Select,
                format!("{k}:1 slope ({k_var} varying bits) and intercept ({b_var} varying bits)"),
            ));
            // The RTL's product: a signed N_k × N_x product of W = N_k + N_x bits, as
            // synthesis builds it (cost/product.rs).
            let wp = w.prod as usize;
            let used_lo = product_used_lo(&dp, w.b - live.b as u32);
            s3_prod_bits = (wp - used_lo.max(w.k as usize - live.k as usize)) as f64;
            let g = product_gates(
                &slope_bits(cfg, table),
                &field_bits(None, w.x as usize),
                true,
                wp,
                used_lo,
            );
            v.push(comp(
                "multiplier",
                p,
                g.ge(cell),
                Driver::Product,
                format!(
                    "signed {nk} x {nx} product of slope and input, {wp} bits, \
                     bits {used_lo}..{wp} used: {} AND, {} OR, {} XOR, {} NOT",
                    g.and, g.or, g.xor, g.not
                ),
            ));
            v.push(comp(
                "shifter",
                p,
                0.0,
                Driver::Wiring,
                format!(
                    "constant shifts (align {}, output {}): wiring",
                    dp.align_shift(),
                    dp.out_shift()
                ),
            ));
            // The low ALIGN bits of the aligned intercept are zero: the sum passes the
            // product's bits there, so only the upper bits need full adders.
            let add_bits = (w.sum as f64 - dp.align_shift() as f64 - b_zero).max(1.0);
            v.push(comp(
                "adder",
                p,
                add_bits * cell.fa,
                Driver::Add,
                format!("{add_bits}-bit ripple-carry"),
            ));
            let r = dp.out_shift();
            let kept = (w.sum as i64 - r.max(0) as i64).max(1) as f64;
            let round = match (r > 0, dp.rounding) {
                (false, _) | (true, lutforge_core::Rounding::Truncate) => 0.0,
                (true, lutforge_core::Rounding::HalfUp) => kept * cell.ha,
                (true, lutforge_core::Rounding::HalfEven) => {
                    kept * cell.ha + (r as f64 - 1.0).max(0.0) * cell.or2 + 2.0 * cell.and2
                }
            };
            let excess = (kept - ny).max(0.0);
            let sat = if excess > 0.0 {
                excess * (cell.xor2 + cell.or2) + ny * cell.mux2
            } else {
                0.0
            };
            v.push(comp(
                "rounding + saturation",
                p,
                round + sat,
                Driver::Round,
                format!(
                    "{} incrementer, {excess}-bit overflow detect, {ny}-bit clamp",
                    dp.rounding
                ),
            ));
        }
        Arith::Fp32 => {
            // IEEE comparator as the RTL writes it: a ≥ b and a ≤ b of the 31-bit magnitudes
            // (one serves positive, one negative operands), sign logic (3 MUX2), NaN detection
            // (exponent all ones: 7 AND2; mantissa non-zero: 22 OR2) and ±0 detection (30
            // OR2) of both operands; x's detectors are shared, a constant breakpoint's fold.
            let nan_detect = 7.0 * cell.and2 + 22.0 * cell.or2;
            let zero_detect = 30.0 * cell.or2;
            let (cmp_ge, cmp_what) = if prog {
                (
                    nb * (2.0 * 31.0 * cmp_bit + 3.0 * cell.mux2 + nan_detect + zero_detect),
                    "2 x 31-bit magnitude".to_string(),
                )
            } else {
                // A constant breakpoint's sign decides which magnitude comparison can matter
                // (x ≥ p for p ≥ 0, |x| ≤ |p| for p < 0; with the other sign the result is the
                // sign test), so the other folds away. A magnitude whose low t bits are zero
                // compares x's upper 31 − t bits; |x| ≤ |p| also needs x's low t bits zero, a
                // test the negative breakpoints share (an OR chain as long as the longest).
                let bps = fixed_field(cfg, table, Field::Breakpoint);
                let (live, low_or) = match &bps {
                    Some(e) => {
                        let tz = |b: &[bool]| b[..31].iter().take_while(|&&v| !v).count().min(30);
                        let live: usize = e.iter().map(|b| 31 - tz(b)).sum();
                        let low = e.iter().filter(|b| b[31]).map(|b| tz(b)).max().unwrap_or(0);
                        (live as f64, low as f64)
                    }
                    None => (nb * 31.0, 0.0),
                };
                (
                    live * cmp_bit + nb * 3.0 * cell.mux2 + low_or * cell.or2,
                    format!("1 magnitude of {live} live bits in all"),
                )
            };
            v.push(comp(
                "comparators",
                p,
                cmp_ge + nan_detect + zero_detect,
                Driver::Compare,
                format!("{nb} x FP32 comparators ({cmp_what}, sign, NaN and zero detect)"),
            ));
            v.push(comp(
                "segment encoder",
                p,
                enc,
                Driver::Encode,
                format!(
                    "count of {nb} comparator outputs to {sw} bits, one conditional increment each"
                ),
            ));
            v.push(Component {
                name: "table storage".into(),
                ge: table_ge,
                per_lane: false,
                driver: Driver::Table,
                structure: if prog {
                    format!("{table_bits} flip-flops with load enable and reset value + address decoder")
                } else {
                    "constants".into()
                },
            });
            v.push(comp(
                "multiplexers",
                p,
                mux_bits(k_var) + mux_bits(b_var),
                Driver::Select,
                format!("{k}:1 slope ({k_var} varying bits) and intercept ({b_var} varying bits)"),
            ));
            let special = 2.0 * nan_detect + 32.0 * cell.mux2;
            let barrel = |n: f64, levels: f64| n * levels * cell.mux2;
            // The RTL's result packer (`fp_pack`), one in the multiplier and one in the adder:
            // it takes a 48-bit significand, so its normalizing left shift, denormalizing right
            // shift and sticky mask are 48 bits wide and 6 levels deep, with the masked sticky
            // OR and a 48:1 multiplexer for the round bit n[rs − 1]. Its leading-zero count is
            // no priority encoder but the RTL's loop: 48 steps from the top bit, step j adding
            // one when its bit is zero and the count (j at most so far) still equals j — an
            // equality with a constant (an AND per count bit) and a conditional increment (HA
            // + MUX2 per bit of the new count), like the segment counter.
            let bits_for = |v: usize| f64::from(usize::BITS - v.leading_zeros());
            let lz_chain: f64 = (0..48usize)
                .map(|j| bits_for(j) * cell.and2 + bits_for(j + 1) * (cell.ha + cell.mux2))
                .sum();
            let pack = lz_chain
                + 3.0 * barrel(48.0, 6.0)
                + 48.0 * (cell.and2 + cell.or2)
                + 47.0 * cell.mux2;
            // FP multiplier: the significands' product, `{24'd0, a} * {24'd0, b}`, 48 bits
            // with one row per bit of x's significand, built as synthesis builds it
            // (cost/product.rs; a fixed table's constant slope bits fold); then 10-bit exponent
            // add and bias subtract, the packer, round-to-nearest-even incrementer, special
            // cases, sign XOR.
            let mant_g =
                product_gates(&slope_bits(cfg, table), &field_bits(None, 24), false, 48, 0);
            let mant = mant_g.ge(cell);
            let fmul_rest =
                20.0 * cell.fa + 24.0 * cell.ha + 10.0 * cell.ha + pack + special + cell.xor2;
            v.push(comp(
                "multiplier",
                p,
                mant,
                Driver::Product,
                format!(
                    "FP32 multiplier: 24 x 24 mantissa array, carry-save rows: {} AND, {} OR, {} XOR, {} NOT",
                    mant_g.and, mant_g.or, mant_g.xor, mant_g.not
                ),
            ));
            v.push(comp(
                "multiplier: exponent, normalize, round",
                p,
                fmul_rest,
                Driver::Multiply,
                "10-bit exponent add + bias, 48-bit packer (LZC, normalize and denormalize \
                 shifters, sticky), RNE incrementer, special cases"
                    .into(),
            ));
            // FP adder: exponent difference (8 FA), operand swap (62 MUX2), alignment barrel
            // shifter of 27 bits × 5 levels with sticky OR, conditional complement + 27-bit
            // adder, the packer, RNE incrementer (24 HA), exponent adjust (8 FA), special
            // cases.
            v.push(comp(
                "shifter",
                p,
                barrel(27.0, 5.0) + 27.0 * cell.or2 + pack,
                Driver::Add,
                "FP32 adder: 27-bit alignment shifter + sticky, 48-bit packer".into(),
            ));
            v.push(comp(
                "adder",
                p,
                8.0 * cell.fa + 62.0 * cell.mux2 + 27.0 * (cell.xor2 + cell.fa) + 8.0 * cell.fa,
                Driver::Add,
                "FP32 adder: exponent difference, swap, complement + 27-bit add, exponent adjust"
                    .into(),
            ));
            v.push(comp(
                "rounding + saturation",
                p,
                24.0 * cell.ha + special,
                Driver::Round,
                "FP32 adder: RNE incrementer, overflow to inf, special cases".into(),
            ));
        }
    }

    let s3_bits = s3_prod_bits + w.b as f64 - zero_bits(&intercepts, w.b);
    v.push(pipeline_registers(cfg, cell, pipe_bits(cfg, Some(s3_bits))));
    v
}

/// Data bits per lane of each pipeline register the unit has: the PWL unit's s1 input, s2
/// input and segment, s3 product and intercept (`s3`: the bits left after constant folding;
/// all of them when `None`), s4 output; the direct table's s1 input, s2 address, s3 word,
/// s4 output.
fn pipe_bits(cfg: &UnitConfig, s3: Option<f64>) -> Vec<f64> {
    let w = cfg.widths();
    let regs = if cfg.arch == crate::unit::Arch::Rom {
        [
            (Reg::S1, w.x),
            (Reg::S2, w.x),
            (Reg::S3, w.y),
            (Reg::S4, w.y),
        ]
        .map(|(r, b)| (r, f64::from(b)))
    } else {
        [
            (Reg::S1, f64::from(w.x)),
            (Reg::S2, f64::from(w.x + w.seg)),
            (Reg::S3, s3.unwrap_or(f64::from(w.prod + w.b))),
            (Reg::S4, f64::from(w.y)),
        ]
    };
    regs.iter()
        .filter(|(r, _)| cfg.has(*r))
        .map(|(_, b)| *b)
        .collect()
}

/// Pipeline registers: data bits have a load enable and reset to zero (DFF + MUX2 + reset
/// gate), valid bits a reset and the advance enable.
fn pipeline_registers(cfg: &UnitConfig, cell: &CellLib, lane_bits: Vec<f64>) -> Component {
    let data_bits = cfg.lanes as f64 * lane_bits.iter().sum::<f64>();
    let valid_bits = lane_bits.len() as f64;
    Component {
        name: "pipeline registers".into(),
        ge: data_bits * (cell.dff + cell.mux2 + cell.rst) + valid_bits * (cell.dffr + cell.mux2),
        per_lane: false,
        driver: Driver::PipeData,
        structure: format!(
            "{data_bits} data flip-flops with load enable and reset, {valid_bits} valid flip-flops"
        ),
    }
}

/// Data bits per lane of the existing pipeline registers.
fn pipe_lane_bits(cfg: &UnitConfig) -> f64 {
    pipe_bits(cfg, None).iter().sum()
}

/// One component's share of the totals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ComponentCost {
    pub name: String,
    pub structure: String,
    pub ge: f64,
    pub area_um2: f64,
    /// Activity factor relative to random data (1.0 = inputs toggle like random data).
    pub activity: f64,
    /// Dynamic energy per sample, pJ, its flip-flops' clock included.
    pub energy_pj: f64,
    /// Of which its flip-flops' clock, pJ.
    pub clock_pj: f64,
}

impl ComponentCost {
    /// Component `c` priced at `tech`, with its activity and energy (of which clock) per
    /// sample.
    pub fn of(
        c: Component,
        tech: &Tech,
        activity: f64,
        energy_pj: f64,
        clock_pj: f64,
    ) -> ComponentCost {
        ComponentCost {
            clock_pj,
            area_um2: c.ge * tech.ge_um2,
            name: c.name,
            structure: c.structure,
            ge: c.ge,
            activity,
            energy_pj,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub tech: Tech,
    pub clock_mhz: f64,
    pub components: Vec<ComponentCost>,
    pub ge: f64,
    pub area_um2: f64,
    /// Dynamic energy per sample (pJ), the clock's included.
    pub energy_per_op_pj: f64,
    /// Of which the flip-flops' clock pins, every flip-flop every cycle (pJ per sample).
    pub clock_per_op_pj: f64,
    pub dynamic_mw: f64,
    pub leakage_mw: f64,
    pub power_mw: f64,
    pub samples: u64,
    pub cycles: u64,
}

/// `num / den`, or 0 when there is nothing to divide by (no samples, no toggles): the rates
/// and ratios of the reports.
pub fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Select inputs in place of gate equivalents: the read structures counted with this
/// "library" give the number of multiplexers (and, in a folded ROM, gates and inverters) an
/// address or segment bit drives.
const SELECT_PINS: CellLib = CellLib {
    name: "select inputs",
    inv: 1.0,
    and2: 1.0,
    mux2: 1.0,
    ..NO_CELLS
};

/// Input pins a net drives, and their capacitance (fF).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Load {
    pins: f64,
    pin_ff: f64,
}

impl Load {
    /// `n` input pins of the library cell `name`.
    fn of(n: f64, name: &str) -> Load {
        Load {
            pins: n,
            pin_ff: n * library::cell(name).input_cap_ff,
        }
    }

    fn and(self, o: Load) -> Load {
        Load {
            pins: self.pins + o.pins,
            pin_ff: self.pin_ff + o.pin_ff,
        }
    }

    /// The capacitance a register bit's output switches besides its own hold multiplexer's
    /// pin (priced in `Tech::reg_toggle_fj`): these pins, and the wire of a net reaching them
    /// and that pin, by the library's wire-load model.
    fn register_ff(self) -> f64 {
        self.pin_ff + library::wire_cap_ff(self.pins + 1.0)
    }
}

/// Load (fF) one bit of each pipeline register drives besides its own hold multiplexer, by
/// register in `Activity::reg`'s order: the input pins of the logic its output feeds, each at
/// the library's capacitance for that pin, and the net's wire. s1's x feeds s2's multiplexer
/// and one cell of every comparator per bit it reads (a constant breakpoint's AND or OR; a
/// programmable one's XNOR and AND); s2's x one AND per slope bit of the multiplier's rows; the
/// segment index the select inputs of the slope and intercept multiplexers, spread over its
/// bits; the product and intercept the adder's XOR and AND; the output nothing inside the
/// unit. A direct table's input feeds its address register, the address the read logic's
/// selects, the word the output register's multiplexer.
fn q_loads_ff(cfg: &UnitConfig, table: Option<&lutforge_core::Params>) -> [f64; 6] {
    use crate::unit::{S1_X, S2_SEG, S2_X, S3_ICPT, S3_PROD};
    let w = cfg.widths();
    let selects = |names: &[&str]| -> f64 {
        components_in(cfg, table, &SELECT_PINS)
            .iter()
            .filter(|c| names.contains(&c.name.as_str()))
            .map(|c| c.ge / cfg.lanes as f64)
            .sum()
    };
    let mut l = [Load::default(); 6];
    let mux = Load::of(1.0, "MUX2_X1");
    if cfg.arch == crate::unit::Arch::Rom {
        let per_bit = selects(&["read logic", "read multiplexers"]) / f64::from(w.x.max(1));
        l[S1_X] = mux;
        l[S2_SEG] = Load::of(per_bit, "MUX2_X1");
        l[S3_PROD] = mux;
        l[S3_ICPT] = mux;
    } else {
        let nb = cfg.segments as f64 - 1.0;
        let live = live_bits(cfg, table);
        // Comparator bits each x bit feeds, and the multiplier rows.
        let (cmp_bits, rows) = match cfg.arith {
            Arith::Int(_) => (nb * live.x_cmp / f64::from(w.x), live.k),
            // Two magnitude comparisons of 31 bits per programmable breakpoint, one per
            // constant one; the significand's 24 bits (of 32) each feed 24 rows.
            Arith::Fp32 => {
                let per = if cfg.programmable { 2.0 } else { 1.0 };
                (nb * per * 31.0 / 32.0, 24.0 * 24.0 / 32.0)
            }
        };
        let cmp = if cfg.programmable {
            Load::of(cmp_bits, "XNOR2_X1").and(Load::of(cmp_bits, "AND2_X1"))
        } else {
            Load::of(cmp_bits, "AND2_X1")
        };
        let adder = Load::of(1.0, "XOR2_X1").and(Load::of(1.0, "AND2_X1"));
        let per_seg_bit = selects(&["multiplexers"]) / f64::from(w.seg.max(1));
        l[S1_X] = mux.and(cmp);
        l[S2_X] = Load::of(rows, "AND2_X1");
        l[S2_SEG] = Load::of(per_seg_bit, "MUX2_X1");
        l[S3_PROD] = adder;
        l[S3_ICPT] = adder;
    }
    l.map(Load::register_ff)
}

/// Clock energy (fJ) per flip-flop per cycle on a clock net of `n` flip-flops: the
/// flip-flop's own (`Tech::dff_clock_fj`) and its share of the net's wire (the library's
/// wire-load model for `n` loads), charged and discharged once a cycle (C·V²).
pub fn clock_fj_per_flip_flop(tech: &Tech, n: f64) -> f64 {
    if n <= 0.0 {
        return tech.dff_clock_fj;
    }
    tech.dff_clock_fj + 2.0 * tech.load_fj_per_ff * library::wire_cap_ff(n) / n
}

/// Area and power of the unit with the activity of a simulated run (`Unit::set_tracking`).
/// Each component's dynamic energy is GE × E_GE × (the toggle rate of the input bits its
/// folded structure reads / 0.5) per evaluation; a register bit's data toggle costs the
/// library's flip-flop, multiplexer and reset gate and the load its output drives
/// (`q_loads_ff`), and every flip-flop (pipeline, valid and table) is clocked every cycle, as
/// the RTL builds its enables: a multiplexer in front of an ungated flip-flop, with its share
/// of the clock net's wire. `table` is the unit's table when known: a fixed table's
/// constant-zero bits then cost nothing.
pub fn estimate(
    cfg: &UnitConfig,
    table: Option<&lutforge_core::Params>,
    act: &Activity,
    samples: u64,
    tech: &Tech,
    clock_mhz: f64,
) -> CostReport {
    let w = cfg.widths();
    let evals = act.evals as f64;
    let k = cfg.segments as f64;
    let rate = |toggles: u64, bits: f64| ratio(toggles as f64, evals * bits) / 0.5;
    // An integer unit's live bits (a fixed table's constant-zero low bits fold away) and the
    // product's first bit the adder reads; `None` for FP32.
    let live = live_bits(cfg, table);
    let int = match cfg.arith {
        Arith::Int(dp) => Some(product_used_lo(&dp, w.b - live.b as u32) as u32),
        Arith::Fp32 => None,
    };
    let mut comps = Vec::new();
    let mut total_fj = 0.0;
    let mut clock_fj = 0.0;
    let flip_flops = components_in(cfg, table, &FLIP_FLOPS);
    let clock_fj_per_ff =
        clock_fj_per_flip_flop(tech, flip_flops.iter().map(|c| c.ge).sum::<f64>());
    for (c, ffs) in components_in(cfg, table, &NANGATE45)
        .into_iter()
        .zip(flip_flops)
    {
        let lane_ge = if c.per_lane {
            c.ge / cfg.lanes as f64
        } else {
            c.ge
        };
        let (activity, fj) = match c.driver {
            Driver::Compare => {
                let a = match int {
                    // A constant breakpoint with t zero low bits reads x's bits t and up.
                    Some(_) => rate(
                        act.cmp_in_bits.from_bit(w.x - live.x_cmp as u32),
                        live.x_cmp,
                    ),
                    None => rate(act.cmp_in, w.x as f64),
                };
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::Encode => {
                let a = rate(act.cmp_out, (k - 1.0).max(1.0));
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::Select => {
                let a = rate(act.seg, w.seg as f64);
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::Product if !act.mul_ops.is_empty() => {
                // The run's operands replayed through the product's netlist, against random
                // operands: the signed integer product, or FP32's unsigned significands (the
                // hidden bit set by a non-zero exponent).
                let a = match int {
                    Some(used_lo) => product_switching(
                        &slope_bits(cfg, table),
                        &field_bits(None, w.x as usize),
                        true,
                        w.prod as usize,
                        used_lo as usize,
                        act.mul_ops.lanes(),
                    ),
                    None => {
                        let sig = |v: i64| v & 0x7f_ffff | i64::from(v >> 23 & 0xff != 0) << 23;
                        let lanes: Vec<Vec<(i64, i64)>> = act
                            .mul_ops
                            .lanes()
                            .iter()
                            .map(|l| l.iter().map(|&(k, x)| (sig(k), sig(x))).collect())
                            .collect();
                        product_switching(
                            &slope_bits(cfg, table),
                            &field_bits(None, 24),
                            false,
                            48,
                            0,
                            &lanes,
                        )
                    }
                }
                .activity(&NANGATE45);
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            // FP32's exponent and normalization, and a product without its operands (an
            // activity summed elsewhere): the inputs' toggle rate; a constant slope's zero low
            // bits are no inputs of the folded product.
            Driver::Multiply | Driver::Product => {
                let k_bits = if int.is_some() { live.k } else { w.k as f64 };
                let a = rate(act.mul_x + act.mux_k, w.x as f64 + k_bits);
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::Add => {
                // The adder reads the product's bits from the first one that can reach the
                // rounded output, and the intercept's live bits.
                let a = match int {
                    Some(used_lo) => rate(
                        act.mul_out_bits.from_bit(used_lo) + act.mux_b,
                        (w.prod - used_lo) as f64 + live.b,
                    ),
                    None => rate(act.mul_out + act.mux_b, (w.prod + w.b) as f64),
                };
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::Round => {
                // Rounding and saturation read the sum from its rounding bit up (all of it
                // for round-half-even's sticky bits).
                let a = match cfg.arith {
                    Arith::Int(dp) => {
                        let lo = round_read_lo(&dp);
                        rate(act.add_out_bits.from_bit(lo), (w.sum - lo) as f64)
                    }
                    Arith::Fp32 => rate(act.add_out, w.sum as f64),
                };
                (a, lane_ge * tech.ge_fj * a * evals)
            }
            Driver::PipeData => {
                let loads = evals * pipe_lane_bits(cfg);
                let q = q_loads_ff(cfg, table);
                let data_fj: f64 = act
                    .reg
                    .iter()
                    .zip(q)
                    .map(|(&t, ff)| t as f64 * (tech.reg_toggle_fj + ff * tech.load_fj_per_ff))
                    .sum::<f64>()
                    + tech.reg_toggle_fj * act.reg_valid as f64;
                (ratio(act.reg_data as f64, loads) / 0.5, data_fj)
            }
            Driver::Table => {
                // A table bit's output feeds one multiplexer input in every lane.
                let ff = Load::of(cfg.lanes as f64, "MUX2_X1").register_ff();
                let fj = (tech.reg_toggle_fj + ff * tech.load_fj_per_ff) * act.table as f64;
                (0.0, fj)
            }
            Driver::Wiring => (0.0, 0.0),
        };
        let clock = ffs.ge * act.cycles as f64 * clock_fj_per_ff;
        clock_fj += clock;
        let fj = fj + clock;
        total_fj += fj;
        let per = |fj: f64| {
            if samples > 0 {
                fj / 1000.0 / samples as f64
            } else {
                0.0
            }
        };
        comps.push(ComponentCost::of(c, tech, activity, per(fj), per(clock)));
    }
    let ge: f64 = comps.iter().map(|c| c.ge).sum();
    let seconds = act.cycles as f64 / (clock_mhz * 1e6);
    let per_sample = |fj: f64| {
        if samples > 0 {
            fj / 1000.0 / samples as f64
        } else {
            0.0
        }
    };
    let dynamic_mw = if seconds > 0.0 {
        total_fj * 1e-15 / seconds * 1e3
    } else {
        0.0
    };
    let leakage_mw = ge * tech.leak_nw_per_ge * 1e-6;
    CostReport {
        tech: *tech,
        clock_mhz,
        area_um2: ge * tech.ge_um2,
        ge,
        energy_per_op_pj: per_sample(total_fj),
        clock_per_op_pj: per_sample(clock_fj),
        dynamic_mw,
        leakage_mw,
        power_mw: dynamic_mw + leakage_mw,
        components: comps,
        samples,
        cycles: act.cycles,
    }
}

/// Switching activity of `cfg` running `samples` uniform random samples over `range` (no
/// stalls): what `lutforge cost` multiplies the per-bit energies with.
pub fn random_activity(
    cfg: &UnitConfig,
    params: &lutforge_core::Params,
    samples: u64,
    range: crate::stimulus::Range,
    seed: u64,
) -> lutforge_core::Result<(Activity, crate::run::RunStats)> {
    let mut unit = crate::unit::Unit::new(*cfg, params)?;
    unit.set_tracking(true);
    let mut stim = crate::stimulus::Generator::new(
        samples,
        crate::stimulus::Distribution::Uniform,
        range,
        seed,
    );
    let stats = crate::run::run(
        &mut unit,
        &mut stim,
        &crate::run::RunOptions {
            stall_prob: 0.0,
            seed,
        },
        &mut [],
        |_| Ok(()),
    )?;
    Ok((unit.activity().clone(), stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lutforge_core::{Datapath, FixedFormat, Rounding};

    fn int_cfg(bits: u32, prog: bool) -> UnitConfig {
        let d = bits as i32 - 8;
        UnitConfig {
            arch: crate::unit::Arch::Pwl,
            arith: Arith::Int(Datapath {
                input: FixedFormat::new(bits, 4 + d),
                slope: FixedFormat::new(bits, 6 + d),
                intercept: FixedFormat::new(bits, 6 + d),
                output: FixedFormat::new(bits, 4 + d),
                rounding: Rounding::HalfUp,
            }),
            segments: 8,
            lanes: 1,
            stages: 4,
            programmable: prog,
        }
    }

    fn ge_of(cfg: &UnitConfig, t: Option<&lutforge_core::Params>, name: &str) -> f64 {
        components_in(cfg, t, &NANGATE45)
            .iter()
            .filter(|c| name.is_empty() || c.name == name)
            .map(|c| c.ge)
            .sum()
    }

    /// Every flip-flop is clocked every cycle, whatever it holds: the clock energy is the
    /// flip-flop count of the structures that give the area × cycles × E_clk, so output
    /// stalls, which add cycles and no samples, add clock energy in proportion to the cycles.
    #[test]
    fn every_flip_flop_is_clocked_every_cycle() {
        use lutforge_core::{IntParams, Params};
        let params = Params::Int(IntParams {
            breakpoints: (0..7).map(|i| 16 * i - 48).collect(),
            slopes: (0..8).map(|i| 3 * i - 10).collect(),
            intercepts: (0..8).map(|i| 7 - 2 * i).collect(),
        });
        let tech = Tech::nangate45();
        for prog in [false, true] {
            let cfg = int_cfg(8, prog);
            let ffs: f64 = components_in(&cfg, Some(&params), &FLIP_FLOPS)
                .iter()
                .map(|c| c.ge)
                .sum();
            // The pipeline's registers (and a programmable table's 7·8 + 8·16 bits) at least.
            assert!(ffs >= if prog { 184.0 } else { 20.0 }, "{ffs}");
            let clocks: Vec<(f64, u64)> = [0.0, 0.5]
                .into_iter()
                .map(|stall_prob| {
                    let mut unit = crate::unit::Unit::new(cfg, &params).unwrap();
                    unit.set_tracking(true);
                    let mut stim = crate::stimulus::Generator::new(
                        500,
                        crate::stimulus::Distribution::Uniform,
                        crate::stimulus::Range::Codes {
                            min: -128,
                            max: 127,
                        },
                        3,
                    );
                    let opts = crate::run::RunOptions {
                        stall_prob,
                        seed: 3,
                    };
                    let st =
                        crate::run::run(&mut unit, &mut stim, &opts, &mut [], |_| Ok(())).unwrap();
                    let r = estimate(
                        &cfg,
                        Some(&params),
                        unit.activity(),
                        st.samples,
                        &tech,
                        500.0,
                    );
                    let want =
                        ffs * r.cycles as f64 * clock_fj_per_flip_flop(&tech, ffs) / 1000.0 / 500.0;
                    assert!(
                        (r.clock_per_op_pj - want).abs() < 1e-12 * want,
                        "{prog} {stall_prob}"
                    );
                    let parts: f64 = r.components.iter().map(|c| c.clock_pj).sum();
                    assert!((parts - r.clock_per_op_pj).abs() < 1e-12 * want);
                    assert!(r.energy_per_op_pj > r.clock_per_op_pj);
                    (r.clock_per_op_pj, r.cycles)
                })
                .collect();
            let (busy, stalled) = (clocks[0], clocks[1]);
            assert!(stalled.1 > busy.1 + 100, "{clocks:?}");
            let by_cycles = stalled.1 as f64 / busy.1 as f64;
            assert!((stalled.0 / busy.0 - by_cycles).abs() < 1e-9, "{clocks:?}");
        }
    }

    /// A fixed table's constant bits are left out; a table in which every bit varies between
    /// entries costs what an unknown one does; a programmable unit ignores the table (its
    /// registers can take any value).
    #[test]
    fn fixed_tables_fold_their_constant_bits() {
        use lutforge_core::{IntParams, Params};
        let table = |shift: u32| {
            Params::Int(IntParams {
                breakpoints: (0..7).map(|i| (2 * i - 7) << shift).collect(),
                slopes: (0..8).map(|i| (2 * i + 1) << shift).collect(),
                intercepts: (0..8).map(|i| (1 - 2 * i) << shift).collect(),
            })
        };
        // Entry e's bit m is bit e of m + 1: every bit varies, no two bits alike.
        let entry = |e: u32| (0..32).fold(0u32, |c, m| c | (((m + 1) >> e) & 1) << m) as i32;
        let varied = Params::Int(IntParams {
            breakpoints: (0..7).map(|e| i64::from(entry(e))).collect(),
            slopes: (0..8).map(|e| i64::from(entry(e))).collect(),
            intercepts: (0..8).map(|e| i64::from(entry(e))).collect(),
        });
        let fixed = int_cfg(32, false);
        let (odd, widened) = (table(0), table(24));
        assert_eq!(ge_of(&fixed, Some(&varied), ""), ge_of(&fixed, None, ""));
        for name in ["comparators", "multiplexers", "adder", "pipeline registers"] {
            assert!(
                ge_of(&fixed, Some(&widened), name) < ge_of(&fixed, Some(&odd), name),
                "{name}"
            );
        }
        // Both tables' constant slope bits fold the product, but not in proportion to where
        // the live bits sit: the negated sign row's ones overlap the widened slope's rows
        // (cost/product.rs has the synthesized counts).
        for t in [&odd, &widened] {
            assert!(ge_of(&fixed, Some(t), "multiplier") < ge_of(&fixed, None, "multiplier"));
        }
        let prog = int_cfg(32, true);
        assert_eq!(ge_of(&prog, Some(&widened), ""), ge_of(&prog, None, ""));
    }

    /// Product bits below where rounding looks cost neither gates nor register bits; half-even's
    /// sticky test and an exact left shift read them all.
    #[test]
    fn unread_product_bits_are_left_out() {
        use lutforge_core::{IntParams, Params};
        let Arith::Int(dp) = int_cfg(32, false).arith else {
            unreachable!()
        };
        // align 28, output shift 30
        assert_eq!((dp.align_shift(), dp.out_shift()), (28, 30));
        assert_eq!(product_used_lo(&dp, 0), 28);
        assert_eq!(product_used_lo(&dp, 24), 29);
        let with = |rounding: Rounding| Datapath { rounding, ..dp };
        assert_eq!(product_used_lo(&with(Rounding::Truncate), 24), 30);
        assert_eq!(product_used_lo(&with(Rounding::HalfEven), 24), 0);
        let exact = Datapath {
            output: FixedFormat::new(32, 30),
            ..dp
        };
        assert_eq!(exact.out_shift(), 28);
        let left = Datapath {
            output: FixedFormat::new(32, 60),
            ..dp
        };
        assert!(left.out_shift() <= 0);
        assert_eq!(product_used_lo(&left, 24), 0);
        let widened = Params::Int(IntParams {
            breakpoints: (0..7).map(|i| (2 * i - 7) << 24).collect(),
            slopes: (0..8).map(|i| (2 * i + 1) << 24).collect(),
            intercepts: (0..8).map(|i| (1 - 2 * i) << 24).collect(),
        });
        let unit = |rounding| {
            let mut cfg = int_cfg(32, false);
            cfg.arith = Arith::Int(with(rounding));
            cfg
        };
        for name in ["multiplier", "pipeline registers"] {
            let half_up = ge_of(&unit(Rounding::HalfUp), Some(&widened), name);
            let half_even = ge_of(&unit(Rounding::HalfEven), Some(&widened), name);
            assert!(half_up < half_even, "{name}");
        }
    }

    /// A fixed table widened to 32 bits compares only x's upper 8 bits: a stimulus that
    /// toggles x's low bits alone switches no comparator, however much x toggles, while a
    /// programmable unit's comparators, which read every bit, switch.
    #[test]
    fn widened_comparators_read_only_their_live_bits() {
        use lutforge_core::{IntParams, Params};
        let widened = Params::Int(IntParams {
            breakpoints: (0..7).map(|i| (2 * i - 7) << 24).collect(),
            slopes: (0..8).map(|i| (2 * i + 1) << 24).collect(),
            intercepts: (0..8).map(|i| (1 - 2 * i) << 24).collect(),
        });
        let codes: Vec<i64> = (0..400).map(|i| (i * 40_503) % (1 << 24)).collect();
        let comparators = |prog: bool| {
            let cfg = int_cfg(32, prog);
            let mut unit = crate::unit::Unit::new(cfg, &widened).unwrap();
            unit.set_tracking(true);
            let mut stim = crate::stimulus::VecStimulus::samples(&codes, 1);
            let opts = crate::run::RunOptions {
                stall_prob: 0.0,
                seed: 1,
            };
            let st = crate::run::run(&mut unit, &mut stim, &opts, &mut [], |_| Ok(())).unwrap();
            assert!(unit.activity().cmp_in > 1000);
            let r = estimate(
                &cfg,
                Some(&widened),
                unit.activity(),
                st.samples,
                &Tech::nangate45(),
                500.0,
            );
            let c = r
                .components
                .iter()
                .find(|c| c.name == "comparators")
                .unwrap();
            (c.activity, c.energy_pj)
        };
        assert_eq!(comparators(false), (0.0, 0.0));
        let (a, e) = comparators(true);
        assert!(a > 0.5 && e > 0.0, "{a} {e}");
    }

    /// A register bit's data toggle is priced with the library's cells and the load its
    /// output drives: the input register feeds one XNOR and one AND of every programmable
    /// comparator, so each breakpoint more adds exactly those pins (and the longer wire of
    /// the wire-load model) to each of its toggles; the clock adds the clock net's wire.
    #[test]
    fn register_toggles_carry_their_loads() {
        let tech = Tech::nangate45();
        let act = Activity {
            cycles: 100,
            evals: 100,
            reg: [300, 0, 0, 0, 0, 0],
            reg_data: 300,
            ..Activity::default()
        };
        let data_fj = |segments: usize| {
            let cfg = UnitConfig {
                segments,
                ..int_cfg(8, true)
            };
            let r = estimate(&cfg, None, &act, 100, &tech, 500.0);
            let p = r
                .components
                .iter()
                .find(|c| c.name == "pipeline registers")
                .unwrap();
            (p.energy_pj - p.clock_pj) * 1000.0 * 100.0
        };
        let lib = |n: &str| library::cell(n).input_cap_ff;
        // Fanout of one s1 bit: its own hold multiplexer, s2's multiplexer, 2 pins per
        // comparator.
        let load = |nb: f64| {
            lib("MUX2_X1")
                + nb * (lib("XNOR2_X1") + lib("AND2_X1"))
                + library::wire_cap_ff(2.0 + 2.0 * nb)
        };
        for (k, nb) in [(4, 3.0), (16, 15.0)] {
            let want = 300.0 * (tech.reg_toggle_fj + load(nb) * tech.load_fj_per_ff);
            assert!((data_fj(k) - want).abs() < 1e-9 * want, "{k}");
        }
        assert!(data_fj(16) > data_fj(4));
        // The wire-load model: the table at whole fanouts, linear between them.
        let t = library::WIRE_LENGTH;
        for (i, len) in t.iter().enumerate() {
            let c = library::wire_cap_ff((i + 1) as f64);
            assert!((c - len * library::WIRE_CAP_PER_LENGTH).abs() < 1e-12);
        }
        let mid = library::wire_cap_ff(2.5);
        assert!(mid > library::wire_cap_ff(2.0) && mid < library::wire_cap_ff(3.0));
        // The clock net's wire, shared by its flip-flops.
        let n = 50.0;
        let extra = clock_fj_per_flip_flop(&tech, n) - tech.dff_clock_fj;
        let want = 2.0 * tech.load_fj_per_ff * library::wire_cap_ff(n) / n;
        assert!(extra > 0.0 && (extra - want).abs() < 1e-12);
    }

    /// A multiplier is priced by its operands replayed through its netlist: one toggling bit
    /// of x (an integer, or an FP32 significand's) switches more than twice its share of the
    /// inputs (cost/product.rs); without the operands (an activity summed by hand) the inputs'
    /// toggle rate stands.
    #[test]
    fn the_multiplier_replays_its_operands() {
        let tech = Tech::nangate45();
        let mut fp = int_cfg(32, true);
        fp.arith = Arith::Fp32;
        let one = 1.0f32.to_bits() as i64;
        for (cfg, k, x) in [
            (int_cfg(16, true), 0x1234, 0x0f0f),
            (fp, 1.375f32.to_bits() as i64, 1.7f32.to_bits() as i64),
        ] {
            let mut act = Activity {
                cycles: 200,
                evals: 200,
                mul_x: 200,
                ..Activity::default()
            };
            let multiplier = |act: &Activity| {
                estimate(&cfg, None, act, 200, &tech, 500.0)
                    .components
                    .into_iter()
                    .find(|c| c.name == "multiplier")
                    .unwrap()
                    .activity
            };
            let by_rate = multiplier(&act);
            let w = cfg.widths();
            assert!((by_rate - 200.0 / (200.0 * f64::from(w.x + w.k)) / 0.5).abs() < 1e-12);
            for i in 0..200 {
                act.mul_ops.push(0, (k, x ^ (i64::from(i % 2 == 1) << 5)));
            }
            let replayed = multiplier(&act);
            assert!(replayed > 2.0 * by_rate, "{replayed} vs {by_rate}");
            // The exponent's bits are no inputs of the significands' product: toggling one
            // (2.0 against 1.0) switches it no more than holding x does.
            if cfg.arith == Arith::Fp32 {
                let mut held = Activity {
                    mul_ops: Default::default(),
                    ..act.clone()
                };
                let mut exp = held.clone();
                for i in 0..200 {
                    held.mul_ops.push(0, (k, one));
                    exp.mul_ops
                        .push(0, (k, one + (i64::from(i % 2 == 1) << 23)));
                }
                assert_eq!(multiplier(&exp), multiplier(&held));
            }
        }
    }

    /// FP32 fixed tables fold too: a table of short values (few significand bits, breakpoints
    /// with zero low bits) needs smaller comparators, multiplexers, significand product and
    /// registers than one of values that use every bit; a constant breakpoint needs one of the
    /// two magnitude comparisons.
    #[test]
    fn fp32_fixed_tables_fold_their_constants() {
        use lutforge_core::{Fp32Params, Params};
        let mut fixed = int_cfg(8, false);
        fixed.arith = Arith::Fp32;
        let mut prog = fixed;
        prog.programmable = true;
        let table = |v: &dyn Fn(usize) -> f32| {
            Params::Fp32(Fp32Params {
                breakpoints: (0..7).map(|i| v(i) - 3.0).collect(),
                slopes: (0..8).map(v).collect(),
                intercepts: (0..8).map(|i| -v(i)).collect(),
            })
        };
        let short = table(&|i| 0.25 * i as f32 + 0.5);
        let long = table(&|i| (i as f32 + 1.0) / 3.0 + 1e-3);
        for name in [
            "comparators",
            "multiplexers",
            "multiplier",
            "pipeline registers",
        ] {
            assert!(
                ge_of(&fixed, Some(&short), name) < ge_of(&fixed, Some(&long), name),
                "{name}"
            );
        }
        assert!(2.0 * ge_of(&fixed, None, "comparators") < ge_of(&prog, None, "comparators"));
        assert_eq!(ge_of(&prog, Some(&short), ""), ge_of(&prog, None, ""));
    }

    #[test]
    fn components_add_up_and_grow_with_width() {
        let act = Activity {
            cycles: 100,
            evals: 100,
            cmp_in: 400,
            cmp_out: 100,
            seg: 150,
            mux_k: 400,
            mux_b: 400,
            mul_x: 400,
            mul_out: 800,
            add_out: 900,
            y: 400,
            reg_data: 3000,
            reg: [500; 6],
            reg_valid: 4,
            table: 0,
            cfg_writes: 0,
            ..Activity::default()
        };
        let tech = Tech::tsmc28();
        let mut prev: Option<Vec<ComponentCost>> = None;
        for bits in [8, 12, 16, 24, 32] {
            let r = estimate(&int_cfg(bits, true), None, &act, 100, &tech, 500.0);
            let sum: f64 = r.components.iter().map(|c| c.ge).sum();
            assert!((sum - r.ge).abs() < 1e-9);
            let area: f64 = r.components.iter().map(|c| c.area_um2).sum();
            assert!((area - r.area_um2).abs() < 1e-6);
            let e: f64 = r.components.iter().map(|c| c.energy_pj).sum();
            assert!((e - r.energy_per_op_pj).abs() < 1e-9);
            if let Some(p) = prev {
                for (a, b) in p.iter().zip(&r.components) {
                    // The model: the encoder depends on K only; constant shifts are wiring;
                    // every other component grows with the width.
                    match a.name.as_str() {
                        "segment encoder" | "shifter" => assert_eq!(a.ge, b.ge, "{}", a.name),
                        _ => assert!(b.ge > a.ge, "{} does not grow at {bits} bits", a.name),
                    }
                }
            }
            prev = Some(r.components);
        }
    }

    #[test]
    fn fixed_tables_are_cheaper_and_fp32_is_costlier() {
        let a = components(&int_cfg(8, true));
        let f = components(&int_cfg(8, false));
        let ga: f64 = a.iter().map(|c| c.ge).sum();
        let gf: f64 = f.iter().map(|c| c.ge).sum();
        assert!(gf < ga);
        let mut fp = int_cfg(8, true);
        fp.arith = Arith::Fp32;
        let gfp: f64 = components(&fp).iter().map(|c| c.ge).sum();
        assert!(gfp > ga);
    }

    #[test]
    fn energy_constant_reproduces_its_source() {
        // The derivation, not a fit: E_GE × GE(add32) gives back Horowitz's 0.1 pJ.
        assert!((ge_fj_45() * add32_ge() / 1000.0 - HOROWITZ_ADD32_PJ).abs() < 1e-12);
        assert!(Tech::by_name("28nm").is_some() && Tech::by_name("7nm").is_none());
    }
}
