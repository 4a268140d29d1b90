//! The digit lane (`zkaccel_kernels::msm::digit_lane`, its CI build: 8-bit windows, 4,096 keys,
//! 1,024 spill slots) through Verilator, against arkworks: scalars and points in, every key's
//! sum read out (its bucket plus the spill slots of every region it took), checked against the
//! sum of its points by `zkaccel_core::booth`'s digits, and the MSM from those sums against
//! arkworks'; on uniform scalars with the edge cases among them, on skewed ones that keep
//! hitting one bucket (equal scalars, all ones, 0/1-heavy), on a group of windows, and over
//! several runs of one model (the read port leaves every word empty for the next run).

mod common;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInteger, PrimeField, UniformRand, Zero};
use common::*;
use num_bigint::BigUint;
use zkaccel_core::booth;
use zkaccel_hdl::field::mont_residue;
use zkaccel_kernels::msm::digit_lane::{MODEL_NAME, SMALL_C, SMALL_KEY_BITS, SMALL_SLOT_BITS};
use zkaccel_kernels::msm::{ISSUE_TO_WRITEBACK, RESET_FLUSH};
use zkaccel_sim::Model;

const C: u32 = SMALL_C;
const KEYS: usize = 1 << SMALL_KEY_BITS;
const SLOTS: usize = 1 << SMALL_SLOT_BITS;

fn windows() -> u32 {
    booth::window_count(C)
}

/// Holds the lane in reset as the kernel does (after power-up the issuer's zero stamps age).
fn reset(m: &mut Model) {
    m.set_bit("reset", true);
    for _ in 0..RESET_FLUSH {
        m.tick();
    }
    m.set_bit("reset", false);
    m.tick();
}

/// `x | y << 256` in Montgomery residues; the identity is all zero.
fn point_word(p: &G1Affine) -> BigUint {
    if p.is_zero() {
        return BigUint::from(0u8);
    }
    mont_residue(&p.x) | (mont_residue(&p.y) << 256)
}

fn scalar_word(s: &Fr) -> BigUint {
    BigUint::from_bytes_le(&s.into_bigint().to_bytes_le())
}

fn unpack(v: &BigUint) -> [BigUint; 4] {
    let mask = (BigUint::from(1u8) << 256) - 1u8;
    std::array::from_fn(|k| (v >> (256 * k)) & &mask)
}

/// What a run gave: each key's sum (its bucket and its regions' slots), its cycles from the
/// first scalar offered to idle, and the regions taken; with a reduction, each enabled window's
/// `Σ (b + 1)·bucket` from its segment sums, and its cycles.
struct Run {
    sums: Vec<G1Projective>,
    cycles: u64,
    regions: usize,
    windows: Vec<Option<G1Projective>>,
    reduce_cycles: u64,
}

/// Reduces window `w` on the lane's adder in `segments` segments: `Σ_s T_s + s·L·R_s`.
fn reduce_window(m: &mut Model, w: u32, segments: usize) -> G1Projective {
    let per_segment = (1usize << (C - 1)) / segments;
    m.set("reduce_window", &BigUint::from(w));
    m.set("segments", &BigUint::from(segments));
    m.set("per_segment", &BigUint::from(per_segment));
    m.set_bit("reduce_start", true);
    m.tick();
    m.set_bit("reduce_start", false);
    let limit = m.cycles() + (per_segment as u64 + 3) * 2 * ISSUE_TO_WRITEBACK as u64;
    let mut sum = G1Projective::zero();
    let mut seen = 0;
    loop {
        m.eval();
        if m.get_bit("out_valid") {
            let segment = usize::try_from(m.get("out_segment")).unwrap();
            let p = from_xyzz(&unpack(&m.get("out_point")));
            sum += if m.get_bit("out_total") { G1Projective::from(p) } else { p * Fr::from((segment * per_segment) as u64) };
            seen += 1;
        }
        if m.get_bit("idle") {
            break;
        }
        assert!(m.cycles() < limit, "the reduction did not end");
        m.tick();
    }
    assert_eq!(seen, 2 * segments, "R_s and T_s of every segment");
    sum
}

/// One run over `(bases, scalars)` with the windows of `mask`, read out and cleared; the grown
/// regions forgotten and the lane reset after it.
fn run(m: &mut Model, bases: &[G1Affine], scalars: &[Fr], mask: u32, segments: Option<usize>) -> Run {
    m.set("windows", &BigUint::from(mask));
    let mut regions: Vec<(usize, usize, u32)> = Vec::new();
    let log_region = |m: &Model, regions: &mut Vec<(usize, usize, u32)>| {
        if m.get_bit("grew") {
            let key = usize::try_from(m.get("grew_key")).unwrap();
            let base = usize::try_from(m.get("grew_base")).unwrap();
            let log = u32::try_from(m.get("grew_log")).unwrap();
            regions.push((key, base, log));
        }
    };
    let t0 = m.cycles();
    let mut sent = 0;
    while sent < bases.len() {
        m.set("in_scalar", &scalar_word(&scalars[sent]));
        m.set("in_point", &point_word(&bases[sent]));
        m.set_bit("in_valid", true);
        m.eval();
        let taken = m.get_bit("in_ready");
        log_region(m, &mut regions);
        m.tick();
        sent += usize::from(taken);
    }
    m.set_bit("in_valid", false);
    let limit = m.cycles() + 64 * bases.len() as u64 * u64::from(windows()) + 4 * ISSUE_TO_WRITEBACK as u64;
    loop {
        m.eval();
        log_region(m, &mut regions);
        if m.get_bit("idle") {
            break;
        }
        assert!(m.cycles() < limit, "the lane did not go idle");
        m.tick();
    }
    let cycles = m.cycles() - t0;

    // The reduction, window by window, leaves the buckets empty.
    let t1 = m.cycles();
    let window_sums: Vec<Option<G1Projective>> =
        (0..windows()).map(|w| segments.filter(|_| mask >> w & 1 == 1).map(|s| reduce_window(m, w, s))).collect();
    let reduce_cycles = m.cycles() - t1;

    // Every bucket, then every spill slot, one read a cycle, each cleared behind its read.
    let targets: Vec<(bool, usize)> = (0..KEYS).map(|a| (false, a)).chain((0..SLOTS).map(|a| (true, a))).collect();
    let mut words = Vec::with_capacity(targets.len());
    for i in 0..targets.len() + 2 {
        let request = targets.get(i);
        m.set_bit("read", request.is_some());
        m.set_bit("read_clear", true);
        if let Some(&(spill, addr)) = request {
            m.set_bit("read_spill", spill);
            m.set("read_addr", &BigUint::from(addr));
        }
        m.eval();
        if m.get_bit("read_data_valid") {
            words.push(from_xyzz(&unpack(&m.get("read_data"))));
        }
        m.tick();
    }
    m.set_bit("read", false);
    assert_eq!(words.len(), targets.len(), "one word per read");
    let (buckets, slots) = words.split_at(KEYS);

    // A slot's sum belongs to the key whose region holds it: regions in order, disjoint, in the
    // pool; every slot outside them empty.
    let mut sums: Vec<G1Projective> = buckets.iter().map(|&b| b.into()).collect();
    let mut owner = vec![None; SLOTS];
    let mut next = 0;
    for &(key, base, log) in &regions {
        assert_eq!(base, next, "regions follow each other");
        next = base + (1 << log);
        assert!(next <= SLOTS, "a region past the pool");
        owner[base..next].fill(Some(key));
    }
    for (slot, word) in slots.iter().enumerate() {
        match owner[slot] {
            Some(key) => sums[key] += word,
            None => assert!(word.is_zero(), "spill slot {slot} outside every region holds a sum"),
        }
    }

    // After the run: the grown regions ended, the pool's count restarted.
    for &(key, _, _) in &regions {
        m.set_bit("forget", true);
        m.set("forget_key", &BigUint::from(key));
        m.tick();
    }
    m.set_bit("forget", false);
    reset(m);
    if segments.is_some() {
        assert!(buckets.iter().all(|b| b.is_zero()), "a bucket the reduction read is not empty");
    }
    Run { sums, cycles, regions: regions.len(), windows: window_sums, reduce_cycles }
}

/// Each key's sum by `booth`'s digits: `±P` into key `w · 2^(c−1) + |d| − 1` for every nonzero
/// digit `d` of an enabled window `w`; and how many such digits there are.
fn key_sums(bases: &[G1Affine], scalars: &[Fr], mask: u32) -> (Vec<G1Projective>, usize) {
    let mut sums = vec![G1Projective::zero(); KEYS];
    let mut digits = 0;
    for (p, s) in bases.iter().zip(scalars) {
        if p.is_zero() {
            continue;
        }
        let limbs = s.into_bigint().0;
        for w in (0..windows()).filter(|w| mask >> w & 1 == 1) {
            if let Some((bucket, negative)) = booth::bucket(booth::digit(&limbs, w * C, C)) {
                let key = ((w as usize) << (C - 1)) + bucket as usize;
                sums[key] += if negative { -*p } else { *p };
                digits += 1;
            }
        }
    }
    (sums, digits)
}

/// The MSM from the keys' sums: `Σ_w 2^(wc) Σ_b (b + 1)·sum[w, b]`.
fn msm_from_sums(sums: &[G1Projective]) -> G1Projective {
    let per_window = 1usize << (C - 1);
    let mut acc = G1Projective::zero();
    for w in (0..windows() as usize).rev() {
        for _ in 0..C {
            acc += acc;
        }
        let (mut running, mut window) = (G1Projective::zero(), G1Projective::zero());
        for b in (0..per_window).rev() {
            running += sums[w * per_window + b];
            window += running;
        }
        acc += window;
    }
    acc
}

/// Runs the lane and checks every key's sum, and with every window enabled the MSM against
/// arkworks; returns the utilisation (digits ÷ cycles).
fn check(m: &mut Model, bases: &[G1Affine], scalars: &[Fr], mask: u32, what: &str) -> f64 {
    let got = run(m, bases, scalars, mask, None);
    let (want, digits) = key_sums(bases, scalars, mask);
    let wrong: Vec<usize> = (0..KEYS).filter(|&k| got.sums[k].into_affine() != want[k].into_affine()).collect();
    assert!(wrong.is_empty(), "{what}: {} keys wrong, the first {:?}", wrong.len(), &wrong[..wrong.len().min(20)]);
    if mask == u32::MAX >> (32 - windows()) {
        let msm = G1Projective::msm(bases, scalars).unwrap();
        assert_eq!(msm_from_sums(&got.sums).into_affine(), msm.into_affine(), "{what}: the MSM");
    }
    let utilisation = digits as f64 / got.cycles as f64;
    eprintln!(
        "{MODEL_NAME} {what}: {} scalars, {digits} digits in {} cycles ({:.1} %), {} regions",
        bases.len(),
        got.cycles,
        100.0 * utilisation,
        got.regions
    );
    utilisation
}

/// Runs the lane, reduces every enabled window on its adder in `segments` segments, and checks
/// each window's sum (its reduction plus its keys' spill slots, weighted on the host) against
/// `booth`'s, and with every window enabled the MSM against arkworks.
fn check_reduced(m: &mut Model, bases: &[G1Affine], scalars: &[Fr], mask: u32, segments: usize, what: &str) {
    let got = run(m, bases, scalars, mask, Some(segments));
    let (want, _) = key_sums(bases, scalars, mask);
    let per_window = 1usize << (C - 1);
    let mut msm = G1Projective::zero();
    for w in (0..windows() as usize).rev() {
        for _ in 0..C {
            msm += msm;
        }
        let Some(reduced) = got.windows[w] else { continue };
        // after the reduction `got.sums` holds only the spill slots' share of each key
        let weighted = |sums: &[G1Projective]| -> G1Projective {
            (0..per_window).map(|b| sums[w * per_window + b] * Fr::from(b as u64 + 1)).sum()
        };
        let window = reduced + weighted(&got.sums);
        assert_eq!(window.into_affine(), weighted(&want).into_affine(), "{what}: window {w}");
        msm += window;
    }
    if mask == all_windows() {
        assert_eq!(msm.into_affine(), G1Projective::msm(bases, scalars).unwrap().into_affine(), "{what}: the MSM");
    }
    eprintln!("{MODEL_NAME} {what}: reduced in {segments} segments, {} cycles", got.reduce_cycles);
}

fn all_windows() -> u32 {
    u32::MAX >> (32 - windows())
}

fn random_bases(n: usize) -> Vec<G1Affine> {
    let mut r = rng();
    (0..n).map(|_| rand_point(&mut r)).collect()
}

/// Uniform scalars with the edge cases among them (zero, one, r − 1, an identity base, a base
/// twice, P beside −P), then a group of windows and a second run on the same model.
#[test]
fn uniform_scalars_and_edge_cases() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    reset(&mut m);
    let mut r = rng();
    let n = 300;
    let mut bases = random_bases(n);
    let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut r)).collect();
    scalars[0] = Fr::zero();
    scalars[1] = Fr::from(1u8);
    scalars[2] = -Fr::from(1u8);
    bases[3] = G1Affine::zero();
    bases[4] = bases[5];
    bases[6] = -bases[7];
    scalars[6] = scalars[7];
    let utilisation = check(&mut m, &bases, &scalars, all_windows(), "uniform");
    // 9,469 digits in 10,312 cycles: the pipeline's fill (282 cycles), and retries once this
    // small build's 1,024 spill slots are spent (a lane stalled by a lost issue would be far below)
    assert!(utilisation > 0.85, "uniform scalars at {:.1} %", 100.0 * utilisation);
    check(&mut m, &bases[..100], &scalars[..100], 0x0000_f00f, "a group of windows");
    check(&mut m, &bases[..50], &scalars[..50], all_windows(), "a second run");
}

/// Scalars that hit one bucket again and again: the spill regions carry them.
#[test]
fn skewed_scalars() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    reset(&mut m);
    let mut r = rng();
    let bases = random_bases(200);
    let equal = vec![Fr::rand(&mut r); 200];
    check(&mut m, &bases, &equal, all_windows(), "all scalars equal");
    let ones = vec![Fr::from(1u8); 200];
    check(&mut m, &bases, &ones, all_windows(), "all scalars one");
    let heavy: Vec<Fr> = (0..200u64).map(|i| Fr::from(u64::from(i % 3 != 0) * (1 + (i % 7 == 0) as u64 * i))).collect();
    check(&mut m, &bases, &heavy, all_windows(), "0/1-heavy");
    let mut top = Fr::from(1u8);
    for _ in 0..(windows() - 1) * C {
        top += top;
    }
    let top_only: Vec<Fr> = (0..200u64).map(|i| top * Fr::from(i % 5 + 1)).collect();
    check(&mut m, &bases, &top_only, all_windows(), "the top window only");
}

/// One scalar at a time: a single digit, a digit in every window (r − 1, each digit negative
/// but the top one), and two equal scalars (the second meets its bucket busy and spills).
#[test]
fn single_scalars() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    reset(&mut m);
    let bases = random_bases(2);
    check(&mut m, &bases[..1], &[Fr::from(1u8)], all_windows(), "one");
    check(&mut m, &bases[..1], &[Fr::from(3u8)], all_windows(), "three");
    check(&mut m, &bases[..1], &[-Fr::from(1u8)], all_windows(), "r − 1");
    check(&mut m, &bases[..2], &[Fr::from(1u8), Fr::from(1u8)], all_windows(), "two ones");
}

/// The reduction on the lane's own adder: every window's buckets summed as segment sums (one
/// segment, a few, and one bucket per segment), the spill slots weighted on the host, the MSM
/// against arkworks; the buckets are empty after it, and a run after a reduction is exact.
#[test]
fn reduction_on_the_lanes_adder() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    reset(&mut m);
    let mut r = rng();
    let bases = random_bases(120);
    let mut scalars: Vec<Fr> = (0..120).map(|_| Fr::rand(&mut r)).collect();
    scalars[0] = -Fr::from(1u8);
    scalars[1..30].fill(Fr::from(5u8));
    check_reduced(&mut m, &bases, &scalars, all_windows(), 16, "16 segments");
    check_reduced(&mut m, &bases[..40], &scalars[..40], 0x8000_0101, 1, "one segment, three windows");
    check_reduced(&mut m, &bases[..40], &scalars[..40], 0x0000_0002, 128, "a bucket a segment");
    check(&mut m, &bases[..60], &scalars[..60], all_windows(), "a run after reductions");
}
