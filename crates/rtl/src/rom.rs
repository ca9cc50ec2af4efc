//! The direct-table unit's Verilog (`rtl_templates/unit_rom.v`): one word per input code, in a
//! ROM or in a RAM behind the write port, with the PWL unit's valid/ready interface, pipeline
//! stages and lanes. The simulator's unit of the same configuration (`Arch::Rom`) is what it
//! is checked against.

use crate::iface::{check_module_name, ports, Interface};
use askama::Template;
use lutforge_core::{Error, FixedFormat, Params, Result};
use lutforge_sim::unit::{Arch, Arith, Field, Reg, UnitConfig};

struct RomShape<'a> {
    module: &'a str,
    version: &'a str,
    header: &'a [String],
    ports: String,
    rst_event: String,
    rst_on: &'a str,
    lanes: u32,
    stages: u32,
    programmable: bool,
    /// A RAM beside an asynchronous reset: its write enable samples the reset at the clock
    /// (a write during reset is ignored), which Verilator's SYNCASYNCNET flags on the port.
    sampled_reset: bool,
    has_s1: bool,
    has_s2: bool,
    has_s3: bool,
    nx: u32,
    ny: u32,
    /// Packed bus widths: P·N_x and P·N_y.
    px: u32,
    py: u32,
    /// (address, word) as exact-width hex digits.
    words: Vec<(String, String)>,
    a_src: &'static str,
    r_src: &'static str,
    y_src: &'static str,
    v2: &'static str,
    v3: &'static str,
    v4: &'static str,
}

#[derive(Template)]
#[template(path = "unit_rom.v", escape = "none")]
struct RomUnit<'a> {
    u: RomShape<'a>,
}

/// `bits` low bits of `v` as ceil(bits / 4) hex digits.
fn hex(v: i64, bits: u32) -> String {
    format!(
        "{:0w$x}",
        v as u64 & lutforge_sim::unit::mask(bits),
        w = bits.div_ceil(4) as usize
    )
}

/// The direct-table unit of `cfg` (an [`Arch::Rom`] configuration) holding `params`' words
/// (its intercepts), as `iface` names it. `render::render_unit` comes here for such units.
pub(crate) fn render_rom_unit(
    cfg: &UnitConfig,
    params: &Params,
    header: &[String],
    iface: &Interface,
) -> Result<String> {
    let (Arch::Rom, Arith::Int(_)) = (cfg.arch, &cfg.arith) else {
        return Err(Error::internal("render_rom_unit needs a direct-table unit"));
    };
    let w = cfg.widths();
    let words = params.words(Field::Intercept);
    if words.len() != cfg.segments {
        return Err(Error::input(format!(
            "the table has {} words, the unit {}",
            words.len(),
            cfg.segments
        )));
    }
    let (s1, s2, s3) = (cfg.has(Reg::S1), cfg.has(Reg::S2), cfg.has(Reg::S3));
    let pick = |has: bool, reg: &'static str, wire: &'static str| if has { reg } else { wire };
    let u = RomShape {
        module: &iface.module,
        version: lutforge_core::VERSION,
        header,
        ports: ports(cfg, &iface.reset),
        rst_event: iface.reset.event(),
        rst_on: iface.reset.condition(),
        lanes: cfg.lanes as u32,
        stages: cfg.stages,
        programmable: cfg.programmable,
        sampled_reset: cfg.programmable && iface.reset.asynchronous,
        has_s1: s1,
        has_s2: s2,
        has_s3: s3,
        nx: w.x,
        ny: w.y,
        px: w.x * cfg.lanes as u32,
        py: w.y * cfg.lanes as u32,
        words: words
            .iter()
            .enumerate()
            .map(|(a, &y)| (hex(a as i64, w.x), hex(y, w.y)))
            .collect(),
        a_src: pick(s1, "s1_x", "in_data"),
        r_src: pick(s2, "s2_addr", "addr"),
        y_src: pick(s3, "s3_word", "word"),
        v2: pick(s1, "s1_valid", "in_valid"),
        v3: pick(s2, "s2_valid", "in_valid"),
        v4: pick(s3, "s3_valid", "in_valid"),
    };
    let mut v = RomUnit { u }
        .render()
        .map_err(|e| Error::internal(format!("template unit_rom.v: {e}")))?;
    v.push('\n');
    Ok(v)
}

/// The fixed, one-stage, one-lane direct table `name` of `words` (one per code of an
/// `nx`-bit input, lowest code first, as `lutforge_core::rom::words` gives them) as `ny`-bit
/// outputs: the design the PWL unit is priced against.
pub fn render_rom(
    name: &str,
    nx: u32,
    ny: u32,
    words: &[i64],
    header: &[String],
) -> Result<String> {
    let (input, output) = (FixedFormat::new(nx, 0), FixedFormat::new(ny, 0));
    let cfg = UnitConfig::rom(input, output, 1, 1, false);
    cfg.check()?;
    if words.len() != cfg.segments {
        return Err(Error::internal(format!(
            "{} words for a {nx}-bit input",
            words.len()
        )));
    }
    let iface = Interface {
        module: name.to_string(),
        ..Interface::default()
    };
    check_module_name(name)?;
    render_rom_unit(
        &cfg,
        &lutforge_sim::unit::rom_params(input, words),
        header,
        &iface,
    )
}
