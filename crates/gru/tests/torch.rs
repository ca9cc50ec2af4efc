//! A GRU trained by PyTorch 2.5 (scripts/make_torch_fixture.py): imported from its state dict,
//! it computes PyTorch's logits and PyTorch's test accuracy.

use lutforge_gru::data::{load, wheel::data_dir, Target};
use lutforge_gru::import::from_safetensors;
use lutforge_gru::model::argmax;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/torch_vowels");

#[test]
fn pytorch_logits_and_accuracy_are_reproduced() {
    let bytes = std::fs::read(format!("{DIR}/model.safetensors")).unwrap();
    let g = from_safetensors(&bytes, "fc").unwrap();
    assert_eq!((g.shape.input, g.shape.hidden, g.shape.outputs), (12, 8, 9));
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/expected.json")).unwrap())
            .unwrap();
    let ds = load("vowels", &data_dir()).unwrap();
    assert_eq!(
        ds.test.len() as u64,
        expected["test_sequences"].as_u64().unwrap()
    );
    for (s, want) in ds
        .test
        .iter()
        .zip(expected["first_logits"].as_array().unwrap())
    {
        let got = g.forward(s);
        for (a, b) in got.iter().zip(want.as_array().unwrap()) {
            // PyTorch computes in float32, lutforge in float64.
            let b = b.as_f64().unwrap();
            assert!(
                (a - b).abs() < 1e-4 * (1.0 + b.abs()),
                "{a} vs PyTorch's {b}"
            );
        }
    }
    let correct = ds
        .test
        .iter()
        .filter(|s| s.y == Target::Class(argmax(&g.forward(s))))
        .count();
    assert_eq!(correct as u64, expected["test_correct"].as_u64().unwrap());
}
