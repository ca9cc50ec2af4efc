//! GRUs exported by `torch.onnx.export` (scripts/export_onnx.py): read from the graph, they are
//! the models PyTorch runs; every graph lutforge cannot read exactly is refused, naming why.

use lutforge_gru::data::{load, wheel::data_dir, Sample, Target};
use lutforge_gru::import::from_safetensors;
use lutforge_gru::model::{argmax, Norm};
use lutforge_gru::onnx::from_onnx;
use onnx_protobuf::{AttributeProto, Message, ModelProto, NodeProto};

const H32: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/torch_vowels_h32");
const TWO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/onnx_two_layers");

fn read(path: String) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn the_exported_vowels_model_is_its_state_dict_with_its_standardization() {
    let g = from_onnx(&read(format!("{H32}/model.onnx"))).unwrap();
    let mut want = from_safetensors(&read(format!("{H32}/model.safetensors")), "fc").unwrap();
    let norm: Norm = serde_json::from_slice(&read(format!("{H32}/norm.json"))).unwrap();
    assert_eq!(g.shape, want.shape);
    // The gates reordered z, r, h → r, z, n: every weight is the state dict's, bit for bit.
    assert_eq!(g.params, want.params);
    // The graph holds the mean and std in float32.
    for (a, b) in g.norm.mean.iter().zip(&norm.mean) {
        assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "mean {a} vs {b}");
    }
    for (a, b) in g.norm.std.iter().zip(&norm.std) {
        assert!((a - b).abs() <= 1e-6 * b.abs(), "std {a} vs {b}");
    }
    want.norm = g.norm.clone();
    let expected: serde_json::Value =
        serde_json::from_slice(&read(format!("{H32}/expected.json"))).unwrap();
    let ds = load("vowels", &data_dir()).unwrap();
    let correct = ds
        .test
        .iter()
        .filter(|s| s.y == Target::Class(argmax(&g.forward(s))))
        .count();
    assert_eq!(correct as u64, expected["test_correct"].as_u64().unwrap());
    for (s, want) in ds
        .test
        .iter()
        .zip(expected["first_logits"].as_array().unwrap())
    {
        for (a, b) in g.forward(s).iter().zip(want.as_array().unwrap()) {
            let b = b.as_f64().unwrap();
            assert!(
                (a - b).abs() < 1e-4 * (1.0 + b.abs()),
                "{a} vs PyTorch's {b}"
            );
        }
    }
}

#[test]
fn two_stacked_layers_a_matmul_head_and_a_folded_affine_give_pytorchs_logits() {
    let g = from_onnx(&read(format!("{TWO}/model.onnx"))).unwrap();
    assert_eq!(
        (
            g.shape.input,
            g.shape.hidden,
            g.shape.layers,
            g.shape.outputs
        ),
        (3, 5, 2, 2)
    );
    // x·0.5 + 1 is (x − (−2)) / 2.
    assert!(g.norm.mean.iter().all(|&m| m == -2.0), "{:?}", g.norm);
    assert!(g.norm.std.iter().all(|&s| s == 2.0), "{:?}", g.norm);
    let expected: serde_json::Value =
        serde_json::from_slice(&read(format!("{TWO}/expected.json"))).unwrap();
    let inputs = expected["inputs"].as_array().unwrap();
    let logits = expected["logits"].as_array().unwrap();
    assert_eq!(inputs.len(), logits.len());
    for (seq, want) in inputs.iter().zip(logits) {
        let steps = seq.as_array().unwrap();
        let x: Vec<f64> = steps
            .iter()
            .flat_map(|st| st.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()))
            .collect();
        let s = Sample {
            x,
            len: steps.len(),
            y: Target::Class(0),
        };
        for (a, b) in g.forward(&s).iter().zip(want.as_array().unwrap()) {
            let b = b.as_f64().unwrap();
            assert!(
                (a - b).abs() < 1e-5 * (1.0 + b.abs()),
                "{a} vs PyTorch's {b}"
            );
        }
    }
}

/// The vowels graph with one change made to it.
fn edited(edit: impl FnOnce(&mut ModelProto)) -> Vec<u8> {
    let mut m = ModelProto::parse_from_bytes(&read(format!("{H32}/model.onnx"))).unwrap();
    edit(&mut m);
    m.write_to_bytes().unwrap()
}

fn gru_node(m: &mut ModelProto) -> &mut NodeProto {
    m.graph
        .as_mut()
        .unwrap()
        .node
        .iter_mut()
        .find(|n| n.op_type == "GRU")
        .unwrap()
}

fn set_attr(n: &mut NodeProto, name: &str, f: impl FnOnce(&mut AttributeProto)) {
    n.attribute.retain(|a| a.name != name);
    let mut a = AttributeProto::new();
    a.name = name.into();
    f(&mut a);
    n.attribute.push(a);
}

fn refused(bytes: &[u8], needle: &str) {
    let e = from_onnx(bytes)
        .expect_err("the graph must be refused")
        .to_string();
    assert!(e.contains(needle), "{e:?} should mention {needle:?}");
    assert!(!e.contains('\n'), "one line: {e:?}");
}

#[test]
fn graphs_that_would_be_read_wrongly_are_refused_by_name() {
    refused(
        &edited(|m| set_attr(gru_node(m), "linear_before_reset", |a| a.i = 0)),
        "linear_before_reset = 0",
    );
    refused(
        &edited(|m| {
            set_attr(gru_node(m), "direction", |a| {
                a.s = b"bidirectional".to_vec()
            })
        }),
        "direction 'bidirectional'",
    );
    refused(
        &edited(|m| {
            // A ReLU between the GRU's state and the head.
            let g = m.graph.as_mut().unwrap();
            let gemm = g.node.iter().position(|n| n.op_type == "Gemm").unwrap();
            let input = g.node[gemm].input[0].clone();
            let mut relu = NodeProto::new();
            relu.name = "act".into();
            relu.op_type = "Relu".into();
            relu.input.push(input);
            relu.output.push("relu_out".into());
            g.node[gemm].input[0] = "relu_out".into();
            g.node.insert(gemm, relu);
        }),
        "node 'act' (Relu)",
    );
    refused(
        &edited(|m| {
            let g = m.graph.as_mut().unwrap();
            let mut out = g.output[0].clone();
            out.name = "/gru/GRU_output_1".into();
            g.output.push(out);
        }),
        "graph output '/gru/GRU_output_1' is not the head's output",
    );
    refused(
        &edited(|m| {
            // The fuzzer's find: a node without outputs (once an index panic).
            let g = m.graph.as_mut().unwrap();
            g.node
                .iter_mut()
                .find(|n| n.op_type == "Gemm")
                .unwrap()
                .output
                .clear();
        }),
        "(Gemm): no output",
    );
    refused(
        &edited(|m| {
            let g = m.graph.as_mut().unwrap();
            g.node.retain(|n| n.op_type != "Gemm");
        }),
        "the graph has no head",
    );
    // Tensors stored beside the model: only by path, only files in the model's directory.
    let external = |loc: &str| {
        let loc = loc.to_string();
        edited(move |m| {
            let t = &mut m.graph.as_mut().unwrap().initializer[0];
            let mut e = onnx_protobuf::StringStringEntryProto::new();
            e.key = "location".into();
            e.value = loc;
            t.external_data.push(e);
            t.raw_data.clear();
        })
    };
    refused(&external("w.data"), "import the .onnx file by its path");
    let d = tempfile::tempdir().unwrap();
    for (loc, needle) in [
        ("../w.data", "is not a plain name beside the model"),
        ("/etc/passwd", "is not a plain name beside the model"),
        ("missing.data", "missing.data"),
    ] {
        let path = d.path().join("m.onnx");
        std::fs::write(&path, external(loc)).unwrap();
        let e = lutforge_gru::onnx::from_onnx_file(&path)
            .unwrap_err()
            .to_string();
        assert!(e.contains(needle), "{e:?} should mention {needle:?}");
    }
    let bytes = read(format!("{H32}/model.onnx"));
    refused(&bytes[..bytes.len() / 2], "not an ONNX model");
    refused(b"", "no graph");
    refused(b"{\"format\": \"lutforge-gru/1\"}", "not an ONNX model");
}
