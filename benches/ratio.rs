//! The ratio crate / hand-written, per operation, measured side by side in one run:
//! `cargo bench --bench ratio` (optionally followed by `-- <filter>`).
//!
//! The machine is shared and noisy, so the two sides are never timed far apart: each
//! round times a batch of the crate's calls and a batch of the hand-written calls back
//! to back (alternating which goes first), and the ratio of the two is taken per round.
//! The table shows the median over the rounds of each side's time per call and of the
//! per-round ratio, with the ratio's interquartile range.
//!
//! `ratio --instructions <op> <side> <iterations>` runs one side of one operation
//! `iterations` times inside `measure_crate` / `measure_hand`, for
//! `valgrind --tool=callgrind --toggle-collect=measure_*` (see `benches/callgrind.sh`):
//! instruction counts of the client thread, free of the machine's noise.

use std::hint::black_box;
use std::time::{Duration, Instant};

mod common;
use common::{Local, Net};

type Op<'a> = Box<dyn Fn() + 'a>;

struct Case<'a> {
    name: String,
    crate_side: Op<'a>,
    hand_side: Op<'a>,
}

fn cases<'a>(net: &'a Net, local: &'a Local) -> Vec<Case<'a>> {
    let mut cases = vec![
        Case {
            name: "keep_alive/get_status".into(),
            crate_side: Box::new(|| {
                black_box(common::crate_get(&net.session, black_box(net.user)));
            }),
            hand_side: Box::new(|| {
                black_box(net.hand.get_status(black_box(common::USER)));
            }),
        },
        Case {
            name: "keep_alive/update_status".into(),
            crate_side: Box::new(|| {
                black_box(common::crate_update(&net.session, black_box(net.user)));
            }),
            hand_side: Box::new(|| {
                black_box(net.hand.update_status(black_box(common::USER), "away"));
            }),
        },
    ];
    for size in common::SIZES {
        let (strings, ids) = net.list(size);
        cases.push(Case {
            name: format!("keep_alive/by_ids/{size}"),
            crate_side: Box::new(move || {
                black_box(common::crate_by_ids(&net.session, black_box(ids)));
            }),
            hand_side: Box::new(move || {
                black_box(net.hand.statuses_by_ids(black_box(strings)));
            }),
        });
    }
    cases.push(Case {
        name: "in_process/get_status".into(),
        crate_side: Box::new(|| {
            black_box(common::crate_get(&local.session, black_box(local.user)));
        }),
        hand_side: Box::new(|| {
            black_box(common::hand_local_get(black_box(common::USER), &local.get));
        }),
    });
    cases.push(Case {
        name: "in_process/update_status".into(),
        crate_side: Box::new(|| {
            black_box(common::crate_update(&local.session, black_box(local.user)));
        }),
        hand_side: Box::new(|| {
            black_box(common::hand_local_update(
                black_box(common::USER),
                &local.put,
            ));
        }),
    });
    for size in common::SIZES {
        let (strings, ids, answer) = local.list(size);
        cases.push(Case {
            name: format!("in_process/by_ids/{size}"),
            crate_side: Box::new(move || {
                black_box(common::crate_by_ids(&local.session, black_box(ids)));
            }),
            hand_side: Box::new(move || {
                black_box(common::hand_local_by_ids(black_box(strings), answer));
            }),
        });
    }
    cases
}

fn time_batch(op: &dyn Fn(), n: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    start.elapsed()
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn human(secs: f64) -> String {
    if secs >= 1e-3 {
        format!("{:.3} ms", secs * 1e3)
    } else {
        format!("{:.2} µs", secs * 1e6)
    }
}

#[inline(never)]
fn measure_crate(op: &dyn Fn(), n: u32) {
    // Distinct bodies, so the linker cannot fold the two functions into one symbol.
    black_box("crate");
    for _ in 0..n {
        op();
    }
}

#[inline(never)]
fn measure_hand(op: &dyn Fn(), n: u32) {
    black_box(2u64);
    for _ in 0..n {
        op();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let net = Net::new();
    let local = Local::new();
    let cases = cases(&net, &local);

    if let Some(i) = args.iter().position(|a| a == "--instructions") {
        let name = &args[i + 1];
        let side = &args[i + 2];
        let n: u32 = args[i + 3].parse().unwrap();
        let case = cases.iter().find(|c| &c.name == name).unwrap();
        // Warm up both sides (connection set up, lazy statics) outside the measure.
        (case.crate_side)();
        (case.hand_side)();
        match side.as_str() {
            "crate" => measure_crate(&*case.crate_side, n),
            _ => measure_hand(&*case.hand_side, n),
        }
        return;
    }

    let filter = args.iter().find(|a| !a.starts_with('-'));
    let rounds: usize = std::env::var("RATIO_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(31);
    let batch_target = Duration::from_millis(20);

    println!("| operation | crate / call | hand-written / call | ratio (median) | ratio IQR |");
    println!("|---|---:|---:|---:|---|");
    for case in &cases {
        if filter.is_some_and(|f| !case.name.contains(f.as_str())) {
            continue;
        }
        // Warm up and size the batch so one takes about `batch_target`.
        for _ in 0..3 {
            (case.crate_side)();
            (case.hand_side)();
        }
        let one = time_batch(&*case.hand_side, 5) / 5;
        let batch =
            (batch_target.as_secs_f64() / one.as_secs_f64().max(1e-9)).clamp(1.0, 1e6) as u32;

        let mut crate_t = Vec::with_capacity(rounds);
        let mut hand_t = Vec::with_capacity(rounds);
        let mut ratios = Vec::with_capacity(rounds);
        for r in 0..rounds {
            let (c, h) = if r % 2 == 0 {
                let c = time_batch(&*case.crate_side, batch);
                (c, time_batch(&*case.hand_side, batch))
            } else {
                let h = time_batch(&*case.hand_side, batch);
                (time_batch(&*case.crate_side, batch), h)
            };
            let c = c.as_secs_f64() / f64::from(batch);
            let h = h.as_secs_f64() / f64::from(batch);
            crate_t.push(c);
            hand_t.push(h);
            ratios.push(c / h);
        }
        let ratio = median(&mut ratios);
        println!(
            "| {} | {} | {} | {:.3} | {:.3}–{:.3} |",
            case.name,
            human(median(&mut crate_t)),
            human(median(&mut hand_t)),
            ratio,
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
        );
    }
    println!(
        "\n{rounds} rounds per operation, each a batch of crate calls and a batch of \
         hand-written calls back to back (~{} ms each).",
        batch_target.as_millis()
    );
}
