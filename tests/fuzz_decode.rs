//! A fuzz target for response decoding that runs on stable Rust, in every `cargo test`:
//! a seed corpus of real answers (every shape the seven requests read, error bodies,
//! proxy pages) mutated the way a byte fuzzer mutates (bit flips, byte insertions and
//! deletions, truncation, duplication, splicing two seeds, magic values), fed through a
//! session to all seven requests with a spread of statuses and headers.
//!
//! The property: no panic, an error that fits the status, never the token in it.
//!
//! Bounded by count and time, whichever ends first: `FUZZ_CASES` (default 2000) and
//! `FUZZ_SECONDS` (default 4); `FUZZ_SEED` picks another stream of inputs. A failure
//! prints the input that caused it. A longer run in CI:
//! `FUZZ_CASES=200000 FUZZ_SECONDS=300 cargo test --release --test fuzz_decode`.

mod support;

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use support::{assert_error_fits_status, assert_no_token, send_all, session_on, Canned, TOKEN};

fn corpus() -> Vec<Vec<u8>> {
    let status = r#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"dnd","manual":true,"last_activity_at":1700000000123,"dnd_end_time":1700003600,"active_channel":""}"#;
    vec![
        status.as_bytes().to_vec(),
        format!("[{status},{status}]").into_bytes(),
        b"[]".to_vec(),
        br#"{"status":"OK"}"#.to_vec(),
        br#"{"id":"api.context.session_expired.app_error","message":"Invalid or expired session, please login again.","detailed_error":"","request_id":"8xk3i7t1o3rq8qyfmbmr7kt9ge","status_code":401}"#.to_vec(),
        br#"{"emoji":"calendar","text":"In a meeting","duration":"one_hour","expires_at":"2025-05-03T23:59:59.999Z"}"#.to_vec(),
        br#"{"user_id":"4xp9fdt77pncbef59f4k1qe83o","status":"online","dnd_end_time":-9223372036854775808,"last_activity_at":9223372036854775807}"#.to_vec(),
        b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>".to_vec(),
        b"limit exceeded\n".to_vec(),
        format!("Authorization: Bearer {TOKEN}").into_bytes(),
        Vec::new(),
    ]
}

const MAGIC: &[&[u8]] = &[
    b"\"",
    b"\\u0000",
    b"\\ud800",
    b"1e999",
    b"-0",
    b"18446744073709551616",
    b"null",
    b"{",
    b"]",
    b"\xff",
    b"\xc3\x28",
    b"\xf0\x9f\x98",
];

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
    Splice(usize, usize),
    Magic(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Mutation::Delete(i, n)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(seed, at)| Mutation::Splice(seed, at)),
        (any::<usize>(), any::<usize>()).prop_map(|(m, at)| Mutation::Magic(m, at)),
    ]
}

fn apply(mut data: Vec<u8>, mutations: &[Mutation], corpus: &[Vec<u8>]) -> Vec<u8> {
    for m in mutations {
        let len = data.len();
        let at = |i: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *m {
            Mutation::FlipBit(i, bit) if len > 0 => data[i % len] ^= 1 << bit,
            Mutation::Insert(i, b) => data.insert(at(i), b),
            Mutation::Delete(i, n) if len > 0 => {
                let start = i % len;
                data.drain(start..(start + n).min(len));
            }
            Mutation::Truncate(i) => data.truncate(at(i)),
            Mutation::Duplicate(i, n) if len > 0 => {
                let start = i % len;
                let piece = data[start..(start + n).min(len)].to_vec();
                let to = at(i.wrapping_mul(31));
                data.splice(to..to, piece);
            }
            Mutation::Splice(seed, i) => {
                let other = &corpus[seed % corpus.len()];
                let cut = at(i);
                data.truncate(cut);
                data.extend_from_slice(&other[(i % (other.len() + 1))..]);
            }
            Mutation::Magic(m, i) => {
                let to = at(i);
                data.splice(to..to, MAGIC[m % MAGIC.len()].iter().copied());
            }
            _ => {}
        }
    }
    data
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn fuzz_response_decoding() {
    let cases = env_number("FUZZ_CASES", 2000);
    let budget = Duration::from_secs(env_number("FUZZ_SECONDS", 4));
    let corpus = corpus();
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    // A fixed seed unless FUZZ_SEED says otherwise: the same run in CI, new ground on
    // demand.
    let seed_value = env_number("FUZZ_SEED", 0x6d61_7474_6572_6d6f);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed_value.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes);
    let mut runner = TestRunner::new_with_rng(config, rng);

    let statuses = prop_oneof![
        Just(200u16),
        Just(201u16),
        Just(400u16),
        Just(401u16),
        Just(429u16),
        Just(503u16),
        Just(302u16),
    ];
    let content_type = prop_oneof![
        Just(Some("application/json")),
        Just(Some("application/json; charset=utf-8")),
        Just(Some("text/html")),
        Just(None),
    ];
    let strategy = (
        0..corpus.len(),
        proptest::collection::vec(mutation(), 0..8),
        statuses,
        content_type,
    );
    let start = Instant::now();
    let mut ran = 0u64;
    while ran < cases && start.elapsed() < budget {
        let (seed, mutations, status, content_type) =
            strategy.new_tree(&mut runner).expect("a value").current();
        ran += 1;
        let body = apply(corpus[seed].clone(), &mutations, &corpus);
        let headers: Vec<(String, String)> = content_type
            .map(|ct| vec![("Content-Type".to_owned(), ct.to_owned())])
            .unwrap_or_default();
        let input = (status, headers.clone(), body.clone());
        let outcome = std::panic::catch_unwind(move || {
            let session = session_on(Canned::new(status, headers, body));
            for (name, error) in send_all(&session) {
                match error {
                    Some(error) => {
                        assert_no_token(&error);
                        assert_error_fits_status(status, &error);
                    }
                    None => assert!((200..300).contains(&status), "{name} accepted {status}"),
                }
            }
        });
        if outcome.is_err() {
            panic!(
                "input #{ran} (FUZZ_SEED={seed_value}) failed: status {}, headers {:?}, body {:?}",
                input.0,
                input.1,
                String::from_utf8_lossy(&input.2)
            );
        }
    }
    println!(
        "fuzz_response_decoding: {ran} inputs x 7 requests in {:?} (FUZZ_SEED={seed_value})",
        start.elapsed()
    );
    assert!(ran > 0);
}
