//! Trains one task's float model with the default settings and prints its scores and time:
//! `cargo run --release -p lutforge-gru --example train_task -- TASK [HIDDEN] [SEED]`.

use lutforge_gru::data::{load, wheel::data_dir};
use lutforge_gru::train::{train, TrainConfig};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let task = args.get(1).map(String::as_str).unwrap_or("vowels");
    let ds = load(task, &data_dir()).expect("task data (run make deps)");
    let mut cfg = TrainConfig::for_task(task);
    if let Some(h) = args.get(2) {
        cfg.hidden = h.parse().expect("hidden size");
    }
    if let Some(s) = args.get(3) {
        cfg.seed = s.parse().expect("seed");
    }
    let t0 = std::time::Instant::now();
    let r = train(&ds, &cfg, &mut |e| {
        eprintln!(
            "epoch {:3} loss {:.4}{}",
            e.epoch,
            e.train_loss,
            e.val
                .map(|v| format!(" val {:.4}", v.value))
                .unwrap_or_default()
        )
    });
    println!(
        "{task}: hidden {}, {} epochs: train {:.4}{} test {:.4} in {:.1} s",
        cfg.hidden,
        r.epochs.len(),
        r.train.value,
        r.val
            .map(|v| format!(" val {:.4}", v.value))
            .unwrap_or_default(),
        r.test.value,
        t0.elapsed().as_secs_f64()
    );
}
