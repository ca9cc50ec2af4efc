//! GTKWave save files (`.gtkw`) written beside the waveforms: opened with the VCD
//! (`gtkwave run.vcd run.gtkw`), they show the signals in groups (handshakes, pipeline, table),
//! codes as signed decimals rather than unsigned hex, and packed buses split into their lanes
//! or table entries, each its own trace. The format is GTKWave's own (its manual, "Save
//! files"): `@flags` set the display of the traces that follow, `-text` is a comment line,
//! `#{name} bit …` combines bits into one trace.

/// How a trace is displayed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Show {
    /// One bit, as a waveform.
    Bit,
    /// Unsigned decimal, split into words of `word` bits when narrower than the bus.
    Unsigned { word: u32 },
    /// Two's-complement decimal, split into words of `word` bits when narrower than the bus.
    Signed { word: u32 },
    /// Hexadecimal, the bus whole (FP32 words, write data of several field widths).
    Hex,
}

/// One signal of the dump.
#[derive(Clone, Debug)]
pub struct Trace {
    pub name: String,
    pub width: u32,
    pub show: Show,
    /// What one word of a split bus is (`lane`, `entry`, `row`): its traces are `name_lane0`, ….
    pub word_label: &'static str,
}

impl Trace {
    pub fn new(name: impl Into<String>, width: u32, show: Show) -> Trace {
        Trace {
            name: name.into(),
            width,
            show,
            word_label: "lane",
        }
    }

    /// The same trace, its words labelled `label`.
    pub fn words(mut self, label: &'static str) -> Trace {
        self.word_label = label;
        self
    }
}

/// Traces shown together under a heading; a closed group is folded until opened.
#[derive(Clone, Debug)]
pub struct Group {
    pub name: &'static str,
    pub closed: bool,
    pub traces: Vec<Trace>,
}

// GTKWave's trace flags (its TR_* bits): right-justified values, and the radix.
const RJUSTIFY: u32 = 0x20;
const HEX: u32 = 0x2;
const DEC: u32 = 0x4;
const BIN: u32 = 0x8;
const SIGNED: u32 = 0x400;
const BLANK: u32 = 0x200;
const GROUP_BEGIN: u32 = 0x80_0000;
const GROUP_END: u32 = 0x100_0000;
const CLOSED: u32 = 0x40_0000;
const COLLAPSED: u32 = 0x1000;

fn flags(show: Show) -> u32 {
    RJUSTIFY
        | match show {
            Show::Bit => BIN,
            Show::Unsigned { .. } => DEC,
            Show::Signed { .. } => DEC | SIGNED,
            Show::Hex => HEX,
        }
}

/// The save file for `dumpfile` (named as the viewer should find it: beside the save file),
/// whose scope `top` holds `top_traces` and whose scope `top.module` holds the groups.
pub fn save_file(
    dumpfile: &str,
    top: &str,
    module: &str,
    period_ps: u64,
    top_traces: &[Trace],
    groups: &[Group],
) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "[*] GTKWave save file written by lutforge {} for {dumpfile}\n",
        lutforge_core::VERSION
    ));
    s.push_str(&format!("[dumpfile] \"{dumpfile}\"\n"));
    s.push_str("[timestart] 0\n[size] 1400 900\n");
    // Zoom so that about 40 clock periods fill the wave pane (some 1 100 pixels of the window
    // above): GTKWave 3.3 shows about 2^-z / 190 time units per pixel at zoom z (read off its
    // time ruler at two zooms).
    let per_px = 40.0 * period_ps.max(1) as f64 / 1100.0;
    s.push_str(&format!("*{:.6} 0\n", -(per_px * 190.0).log2()));
    s.push_str(&format!("[treeopen] {top}.\n[treeopen] {top}.{module}.\n"));
    s.push_str("[sst_expanded] 1\n[signals_width] 260\n");
    let mut last = None;
    let mut flag = |s: &mut String, f: u32| {
        if last != Some(f) {
            s.push_str(&format!("@{f:x}\n"));
            last = Some(f);
        }
    };
    for t in top_traces {
        trace(&mut s, &mut flag, top, t);
    }
    let path = format!("{top}.{module}");
    for g in groups {
        if g.traces.is_empty() {
            continue;
        }
        let closed = if g.closed { CLOSED | COLLAPSED } else { 0 };
        flag(&mut s, GROUP_BEGIN | BLANK | closed);
        s.push_str(&format!("-{}\n", g.name));
        for t in &g.traces {
            trace(&mut s, &mut flag, &path, t);
        }
        flag(&mut s, GROUP_END | BLANK | closed);
        s.push_str(&format!("-{}\n", g.name));
    }
    s
}

/// One trace's lines: the bus whole, or one combined trace per word (most significant bit
/// first, as GTKWave combines them).
fn trace(s: &mut String, flag: &mut impl FnMut(&mut String, u32), path: &str, t: &Trace) {
    flag(s, flags(t.show));
    let word = match t.show {
        Show::Unsigned { word } | Show::Signed { word } => word,
        Show::Bit | Show::Hex => t.width,
    };
    if t.width == 1 {
        s.push_str(&format!("{path}.{}\n", t.name));
    } else if word == 0 || word >= t.width || t.width % word != 0 {
        s.push_str(&format!("{path}.{}[{}:0]\n", t.name, t.width - 1));
    } else {
        // A bit of the bus is `(i)bus[W-1:0]`, i counted from the most significant bit.
        let bus = format!("{path}.{}[{}:0]", t.name, t.width - 1);
        for k in 0..t.width / word {
            let lo = k * word;
            s.push_str(&format!("#{{{path}.{}_{}{k}}}", t.name, t.word_label));
            for b in (lo..lo + word).rev() {
                s.push_str(&format!(" ({}){bus}", t.width - 1 - b));
            }
            s.push('\n');
        }
    }
}

/// The save file's path for a waveform's: the same name with `.gtkw`.
pub fn path_for(vcd: &std::path::Path) -> std::path::PathBuf {
    vcd.with_extension("gtkw")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buses_split_into_signed_words_in_groups() {
        let s = save_file(
            "u.vcd",
            "u_tb",
            "u",
            2000,
            &[Trace::new("clk", 1, Show::Bit)],
            &[Group {
                name: "output",
                closed: false,
                traces: vec![
                    Trace::new("out_valid", 1, Show::Bit),
                    Trace::new("out_data", 8, Show::Signed { word: 4 }),
                ],
            }],
        );
        let want = "[dumpfile] \"u.vcd\"\n";
        assert!(s.contains(want), "{s}");
        // Bit traces binary, signed words 0x424 (signed, right-justified, decimal), the group
        // bracketed by its begin and end markers.
        assert!(s.contains("@28\nu_tb.clk\n@800200\n-output\n@28\nu_tb.u.out_valid\n@424\n"));
        assert!(s.contains("#{u_tb.u.out_data_lane0} (4)u_tb.u.out_data[7:0] (5)u_tb.u.out_data[7:0] (6)u_tb.u.out_data[7:0] (7)u_tb.u.out_data[7:0]\n"));
        assert!(s.contains("#{u_tb.u.out_data_lane1} (0)u_tb.u.out_data[7:0]"));
        assert!(s.ends_with("@1000200\n-output\n"), "{s}");
        // A bus of one word stays whole.
        let one = save_file(
            "u.vcd",
            "u_tb",
            "u",
            2000,
            &[],
            &[Group {
                name: "g",
                closed: true,
                traces: vec![Trace::new("x", 8, Show::Signed { word: 8 })],
            }],
        );
        assert!(one.contains("@c01200\n-g\n@424\nu_tb.u.x[7:0]\n"), "{one}");
    }
}
