//! The cost model's energy reference priced by the gate-level method: a 32-bit adder (the
//! circuit of Horowitz's 0.1 pJ add, which sets the model's energy per gate equivalent) fed
//! uniformly random operands, synthesized by Yosys, simulated by Icarus, its toggles priced
//! with the NanGate45 library as `lutforge synth --power` prices a unit. The operands come
//! from the testbench (no input registers); the sum is registered, and the register's own
//! energy (its internal energy and clock) is left out, so the figure is the adder's: its
//! cells' internal energy, the nets they drive, and the operand pins they load.
//!
//!     cargo run --release -p lutforge-rtl --example reference_add [samples]
//!
//! Prints the adder's energy per addition at the library's 1.10 V and scaled to the model's
//! 0.9 V, beside Horowitz's figure.

use lutforge_rtl::power::{gate_level, NANGATE45};
use lutforge_sim::cost::{HOROWITZ_ADD32_PJ, HOROWITZ_VDD};

const ADDER: &str = "module add32 (input clk, input [31:0] a, input [31:0] b, output reg [32:0] s);
    always @(posedge clk) s <= {1'b0, a} + {1'b0, b};
endmodule
";

fn testbench(samples: u32) -> String {
    format!(
        "`timescale 1ns/1ps
module add32_tb;
    reg clk = 0;
    reg [31:0] a = 0, b = 0;
    wire [32:0] s;
    add32 add32 (.clk(clk), .a(a), .b(b), .s(s));
    always #5 clk = ~clk;
    integer i, seed;
    reg [32:0] want;
    initial begin
        if ($test$plusargs(\"vcd\")) begin
            $dumpfile(\"add32_tb.vcd\");
            $dumpvars(0, add32_tb);
        end
        seed = 1;
        for (i = 0; i < {samples}; i = i + 1) begin
            @(negedge clk);
            a = $random(seed);
            b = $random(seed);
            want = {{1'b0, a}} + {{1'b0, b}};
            @(posedge clk); #1;
            if (s !== want) begin
                $display(\"FAIL at %0d\", i);
                $finish;
            end
        end
        $display(\"PASS %0d additions\", {samples});
        $finish;
    end
endmodule
"
    )
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let samples: u32 = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 2000,
    };
    let work = tempfile::tempdir()?;
    std::fs::write(work.path().join("add32.v"), ADDER)?;
    std::fs::write(work.path().join("add32_tb.v"), testbench(samples))?;
    let (_, _, g) = gate_level(work.path(), "add32", false)?;
    let dynamic = g.switching_fj + g.internal_fj + g.clock_fj;
    // The sum register: its internal energy and the nets it drives, and the clock.
    let register = dynamic * (g.share.get("DFF_X1").copied().unwrap_or(0.0)) + g.clock_fj;
    let adder_pj = (dynamic - register) / 1000.0 / f64::from(samples);
    let v = HOROWITZ_VDD / NANGATE45.vdd;
    println!(
        "32-bit adder, {samples} random additions, {} cells ({})",
        g.cells
            .iter()
            .filter(|(k, _)| k.as_str() != "DFF_X1")
            .map(|(_, n)| n)
            .sum::<usize>(),
        NANGATE45.name
    );
    println!(
        "  gate level: {adder_pj:.4} pJ per add at {:.2} V, {:.4} pJ at {:.2} V",
        NANGATE45.vdd,
        adder_pj * v * v,
        HOROWITZ_VDD
    );
    println!(
        "  Horowitz (ISSCC 2014, 45 nm, {HOROWITZ_VDD:.2} V): {HOROWITZ_ADD32_PJ:.4} pJ; \
         library / Horowitz at one supply: {:.2}",
        adder_pj * v * v / HOROWITZ_ADD32_PJ
    );
    Ok(())
}
