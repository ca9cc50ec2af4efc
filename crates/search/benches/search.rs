//! Speed of the search: the GA's fitness inner loop and each method end to end.
//! cargo bench -p lutforge-search --bench search

use criterion::{criterion_group, criterion_main, Criterion};
use lutforge_core::{Builtin, Formats, Function};
use lutforge_search::problem::{Objective, ScaleProblem};
use lutforge_search::{exact, ga, rng, search, Method, Request};
use std::hint::black_box;

fn gelu_problem(frac: i32, objective: Objective) -> ScaleProblem {
    let f = Function::Builtin(Builtin::Gelu);
    let d = f.default_domain();
    ScaleProblem::new(&f, d, Formats::default_for(&f, d).datapath(frac), objective)
        .expect("gelu has codes at every scale")
}

fn fitness(c: &mut Criterion) {
    // One individual of 8 segments over the 256 codes of scale 6, segment fits cached (as they
    // are after the first generations): what the GA pays per individual.
    let p = gelu_problem(6, Objective::Hw);
    let g = ga::initial_population(p.n(), 8, 1, &mut rng::seeded(1, 0)).remove(0);
    let mut s = Vec::new();
    ga::fitness(&p, 8, &g, &mut s);
    c.bench_function("ga fitness gelu K=8 scale 6 (cached fits)", |b| {
        b.iter(|| ga::fitness(&p, 8, black_box(&g), &mut s))
    });
    let p = gelu_problem(6, Objective::Pwl);
    c.bench_function("segment fit pwl gelu 32 codes", |b| {
        b.iter(|| p.fit_pwl(black_box(100), black_box(132)))
    });
}

fn methods(c: &mut Criterion) {
    let mut g = c.benchmark_group("methods");
    g.sample_size(10);
    g.bench_function("exact pwl gelu K=16 scale 6", |b| {
        b.iter(|| {
            let p = gelu_problem(6, Objective::Pwl);
            exact::solve(&p, 16)
        })
    });
    g.bench_function("exact mse gelu K=16 scale 6", |b| {
        b.iter(|| {
            let p = gelu_problem(6, Objective::Hw);
            exact::solve(&p, 16)
        })
    });
    let mut gqa = Request::new(Function::Builtin(Builtin::Gelu), 8);
    gqa.method = Method::Gqa;
    g.bench_function("gqa 50x500 gelu K=8 scales 0..6", |b| {
        b.iter(|| search(&gqa, &mut |_| {}).expect("valid request"))
    });
    let mut ga_req = Request::new(Function::Builtin(Builtin::Gelu), 8);
    ga_req.scales = 6..=6;
    g.bench_function("ga 50x500 gelu K=8 scale 6 (with gap to exact)", |b| {
        b.iter(|| search(&ga_req, &mut |_| {}).expect("valid request"))
    });
    g.finish();
}

criterion_group!(benches, fitness, methods);
criterion_main!(benches);
