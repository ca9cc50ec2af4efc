//! The direct-table unit (`--arch rom`) as an independent implementation read it: its load
//! image, a programmable unit narrower at the output than at the input, its writes during
//! reset, and `verify` of a table file.

use crate::harness::*;

/// A tanh table with a 6-bit output (narrower than its 8-bit input), truncating.
fn narrow_table(sb: &Sandbox) {
    sb.run(&[
        "search",
        "--function",
        "tanh",
        "--segments",
        "8",
        "--method",
        "exact",
        "--output-bits",
        "6",
        "--rounding",
        "truncate",
        "-q",
        "-o",
        "t.json",
    ])
    .ok();
}

/// One write per word, each word once: applied in any order they load the same RAM.
#[test]
fn a_direct_tables_load_image_is_one_write_per_word() {
    let sb = Sandbox::new();
    narrow_table(&sb);
    sb.run(&[
        "export", "--to", "load", "t.json", "--scale", "4", "--arch", "rom", "-o", "P",
    ])
    .ok();
    let img: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sb.path("P.json")).unwrap()).unwrap();
    let writes = img["writes"].as_array().unwrap();
    assert_eq!(writes.len(), 256, "one write per word of a 256-word RAM");
    let mut addrs: Vec<u64> = writes.iter().map(|w| w["addr"].as_u64().unwrap()).collect();
    addrs.sort_unstable();
    addrs.dedup();
    assert_eq!(addrs.len(), 256, "every word written once");
    assert!(
        writes.iter().all(|w| w["field"] == "word"),
        "{:?}",
        writes[0]
    );
    sb.assert_clean();
}

/// The programmable direct table of a 6-bit output from 8-bit codes generates (its testbench
/// loads the words alone) and verifies, from the table file and from the directory.
#[test]
fn a_narrow_output_direct_table_generates_and_verifies() {
    let sb = Sandbox::new();
    narrow_table(&sb);
    sb.run(&["gen", "t.json", "--scale", "3", "--arch", "rom", "-o", "d"])
        .ok();
    let r = sb.run(&[
        "verify", "t.json", "--arch", "rom", "--scale", "3", "--random", "200",
    ]);
    r.ok();
    assert!(r.stdout.contains("RTL = simulator"), "{r:?}");
    let r = sb.run(&["verify", "d"]);
    r.ok();
    assert!(r.stdout.contains("PASS"), "{r:?}");
    sb.assert_clean();
}

/// A write offered during reset is ignored by the RTL, as by the model (docs/sim.md): an
/// Icarus testbench writes word 128 (code 0) during reset and reads the code back after it.
#[test]
fn a_write_during_reset_is_ignored() {
    let sb = Sandbox::new();
    narrow_table(&sb);
    sb.run(&[
        "gen", "t.json", "--scale", "3", "--arch", "rom", "--stages", "1", "--name", "u", "-o", "d",
    ])
    .ok();
    let tb = r#"
`timescale 1ns/1ps
module tb;
    reg clk = 0, rst = 1, in_valid = 0, out_ready = 1, cfg_we = 0;
    reg [7:0] in_data = 0, cfg_addr = 0;
    reg [5:0] cfg_data = 0;
    wire in_ready, out_valid;
    wire [5:0] out_data;
    u dut(.clk(clk), .rst(rst), .in_valid(in_valid), .in_ready(in_ready), .in_data(in_data),
          .out_valid(out_valid), .out_ready(out_ready), .out_data(out_data),
          .cfg_we(cfg_we), .cfg_addr(cfg_addr), .cfg_data(cfg_data));
    always #5 clk = ~clk;
    initial begin
        // During reset: a write of 21 to the word of code 0 (address 128).
        cfg_we = 1; cfg_addr = 8'd128; cfg_data = 6'd21;
        @(posedge clk); #1; cfg_we = 0; @(posedge clk); #1; rst = 0;
        in_valid = 1; in_data = 8'd0; @(posedge clk); #1; in_valid = 0;
        while (!out_valid) begin @(posedge clk); #1; end
        $display("WORD %0d", out_data);
        $finish;
    end
endmodule
"#;
    sb.write("d/tb_reset.v", tb);
    let vvp = sb.path("d/tb.vvp");
    let st = std::process::Command::new("iverilog")
        .args(["-g2005", "-o"])
        .arg(&vvp)
        .arg(sb.path("d/tb_reset.v"))
        .arg(sb.path("d/u.v"))
        .status()
        .expect("iverilog (make deps installs it)");
    assert!(st.success());
    let out = std::process::Command::new("vvp")
        .arg("-n")
        .arg(&vvp)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // tanh(0) = 0: the word is 0 unless the write during reset took.
    assert!(text.contains("WORD 0"), "{text}");
}
