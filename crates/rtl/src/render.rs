//! Renders `lutforge_unit` from the askama templates in `rtl_templates/`, with every width and
//! shift computed here from the sim crate's configuration, so the RTL and the simulator are
//! built from one description of the unit.

use crate::verilog::{one_hot, repl, sext, zext};
use askama::Template;
use lutforge_core::{Error, Params, Result, Rounding};
use lutforge_sim::unit::{Arch, Arith, Field, Reg, UnitConfig};

pub(crate) use crate::iface::ports;
pub use crate::iface::{check_module_name, Interface, Reset, MODULE};

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
    ports: String,
    rst_event: String,
    rst_on: &'a str,
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
    /// One `localparam` per table entry, with its real value in a comment.
    table_params: Vec<String>,
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
    /// The lane's logic, rendered and indented for where it goes.
    lane: String,
}

/// One lane's part of each packed bus: `gl*8 +: 8` in the generate loop, `7:0` alone.
struct Slices {
    x: String,
    seg: String,
    prod: String,
    b: String,
    y: String,
}

fn slice(lanes: u32, width: u32) -> String {
    if lanes > 1 {
        format!("gl*{width} +: {width}")
    } else {
        format!("{}:0", width - 1)
    }
}

#[derive(Template)]
#[template(path = "unit_int.v", escape = "none")]
struct IntUnit<'a> {
    u: Shape<'a>,
}

#[derive(Template)]
#[template(path = "unit_int_lane.v", escape = "none")]
struct IntLane<'a> {
    u: &'a Shape<'a>,
    sl: Slices,
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

#[derive(Template)]
#[template(path = "unit_fp32_lane.v", escape = "none")]
struct Fp32Lane<'a> {
    u: &'a Shape<'a>,
    sl: Slices,
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

/// A real number for a comment: exact, short.
fn real(v: f64) -> String {
    lutforge_core::format::Num(v).to_string()
}

/// The table's `localparam`s (one per entry: the code in decimal for integer units, the bit
/// pattern for FP32, the real value in a comment) and each array as their concatenation.
fn table_params(cfg: &UnitConfig, params: &Params) -> (Vec<String>, [String; 3]) {
    let w = cfg.widths();
    let mut lines = Vec::new();
    let mut cats: [String; 3] = Default::default();
    let what = match &cfg.arith {
        Arith::Int(dp) => format!(
            "entries: breakpoints are input codes (x = code · 2^-{}), slopes codes of {}, intercepts of {}",
            dp.input.frac, dp.slope, dp.intercept
        ),
        Arith::Fp32 => "entries: IEEE-754 binary32 bit patterns".to_string(),
    };
    lines.push(format!("// {} segments; {what}", cfg.segments));
    for (i, (f, prefix)) in [
        (Field::Breakpoint, "BP"),
        (Field::Slope, "K"),
        (Field::Intercept, "B"),
    ]
    .into_iter()
    .enumerate()
    {
        let words = params.words(f);
        let width = match f {
            Field::Breakpoint => w.x,
            Field::Slope => w.k,
            Field::Intercept => w.b,
        };
        let digits = words.len().saturating_sub(1).to_string().len();
        let mut names = Vec::new();
        for (j, &c) in words.iter().enumerate() {
            let name = format!("{prefix}{j:0digits$}");
            let (decl, value) = match &cfg.arith {
                Arith::Int(dp) => {
                    let lit = if c < 0 {
                        format!("-{width}'sd{}", c.unsigned_abs())
                    } else {
                        format!("{width}'sd{c}")
                    };
                    let v = dp.format_of(f).value(c);
                    (
                        format!("localparam signed [{}:0] {name} = {lit};", width - 1),
                        real(v),
                    )
                }
                Arith::Fp32 => (
                    format!("localparam [31:0] {name} = 32'h{:08x};", c as u32),
                    real(f32::from_bits(c as u32) as f64),
                ),
            };
            lines.push(format!("{decl:<48} // {value}"));
            names.push(name);
        }
        names.reverse();
        cats[i] = if names.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", names.join(", "))
        };
    }
    (lines, cats)
}

fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|l| {
            if l.trim().is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the unit's Verilog as `iface` names it. `header` lines go into the file's leading
/// comment.
pub fn render_unit(
    cfg: &UnitConfig,
    params: &Params,
    header: &[String],
    iface: &Interface,
) -> Result<String> {
    cfg.check()?;
    check_table(cfg, params)?;
    check_module_name(&iface.module)?;
    if cfg.arch == Arch::Rom {
        return crate::rom::render_rom_unit(cfg, params, header, iface);
    }
    if params.words(Field::Slope).len() != cfg.segments {
        return Err(Error::input(format!(
            "the table has {} segments, the unit {}",
            params.words(Field::Slope).len(),
            cfg.segments
        )));
    }
    let w = cfg.widths();
    let st = cfg.stages;
    let k = cfg.segments as u32;
    let (table_lines, [init_bp, init_k, init_b]) = table_params(cfg, params);
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
    let lanes = cfg.lanes as u32;
    let mut u = Shape {
        module: &iface.module,
        version: lutforge_core::VERSION,
        header,
        ports: ports(cfg, &iface.reset),
        rst_event: iface.reset.event(),
        rst_on: iface.reset.condition(),
        lanes,
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
        table_params: table_lines,
        init_bp,
        init_k,
        init_b,
        writes,
        cmp_src,
        mul_seg_src,
        mul_x_src,
        fin_prod_src,
        fin_icpt_src,
        v3,
        v4,
        ls_cmp,
        lane: String::new(),
    };
    let sl = Slices {
        x: slice(lanes, w.x),
        seg: slice(lanes, w.seg),
        prod: slice(lanes, w.prod),
        b: slice(lanes, w.b),
        y: slice(lanes, w.y),
    };
    let depth = if lanes > 1 { 12 } else { 4 };
    let tpl = |e: askama::Error| Error::internal(format!("template: {e}"));
    let text = match &cfg.arith {
        Arith::Int(dp) => {
            let r = dp.out_shift();
            let ns = w.sum;
            let ws = if r > 0 { ns.max(r as u32 + 1) + 1 } else { ns };
            let (round_lines, y_expr) = round_and_saturate(dp.rounding, r, ws, w.y);
            let lane = IntLane {
                u: &u,
                sl,
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
            .map_err(tpl)?;
            u.lane = indent(&lane, depth);
            IntUnit { u }.render()
        }
        Arith::Fp32 => {
            let lane = Fp32Lane { u: &u, sl }.render().map_err(tpl)?;
            u.lane = indent(&lane, depth);
            Fp32Unit { u }.render()
        }
    };
    // askama drops the template's final newline; POSIX text files end with one.
    text.map(|t| t + "\n").map_err(tpl)
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
