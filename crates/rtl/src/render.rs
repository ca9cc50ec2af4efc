//! Renders `lutforge_unit` from the askama templates in `rtl_templates/`, with every width and
//! shift computed here from the sim crate's configuration, so the RTL and the simulator are
//! built from one description of the unit.

use crate::verilog::{one_hot, packed_literal, repl, sext, zext};
use askama::Template;
use lutforge_core::{Error, Params, Result, Rounding};
use lutforge_sim::unit::{Arith, Field, Reg, UnitConfig};

/// Module (and file) name of the generated unit.
pub const MODULE: &str = "lutforge_unit";

/// One case arm of the table write port.
pub struct WriteArm {
    pub addr: String,
    pub target: String,
    pub data: String,
}

/// What both unit templates read — the shape, the table and the stage wiring — under `u`;
/// the shared blocks `unit_state.v` and `unit_pipeline.v` read nothing else. FP32 units carry
/// 32 in every data width.
struct Shape<'a> {
    module: &'a str,
    version: &'a str,
    header: &'a [String],
    lanes: u32,
    stages: u32,
    /// Which register stages exist (`UnitConfig::has`).
    has_s1: bool,
    has_s2: bool,
    has_s3: bool,
    programmable: bool,
    segments: u32,
    nx: u32,
    nk: u32,
    nb: u32,
    ny: u32,
    np: u32,
    sw: u32,
    aw: u32,
    init_bp: String,
    init_k: String,
    init_b: String,
    writes: Vec<WriteArm>,
    cmp_src: &'a str,
    mul_seg_src: &'a str,
    mul_x_src: &'a str,
    fin_prod_src: &'a str,
    fin_icpt_src: &'a str,
    v3: &'a str,
    v4: &'a str,
    ls_cmp: String,
}

#[derive(Template)]
#[template(path = "unit_int.v", escape = "none")]
struct IntUnit<'a> {
    u: Shape<'a>,
    cw: u32,
    ws: u32,
    align: u32,
    rounding: &'a str,
    lk_ext: String,
    lx_ext: String,
    fp_ext: String,
    fb_ext: String,
    round_lines: Vec<String>,
    y_expr: String,
}

#[derive(Template)]
#[template(path = "unit_fp32.v", escape = "none")]
struct Fp32Unit<'a> {
    u: Shape<'a>,
}

/// Refuses a table whose number system is not the unit's.
pub fn check_table(cfg: &UnitConfig, params: &Params) -> Result<()> {
    match (&cfg.arith, params) {
        (Arith::Int(_), Params::Int(_)) | (Arith::Fp32, Params::Fp32(_)) => Ok(()),
        _ => Err(Error::input(
            "the table's number system does not match the unit's format",
        )),
    }
}

/// Renders the unit's Verilog. `header` lines go into the file's leading comment.
pub fn render_unit(cfg: &UnitConfig, params: &Params, header: &[String]) -> Result<String> {
    cfg.check()?;
    check_table(cfg, params)?;
    let regs = params;
    if regs.words(Field::Slope).len() != cfg.segments {
        return Err(Error::input(format!(
            "the table has {} segments, the unit {}",
            regs.words(Field::Slope).len(),
            cfg.segments
        )));
    }
    let w = cfg.widths();
    let st = cfg.stages;
    let k = cfg.segments as u32;
    let init = |f: Field, width: u32| {
        let words = regs.words(f);
        if words.is_empty() {
            String::new()
        } else {
            packed_literal(&words, width)
        }
    };
    let mut writes = Vec::new();
    if cfg.programmable {
        for (field, count, width, name) in [
            (Field::Breakpoint, k.saturating_sub(1), w.x, "tbl_bp"),
            (Field::Slope, k, w.k, "tbl_k"),
            (Field::Intercept, k, w.b, "tbl_b"),
        ] {
            for i in 0..count {
                writes.push(WriteArm {
                    addr: format!("{}'d{}", w.cfg_addr, cfg.addr_of(field, i as usize)),
                    target: format!("{name}[{} +: {width}]", i * width),
                    data: if width == w.cfg_data {
                        "cfg_data".into()
                    } else {
                        format!("cfg_data[{}:0]", width - 1)
                    },
                });
            }
        }
    }
    let cmp_src = if cfg.has(Reg::S1) { "s1_x" } else { "in_data" };
    let (mul_seg_src, mul_x_src) = if cfg.has(Reg::S2) {
        ("s2_seg", "s2_x")
    } else {
        ("seg", "in_data")
    };
    let (fin_prod_src, fin_icpt_src) = if cfg.has(Reg::S3) {
        ("s3_prod", "s3_icpt")
    } else {
        ("prod_c", "icpt_c")
    };
    let v3 = if cfg.has(Reg::S2) {
        "s2_valid"
    } else {
        "in_valid"
    };
    let v4 = if cfg.has(Reg::S3) {
        "s3_valid"
    } else {
        "in_valid"
    };
    let ls_cmp = format!("ls == j[{}:0]", w.seg - 1);
    let version = lutforge_core::VERSION;

    let u = Shape {
        module: MODULE,
        version,
        header,
        lanes: cfg.lanes as u32,
        stages: st,
        has_s1: cfg.has(Reg::S1),
        has_s2: cfg.has(Reg::S2),
        has_s3: cfg.has(Reg::S3),
        programmable: cfg.programmable,
        segments: k,
        nx: w.x,
        nk: w.k,
        nb: w.b,
        ny: w.y,
        np: w.prod,
        sw: w.seg,
        aw: w.cfg_addr,
        init_bp: init(Field::Breakpoint, w.x),
        init_k: init(Field::Slope, w.k),
        init_b: init(Field::Intercept, w.b),
        writes,
        cmp_src,
        mul_seg_src,
        mul_x_src,
        fin_prod_src,
        fin_icpt_src,
        v3,
        v4,
        ls_cmp,
    };
    let text = match &cfg.arith {
        Arith::Int(dp) => {
            let r = dp.out_shift();
            let ns = w.sum;
            let ws = if r > 0 { ns.max(r as u32 + 1) + 1 } else { ns };
            let (round_lines, y_expr) = round_and_saturate(dp.rounding, r, ws, w.y);
            IntUnit {
                u,
                cw: w.cfg_data,
                ws,
                align: dp.align_shift() as u32,
                rounding: dp.rounding.name(),
                lk_ext: sext("lk", w.k, w.prod),
                lx_ext: sext("lx", w.x, w.prod),
                fp_ext: sext("fp", w.prod, ws),
                fb_ext: sext("fb", w.b, ws),
                round_lines,
                y_expr,
            }
            .render()
        }
        Arith::Fp32 => Fp32Unit { u }.render(),
    };
    // askama drops the template's final newline; POSIX text files end with one.
    text.map(|t| t + "\n")
        .map_err(|e| Error::input(format!("template: {e}")))
}

/// Lines declaring `q` (the rounded sum) from `sum` (`ws` bits), and the saturated output
/// expression of `ny` bits. `r` is the right shift F_k + F_x − F_y.
fn round_and_saturate(mode: Rounding, r: i32, ws: u32, ny: u32) -> (Vec<String>, String) {
    let mut lines = Vec::new();
    let qw;
    if r > 0 {
        let r = r as u32;
        qw = ws - r;
        match mode {
            Rounding::HalfUp => {
                lines.push(format!(
                    "wire [{}:0] t = sum + {};",
                    ws - 1,
                    one_hot(ws, r - 1)
                ));
                lines.push(format!("wire [{}:0] q = t[{}:{r}];", qw - 1, ws - 1));
                lines.push(format!("wire unused_t = &{{1'b0, t[{}:0]}};", r - 1));
            }
            Rounding::Truncate => {
                lines.push(format!("wire [{}:0] q = sum[{}:{r}];", qw - 1, ws - 1));
                lines.push(format!("wire unused_t = &{{1'b0, sum[{}:0]}};", r - 1));
            }
            Rounding::HalfEven => {
                let half = one_hot(r, r - 1);
                lines.push(format!("wire [{}:0] fl = sum[{}:{r}];", qw - 1, ws - 1));
                lines.push(format!("wire [{}:0] rem = sum[{}:0];", r - 1, r - 1));
                lines.push(format!(
                    "wire inc = (rem > {half}) | ((rem == {half}) & fl[0]);"
                ));
                lines.push(format!(
                    "wire [{}:0] q = fl + {};",
                    qw - 1,
                    zext("inc", 1, qw)
                ));
            }
        }
    } else {
        let l = (-r) as u32;
        qw = ws + l;
        if l == 0 {
            lines.push(format!("wire [{}:0] q = sum;", qw - 1));
        } else {
            lines.push(format!(
                "wire [{}:0] q = {{sum, {}}};",
                qw - 1,
                repl(l, "1'b0")
            ));
        }
    }
    let y = if qw <= ny {
        sext("q", qw, ny)
    } else {
        lines.push(format!(
            "wire [{}:0] qh = q[{}:{}];",
            qw - ny,
            qw - 1,
            ny - 1
        ));
        lines.push("wire ovf = ~(&qh | ~|qh);".into());
        let max = format!("{{1'b0, {}}}", repl(ny - 1, "1'b1"));
        format!(
            "ovf ? (q[{}] ? {} : {max}) : q[{}:0]",
            qw - 1,
            one_hot(ny, ny - 1),
            ny - 1
        )
    };
    (lines, y)
}
