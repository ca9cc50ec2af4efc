//! The search's inner loop: every code of one scale through the golden model.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use lutforge_core::golden::{eval_range, IntParams};
use lutforge_core::{Builtin, Formats, Function};

fn sweep(c: &mut Criterion) {
    let f = Function::Builtin(Builtin::Gelu);
    let formats = Formats::default_for(&f, f.default_domain());
    let p = IntParams {
        breakpoints: vec![-100, -60, -30, -10, 0, 20, 90],
        slopes: vec![0, -2, -7, 3, 23, 48, 69, 64],
        intercepts: vec![0, -6, -17, -8, 0, -1, -14, 0],
    };
    let mut out = Vec::new();
    for (name, frac) in [("int8_scale0_256codes", 0), ("int8_scale6_256codes", 6)] {
        let dp = formats.datapath(frac);
        c.bench_function(name, |b| {
            b.iter(|| {
                eval_range(&dp, black_box(&p), -128..=127, &mut out);
                black_box(out.len())
            })
        });
    }
    let mut dp32 = formats.datapath(4);
    dp32.input.bits = 32;
    dp32.slope.bits = 32;
    c.bench_function("int32_wide_path_256codes", |b| {
        b.iter(|| {
            eval_range(&dp32, black_box(&p), -128..=127, &mut out);
            black_box(out.len())
        })
    });
}

criterion_group!(benches, sweep);
criterion_main!(benches);
