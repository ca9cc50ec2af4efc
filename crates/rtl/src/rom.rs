//! The direct-table unit's Verilog (`rtl_templates/unit_rom.v`): a fixed ROM of one word per
//! input code behind the one-stage unit's valid/ready interface. It is the design the PWL unit
//! is measured against (`examples/rom_crossover.rs`); the simulator does not model it yet.

use crate::render::check_module_name;
use askama::Template;
use lutforge_core::{Error, Result};

struct RomShape {
    name: String,
    version: &'static str,
    header: Vec<String>,
    nx: u32,
    ny: u32,
    /// (input code, output code) as exact-width hex digits.
    words: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "unit_rom.v", escape = "none")]
struct RomUnit {
    u: RomShape,
}

/// `bits` low bits of `v` as ceil(bits / 4) hex digits.
fn hex(v: i64, bits: u32) -> String {
    let m = if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    format!("{:0w$x}", v as u64 & m, w = bits.div_ceil(4) as usize)
}

/// The module `name` holding `words` (one per input code of an `nx`-bit input, lowest code
/// first, as `lutforge_core::rom::words` gives them) as `ny`-bit outputs.
pub fn render_rom(
    name: &str,
    nx: u32,
    ny: u32,
    words: &[i64],
    header: &[String],
) -> Result<String> {
    check_module_name(name)?;
    if words.len() as u64 != 1u64 << nx {
        return Err(Error::internal(format!(
            "{} words for a {nx}-bit input",
            words.len()
        )));
    }
    let lo = -(1i64 << (nx - 1));
    let u = RomShape {
        name: name.to_string(),
        version: lutforge_core::VERSION,
        header: header.to_vec(),
        nx,
        ny,
        words: words
            .iter()
            .enumerate()
            .map(|(i, &y)| (hex(lo + i as i64, nx), hex(y, ny)))
            .collect(),
    };
    let mut v = RomUnit { u }
        .render()
        .map_err(|e| Error::internal(format!("template unit_rom.v: {e}")))?;
    v.push('\n');
    Ok(v)
}
