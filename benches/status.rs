//! Absolute timings, with divan: `cargo bench --bench status`.
//!
//! `keep_alive`: each request against a local keep-alive HTTP server, this crate
//! (`*_crate`) and the hand-written ureq + serde_json baseline (`*_hand`).
//! `in_process`: the same without the network (the crate on a canned transport).
//! `decode`: the answer's bytes into the crate's types vs plain structs.
//! The ratios crate / hand-written, measured side by side, come from `benches/ratio.rs`.

use std::sync::OnceLock;

use divan::{black_box, Bencher};
use mattermost_status::{Status, Statuses};

mod common;
use common::{Local, Net, RawStatus};

fn net() -> &'static Net {
    static NET: OnceLock<Net> = OnceLock::new();
    NET.get_or_init(Net::new)
}

fn local() -> &'static Local {
    static LOCAL: OnceLock<Local> = OnceLock::new();
    LOCAL.get_or_init(Local::new)
}

fn main() {
    divan::main();
}

mod keep_alive {
    use super::*;

    #[divan::bench]
    fn get_status_crate(b: Bencher) {
        let n = net();
        b.bench(|| common::crate_get(&n.session, black_box(n.user)));
    }

    #[divan::bench]
    fn get_status_hand(b: Bencher) {
        let n = net();
        b.bench(|| n.hand.get_status(black_box(common::USER)));
    }

    #[divan::bench]
    fn update_status_crate(b: Bencher) {
        let n = net();
        b.bench(|| common::crate_update(&n.session, black_box(n.user)));
    }

    #[divan::bench]
    fn update_status_hand(b: Bencher) {
        let n = net();
        b.bench(|| n.hand.update_status(black_box(common::USER), "away"));
    }

    #[divan::bench(args = common::SIZES)]
    fn by_ids_crate(b: Bencher, size: usize) {
        let n = net();
        let (_, ids) = n.list(size);
        b.bench(|| common::crate_by_ids(&n.session, black_box(ids)));
    }

    /// Lists longer than one call (10,000 ids): sent in runs of 10,000, merged. The
    /// server answers these by parsing the list (no pre-built answer), so the time per
    /// id shows the whole path stays linear.
    #[divan::bench(args = [20_000, 40_000, 100_000], sample_count = 10)]
    fn by_ids_long_crate(b: Bencher, size: usize) {
        let n = net();
        let ids: Vec<mattermost_status::UserId> = common::ids(size)
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        b.counter(divan::counter::ItemsCount::new(size))
            .bench(|| common::crate_by_ids(&n.session, black_box(&ids)));
    }

    #[divan::bench(args = common::SIZES)]
    fn by_ids_hand(b: Bencher, size: usize) {
        let n = net();
        let (ids, _) = n.list(size);
        b.bench(|| n.hand.statuses_by_ids(black_box(ids)));
    }
}

mod in_process {
    use super::*;

    #[divan::bench]
    fn get_status_crate(b: Bencher) {
        let l = local();
        b.bench(|| common::crate_get(&l.session, black_box(l.user)));
    }

    #[divan::bench]
    fn get_status_hand(b: Bencher) {
        let l = local();
        b.bench(|| common::hand_local_get(black_box(common::USER), &l.get));
    }

    #[divan::bench]
    fn update_status_crate(b: Bencher) {
        let l = local();
        b.bench(|| common::crate_update(&l.session, black_box(l.user)));
    }

    #[divan::bench]
    fn update_status_hand(b: Bencher) {
        let l = local();
        b.bench(|| common::hand_local_update(black_box(common::USER), &l.put));
    }

    #[divan::bench(args = common::SIZES)]
    fn by_ids_crate(b: Bencher, size: usize) {
        let l = local();
        let (_, ids, _) = l.list(size);
        b.bench(|| common::crate_by_ids(&l.session, black_box(ids)));
    }

    #[divan::bench(args = common::SIZES)]
    fn by_ids_hand(b: Bencher, size: usize) {
        let l = local();
        let (ids, _, answer) = l.list(size);
        b.bench(|| common::hand_local_by_ids(black_box(ids), answer));
    }
}

mod decode {
    use super::*;

    #[divan::bench]
    fn status_crate(b: Bencher) {
        let l = local();
        b.bench(|| serde_json::from_slice::<Status>(black_box(&l.get)).unwrap());
    }

    #[divan::bench]
    fn status_hand(b: Bencher) {
        let l = local();
        b.bench(|| serde_json::from_slice::<RawStatus>(black_box(&l.get)).unwrap());
    }

    #[divan::bench(args = common::SIZES)]
    fn statuses_crate(b: Bencher, size: usize) {
        let l = local();
        let (_, _, answer) = l.list(size);
        b.bench(|| {
            Statuses::from_vec(serde_json::from_slice::<Vec<Status>>(black_box(answer)).unwrap())
        });
    }

    #[divan::bench(args = common::SIZES)]
    fn statuses_hand(b: Bencher, size: usize) {
        let l = local();
        let (_, _, answer) = l.list(size);
        b.bench(|| serde_json::from_slice::<Vec<RawStatus>>(black_box(answer)).unwrap());
    }
}
