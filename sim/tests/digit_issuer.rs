//! The MSM digit issuer (`zkaccel_kernels::msm::digit_issuer`) on the Verilator model of its
//! generated Verilog: every record issued exactly once with its sign and payload, never two
//! issues on one target (a bucket or a spill slot) within the adder's latency, every spill slot
//! inside a region its key was given (regions disjoint, inside the pool, each twice its key's
//! last), one issue a cycle on uniform and on skewed keys, and regions forgotten between runs.

use std::collections::HashMap;

use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use num_bigint::BigUint;
use zkaccel_core::booth;
use zkaccel_kernels::msm::digit_issuer::{
    FIRST_REGION_LOG, LAST_REGION_LOG, MODEL_NAME, STANDALONE_KEY_BITS, STANDALONE_SLOT_BITS,
};
use zkaccel_kernels::msm::TARGET_BUSY;
use zkaccel_sim::Model;

const LATENCY: usize = TARGET_BUSY;
const POOL: u32 = 1 << STANDALONE_SLOT_BITS;

/// A bucket addition: its key and sign.
type Record = (u32, bool);

/// What one run did: its cycles, and how many issues went to spill slots.
struct Run {
    cycles: usize,
    spilled: usize,
}

/// The regions handed out since the last reset: each key's live one, each slot's key, the
/// next free slot.
#[derive(Default)]
struct Regions {
    of_key: HashMap<u32, (u32, u32)>,
    owner: HashMap<u32, u32>,
    next_base: u32,
}

/// Holds the issuer in reset for a latency, as the kernel does after power-up (its stamp RAMs'
/// zeros then look old).
fn reset(m: &mut Model) {
    m.set_bit("reset", true);
    for _ in 0..LATENCY {
        m.tick();
    }
    m.set_bit("reset", false);
}

/// Runs `records` through the issuer, offering one with probability `offer` a cycle; checks
/// every property above.
fn run(m: &mut Model, regions: &mut Regions, records: &[Record], offer: f64, seed: u64) -> Run {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut issued: Vec<Option<usize>> = vec![None; records.len()];
    // The last issue to each bucket and to each slot (none within a latency of this run: the
    // last run's ended in `idle`, a latency after its last issue at least).
    let mut last_bucket: HashMap<u32, usize> = HashMap::new();
    let mut last_slot: HashMap<u32, usize> = HashMap::new();
    let (mut sent, mut cycle, mut count, mut spilled) = (0, 0, 0, 0);
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
            if m.get_bit("issue_grew") {
                let base = u32::try_from(m.get("issue_region_base")).unwrap();
                let log = u32::try_from(m.get("issue_region_log")).unwrap();
                let expected = regions.of_key.get(&key).map_or(FIRST_REGION_LOG as u32, |&(_, last)| last + 1);
                assert_eq!(log, expected, "key {key}'s new region is not twice its last");
                assert!(log <= LAST_REGION_LOG as u32);
                assert_eq!(base, regions.next_base, "regions are handed out in order, without gaps or overlaps");
                regions.next_base += 1 << log;
                assert!(regions.next_base <= POOL, "region past the pool's end");
                for slot in base..regions.next_base {
                    regions.owner.insert(slot, key);
                }
                regions.of_key.insert(key, (base, log));
            }
            if m.get_bit("issue_to_slot") {
                let slot = u32::try_from(m.get("issue_slot")).unwrap();
                assert_eq!(
                    regions.owner.get(&slot),
                    Some(&key),
                    "record {index} (key {key}) spilled into slot {slot}, not its key's"
                );
                if let Some(&before) = last_slot.get(&slot) {
                    assert!(cycle - before >= LATENCY, "slot {slot} issued at cycles {before} and {cycle}");
                }
                last_slot.insert(slot, cycle);
                spilled += 1;
            } else {
                assert!(!m.get_bit("issue_grew"), "a grown region's first addition goes to its slot");
                if let Some(&before) = last_bucket.get(&key) {
                    assert!(cycle - before >= LATENCY, "key {key} issued at cycles {before} and {cycle}");
                }
                last_bucket.insert(key, cycle);
            }
            issued[index] = Some(cycle);
            count += 1;
        }
        if count == records.len() && m.get_bit("idle") {
            return Run { cycles: cycle, spilled };
        }
        sent += usize::from(offering && m.get_bit("in_ready"));
        m.tick();
        cycle += 1;
        assert!(cycle < (records.len() + 10) * (LATENCY + 10), "the issuer stopped: {count} of {} issued", records.len());
    }
}

/// A fresh issuer, reset.
fn issuer() -> Model {
    let mut m = Model::new(MODEL_NAME).unwrap();
    reset(&mut m);
    m
}

/// The keys of `scalars`' nonzero Booth digits at c = 13, every window interleaved point by
/// point (window `w`'s bucket `b` is key `w · 4096 + b`).
fn interleaved_digits(scalars: &[Fr]) -> Vec<Record> {
    let c = 13;
    let records: Vec<Record> = scalars
        .iter()
        .flat_map(|s| {
            let s = s.into_bigint().0;
            (0..booth::window_count(c)).filter_map(move |w| {
                let (bucket, negate) = booth::bucket(booth::digit(&s, w * c, c))?;
                Some((w << (c - 1) | bucket, negate))
            })
        })
        .collect();
    assert!(records.iter().all(|&(key, _)| key < 1 << STANDALONE_KEY_BITS));
    records
}

/// At most `slack` cycles beyond one a record, plus the last records' wait for their targets.
fn assert_rate(name: &str, records: usize, cycles: usize, slack: f64) {
    let bound = records + (records as f64 * slack) as usize + LATENCY + 10;
    eprintln!("{name}: {records} records in {cycles} cycles");
    assert!(cycles <= bound, "{name}: {records} records took {cycles} cycles (bound {bound})");
}

#[test]
fn uniform_digits_issue_one_a_cycle() {
    let mut rng = StdRng::seed_from_u64(1);
    let scalars: Vec<Fr> = (0..300).map(|_| Fr::rand(&mut rng)).collect();
    let records = interleaved_digits(&scalars);
    let run = run(&mut issuer(), &mut Regions::default(), &records, 1.0, 2);
    // A busy lookup costs its cycle (about 1 % of these keys meet their key again within a
    // latency, and most of those then go to a spill slot).
    assert_rate("uniform", records.len(), run.cycles, 0.02);
}

/// A witness-like scalar, as `zkaccel::random::small_skewed_scalars` makes them: 0 or 1 with
/// probability 0.4 each, else below 2^16.
fn small_skewed(rng: &mut StdRng) -> Fr {
    match rng.gen_range(0..10) {
        0..=3 => Fr::from(0u64),
        4..=7 => Fr::from(1u64),
        _ => Fr::from(rng.gen_range(2u64..1 << 16)),
    }
}

#[test]
fn skewed_digits_issue_one_a_cycle_through_spill_slots() {
    let mut rng = StdRng::seed_from_u64(7);
    let a = Fr::rand(&mut rng);
    let b = Fr::rand(&mut rng);
    let top = |rng: &mut StdRng| Fr::from(rng.gen_range(1u64..1 << 6)) * Fr::from(2u64).pow([247]);
    let shapes: Vec<(&str, Vec<Fr>)> = vec![
        // Every digit of every point in the same 20 buckets, one in each window.
        ("all equal", vec![a; 200]),
        ("two values", (0..200).map(|i| if i % 2 == 0 { a } else { b }).collect()),
        // Bucket 0 of window 0 in 40 % of the points, the rest in windows 0 and 1.
        ("0/1-heavy", (0..3000).map(|_| small_skewed(&mut rng)).collect()),
        // 63 buckets of the top window.
        ("top window only", (0..3000).map(|_| top(&mut rng)).collect()),
    ];
    for (seed, (name, scalars)) in shapes.into_iter().enumerate() {
        let records = interleaved_digits(&scalars);
        let mut regions = Regions::default();
        let run = run(&mut issuer(), &mut regions, &records, 1.0, seed as u64);
        assert!(run.spilled > 0, "{name}: nothing spilled");
        // The regions grow while a hot key's additions first meet busy slots, each growth a
        // lookup or two.
        assert_rate(name, records.len(), run.cycles, 0.05);
    }
}

#[test]
fn a_hot_key_issues_every_cycle() {
    // Key 7 in every other record, the others distinct: key 7 needs a region of 256 slots …
    let records: Vec<Record> = (0..4000u32).map(|i| if i % 2 == 0 { (7, i % 4 == 0) } else { (1000 + i, false) }).collect();
    let mut regions = Regions::default();
    let every_other = run(&mut issuer(), &mut regions, &records, 1.0, 3);
    assert_eq!(regions.of_key.keys().collect::<Vec<_>>(), [&7]);
    assert_eq!(regions.of_key[&7].1, 8);
    assert_rate("hot key, every other record", records.len(), every_other.cycles, 0.05);
    // … and in every record (all scalars 1, say), the largest region: more slots than the
    // adder's latency.
    let records: Vec<Record> = (0..4000).map(|i| (7, i % 5 == 0)).collect();
    let mut regions = Regions::default();
    let every = run(&mut issuer(), &mut regions, &records, 1.0, 4);
    assert_eq!(regions.of_key[&7].1, LAST_REGION_LOG as u32);
    assert_rate("hot key, every record", records.len(), every.cycles, 0.05);
}

#[test]
fn few_keys_under_input_gaps_and_a_full_pool() {
    let mut rng = StdRng::seed_from_u64(4);
    let records: Vec<Record> = (0..600).map(|_| (rng.gen_range(0..6), rng.gen_bool(0.5))).collect();
    run(&mut issuer(), &mut Regions::default(), &records, 0.5, 5);
    // Keys at both ends of the range.
    let top = (1u32 << STANDALONE_KEY_BITS) - 1;
    run(&mut issuer(), &mut Regions::default(), &[(top, true), (0, false), (top, false), (0, true)], 1.0, 6);
    // More hot keys than the pool can serve: the rest wait for their buckets, and nothing is
    // lost or issued early.
    let records: Vec<Record> = (0..6000u32).map(|i| (i % 24, false)).collect();
    run(&mut issuer(), &mut Regions::default(), &records, 1.0, 7);
    // Key 5 keeps its first region of four slots once the pool is spent (600 keys ask for
    // one each, two records apart: a growth waits out the two before it) …
    let mut m = issuer();
    let mut regions = Regions::default();
    let mut records: Vec<Record> = vec![(5, false), (5, true)];
    records.extend((0..600).flat_map(|k| [(1000 + k, false), (1000 + k, true), (5000 + k, false), (6000 + k, false)]));
    run(&mut m, &mut regions, &records, 1.0, 8);
    assert_eq!(regions.next_base, POOL);
    assert_eq!(regions.of_key[&5].1, FIRST_REGION_LOG as u32);
    // … then, in a run of its own, looked up every cycle: its sixth lookup claims the second
    // one's slot before the slot RAM shows that issue (only the slot comparisons see it).
    let burst: Vec<Record> = (0..16).map(|i| (5, i % 3 == 0)).collect();
    run(&mut m, &mut regions, &burst, 1.0, 9);
}

#[test]
fn regions_are_forgotten_between_runs() {
    let mut rng = StdRng::seed_from_u64(8);
    let mut m = issuer();
    let records: Vec<Record> =
        (0..2000u32).map(|i| if i % 2 == 0 { (rng.gen_range(0..4), false) } else { (100 + i, true) }).collect();
    let mut first = Regions::default();
    let first_run = run(&mut m, &mut first, &records, 1.0, 9);
    assert!(!first.of_key.is_empty());
    for key in first.of_key.keys() {
        m.set_bit("forget", true);
        m.set("forget_key", &BigUint::from(*key));
        m.tick();
    }
    m.set_bit("forget", false);
    reset(&mut m);
    // The same keys again: their regions start over from the pool's first slot and from the
    // first size (both checked in `run`), and the last run's stamps look old.
    let mut second = Regions::default();
    let second_run = run(&mut m, &mut second, &records, 1.0, 9);
    assert_eq!(second.of_key, first.of_key);
    assert_eq!(second_run.cycles, first_run.cycles);
}
