//! `lutforge gru` through the binary: the tour's commands, a PyTorch model's import, the same
//! front bytes from the same seed, and every bad input (exit 2, one line, no partial file).

mod common;

use common::{assert_input_error, lutforge, run};
use std::path::Path;

const TORCH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../gru/tests/corpus/torch_vowels"
);

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn train_eval_and_pareto_with_the_same_bytes_from_the_same_seed() {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("m.json");
    let (code, _, err) = run(&["gru", "train", "--task", "motions", "-o", p(&m), "-q"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["gru", "eval", p(&m), "--homogeneous", "8", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fl = v["float"]["test"]["value"].as_f64().unwrap();
    let int = v["integer"]["scores"]["test"]["value"].as_f64().unwrap();
    assert!(
        fl >= 0.9 && (fl - int).abs() <= 0.05,
        "float {fl}, int8 {int}"
    );
    assert!(v["integer"]["size_bits"].as_u64().unwrap() > 0);
    let fronts: Vec<Vec<u8>> = (0..2)
        .map(|i| {
            let f = d.path().join(format!("f{i}.json"));
            let (code, _, err) = run(&[
                "gru",
                "pareto",
                "--task",
                "motions",
                "--model",
                p(&m),
                "--population",
                "12",
                "--generations",
                "3",
                "-q",
                "-o",
                p(&f),
            ]);
            assert_eq!(code, 0, "{err}");
            std::fs::read(f).unwrap()
        })
        .collect();
    assert_eq!(fronts[0], fronts[1], "same seed, same front bytes");
    let front: serde_json::Value = serde_json::from_slice(&fronts[0]).unwrap();
    assert_eq!(front["format"], "lutforge-gru-front/2");
    assert_eq!(front["search"]["kind"], "folds", "motions has fold models");
    assert!(!front["members"].as_array().unwrap().is_empty());
    assert_eq!(front["baselines"].as_array().unwrap().len(), 7);
    assert!(front["members"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["fine_tuned"] == false));

    // Fine-tuning: the tuned members join the front, marked and with their weights.
    let f = d.path().join("ft.json");
    let (code, _, err) = run(&[
        "gru",
        "pareto",
        "--task",
        "motions",
        "--model",
        p(&m),
        "--population",
        "12",
        "--generations",
        "3",
        "--finetune",
        "2",
        "--finetune-epochs",
        "2",
        "-q",
        "-o",
        p(&f),
    ]);
    assert_eq!(code, 0, "{err}");
    let front: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
    let tuned: Vec<&serde_json::Value> = front["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["fine_tuned"] == true)
        .collect();
    for t in &tuned {
        assert!(t["weights"].as_array().unwrap().len() > 100);
    }
    assert_eq!(front["settings"]["finetune"], 2);
}

/// Imports `model` (in the corpus directory `dir`) as a vowels model and checks that its float
/// test accuracy is the one PyTorch measured (`expected.json`); the imported model's path.
fn imports_with_pytorchs_accuracy(d: &Path, dir: &str, model: &str) -> std::path::PathBuf {
    let m = d.join(format!("{model}.json"));
    let src = format!("{dir}/{model}");
    let (code, _, err) = run(&["gru", "import", &src, "--task", "vowels", "-o", p(&m), "-q"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = run(&["gru", "eval", p(&m), "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/expected.json")).unwrap())
            .unwrap();
    let want =
        expected["test_correct"].as_f64().unwrap() / expected["test_sequences"].as_f64().unwrap();
    assert_eq!(v["float"]["test"]["value"].as_f64().unwrap(), want, "{src}");
    m
}

#[test]
fn a_pytorch_model_imports_with_pytorchs_accuracy() {
    let d = tempfile::tempdir().unwrap();
    imports_with_pytorchs_accuracy(d.path(), TORCH, "model.safetensors");
}

#[test]
fn an_onnx_export_imports_with_its_standardization_and_pytorchs_accuracy() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../gru/tests/corpus/torch_vowels_h32"
    );
    let d = tempfile::tempdir().unwrap();
    imports_with_pytorchs_accuracy(d.path(), dir, "model.onnx");
    let onnx = format!("{dir}/model.onnx");
    // The graph standardizes its inputs: a second standardization is refused.
    let o = d.path().join("twice.json");
    assert_input_error(
        &[
            "gru",
            "import",
            &onnx,
            "--task",
            "vowels",
            "--normalize",
            "-o",
            p(&o),
        ],
        "standardizes its inputs itself",
    );
    let cut = d.path().join("cut.onnx");
    let bytes = std::fs::read(&onnx).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
    assert_input_error(
        &["gru", "import", p(&cut), "--task", "vowels", "-o", p(&o)],
        "not an ONNX model",
    );
}

#[test]
fn bad_inputs_are_one_line_and_leave_no_file() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.json");
    let o = p(&out);
    let st = format!("{TORCH}/model.safetensors");
    assert_input_error(
        &["gru", "train", "--task", "nope", "-o", o],
        "unknown task 'nope'",
    );
    assert_input_error(
        &["gru", "pareto", "--task", "nope", "-o", o],
        "unknown task 'nope'",
    );
    // The PyTorch model takes 12 features; fsdd has 13.
    assert_input_error(
        &["gru", "import", &st, "--task", "fsdd", "-o", o],
        "12 features",
    );
    assert_input_error(
        &[
            "gru", "import", &st, "--task", "vowels", "--head", "out", "-o", o,
        ],
        "no tensor 'out.weight'",
    );
    let junk = d.path().join("junk.safetensors");
    std::fs::write(&junk, b"\x08\x00\x00\x00\x00\x00\x00\x00{}").unwrap();
    assert_input_error(
        &["gru", "import", p(&junk), "--task", "vowels", "-o", o],
        "junk.safetensors",
    );
    let m = d.path().join("m.json");
    assert_eq!(
        run(&["gru", "import", &st, "--task", "vowels", "-o", p(&m), "-q"]).0,
        0
    );
    assert_input_error(&["gru", "eval", p(&m), "--homogeneous", "17"], "2..16");
    assert_input_error(
        &["gru", "eval", p(&m), "--bits", "all=1"],
        "widths lie in 2..=16",
    );
    assert_input_error(
        &["gru", "eval", p(&m), "--bits", "8,8,8"],
        "a genome of 3 genes",
    );
    assert_input_error(
        &["gru", "eval", p(&m), "--bits", "all=4,k_tanh=5"],
        "k_tanh = 5",
    );
    assert_input_error(&["gru", "eval", p(&m), "--task", "motions"], "task motions");
    assert_input_error(
        &[
            "gru",
            "pareto",
            "--task",
            "vowels",
            "--model",
            p(&m),
            "--bits",
            "1..8",
            "-o",
            o,
        ],
        "2..16",
    );
    assert_input_error(
        &[
            "gru",
            "pareto",
            "--task",
            "adding",
            "--min-accuracy",
            "0.9",
            "-o",
            o,
        ],
        "regression",
    );
    // A user task with NaN in the data, and one with an empty sequence.
    let ts = d.path().join("t.ts");
    std::fs::write(
        &ts,
        "@dimensions 1\n@classLabel true a b\n@data\n1,2:a\n1,nan:b\n",
    )
    .unwrap();
    assert_input_error(
        &["gru", "train", "--task", p(&ts), "-o", o],
        "'nan' is not a finite number",
    );
    let npz = d.path().join("t.npz");
    {
        use ndarray_npy::NpzWriter;
        let mut w = NpzWriter::new(std::fs::File::create(&npz).unwrap());
        w.add_array("X", &ndarray::Array2::<f32>::zeros((3, 2)))
            .unwrap();
        w.add_array("y", &ndarray::arr1(&[0i64, 1, 0])).unwrap();
        w.add_array("lengths", &ndarray::arr1(&[2i64, 0, 1]))
            .unwrap();
        w.finish().unwrap();
    }
    assert_input_error(
        &["gru", "train", "--task", p(&npz), "-o", o],
        "sequence 1 has length 0",
    );
    assert!(!out.exists(), "no partial output");
}

/// The choosing protocol's bad input: search data that does not fit the task, a rule no
/// member meets (naming the closest), folds that a class cannot fill.
#[test]
fn search_data_and_member_rules_are_checked() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.json");
    let o = p(&out);
    let write_npz = |name: &str, x: ndarray::Array2<f64>, y: &[i64], lengths: &[i64]| {
        use ndarray_npy::NpzWriter;
        let path = d.path().join(name);
        let mut w = NpzWriter::new(std::fs::File::create(&path).unwrap());
        w.add_array("X", &x).unwrap();
        w.add_array("y", &ndarray::arr1(y)).unwrap();
        w.add_array("lengths", &ndarray::arr1(lengths)).unwrap();
        w.finish().unwrap();
        path
    };
    let m = d.path().join("m.json");
    let (code, _, err) = run(&[
        "gru",
        "train",
        "--task",
        "motions",
        "--hidden",
        "4",
        "--epochs",
        "2",
        "--folds",
        "2",
        "-o",
        p(&m),
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let pareto = |extra: &[&str]| -> Vec<String> {
        let mut a: Vec<String> = [
            "gru",
            "pareto",
            "--task",
            "motions",
            "--model",
            p(&m),
            "--population",
            "6",
            "--generations",
            "1",
            "--finetune",
            "0",
            "-q",
            "-o",
            o,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    fn as_refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }
    // Seven features where the task has six.
    let wide = write_npz("wide.npz", ndarray::Array2::zeros((4, 7)), &[0, 1], &[2, 2]);
    let a = pareto(&["--search-data", p(&wide)]);
    assert_input_error(&as_refs(&a), "7 features; the task has 6");
    // A label outside the model's four classes.
    let bad = write_npz("bad.npz", ndarray::Array2::zeros((4, 6)), &[0, 7], &[2, 2]);
    let a = pareto(&["--search-data", p(&bad)]);
    assert_input_error(&as_refs(&a), "label 7; the model's classes are 0 to 3");
    // No sequences at all.
    let empty = write_npz("empty.npz", ndarray::Array2::zeros((0, 6)), &[], &[]);
    let a = pareto(&["--search-data", p(&empty)]);
    assert_input_error(&as_refs(&a), "no sequences");
    // Folds that a class cannot fill (BasicMotions has ten training sequences per class).
    assert_input_error(
        &[
            "gru", "train", "--task", "motions", "--folds", "11", "-o", o,
        ],
        "fewer than the folds",
    );
    assert_input_error(
        &[
            "gru",
            "pareto",
            "--task",
            "motions",
            "--min-accuracy",
            "97",
            "-o",
            o,
        ],
        "a fraction in 0..1",
    );
    // A rule no member meets names the closest member.
    let front = d.path().join("front.json");
    let a = pareto(&[]);
    let mut a = as_refs(&a);
    let i = a.iter().position(|x| *x == o).unwrap();
    a[i] = p(&front);
    assert_eq!(run(&a).0, 0);
    assert_input_error(
        &[
            "gru",
            "gen",
            p(&front),
            "--member",
            "smallest-above:1.0",
            "-o",
            o,
        ],
        "the closest is member",
    );
    assert_input_error(
        &[
            "gru",
            "gen",
            p(&front),
            "--member",
            "smallest-above:97",
            "-o",
            o,
        ],
        "a fraction in 0..1",
    );
    assert_input_error(
        &["gru", "gen", p(&front), "--member", "largest", "-o", o],
        "smallest-within:P",
    );
    assert!(!out.exists(), "no partial output");
}

#[test]
fn missing_or_corrupt_data_files_are_named() {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("m.json");
    let mut cmd = lutforge();
    let o = cmd
        .env("LUTFORGE_DATA", d.path())
        .args(["gru", "train", "--task", "vowels", "-o", p(&out)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("sktime-1.2.0-py3-none-any.whl") && err.contains("make deps"),
        "{err}"
    );
    std::fs::write(d.path().join("sktime-1.2.0-py3-none-any.whl"), b"tampered").unwrap();
    let o = lutforge()
        .env("LUTFORGE_DATA", d.path())
        .args(["gru", "train", "--task", "vowels", "-o", p(&out)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(
        err.lines().filter(|l| !l.starts_with("  ")).count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("SHA-256") && err.contains("not the published"),
        "{err}"
    );
    assert!(!out.exists());
}

/// A front member becomes a verified GRU cell: `gru gen` writes it, `gru verify` checks the
/// cell model against the integer model and the RTL against the cell model (Verilator, with
/// stalls), `gru sim` counts its cycles; a hand-edited RTL fails verify with exit 1; bad
/// input is one line and exit 2.
#[test]
fn a_front_member_becomes_a_verified_cell() {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("torch.json");
    let st = format!("{TORCH}/model.safetensors");
    let (code, _, err) = run(&["gru", "import", &st, "--task", "vowels", "-o", p(&m), "-q"]);
    assert_eq!(code, 0, "{err}");
    let front = d.path().join("front.json");
    let (code, _, err) = run(&[
        "gru",
        "pareto",
        "--task",
        "vowels",
        "--model",
        p(&m),
        "--population",
        "12",
        "--generations",
        "3",
        "--bits",
        "4..8",
        "-o",
        p(&front),
        "-q",
    ]);
    assert_eq!(code, 0, "{err}");
    let f: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&front).unwrap()).unwrap();
    let members = f["members"].as_array().unwrap();
    // The most faithful member on the search data: every operator of it matters to the state.
    let best = (0..members.len())
        .max_by(|&a, &b| {
            members[a]["search"]["value"]
                .as_f64()
                .unwrap()
                .total_cmp(&members[b]["search"]["value"].as_f64().unwrap())
        })
        .unwrap()
        .to_string();
    let cell = d.path().join("cell");
    let (code, out, err) = run(&[
        "gru",
        "gen",
        p(&front),
        "--member",
        &best,
        "--lanes",
        "3",
        "--name",
        "vowels_cell",
        "-o",
        p(&cell),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("vowels_cell.v"), "{out}");
    let (code, out, err) = run(&["gru", "verify", p(&cell)]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cell model = integer model: "), "{out}");
    assert!(out.contains(", 0 mismatches"), "{out}");
    // Whole sequences only: as many steps as the first sequences of steps.txt that fit in 64.
    let mut lens = Vec::new();
    for l in std::fs::read_to_string(cell.join("steps.txt"))
        .unwrap()
        .lines()
    {
        if l.starts_with("1 ") || lens.is_empty() {
            lens.push(0);
        }
        *lens.last_mut().unwrap() += 1;
    }
    let mut whole = 0;
    for n in lens {
        if whole + n > 64 {
            break;
        }
        whole += n;
    }
    assert!(whole > 0 && whole <= 64);
    assert!(
        out.contains(&format!(
            "icarus testbench = integer model: PASS {whole} steps"
        )),
        "{out}"
    );
    let (code, out, err) = run(&["gru", "sim", p(&cell), "--json"]);
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 8 hidden units on 3 lanes: 3 groups of 3(12 + 8) MAC cycles, then each group's rows
    // and 2 more through the elementwise stage, plus the two handshake cycles.
    assert_eq!(s["cycles_per_step"], 3 * (3 * (12 + 8) + 2) + 8 + 2);
    assert_eq!(
        s["cycles"].as_u64().unwrap(),
        s["steps"].as_u64().unwrap() * s["cycles_per_step"].as_u64().unwrap()
    );
    // The programmable cell: the same states, and reloads between sequences.
    let pcell = d.path().join("pcell");
    let (code, _, err) = run(&[
        "gru",
        "gen",
        p(&front),
        "--member",
        &best,
        "--lanes",
        "2",
        "--programmable",
        "-o",
        p(&pcell),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["gru", "verify", p(&pcell)]);
    assert_eq!(code, 0, "{err}");
    // The model's waveform and Verilator's of the same run, equal signal by signal.
    let (mv, rv) = (d.path().join("model.vcd"), d.path().join("rtl.vcd"));
    let (code, wout, err) = run(&[
        "gru",
        "verify",
        p(&pcell),
        "--sequences",
        "2",
        "--vcd",
        p(&rv),
        "--model-vcd",
        p(&mv),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        wout.contains("waveforms: the model's = the RTL's"),
        "{wout}"
    );
    let mtext = std::fs::read_to_string(&mv).unwrap();
    for name in [
        "$scope module gru_cell_tb",
        "$scope module gru_cell ",
        " acc_r0 ",
        " h_next ",
        " cfg_data ",
    ] {
        assert!(mtext.contains(name), "{name}");
    }
    assert_input_error(
        &["gru", "verify", p(&pcell), "--sequences", "0"],
        "--sequences 0",
    );
    assert!(
        out.contains("cfg writes") && !out.contains(" 0 cfg writes"),
        "{out}"
    );
    assert!(out.contains(", 0 mismatches"), "{out}");
    // Synthesis, and the cost model's count of the same structure beside it.
    let (code, out, err) = run(&["gru", "synth", p(&cell), "--json"]);
    assert_eq!(code, 0, "{err}");
    let y: serde_json::Value = serde_json::from_str(&out).unwrap();
    let yosys = y["transistors"].as_f64().unwrap();
    let (code, out, err) = run(&["gru", "cost", p(&cell), "--json"]);
    assert_eq!(code, 0, "{err}");
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    let model = c["cmos_transistors"].as_f64().unwrap();
    assert!(
        (model / yosys - 1.0).abs() <= 0.2,
        "cost model {model} against Yosys {yosys} transistors"
    );
    assert!(c["area_um2"].as_f64().unwrap() > 0.0);
    // An edited update of the z gate's sum is found.
    let v = cell.join("vowels_cell.v");
    let text = std::fs::read_to_string(&v).unwrap();
    let edited = text.replacen("acc_z0 <= acc_z0 + e0", "acc_z0 <= acc_z0 - e0", 1);
    assert_ne!(edited, text);
    std::fs::write(&v, edited).unwrap();
    let (code, _, err) = run(&["gru", "verify", p(&cell)]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("the RTL and the cell model differ"), "{err}");
    // Bad input.
    let o = d.path().join("x");
    let ox = p(&o);
    assert_input_error(
        &["gru", "gen", p(&front), "--member", "999", "-o", ox],
        "--member 999: the front holds",
    );
    assert_input_error(
        &[
            "gru",
            "gen",
            p(&front),
            "--member",
            "0",
            "--lanes",
            "9",
            "-o",
            ox,
        ],
        "--lanes 9: 1 to 8",
    );
    assert_input_error(
        &[
            "gru",
            "gen",
            p(&front),
            "--member",
            "0",
            "--lanes",
            "0",
            "-o",
            ox,
        ],
        "--lanes 0",
    );
    assert_input_error(
        &["gru", "gen", p(&m), "--member", "0", "-o", ox],
        "not a GRU front",
    );
    assert_input_error(
        &["gru", "gen", p(&front), "--member", "int9", "-o", ox],
        "the front's baselines are",
    );
    assert_input_error(&["gru", "verify", p(d.path())], "cell.json");
    assert!(!o.exists());
}

/// `gru pareto --cell-lanes P` prices each genome as the GRU cell: every member carries the
/// cell's area and energy, and a member's area is what `gru cost` reports for the cell that
/// `gru gen` makes of it.
#[test]
fn a_front_priced_as_the_cell_agrees_with_gru_cost() {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("torch.json");
    let st = format!("{TORCH}/model.safetensors");
    let (code, _, err) = run(&["gru", "import", &st, "--task", "vowels", "-o", p(&m), "-q"]);
    assert_eq!(code, 0, "{err}");
    let front = d.path().join("front.json");
    let csv = d.path().join("front.csv");
    let args = [
        "gru",
        "pareto",
        "--task",
        "vowels",
        "--model",
        p(&m),
        "--population",
        "8",
        "--generations",
        "2",
        "--bits",
        "4..8",
        "-q",
    ];
    let (code, _, err) = run(&[
        &args[..],
        &["--cell-lanes", "2", "-o", p(&front), "--csv", p(&csv)],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let f: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&front).unwrap()).unwrap();
    assert_eq!(f["settings"]["cell_lanes"], 2);
    let members = f["members"].as_array().unwrap();
    for m in members {
        assert_eq!(m["cell"]["lanes"], 2, "{m}");
        assert!(m["cell"]["energy_per_inference_pj"].as_f64().unwrap() > 0.0);
    }
    assert!(std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .next()
        .unwrap()
        .ends_with("cell_ge,cell_energy_pj"));
    let last = (members.len() - 1).to_string();
    let cell = d.path().join("cell");
    let (code, _, err) = run(&[
        "gru",
        "gen",
        p(&front),
        "--member",
        &last,
        "--lanes",
        "2",
        "-o",
        p(&cell),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&["gru", "cost", p(&cell), "--json"]);
    assert_eq!(code, 0, "{err}");
    let c: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(c["ge"], members[members.len() - 1]["cell"]["ge"]);
    assert!(c["energy_per_inference_pj"].as_f64().unwrap() > 0.0);
    let parts: f64 = c["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["energy_per_step_pj"].as_f64().unwrap())
        .sum();
    let per_step = c["energy_per_step_pj"].as_f64().unwrap();
    assert!(
        (parts - per_step).abs() <= 1e-9 * per_step,
        "{parts} vs {per_step}"
    );
    let x = d.path().join("x.json");
    assert_input_error(
        &[&args[..], &["--cell-lanes", "0", "-o", p(&x)]].concat(),
        "--cell-lanes 0",
    );
    assert!(!x.exists());
}

#[test]
fn gru_synth_power_prices_a_cells_netlist_on_its_testbench() {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("m.json");
    let f = d.path().join("f.json");
    let cell = d.path().join("cell");
    for args in [
        vec![
            "gru",
            "train",
            "--task",
            "motions",
            "--hidden",
            "4",
            "--epochs",
            "2",
            "-q",
            "-o",
            p(&m),
        ],
        vec![
            "gru",
            "pareto",
            "--task",
            "motions",
            "--model",
            p(&m),
            "--population",
            "8",
            "--generations",
            "1",
            "--finetune",
            "0",
            "-q",
            "-o",
            p(&f),
        ],
        vec!["gru", "gen", p(&f), "--member", "int8", "-o", p(&cell)],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
    }
    let (code, out, err) = run(&["gru", "synth", p(&cell), "--power", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // Motions' sequences are 100 steps: the testbench replays the first, cut at 64.
    assert_eq!(
        (v["sequences"].as_u64(), v["steps"].as_u64()),
        (Some(1), Some(64))
    );
    let per = &v["per_inference"];
    let f = |k: &str| per[k].as_f64().unwrap();
    let (gate, data) = (f("gate_level_pj"), f("gate_level_datapath_pj"));
    assert!(gate > data && data > 0.0 && f("cost_model_pj") > 0.0, "{v}");
    assert!(f("ratio_clock") > 0.0, "{v}");
    assert!(v["gate_level"]["cells"]["DFF_X1"].as_u64().unwrap() > 0);
    // The unit's report keys, named per inference.
    assert!(
        v["gate_level_leakage_pj_per_inference"].as_f64().unwrap() > 0.0,
        "{v}"
    );
    assert_eq!(v["delays"], "zero delay: no glitches");
    assert!(v["cost_model"]["clock_pj"].as_f64().unwrap() > 0.0, "{v}");
    assert_input_error(
        &["gru", "synth", p(&cell), "--power", "--target", "ice40"],
        "drop --target",
    );
}
