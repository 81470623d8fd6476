//! The ratio crate / hand-written, per operation, measured side by side in one run:
//! `cargo bench --bench ratio` (optionally followed by `-- <filter>`).
//!
//! The machine is shared and noisy, so the two sides are never timed far apart: each
//! round times a batch of the crate's calls and a batch of the hand-written calls back
//! to back (alternating which goes first), and the ratio of the two is taken per round.
//! The table shows the median over the rounds of each side's time per call and of the
//! per-round ratio, with the ratio's interquartile range, for the wall clock and for
//! the calling thread's CPU time (which leaves out the time spent waiting for a core).
//!
//! `ratio --allocs` counts the heap allocations per call of each side instead.
//!
//! `ratio --instructions <op> <side> <iterations>` runs one side of one operation
//! `iterations` times inside `measure_crate` / `measure_hand`, for
//! `valgrind --tool=callgrind --toggle-collect=measure_*` (see `benches/callgrind.sh`):
//! instruction counts of the client thread, free of the machine's noise.

use std::hint::black_box;

use std::time::{Duration, Instant};

mod common;
use common::{Local, Net};

#[global_allocator]
static GLOBAL: common::counting::Counting = common::counting::Counting;

/// Allocations (and reallocations) per call of `op`, on this thread.
fn allocs_per_call(op: &dyn Fn(), n: u64) -> f64 {
    common::counting::start();
    for _ in 0..n {
        op();
    }
    common::counting::stop();
    common::counting::allocs() as f64 / n as f64
}

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

/// This thread's CPU time (user + system): unlike the wall clock, it does not count
/// the time the thread waits for a core of the shared machine.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// (wall clock, thread CPU time) of `n` calls.
fn time_batch(op: &dyn Fn(), n: u32) -> (Duration, Duration) {
    let cpu = thread_cpu();
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    (start.elapsed(), thread_cpu() - cpu)
}

/// Operations at least this slow are timed call by call (see the table's note).
const PER_CALL_FROM: Duration = Duration::from_micros(10);

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
    let all = cases(&net, &local);

    if let Some(i) = args.iter().position(|a| a == "--instructions") {
        let name = &args[i + 1];
        let side = &args[i + 2];
        let n: u32 = args[i + 3].parse().unwrap();
        let case = all.iter().find(|c| &c.name == name).unwrap();
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
    if args.iter().any(|a| a == "--allocs") {
        println!("| operation | crate allocs / call | hand-written allocs / call |");
        println!("|---|---:|---:|");
        for case in &all {
            if filter.is_some_and(|f| !case.name.contains(f.as_str())) {
                continue;
            }
            (case.crate_side)();
            (case.hand_side)();
            let n = if case.name.ends_with("/10000") {
                3
            } else {
                100
            };
            println!(
                "| {} | {:.1} | {:.1} |",
                case.name,
                allocs_per_call(&*case.crate_side, n),
                allocs_per_call(&*case.hand_side, n)
            );
        }
        return;
    }
    let rounds: usize = std::env::var("RATIO_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(31);
    let batch_target = Duration::from_millis(20);
    drop(all);
    drop(net);

    // Per operation: [wall crate, wall hand, wall ratio, cpu crate, cpu hand, cpu ratio]
    // per round; and the batch size (calls per side per round), fixed in round one.
    let mut stats: Vec<(String, u32, [Vec<f64>; 6])> = Vec::new();
    for round in 0..rounds {
        // A fresh server and fresh clients every round: which core serves which
        // connection, and where the buffers land, differ between rounds instead of
        // biasing a whole run one way (seen: up to ±15% from one process to the next).
        let net = Net::new();
        let cases = cases(&net, &local);
        for case in &cases {
            if filter.is_some_and(|f| !case.name.contains(f.as_str())) {
                continue;
            }
            for _ in 0..3 {
                (case.crate_side)();
                (case.hand_side)();
            }
            if round == 0 {
                let one = time_batch(&*case.hand_side, 5).0 / 5;
                let batch = (batch_target.as_secs_f64() / one.as_secs_f64().max(1e-9))
                    .clamp(1.0, 1e6) as u32;
                let batch = if one >= PER_CALL_FROM {
                    // Marks per-call mode: at most 200 alternating pairs a round.
                    batch.clamp(5, 200) | PER_CALL_FLAG
                } else {
                    batch
                };
                stats.push((case.name.clone(), batch, Default::default()));
            }
            let Some((_, batch, m)) = stats.iter_mut().find(|(n, _, _)| *n == case.name) else {
                continue;
            };
            let row = if *batch & PER_CALL_FLAG != 0 {
                per_call_round(case, *batch & !PER_CALL_FLAG, round)
            } else {
                batch_round(case, *batch, round)
            };
            for (v, x) in m.iter_mut().zip(row) {
                v.push(x);
            }
        }
    }

    println!(
        "| operation | crate / call | hand-written / call | ratio wall (IQR) | \
         crate CPU / call | hand-written CPU / call | ratio CPU (IQR) |"
    );
    println!("|---|---:|---:|---|---:|---:|---|");
    for (name, _, mut m) in stats {
        let mut row = Vec::new();
        for (i, v) in m.iter_mut().enumerate() {
            let med = median(v);
            row.push(if i % 3 == 2 {
                format!(
                    "{med:.3} ({:.3}–{:.3})",
                    quantile(v, 0.25),
                    quantile(v, 0.75)
                )
            } else {
                human(med)
            });
        }
        println!("| {name} | {} |", row.join(" | "));
    }
    println!(
        "\n{rounds} rounds, each with a fresh server and fresh clients. Operations under {} µs: \
         each round times a batch of crate calls and a batch of hand-written calls back to \
         back (~{} ms each). Slower operations: each round alternates single calls of the \
         two sides (up to 200 pairs) and takes the medians. Shown: the median over the \
         rounds of each side's time per call and of the round's ratio; IQR: the \
         interquartile range of the rounds' ratios.",
        PER_CALL_FROM.as_micros(),
        batch_target.as_millis()
    );
}

/// Marks a batch size as "time call by call".
const PER_CALL_FLAG: u32 = 1 << 31;

/// One round of a fast operation: a batch of each side, back to back, the order
/// alternating between rounds. Returns the six figures of the round.
fn batch_round(case: &Case<'_>, batch: u32, round: usize) -> [f64; 6] {
    let (c, h) = if round % 2 == 0 {
        let c = time_batch(&*case.crate_side, batch);
        (c, time_batch(&*case.hand_side, batch))
    } else {
        let h = time_batch(&*case.hand_side, batch);
        (time_batch(&*case.crate_side, batch), h)
    };
    let per = |d: Duration| d.as_secs_f64() / f64::from(batch);
    let (cw, hw, cc, hc) = (per(c.0), per(h.0), per(c.1), per(h.1));
    [cw, hw, cw / hw, cc, hc, cc / hc]
}

/// One round of a slow operation: `pairs` single calls of each side, alternating call
/// by call (and which side goes first), so both see the same machine; medians, which
/// preemption spikes do not move.
fn per_call_round(case: &Case<'_>, pairs: u32, _round: usize) -> [f64; 6] {
    let mut block: [Vec<f64>; 4] = Default::default();
    for p in 0..pairs {
        let (c, h) = if p % 2 == 0 {
            let c = time_batch(&*case.crate_side, 1);
            (c, time_batch(&*case.hand_side, 1))
        } else {
            let h = time_batch(&*case.hand_side, 1);
            (time_batch(&*case.crate_side, 1), h)
        };
        for (v, d) in block.iter_mut().zip([c.0, h.0, c.1, h.1]) {
            v.push(d.as_secs_f64());
        }
    }
    let [cw, hw, cc, hc] = block.each_mut().map(|v| median(v));
    [cw, hw, cw / hw, cc, hc, cc / hc]
}
