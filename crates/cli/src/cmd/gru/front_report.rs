//! What `gru pareto` tells about its front: the summary on stderr, the CSV of every member and
//! baseline, and the plot. Every figure names its split; test accuracies carry their count and
//! interval, and the comparison with the 8-bit model is paired.

use lutforge_gru::data::Metric;
use lutforge_gru::pareto::{Front, Scored, SplitScore};
use lutforge_gru::scoring::Paired;
use plotters::prelude::*;
use std::path::Path;

use crate::error::note;

/// "k/n = p % [95 % CI lo–hi]": an accuracy with its count and Wilson interval.
pub fn accuracy(k: usize, n: usize) -> String {
    let (lo, hi) = lutforge_gru::scoring::wilson(k, n);
    format!(
        "{k}/{n} = {:.2} % [95 % CI {:.1}–{:.1}]",
        100.0 * k as f64 / n.max(1) as f64,
        100.0 * lo,
        100.0 * hi
    )
}

/// A split's figure: "k/n = p % [lo, hi]" for a labelled classification, the MSE otherwise.
fn split(metric: Metric, s: &SplitScore, labelled: bool) -> String {
    match (metric, s.correct, s.ci95) {
        (Metric::Accuracy, Some(k), Some(_)) => accuracy(k, s.n),
        (Metric::Accuracy, _, _) if !labelled => {
            format!(
                "{:.2} % agreement with the float model ({} sequences)",
                100.0 * s.value,
                s.n
            )
        }
        (Metric::Accuracy, _, _) => format!("{:.2} % ({} sequences)", 100.0 * s.value, s.n),
        (Metric::Mse, _, _) if !labelled => {
            format!(
                "{:.3e} squared difference from the float model ({} sequences)",
                s.value, s.n
            )
        }
        (Metric::Mse, _, _) => format!("MSE {:.5} ({} sequences)", s.value, s.n),
    }
}

/// A paired comparison with the 8-bit model on the test split.
fn versus(metric: Metric, p: &Paired, variance_point: f64) -> String {
    match (p.gained, p.lost, p.p) {
        (Some(g), Some(l), Some(pv)) => format!(
            "{:+.2} points [95 % CI {:+.2}, {:+.2}], {g} sequence(s) gained and {l} lost, McNemar's exact p = {pv:.3}",
            100.0 * p.difference,
            100.0 * p.ci95.0,
            100.0 * p.ci95.1
        ),
        _ => {
            let _ = metric;
            // `variance_point` is one point of explained variance in MSE.
            let pt = |v: f64| v / variance_point.max(1e-300);
            format!(
                "MSE {:+.5} [95 % CI {:+.5}, {:+.5}] = {:+.2} points of explained variance",
                p.difference,
                p.ci95.0,
                p.ci95.1,
                pt(p.difference)
            )
        }
    }
}

pub fn summary(f: &Front, out: &Path) {
    let m = f.metric;
    let lab = f.search.labelled;
    note(format_args!(
        "{} members after {} evaluations in {:.1} s ({:.0}/s, {} tables); wrote {}",
        f.members.len(),
        f.evaluations,
        f.seconds,
        f.evaluations as f64 / f.seconds.max(1e-9),
        f.tables,
        out.display()
    ));
    note(format_args!(
        "search data: {}; objective: {}",
        f.search.description,
        f.search.objective.name()
    ));
    note(format_args!(
        "float model: search {}; test {}",
        split(m, &f.float_search, lab),
        split(m, &f.float_test, true)
    ));
    let int8 = f.baselines.iter().find(|b| b.bits == 8);
    if let Some(r) = int8 {
        note(format_args!(
            "int8 model: search {}; test {}",
            split(m, &r.scored.search, lab),
            split(m, &r.scored.test, true)
        ));
    }
    let tuned: Vec<String> = f
        .members
        .iter()
        .enumerate()
        .filter(|(_, x)| x.fine_tuned)
        .map(|(i, _)| i.to_string())
        .collect();
    let settings_tuned = f.settings["finetune"].as_u64().unwrap_or(0);
    note(format_args!(
        "{}",
        if settings_tuned == 0 {
            "no member fine-tuned (--finetune 0): every member is a post-training quantization"
                .to_string()
        } else if tuned.is_empty() {
            format!(
                "{settings_tuned} member(s) fine-tuned before the choice; none stayed on the front"
            )
        } else {
            format!(
                "fine-tuned before the choice ({} tried): member(s) {} of the front",
                settings_tuned,
                tuned.join(", ")
            )
        }
    ));
    match (&f.saving, int8) {
        (Some(s), Some(r)) => {
            let x = &f.members[s.member];
            note(format_args!(
                "recommended ({} of the int8 model, on the search data): member {}{}, {} bits, {:.1} % smaller and {:.1} % less energy than int8",
                s.rule,
                s.member,
                if x.fine_tuned { " (fine-tuned)" } else { "" },
                x.size_bits,
                100.0 * s.size_saving,
                100.0 * s.energy_saving
            ));
            note(format_args!(
                "  member {}: search {}; test {}",
                s.member,
                split(m, &x.search, lab),
                split(m, &x.test, true)
            ));
            if let Some(p) = &x.test_vs_int8 {
                note(format_args!(
                    "  member {} against int8 on the test split (paired): {}",
                    s.member,
                    versus(m, p, f.tolerance)
                ));
            }
            if let (Some(a), Some(e), Some(c), Some(rc)) = (
                s.cell_area_saving,
                s.cell_energy_saving,
                x.cell,
                r.scored.cell,
            ) {
                note(format_args!(
                    "  as the GRU cell of {} lane(s): {:.0} GE (cost model) against int8's {:.0} GE, {:.1} % smaller; {:.0} pJ per inference, {:.1} % less",
                    c.lanes,
                    c.ge,
                    rc.ge,
                    100.0 * a,
                    c.energy_per_inference_pj,
                    100.0 * e
                ));
            }
        }
        _ => note(format_args!(
            "no member is within one point of the int8 model on the search data"
        )),
    }
    let wide: Vec<String> = f
        .widths
        .iter()
        .take(6)
        .map(|g| format!("{} {:.1}", g.gene, g.mean_bits))
        .collect();
    let hv = |h: &lutforge_gru::pareto::Hypervolume| {
        format!(
            "{:.4} vs the homogeneous {:.4} ({})",
            h.front,
            h.homogeneous,
            if h.dominates_every_baseline {
                "above every baseline"
            } else {
                "NOT above every baseline"
            }
        )
    };
    note(format_args!(
        "members within a point of int8 (search data) keep widest: {}; hypervolume on the search data {}, on the test split {}",
        wide.join(", "),
        hv(&f.hypervolume.search),
        hv(&f.hypervolume.test)
    ));
}

pub fn csv(f: &Front) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut head = vec!["kind".to_string(), "index".into()];
    head.extend(f.gene_names.iter().cloned());
    head.extend(
        [
            "objective",
            "search_error",
            "search_value",
            "search_n",
            "test_value",
            "test_correct",
            "test_n",
            "test_ci95_low",
            "test_ci95_high",
            "test_vs_int8",
            "test_vs_int8_ci95_low",
            "test_vs_int8_ci95_high",
            "test_vs_int8_gained",
            "test_vs_int8_lost",
            "test_vs_int8_p",
            "size_bits",
            "energy_pj",
            "fine_tuned",
            "recommended",
        ]
        .map(String::from),
    );
    let cell = f.members.iter().any(|m| m.cell.is_some());
    if cell {
        head.extend(["cell_ge", "cell_energy_pj"].map(String::from));
    }
    let _ = w.write_record(&head);
    let chosen = f.saving.as_ref().map(|s| s.member);
    let rows = f
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| ("front", i, m))
        .chain(
            f.baselines
                .iter()
                .map(|b| ("baseline", b.bits as usize, &b.scored)),
        );
    let opt = |v: Option<String>| v.unwrap_or_default();
    for (kind, i, m) in rows {
        let mut r = vec![kind.to_string(), i.to_string()];
        r.extend(m.genes.iter().map(|g| g.to_string()));
        let p = m.test_vs_int8;
        r.extend([
            m.objective.to_string(),
            m.error.to_string(),
            m.search.value.to_string(),
            m.search.n.to_string(),
            m.test.value.to_string(),
            opt(m.test.correct.map(|c| c.to_string())),
            m.test.n.to_string(),
            opt(m.test.ci95.map(|c| c.0.to_string())),
            opt(m.test.ci95.map(|c| c.1.to_string())),
            opt(p.map(|p| p.difference.to_string())),
            opt(p.map(|p| p.ci95.0.to_string())),
            opt(p.map(|p| p.ci95.1.to_string())),
            opt(p.and_then(|p| p.gained).map(|v| v.to_string())),
            opt(p.and_then(|p| p.lost).map(|v| v.to_string())),
            opt(p.and_then(|p| p.p).map(|v| v.to_string())),
            m.size_bits.to_string(),
            m.energy_pj.to_string(),
            m.fine_tuned.to_string(),
            (kind == "front" && Some(i) == chosen).to_string(),
        ]);
        if cell {
            r.push(m.cell.map_or(String::new(), |c| c.ge.to_string()));
            r.push(
                m.cell
                    .map_or(String::new(), |c| c.energy_per_inference_pj.to_string()),
            );
        }
        let _ = w.write_record(&r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// Whether `m` is dominated in the drawn plane (search error, size) by another member: the
/// front has three objectives, and a member may be on it for its energy alone.
fn dominated_in_plane(m: &Scored, all: &[Scored]) -> bool {
    all.iter().any(|o| {
        o.error <= m.error && o.size() <= m.size() && (o.error < m.error || o.size() < m.size())
    })
}

/// Search and test accuracy (or MSE, log scale) of every member and baseline against size
/// (or the cell's area): filled marks the search data, hollow the test split; the int8 model
/// less one point (search data) a dashed line; the recommended member ringed and named.
pub fn plot(f: &Front) -> Result<String, Box<dyn std::error::Error>> {
    let cell = f.members.iter().any(|m| m.cell.is_some());
    let xs = |s: &Scored| {
        if cell {
            s.size() / 1000.0
        } else {
            s.size_bits as f64 / 1000.0
        }
    };
    let y = |v: f64| match f.metric {
        Metric::Accuracy => 100.0 * v,
        Metric::Mse => v.max(1e-9),
    };
    let int8 = f.baselines.iter().find(|b| b.bits == 8);
    let chosen = f.saving.as_ref().map(|s| s.member);
    let all: Vec<&Scored> = f
        .members
        .iter()
        .chain(f.baselines.iter().map(|b| &b.scored))
        .collect();
    let x_max = all.iter().map(|s| xs(s)).fold(0.0f64, f64::max) * 1.06 + 1e-9;
    let x_min = all.iter().map(|s| xs(s)).fold(f64::MAX, f64::min) * 0.9;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 660)).into_drawing_area();
        root.fill(&WHITE)?;
        let caption = format!(
            "{}: {} vs {} ({} members; search data: {})",
            f.task,
            match f.metric {
                Metric::Accuracy => "accuracy",
                Metric::Mse => "MSE",
            },
            if cell { "cell area" } else { "model size" },
            f.members.len(),
            f.search.kind
        );
        let mut b = ChartBuilder::on(&root);
        b.caption(caption, ("sans-serif", 18))
            .margin(16)
            .x_label_area_size(44)
            .y_label_area_size(72);
        let x_desc = if cell {
            "GRU cell area (kGE, cost model)"
        } else {
            "model size (kbit of weights and biases)"
        };
        let y_desc = match f.metric {
            Metric::Accuracy => "accuracy (%): ● search data, ○ test split",
            Metric::Mse => "MSE: ● search data, ○ test split",
        };
        let faded = |c: RGBColor| c.mix(0.25);
        macro_rules! draw {
            ($c:expr, $clip:expr) => {{
                let mut c = $c;
                let clip = $clip;
                c.configure_mesh()
                    .light_line_style(WHITE)
                    .bold_line_style(RGBColor(232, 232, 232))
                    .x_desc(x_desc)
                    .y_desc(y_desc)
                    .draw()?;
                if let Some(r) = int8 {
                    let line = match f.metric {
                        Metric::Accuracy => y(1.0 - r.scored.error - f.tolerance),
                        Metric::Mse => y(r.scored.error + f.tolerance),
                    };
                    c.draw_series(DashedLineSeries::new(
                        vec![(x_min, line), (x_max, line)],
                        6,
                        4,
                        BLACK.mix(0.6).stroke_width(1),
                    ))?
                    .label("int8 less one point (search data)")
                    .legend(|(x, yy)| {
                        PathElement::new(vec![(x, yy), (x + 20, yy)], BLACK.mix(0.6))
                    });
                }
                for (i, m) in f.members.iter().enumerate() {
                    let col = if dominated_in_plane(m, &f.members) {
                        faded(RED)
                    } else {
                        RED.into()
                    };
                    let (sx, sy, ty) = (xs(m), clip(y(m.search.value)), clip(y(m.test.value)));
                    c.draw_series(std::iter::once(PathElement::new(
                        vec![(sx, sy), (sx, ty)],
                        col.stroke_width(1),
                    )))?;
                    c.draw_series(std::iter::once(Circle::new((sx, sy), 4, col.filled())))?;
                    c.draw_series(std::iter::once(Circle::new(
                        (sx, ty),
                        4,
                        col.stroke_width(1),
                    )))?;
                    if Some(i) == chosen {
                        c.draw_series(std::iter::once(Circle::new(
                            (sx, sy),
                            10,
                            BLACK.stroke_width(2),
                        )))?;
                        c.draw_series(std::iter::once(
                            EmptyElement::at((sx, sy))
                                + Text::new(
                                    format!("recommended: member {i}"),
                                    (14, -22),
                                    ("sans-serif", 13).into_font().color(&BLACK),
                                ),
                        ))?;
                    }
                }
                c.draw_series(Vec::<Circle<(f64, f64), i32>>::new())?
                    .label(
                        "mixed precision (faded: dominated in this plane, on the front by energy)",
                    )
                    .legend(|(x, yy)| Circle::new((x + 10, yy), 4, RED.filled()));
                for bl in &f.baselines {
                    let (bx, sy, ty) = (
                        xs(&bl.scored),
                        clip(y(bl.scored.search.value)),
                        clip(y(bl.scored.test.value)),
                    );
                    c.draw_series(std::iter::once(TriangleMarker::new(
                        (bx, sy),
                        7,
                        BLUE.filled(),
                    )))?;
                    // Hollow: an outlined triangle (TriangleMarker fills whatever its style).
                    c.draw_series(std::iter::once(
                        EmptyElement::at((bx, ty))
                            + PathElement::new(
                                vec![(0, -7), (6, 4), (-6, 4), (0, -7)],
                                BLUE.stroke_width(1),
                            ),
                    ))?;
                    c.draw_series(std::iter::once(Text::new(
                        format!("int{}", bl.bits),
                        (bx, sy),
                        ("sans-serif", 12),
                    )))?;
                }
                c.draw_series(Vec::<TriangleMarker<(f64, f64), i32>>::new())?
                    .label("homogeneous (intB)")
                    .legend(|(x, yy)| TriangleMarker::new((x + 10, yy), 6, BLUE.filled()));
                c.configure_series_labels()
                    .background_style(WHITE.mix(0.9))
                    .border_style(BLACK)
                    .position(SeriesLabelPosition::LowerRight)
                    .draw()?;
            }};
        }
        match f.metric {
            Metric::Accuracy => {
                // The useful region: from ten points below the int8 model (or the float
                // model's test accuracy) to the top; lower points sit on the bottom edge.
                let top = all
                    .iter()
                    .flat_map(|s| [s.search.value, s.test.value])
                    .fold(0.0f64, f64::max);
                let anchor = int8.map_or(f.float_test.value, |r| {
                    (1.0 - r.scored.error).min(r.scored.test.value)
                });
                let lo = (100.0 * anchor - 10.0).max(0.0);
                let hi = (100.0 * top + 1.5).min(101.0);
                let clip = move |v: f64| v.max(lo + 0.3);
                draw!(b.build_cartesian_2d(x_min..x_max, lo..hi)?, clip)
            }
            Metric::Mse => {
                let vals: Vec<f64> = all
                    .iter()
                    .flat_map(|s| [y(s.search.value), y(s.test.value)])
                    .collect();
                let lo = vals.iter().cloned().fold(f64::MAX, f64::min) * 0.5;
                let hi = vals.iter().cloned().fold(0.0f64, f64::max) * 2.0;
                let clip = |v: f64| v;
                draw!(
                    b.build_cartesian_2d(x_min..x_max, (lo..hi).log_scale())?,
                    clip
                )
            }
        }
        root.present()?;
    }
    Ok(svg)
}
