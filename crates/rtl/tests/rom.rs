//! The direct-table unit: lint-clean, and under Icarus every input code gives the correctly
//! rounded word of `lutforge_core::rom` one cycle later, through stalls.

use lutforge_core::format::FixedFormat;
use lutforge_core::{rom, Builtin, Function};
use lutforge_rtl::rom::render_rom;
use lutforge_rtl::tools::Tool;

#[test]
fn the_rom_unit_lints_clean_and_returns_every_word() {
    Tool::Verilator.require().unwrap();
    Tool::Iverilog.require().unwrap();
    let f = Function::Builtin(Builtin::Gelu);
    let (input, output) = (FixedFormat::new(6, 3), FixedFormat::new(7, 4));
    let words = rom::words(&f, (-4.0, 4.0), input, output).unwrap();
    assert!(rom::max_err_lsb(&words, &f, (-4.0, 4.0), input, output) <= 0.5);
    let v = render_rom("gelu_rom6", 6, 7, &words, &["test".into()]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gelu_rom6.v"), &v).unwrap();
    let lint = std::process::Command::new("verilator")
        .args(["--lint-only", "-Wall", "gelu_rom6.v"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&lint.stderr);
    assert!(lint.status.success() && err.trim().is_empty(), "{err}");
    // Every code in, with out_ready low on every third cycle; each taken result is compared
    // with the word of the code taken one beat before.
    let expect: String = words
        .iter()
        .map(|w| format!("{:02x}\n", *w as u64 & 0x7f))
        .collect();
    std::fs::write(dir.path().join("expect.hex"), expect).unwrap();
    let tb = r#"`timescale 1ns/1ps
module tb;
    reg clk = 0, rst = 1, in_valid = 0, out_ready = 0;
    reg [5:0] in_data = 0;
    wire in_ready, out_valid;
    wire [6:0] out_data;
    reg [6:0] expect_v [0:63];
    integer sent = 0, got = 0, cyc = 0, bad = 0;
    gelu_rom6 dut(.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
                  .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data));
    always #5 clk = ~clk;
    initial begin
        $readmemh("expect.hex", expect_v);
        #12 rst = 0;
    end
    always @(negedge clk) if (!rst) begin
        // Drive the next beat and the stall pattern for the coming edge.
        out_ready <= (cyc % 3) != 2;
        cyc = cyc + 1;
    end
    always @(posedge clk) if (!rst) begin
        if (out_valid && out_ready) begin
            if (out_data !== expect_v[got]) begin
                $display("code index %0d: %h, expected %h", got, out_data, expect_v[got]);
                bad = bad + 1;
            end
            got = got + 1;
        end
        if (in_valid && in_ready) sent = sent + 1;
        if (got == 64) begin
            if (bad == 0) $display("PASS"); else $display("FAIL");
            $finish;
        end
        if (cyc > 400) begin $display("FAIL timeout"); $finish; end
    end
    always @(negedge clk) if (!rst) begin
        in_valid <= sent < 64;
        in_data <= sent[5:0] ^ 6'h20;  // index i is code i - 32: the top bit inverted
    end
endmodule
"#;
    std::fs::write(dir.path().join("tb.v"), tb).unwrap();
    Tool::Iverilog
        .run(
            dir.path(),
            &["-g2005", "-o", "tb.vvp", "tb.v", "gelu_rom6.v"],
        )
        .unwrap();
    let out = Tool::Vvp.run(dir.path(), &["-n", "tb.vvp"]).unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().last(), Some("PASS"), "{text}");
}
