//! The MSM digit issuer (`zkaccel_kernels::msm::digit_issuer`) on the Verilator model of its
//! generated Verilog: every record issued exactly once with its sign and payload, never two
//! issues on one key within the adder's latency, one issue a cycle when the keys allow it, a hot
//! key at one issue per latency without holding the others back.

use ark_bn254::Fr;
use ark_ff::{PrimeField, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use num_bigint::BigUint;
use zkaccel_core::booth;
use zkaccel_kernels::msm::digit_issuer::{MODEL_NAME, STANDALONE_KEY_BITS};
use zkaccel_kernels::msm::ISSUE_TO_WRITEBACK;
use zkaccel_sim::Model;

const LATENCY: usize = ISSUE_TO_WRITEBACK;

/// A bucket addition: its key and sign.
type Record = (u32, bool);

/// Runs `records` through the issuer, offering one with probability `offer` a cycle; checks
/// every property above and returns the cycles until the issuer was idle again.
fn run(records: &[Record], offer: f64, seed: u64) -> usize {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut m = Model::new(MODEL_NAME).unwrap();
    m.set_bit("reset", true);
    m.tick();
    m.set_bit("reset", false);
    let mut issued: Vec<Option<usize>> = vec![None; records.len()];
    let mut last_issue: std::collections::HashMap<u32, usize> = Default::default();
    let (mut sent, mut cycle, mut count) = (0, 0, 0);
    loop {
        let offering = sent < records.len() && rng.gen_bool(offer);
        m.set_bit("in_valid", offering);
        if offering {
            let (key, negate) = records[sent];
            m.set("in_key", &BigUint::from(key));
            m.set_bit("in_negate", negate);
            m.set("in_payload", &BigUint::from(sent));
        }
        m.eval();
        if m.get_bit("issue") {
            let index = usize::try_from(m.get("issue_payload")).unwrap();
            let key = u32::try_from(m.get("issue_key")).unwrap();
            assert!(index < records.len() && issued[index].is_none(), "record {index} issued twice or never sent");
            assert_eq!((key, m.get_bit("issue_negate")), records[index], "record {index} issued with another key or sign");
            if let Some(&before) = last_issue.get(&key) {
                assert!(cycle - before >= LATENCY, "key {key} issued at cycles {before} and {cycle}");
            }
            last_issue.insert(key, cycle);
            issued[index] = Some(cycle);
            count += 1;
        }
        if count == records.len() && m.get_bit("idle") {
            return cycle;
        }
        sent += usize::from(offering && m.get_bit("in_ready"));
        m.tick();
        cycle += 1;
        assert!(cycle < (records.len() + 10) * (LATENCY + 10), "the issuer stopped: {count} of {} issued", records.len());
    }
}

/// The keys of `n` random scalars' nonzero Booth digits at c = 13, every window interleaved
/// point by point (window `w`'s bucket `b` is key `w · 4096 + b`).
fn interleaved_digits(n: usize, seed: u64) -> Vec<Record> {
    let mut rng = StdRng::seed_from_u64(seed);
    let c = 13;
    (0..n)
        .flat_map(|_| {
            let s = Fr::rand(&mut rng).into_bigint().0;
            (0..booth::window_count(c)).filter_map(move |w| {
                let (bucket, negate) = booth::bucket(booth::digit(&s, w * c, c))?;
                Some((w << (c - 1) | bucket, negate))
            })
        })
        .collect()
}

#[test]
fn uniform_digits_issue_one_a_cycle() {
    let records = interleaved_digits(300, 1);
    assert!(records.iter().all(|&(key, _)| key < 1 << STANDALONE_KEY_BITS));
    let cycles = run(&records, 1.0, 2);
    // A busy lookup costs its cycle (about 1 % of these keys meet their key again within a
    // latency), and the last parked records wait out their keys' latency at the end.
    assert!(cycles <= records.len() + records.len() / 50 + LATENCY + 10, "{} records took {cycles} cycles", records.len());
}

#[test]
fn a_hot_key_issues_once_per_latency_beside_the_others() {
    // Key 7 in every third record, the others distinct.
    let records: Vec<Record> = (0..300u32).map(|i| if i % 3 == 0 { (7, i % 2 == 0) } else { (1000 + i, false) }).collect();
    let cycles = run(&records, 1.0, 3);
    let hot = records.iter().filter(|r| r.0 == 7).count();
    assert!(cycles >= (hot - 1) * LATENCY, "{cycles} cycles: key 7 cannot issue faster than once per latency");
    assert!(cycles <= hot * LATENCY + 20, "{cycles} cycles for {hot} hot records");
}

#[test]
fn few_keys_under_input_gaps() {
    let mut rng = StdRng::seed_from_u64(4);
    let records: Vec<Record> = (0..150).map(|_| (rng.gen_range(0..6), rng.gen_bool(0.5))).collect();
    run(&records, 0.5, 5);
    // Keys at both ends of the range.
    let top = (1u32 << STANDALONE_KEY_BITS) - 1;
    run(&[(top, true), (0, false), (top, false), (0, true)], 1.0, 6);
}
