//! What both unit templates share around their logic: the module's name and reset style, and
//! its port list. Apart from `render` so that the PWL and the direct-table renderers both take
//! it without taking each other.

use lutforge_core::{Error, Result};
use lutforge_sim::unit::UnitConfig;

/// Module (and file) name of a unit when none is given (the simulator's VCD and trace name it
/// so too).
pub const MODULE: &str = "lutforge_unit";

/// How the reset port behaves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reset {
    /// Registers reset at once (`always @(posedge clk or … rst)`), not at the next edge.
    pub asynchronous: bool,
    /// The port is `rst_n`, asserted low; otherwise `rst`, asserted high.
    pub active_low: bool,
}

impl Reset {
    /// The port's name.
    pub fn port(&self) -> &'static str {
        if self.active_low {
            "rst_n"
        } else {
            "rst"
        }
    }

    /// The port's value while the unit is in reset.
    pub fn asserted(&self) -> u8 {
        u8::from(!self.active_low)
    }

    /// What follows `posedge clk` in every register block.
    pub(crate) fn event(&self) -> String {
        match (self.asynchronous, self.active_low) {
            (false, _) => String::new(),
            (true, false) => " or posedge rst".into(),
            (true, true) => " or negedge rst_n".into(),
        }
    }

    /// The condition under which the registers take their reset values.
    pub(crate) fn condition(&self) -> &'static str {
        if self.active_low {
            "!rst_n"
        } else {
            "rst"
        }
    }
}

/// How a generated unit meets the design it goes into: its module name and its reset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Interface {
    pub module: String,
    pub reset: Reset,
}

impl Default for Interface {
    fn default() -> Self {
        Interface {
            module: MODULE.into(),
            reset: Reset::default(),
        }
    }
}

/// The port list, names aligned in one column.
pub(crate) fn ports(cfg: &UnitConfig, reset: &Reset) -> String {
    let w = cfg.widths();
    let p = cfg.lanes as u32;
    let bus = |n: u32| {
        if n == 1 {
            String::new()
        } else {
            format!("[{}:0]", n - 1)
        }
    };
    let mut v: Vec<(&str, String, &str)> = vec![
        ("input ", String::new(), "clk"),
        ("input ", String::new(), reset.port()),
        ("input ", String::new(), "in_valid"),
        ("output", String::new(), "in_ready"),
        ("input ", bus(p * w.x), "in_data"),
        ("output", String::new(), "out_valid"),
        ("input ", String::new(), "out_ready"),
        ("output", bus(p * w.y), "out_data"),
    ];
    if cfg.programmable {
        v.extend([
            ("input ", String::new(), "cfg_we"),
            ("input ", bus(w.cfg_addr), "cfg_addr"),
            ("input ", bus(w.cfg_data), "cfg_data"),
        ]);
    }
    let wide = v.iter().map(|x| x.1.len()).max().unwrap_or(0);
    let n = v.len();
    v.iter()
        .enumerate()
        .map(|(i, (dir, b, name))| {
            format!(
                "    {dir} wire {b:<wide$} {name}{}",
                if i + 1 < n { "," } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why `name` is no legal Verilog-2005 module name, if it is not.
pub fn check_module_name(name: &str) -> Result<()> {
    const KEYWORDS: &[&str] = &[
        "always",
        "and",
        "assign",
        "automatic",
        "begin",
        "buf",
        "bufif0",
        "bufif1",
        "case",
        "casex",
        "casez",
        "cell",
        "cmos",
        "config",
        "deassign",
        "default",
        "defparam",
        "design",
        "disable",
        "edge",
        "else",
        "end",
        "endcase",
        "endconfig",
        "endfunction",
        "endgenerate",
        "endmodule",
        "endprimitive",
        "endspecify",
        "endtable",
        "endtask",
        "event",
        "for",
        "force",
        "forever",
        "fork",
        "function",
        "generate",
        "genvar",
        "highz0",
        "highz1",
        "if",
        "ifnone",
        "incdir",
        "include",
        "initial",
        "inout",
        "input",
        "instance",
        "integer",
        "join",
        "large",
        "liblist",
        "library",
        "localparam",
        "macromodule",
        "medium",
        "module",
        "nand",
        "negedge",
        "nmos",
        "nor",
        "noshowcancelled",
        "not",
        "notif0",
        "notif1",
        "or",
        "output",
        "parameter",
        "pmos",
        "posedge",
        "primitive",
        "pull0",
        "pull1",
        "pulldown",
        "pullup",
        "pulsestyle_ondetect",
        "pulsestyle_onevent",
        "rcmos",
        "real",
        "realtime",
        "reg",
        "release",
        "repeat",
        "rnmos",
        "rpmos",
        "rtran",
        "rtranif0",
        "rtranif1",
        "scalared",
        "showcancelled",
        "signed",
        "small",
        "specify",
        "specparam",
        "strong0",
        "strong1",
        "supply0",
        "supply1",
        "table",
        "task",
        "time",
        "tran",
        "tranif0",
        "tranif1",
        "tri",
        "tri0",
        "tri1",
        "triand",
        "trior",
        "trireg",
        "unsigned",
        "use",
        "uwire",
        "vectored",
        "wait",
        "wand",
        "weak0",
        "weak1",
        "while",
        "wire",
        "wor",
        "xnor",
        "xor",
    ];
    let ok_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let ok_rest = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !ok_start || !ok_rest || name.len() > 200 {
        return Err(Error::input(format!(
            "'{name}' is no Verilog module name: a letter or _ first, then letters, digits or _, at most 200"
        )));
    }
    if KEYWORDS.contains(&name) {
        return Err(Error::input(format!("'{name}' is a Verilog keyword")));
    }
    Ok(())
}
