//! Gate-level power on netlists whose toggles can be counted by hand: a 4-bit counter and an
//! 8-bit register fed a known pattern (synthesized by Yosys, simulated by Icarus). The toggles
//! equal the hand count, and the estimate is the same on every run.

use lutforge_rtl::power::{gate_level, price, price_cells, NANGATE45};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const COUNTER: &str = "module cnt4(input clk, input rst, output reg [3:0] q);
  always @(posedge clk) if (rst) q <= 4'd0; else q <= q + 4'd1;
endmodule
";

const COUNTER_TB: &str = "`timescale 1ns/1ps
module cnt4_tb;
  reg clk = 0, rst = 1;
  wire [3:0] q;
  cnt4 cnt4 (.clk(clk), .rst(rst), .q(q));
  always #5 clk = ~clk;
  initial begin
    if ($test$plusargs(\"vcd\")) begin $dumpfile(\"cnt4_tb.vcd\"); $dumpvars(0, cnt4_tb); end
    @(negedge clk); rst = 0;
    repeat (16) @(negedge clk);
    $display(\"PASS 17 cycles\");
    $finish;
  end
endmodule
";

const REGISTER: &str = "module reg8(input clk, input [7:0] d, output reg [7:0] q);
  always @(posedge clk) q <= d;
endmodule
";

/// 0x00, 0xff, 0x0f, 0xf0, 0xaa, 0x55, one per cycle.
const REGISTER_TB: &str = "`timescale 1ns/1ps
module reg8_tb;
  reg clk = 0;
  reg [7:0] d = 8'h00;
  wire [7:0] q;
  reg8 reg8 (.clk(clk), .d(d), .q(q));
  always #5 clk = ~clk;
  initial begin
    if ($test$plusargs(\"vcd\")) begin $dumpfile(\"reg8_tb.vcd\"); $dumpvars(0, reg8_tb); end
    @(negedge clk); d = 8'hff;
    @(negedge clk); d = 8'h0f;
    @(negedge clk); d = 8'hf0;
    @(negedge clk); d = 8'haa;
    @(negedge clk); d = 8'h55;
    @(negedge clk);
    $display(\"PASS 6 cycles\");
    $finish;
  end
endmodule
";

fn bits_of(n: &lutforge_rtl::power::Netlist, name: &str) -> Vec<usize> {
    n.nets[name].iter().map(|b| b.unwrap()).collect()
}

#[test]
fn a_counters_bits_toggle_as_counted_by_hand() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "cnt4.v", COUNTER);
    write(d.path(), "cnt4_tb.v", COUNTER_TB);
    let (n, t, g) = gate_level(d.path(), "cnt4", false).unwrap();
    // From 0 (after reset; x → 0 is not a toggle) through 16 increments back to 0: bit k
    // toggles 16 / 2^k times.
    let q = bits_of(&n, "q");
    let got: Vec<u64> = q
        .iter()
        .map(|b| t.per_bit.get(b).copied().unwrap_or(0))
        .collect();
    assert_eq!(got, [16, 8, 4, 2]);
    assert_eq!(t.cycles, 17, "the reset edge and 16 counting edges");
    assert_eq!(g.cells.get("DFF_X1"), Some(&4));
    assert!(g.total_fj > 0.0 && g.clock_fj > 0.0 && g.leakage_fj > 0.0);
}

#[test]
fn a_registers_toggles_follow_its_input_pattern_and_the_estimate_repeats() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "reg8.v", REGISTER);
    write(d.path(), "reg8_tb.v", REGISTER_TB);
    let (n, t, g) = gate_level(d.path(), "reg8", false).unwrap();
    let pattern = [0x00u32, 0xff, 0x0f, 0xf0, 0xaa, 0x55];
    let q = bits_of(&n, "q");
    for (k, b) in q.iter().enumerate() {
        let want = pattern
            .windows(2)
            .filter(|w| (w[0] ^ w[1]) >> k & 1 == 1)
            .count() as u64;
        assert_eq!(t.per_bit.get(b).copied().unwrap_or(0), want, "q[{k}]");
    }
    // 8 + 4 + 8 + 4 + 8 toggles on q, the same on d.
    let total_q: u64 = q
        .iter()
        .map(|b| t.per_bit.get(b).copied().unwrap_or(0))
        .sum();
    assert_eq!(total_q, 32);
    // The same netlist and toggles price to the same figure, bit for bit.
    let again = price(&n, &t, &NANGATE45, "clk").unwrap();
    assert_eq!(again.total_fj.to_bits(), g.total_fj.to_bits());
    let e2 = gate_level(d.path(), "reg8", false).unwrap().2;
    assert_eq!(
        e2.total_fj.to_bits(),
        g.total_fj.to_bits(),
        "the same on a second run"
    );
}

#[test]
fn a_netlist_that_fails_its_testbench_is_refused() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "reg8.v", REGISTER);
    write(
        d.path(),
        "reg8_tb.v",
        &REGISTER_TB.replace(
            "$display(\"PASS 6 cycles\");",
            "$display(\"FAIL 1 of 6 cycles differ\");",
        ),
    );
    let e = gate_level(d.path(), "reg8", false).unwrap_err().to_string();
    assert!(e.contains("fails the directory's testbench"), "{e}");
}

#[test]
fn with_unit_delays_a_register_adds_no_glitch_and_a_counter_keeps_its_bits() {
    // No logic between d and q: the same toggles with gate delays. The counter's carry chain
    // may glitch inside, but its registered bits toggle as counted.
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "reg8.v", REGISTER);
    write(d.path(), "reg8_tb.v", REGISTER_TB);
    let (_, zero, _) = gate_level(d.path(), "reg8", false).unwrap();
    let (_, unit, _) = gate_level(d.path(), "reg8", true).unwrap();
    assert_eq!(zero.per_bit, unit.per_bit);
    let c = tempfile::tempdir().unwrap();
    write(c.path(), "cnt4.v", COUNTER);
    write(c.path(), "cnt4_tb.v", COUNTER_TB);
    let (n, t, _) = gate_level(c.path(), "cnt4", true).unwrap();
    let q = bits_of(&n, "q");
    let got: Vec<u64> = q
        .iter()
        .map(|b| t.per_bit.get(b).copied().unwrap_or(0))
        .collect();
    assert_eq!(got, [16, 8, 4, 2]);
}

const PIPE: &str = "module pipe(input clk, input rst, input en, input [3:0] a, input [3:0] b,
    output reg [3:0] s);
  reg [3:0] ra, rb;
  always @(posedge clk)
    if (rst) begin ra <= 4'd0; rb <= 4'd0; s <= 4'd0; end
    else if (en) begin ra <= a; rb <= b; s <= ra ^ rb; end
endmodule
";

const PIPE_TB: &str = "`timescale 1ns/1ps
module pipe_tb;
  reg clk = 0, rst = 1, en = 0;
  reg [3:0] a = 0, b = 0;
  wire [3:0] s;
  integer i;
  pipe pipe (.clk(clk), .rst(rst), .en(en), .a(a), .b(b), .s(s));
  always #5 clk = ~clk;
  initial begin
    if ($test$plusargs(\"vcd\")) begin $dumpfile(\"pipe_tb.vcd\"); $dumpvars(0, pipe_tb); end
    @(negedge clk); rst = 0;
    for (i = 0; i < 40; i = i + 1) begin
      @(negedge clk); en = i % 3 != 0; a = i * 7; b = i * 5 + 3;
    end
    $display(\"PASS 41 cycles\");
    $finish;
  end
endmodule
";

#[test]
fn the_data_path_splits_by_register_into_the_registers_and_the_logic_reaching_them() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "pipe.v", PIPE);
    write(d.path(), "pipe_tb.v", PIPE_TB);
    let (n, t, g) = gate_level(d.path(), "pipe", false).unwrap();
    let p = price_cells(&n, &t, &NANGATE45, "clk").unwrap();
    let by = &g.by_register;
    // Every joule of the data path is in exactly one group.
    let sum: f64 = by.values().sum();
    let data = g.switching_fj + g.internal_fj;
    assert!((sum - data).abs() < 1e-9 * data, "{by:?}");
    // The three registers (flip-flops with their hold and reset multiplexers) and the XOR
    // that reaches s; nothing else but the primary inputs' nets.
    let mut keys: Vec<&str> = by.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["inputs", "reg ra", "reg rb", "reg s", "to s"],
        "{by:?}"
    );
    let of = |kinds: &[&str]| -> f64 {
        n.cells
            .iter()
            .zip(&p.cells)
            .filter(|(c, _)| kinds.contains(&c.kind.as_str()))
            .map(|(_, e)| e.internal_fj + e.switching_fj)
            .sum()
    };
    // The logic is the four XORs (Yosys may build them as XOR or XNOR).
    let logic = of(&["$_XOR_", "$_XNOR_"]);
    assert!(
        logic > 0.0 && (by["to s"] - logic).abs() < 1e-9 * logic,
        "{by:?}"
    );
    let regs = by["reg ra"] + by["reg rb"] + by["reg s"];
    let flops_and_muxes = of(&["$_DFF_P_", "$_MUX_"]);
    assert!((regs - flops_and_muxes).abs() < 1e-9 * regs, "{by:?}");
}
