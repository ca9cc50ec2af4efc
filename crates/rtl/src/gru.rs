//! The GRU cell's Verilog (`rtl_templates/gru_cell.v`): the MAC lanes with their weight
//! ROMs, the state registers, the elementwise stage, and the sigmoid and tanh as LUT units
//! rendered by `render_unit` from the unit templates, all in one file. lutforge-sim's cell
//! model of the same spec and lane count is what it is checked against, cycle by cycle.

use crate::iface::{check_module_name, Interface};
use crate::render::render_unit;
use askama::Template;
use lutforge_core::{Error, Params, Result};
use lutforge_sim::gru::{ActTable, Cell, CellSpec, CfgMap, Sum};
use lutforge_sim::unit::UnitConfig;

struct Lane {
    index: usize,
    weight_arms: Vec<String>,
    bias_arms: Vec<String>,
    mem_reset: Vec<String>,
    mem_writes: Vec<String>,
    bias_loads: Vec<String>,
    product: String,
    extend: String,
    /// With weights scaled per row: this lane's shift over {sum, v_is_h, grp}.
    shift_arms: Vec<String>,
}

#[derive(Template)]
#[template(path = "gru_cell.v", escape = "none")]
struct CellTemplate<'a> {
    module: &'a str,
    version: &'a str,
    header: &'a [String],
    rst_port: &'a str,
    rst_event: String,
    rst_on: &'a str,
    i: u32,
    h: u32,
    p: u32,
    nx: u32,
    nh: u32,
    nz: u32,
    nhn: u32,
    groups: u32,
    rows_last: u32,
    mac: u32,
    latency: u64,
    gb: u32,
    cb: u32,
    tb: u32,
    jb: u32,
    vw: u32,
    ww: u32,
    pw: u32,
    aw: u32,
    aw_r: u32,
    aw_z: u32,
    aw_nx: u32,
    aw_hn: u32,
    shb: u32,
    x_arms: Vec<String>,
    h_arms: Vec<String>,
    shift_arms: Vec<String>,
    row_scaled: bool,
    lanes: Vec<Lane>,
    t0_logic: String,
    t1_logic: String,
    t2_logic: String,
    h_old_arms: Vec<String>,
    h_next_arms: Vec<String>,
    h_last_arms: Vec<String>,
    sig_r_module: String,
    sig_z_module: String,
    tanh_module: String,
    programmable: bool,
    cfg_ab: u32,
    cfg_db: u32,
    cfg_ob: u32,
    ib: u32,
    gm: u32,
    nb: u32,
    cfg_sig_r: String,
    cfg_sig_z: String,
    cfg_tanh: String,
    unused_extra: String,
}

/// A `bits`-wide literal of `v` (two's complement).
fn lit(v: i128, bits: u32) -> String {
    let m = if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    format!("{bits}'h{:x}", (v as u128) & m)
}

/// `name` (a `from`-bit signed signal) sign-extended to `to` bits.
fn sext(name: &str, from: u32, to: u32) -> String {
    if to <= from {
        name.to_string()
    } else {
        format!("{{{{{}{{{name}[{}]}}}}, {name}}}", to - from, from - 1)
    }
}

/// Lines that declare `name`: the `iw`-bit signed `input` brought down by `sh` bits (round half
/// up; a negative `sh` is an exact left shift) and saturated to `ow` bits — the integer
/// model's output step.
fn requant(name: &str, input: &str, iw: u32, sh: i32, ow: u32) -> String {
    let mut v = Vec::new();
    let (q, qw) = if sh > 0 {
        let sh = sh as u32;
        let ww = iw.max(sh) + 1;
        v.push(format!(
            "    wire signed [{}:0] {name}_a = {} + {};",
            ww - 1,
            sext(input, iw, ww),
            lit(1i128 << (sh - 1), ww)
        ));
        v.push(format!(
            "    wire signed [{}:0] {name}_q = {name}_a >>> {sh};",
            ww - 1
        ));
        (format!("{name}_q"), ww)
    } else if sh == 0 {
        (input.to_string(), iw)
    } else {
        let ww = iw + (-sh) as u32;
        v.push(format!(
            "    wire signed [{}:0] {name}_q = {{{input}, {}'d0}};",
            ww - 1,
            -sh
        ));
        (format!("{name}_q"), ww)
    };
    if qw <= ow {
        v.push(format!(
            "    wire signed [{}:0] {name} = {};",
            ow - 1,
            sext(&q, qw, ow)
        ));
    } else {
        v.push(format!(
            "    wire [{}:0] {name}_top = {q}[{}:{}];",
            qw - ow,
            qw - 1,
            ow - 1
        ));
        v.push(format!(
            "    wire signed [{}:0] {name} = (&{name}_top | ~|{name}_top) ? {q}[{}:0] : ({q}[{}] ? {{1'b1, {{{}{{1'b0}}}}}} : {{1'b0, {{{}{{1'b1}}}}}});",
            ow - 1,
            ow - 1,
            qw - 1,
            ow - 1,
            ow - 1
        ));
    }
    v.join("\n")
}

/// The LUT unit of one activation: one stage, one lane.
fn act_unit(t: &ActTable, programmable: bool) -> (UnitConfig, Params) {
    (
        lutforge_sim::gru::act_unit(t, programmable),
        Params::Int(t.params.clone()),
    )
}

/// The cell of `spec` with `lanes` MAC lanes, as `iface` names it (its LUT units are
/// `MODULE_sig_r`, `MODULE_sig_z` and `MODULE_tanh_n`, in the same file); `programmable`:
/// weights, biases and tables in registers behind the write port (`CfgMap`).
pub fn render_cell(
    spec: &CellSpec,
    lanes: usize,
    programmable: bool,
    header: &[String],
    iface: &Interface,
) -> Result<String> {
    check_module_name(&iface.module)?;
    let cell = Cell::with_port(spec.clone(), lanes, programmable)?;
    let map = CfgMap::new(spec, lanes);
    let (i, h, p) = (spec.inputs, spec.hidden, lanes);
    let f = &spec.fmt;
    let groups = cell.groups();
    let rows_last = h - (groups - 1) * p;
    let nx = spec.input.bits;
    let nh = f.h.bits;
    let counters = cell.counter_bits();
    let (gb, cb, tb, jb) = (counters.group, counters.col, counters.tail, counters.row);
    let vw = spec.operand_bits();
    let ww = spec.weight_word_bits();
    let pw = ww + vw;
    let aw_of = |s: Sum| spec.acc_bits(s);
    let (aw_r, aw_z, aw_nx, aw_hn) = (aw_of(Sum::R), aw_of(Sum::Z), aw_of(Sum::Nx), aw_of(Sum::Hn));
    let aw = aw_r.max(aw_z).max(aw_nx).max(aw_hn);
    let max_shift = spec.max_shift();
    let shb = (32 - max_shift.leading_zeros()).max(1);
    let x_arms = (0..i)
        .map(|k| {
            let top = k as u32 * nx + nx - 1;
            let slice = format!("x_reg[{top}:{}]", k as u32 * nx);
            let val = if vw > nx {
                format!("{{{{{}{{x_reg[{top}]}}}}, {slice}}}", vw - nx)
            } else {
                slice
            };
            format!("{cb}'d{k}: v = {val};")
        })
        .collect();
    let h_slice = |j: usize| format!("h_reg[{}:{}]", j as u32 * nh + nh - 1, j as u32 * nh);
    let h_arms = (0..h)
        .map(|k| {
            let top = k as u32 * nh + nh - 1;
            let val = if vw > nh {
                format!("{{{{{}{{h_reg[{top}]}}}}, {}}}", vw - nh, h_slice(k))
            } else {
                h_slice(k)
            };
            format!("{cb}'d{k}: v = {val};")
        })
        .collect();
    let mut shift_arms = Vec::new();
    for s in Sum::ALL {
        for is_h in [false, true] {
            let col = (0..spec.columns(s)).find(|&c| {
                matches!(
                    (spec.operand(s, c), is_h),
                    (lutforge_sim::gru::Operand::H(_), true)
                        | (lutforge_sim::gru::Operand::X(_), false)
                )
            });
            if let Some(c) = col {
                shift_arms.push(format!(
                    "3'd{}: sh = {shb}'d{};",
                    (s.index() << 1) | usize::from(is_h),
                    spec.product_shift(s, c)
                ));
            }
        }
    }
    let kb = 2 + gb + cb;
    let mut lane_v = Vec::new();
    for l in 0..p {
        let mut weight_arms = Vec::new();
        let mut bias_arms = Vec::new();
        for g in 0..groups {
            let j = g * p + l;
            if j >= h {
                continue;
            }
            for s in Sum::ALL {
                for c in 0..spec.columns(s) {
                    let w = spec.weight(s, j, c);
                    if w != 0 {
                        let key = (s.index() << (gb + cb)) | (g << cb) | c;
                        weight_arms.push(format!("{kb}'d{key}: w{l} = {};", lit(w as i128, ww)));
                    }
                }
            }
            let b = |s: Sum, bits: u32, name: &str| {
                format!("acc_{name}{l} <= {};", lit(spec.bias_term(s, j), bits))
            };
            bias_arms.push(format!(
                "{gb}'d{g}: begin {} {} {} {} end",
                b(Sum::R, aw_r, "r"),
                b(Sum::Z, aw_z, "z"),
                b(Sum::Nx, aw_nx, "nx"),
                b(Sum::Hn, aw_hn, "hn")
            ));
        }
        let (ob, ib) = (map.offset_bits, map.index_bits);
        let gm = groups * spec.mac_cycles();
        let nb = spec.bias_word_bits();
        let mut mem_reset = Vec::new();
        let mut mem_writes = Vec::new();
        let mut bias_loads = Vec::new();
        if programmable {
            for g in 0..groups {
                let j = g * p + l;
                for k in 0..spec.mac_cycles() {
                    let (s, c) = spec.slot(k);
                    let w = if j < h { spec.weight(s, j, c) } else { 0 };
                    mem_reset.push(format!(
                        "wmem{l}[{}] <= {};",
                        g * spec.mac_cycles() + k,
                        lit(w as i128, ww)
                    ));
                }
                for (si, name) in ["r", "z", "nx", "hn"].iter().enumerate() {
                    let b = if j < h { spec.b[si].codes[j] } else { 0 };
                    mem_reset.push(format!("bmem_{name}{l}[{g}] <= {};", lit(b as i128, nb)));
                }
            }
            let lane_ok = if ob > ib {
                format!(" && cfg_off[{}:{ib}] == {}'d{l}", ob - 1, ob - ib)
            } else {
                String::new()
            };
            let in_range = if (gm as u64) < (1u64 << ib) {
                format!(" && cfg_off[{}:0] < {ib}'d{gm}", ib - 1)
            } else {
                String::new()
            };
            mem_writes.push(format!(
                "if (cfg_region == 3'd0{lane_ok}{in_range}) wmem{l}[cfg_off[{}:0]] <= cfg_data[{}:0];",
                ib - 1,
                ww - 1
            ));
            let gbits = map.group_bits;
            for (si, (name, aw_s)) in [("r", aw_r), ("z", aw_z), ("nx", aw_nx), ("hn", aw_hn)]
                .iter()
                .enumerate()
            {
                let key = l * 4 + si;
                let (idx, grange) = if gbits > 0 {
                    (
                        format!("cfg_off[{}:0]", gbits - 1),
                        if (groups as u64) < (1u64 << gbits) {
                            format!(" && cfg_off[{}:0] < {gbits}'d{groups}", gbits - 1)
                        } else {
                            String::new()
                        },
                    )
                } else {
                    ("1'b0".to_string(), String::new())
                };
                mem_writes.push(format!(
                    "if (cfg_region == 3'd1 && cfg_off[{}:{gbits}] == {}'d{key}{grange}) bmem_{name}{l}[{idx}] <= cfg_data[{}:0];",
                    ob - 1,
                    ob - gbits,
                    nb - 1
                ));
                let sum = Sum::ALL[si];
                let sh = spec.scale(sum) - spec.b[si].fmt.frac;
                let word = format!("bmem_{name}{l}[load_grp]");
                let ext = if *aw_s > nb {
                    format!("{{{{{}{{{word}[{}]}}}}, {word}}}", aw_s - nb, nb - 1)
                } else {
                    word.clone()
                };
                bias_loads.push(format!("acc_{name}{l} <= {ext} << {sh};"));
            }
        }
        let product = format!(
            "$signed({}) * $signed({})",
            sext(&format!("w{l}"), ww, pw),
            sext("v", vw, pw)
        );
        let extend = if pw >= aw {
            format!("p{l}[{}:0]", aw - 1)
        } else {
            sext(&format!("p{l}"), pw, aw)
        };
        let mut lane_shift_arms = Vec::new();
        if spec.row_scaled() {
            for g in 0..groups {
                let j = g * p + l;
                if j >= h {
                    continue;
                }
                for s in Sum::ALL {
                    for is_h in [false, true] {
                        let col = (0..spec.columns(s)).find(|&c| {
                            matches!(
                                (spec.operand(s, c), is_h),
                                (lutforge_sim::gru::Operand::H(_), true)
                                    | (lutforge_sim::gru::Operand::X(_), false)
                            )
                        });
                        if let Some(c) = col {
                            let key = (((s.index() << 1) | usize::from(is_h)) << gb) | g;
                            lane_shift_arms.push(format!(
                                "{}'d{key}: sh{l} = {shb}'d{};",
                                3 + gb,
                                spec.shift(s, j, c)
                            ));
                        }
                    }
                }
            }
        }
        lane_v.push(Lane {
            index: l,
            weight_arms,
            bias_arms,
            mem_reset,
            mem_writes,
            bias_loads,
            product,
            extend,
            shift_arms: lane_shift_arms,
        });
    }
    let sc = |s: Sum| spec.scale(s);
    let (nr, nz, nn, nhn) = (f.r.bits, f.z.bits, f.n.bits, f.hn.bits);
    let t0_logic = [
        requant("a_r", "sel_r", aw_r, sc(Sum::R) - f.a_r.frac, f.a_r.bits),
        requant("a_z", "sel_z", aw_z, sc(Sum::Z) - f.a_z.frac, f.a_z.bits),
        requant("hn", "sel_hn", aw_hn, sc(Sum::Hn) - f.hn.frac, nhn),
        "    wire sig_r_in_ready, sig_r_out_valid, sig_z_in_ready, sig_z_out_valid;".into(),
        format!("    wire signed [{}:0] r_y;", nr - 1),
        format!("    wire signed [{}:0] z_y;", nz - 1),
    ]
    .join("\n");
    let rw = nr + nhn;
    let tn = sc(Sum::Nx);
    let t1_logic = [
        format!(
            "    wire signed [{}:0] rhn_p = $signed({}) * $signed({});",
            rw - 1,
            sext("r_y", nr, rw),
            sext("t0_hn", nhn, rw)
        ),
        requant(
            "rhn",
            "rhn_p",
            rw,
            f.r.frac + f.hn.frac - f.rhn.frac,
            f.rhn.bits,
        ),
        format!(
            "    wire signed [{}:0] an_s = t0_nx + ({} <<< {});",
            aw_nx - 1,
            sext("rhn", f.rhn.bits, aw_nx),
            tn - f.rhn.frac
        ),
        requant("a_n", "an_s", aw_nx, tn - f.a_n.frac, f.a_n.bits),
        "    wire tanh_in_ready, tanh_out_valid;".into(),
        format!("    wire signed [{}:0] n_y;", nn - 1),
    ]
    .join("\n");
    let zw = nz + nh;
    let ow = f.z.frac.max(nz as i32 - 1) as u32 + 2;
    let znw = ow + nn;
    let u = f.zn.frac.max(f.zh.frac);
    let hw = (f.zn.bits as i32 + u - f.zn.frac).max(f.zh.bits as i32 + u - f.zh.frac) as u32 + 1;
    let t2_logic = [
        format!(
            "    wire signed [{}:0] zh_p = $signed({}) * $signed({});",
            zw - 1,
            sext("t1_z", nz, zw),
            sext("h_old", nh, zw)
        ),
        requant("zh", "zh_p", zw, f.z.frac + f.h.frac - f.zh.frac, f.zh.bits),
        format!(
            "    wire signed [{}:0] omz = {} - {};",
            ow - 1,
            lit(1i128 << f.z.frac, ow),
            sext("t1_z", nz, ow)
        ),
        format!(
            "    wire signed [{}:0] zn_p = $signed({}) * $signed({});",
            znw - 1,
            sext("omz", ow, znw),
            sext("n_y", nn, znw)
        ),
        requant(
            "zn",
            "zn_p",
            znw,
            f.z.frac + f.n.frac - f.zn.frac,
            f.zn.bits,
        ),
        format!(
            "    wire signed [{}:0] hs = ({} <<< {}) + ({} <<< {});",
            hw - 1,
            sext("zn", f.zn.bits, hw),
            u - f.zn.frac,
            sext("zh", f.zh.bits, hw),
            u - f.zh.frac
        ),
        requant("h_new", "hs", hw, u - f.h.frac, nh),
    ]
    .join("\n");
    let h_old_arms = (0..h)
        .map(|j| format!("{jb}'d{j}: h_old = {};", h_slice(j)))
        .collect();
    let h_next_arms = (0..h)
        .map(|j| {
            format!(
                "{jb}'d{j}: h_next[{}:{}] <= h_new;",
                j as u32 * nh + nh - 1,
                j as u32 * nh
            )
        })
        .collect();
    let h_last_arms = (0..h)
        .map(|j| {
            format!(
                "{jb}'d{j}: h_last[{}:{}] = h_new;",
                j as u32 * nh + nh - 1,
                j as u32 * nh
            )
        })
        .collect();
    let unit_cfg = |t: &ActTable, region: u32| -> String {
        if !programmable {
            return String::new();
        }
        let w = lutforge_sim::gru::act_unit(t, true).widths();
        format!(
            ",\n        .cfg_we(cfg_take && cfg_region == 3'd{region}), .cfg_addr(cfg_off[{}:0]), .cfg_data(cfg_data[{}:0])",
            w.cfg_addr - 1,
            w.cfg_data - 1
        )
    };
    let m = &iface.module;
    let names = [
        format!("{m}_sig_r"),
        format!("{m}_sig_z"),
        format!("{m}_tanh_n"),
    ];
    let t = CellTemplate {
        module: m,
        version: lutforge_core::VERSION,
        header,
        rst_port: iface.reset.port(),
        rst_event: iface.reset.event(),
        rst_on: iface.reset.condition(),
        i: i as u32,
        h: h as u32,
        p: p as u32,
        nx,
        nh,
        nz,
        nhn,
        groups: groups as u32,
        rows_last: rows_last as u32,
        mac: spec.mac_cycles() as u32,
        latency: cell.step_latency(),
        gb,
        cb,
        tb,
        jb,
        vw,
        ww,
        pw,
        aw,
        aw_r,
        aw_z,
        aw_nx,
        aw_hn,
        shb,
        x_arms,
        h_arms,
        shift_arms,
        row_scaled: spec.row_scaled(),
        lanes: lane_v,
        t0_logic,
        t1_logic,
        t2_logic,
        h_old_arms,
        h_next_arms,
        h_last_arms,
        sig_r_module: names[0].clone(),
        sig_z_module: names[1].clone(),
        tanh_module: names[2].clone(),
        programmable,
        cfg_ab: map.addr_bits(),
        cfg_db: map.data_bits,
        cfg_ob: map.offset_bits,
        ib: map.index_bits,
        gm: (groups * spec.mac_cycles()) as u32,
        nb: spec.bias_word_bits(),
        cfg_sig_r: unit_cfg(&spec.sig_r, 2),
        cfg_sig_z: unit_cfg(&spec.sig_z, 3),
        cfg_tanh: unit_cfg(&spec.tanh_n, 4),
        unused_extra: if programmable {
            ", cfg_data, cfg_off".into()
        } else {
            String::new()
        },
    };
    let mut out = t
        .render()
        .map_err(|e| Error::internal(format!("template gru_cell.v: {e}")))?;
    // The LUT units follow in the same file, so that the cell drops into a design as one file;
    // their module names differ from the file's by design.
    out.push_str("\n/* verilator lint_off DECLFILENAME */\n");
    for (name, table, what) in [
        (&names[0], &spec.sig_r, "sigmoid of the r gate"),
        (&names[1], &spec.sig_z, "sigmoid of the z gate"),
        (&names[2], &spec.tanh_n, "tanh of the candidate n"),
    ] {
        let (cfg, params) = act_unit(table, programmable);
        let unit_iface = Interface {
            module: name.clone(),
            reset: iface.reset,
        };
        out.push('\n');
        out.push_str(&render_unit(
            &cfg,
            &params,
            &[format!(
                "{what} of GRU cell {m}: {} segments",
                table.params.segments()
            )],
            &unit_iface,
        )?);
    }
    out.push_str("\n/* verilator lint_on DECLFILENAME */\n");
    Ok(out)
}
