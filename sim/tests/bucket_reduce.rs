//! The bucket reducer (`zkaccel_kernels::msm::reduce`) through Verilator, against arkworks: each
//! segment's `R_s = Σ B` and `T_s = Σ (m + 1)·B[s·L + m]`, and the window's `Σ (i + 1)·B[i]`
//! from them; random buckets with empty ones, equal ones and the running sum's negation among
//! them (doublings and cancellations inside the chains), at one segment, a few, and the most the
//! schedule holds; its reads and its cycles.
mod common;

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use common::*;
use num_bigint::BigUint;
use zkaccel_kernels::msm::reduce::{MAX_SEGMENTS, MODEL_NAME};
use zkaccel_sim::Model;

const LAT: u64 = zkaccel_hdl::point_add::PointAdd::LATENCY as u64;

/// XYZZ residues packed as the reducer's RAM holds them: `x | y << 256 | zz << 512 | zzz << 768`.
fn pack(c: &[BigUint; 4]) -> BigUint {
    c.iter().rev().fold(BigUint::from(0u8), |acc, v| (acc << 256) | v)
}

fn unpack(v: &BigUint) -> [BigUint; 4] {
    let mask = (BigUint::from(1u8) << 256) - 1u8;
    std::array::from_fn(|k| (v >> (256 * k)) & &mask)
}

/// Runs the reducer over `buckets` (`segments · per_segment` of them): the sums by segment
/// (`R_s`, `T_s`), in the order they came out, and the run's cycles.
fn reduce(m: &mut Model, buckets: &[G1Affine], segments: usize, per_segment: usize) -> (Vec<(usize, bool, G1Affine)>, u64) {
    assert_eq!(buckets.len(), segments * per_segment);
    let mut r = rng();
    let ram: Vec<BigUint> = buckets.iter().map(|b| pack(&to_xyzz(b, rand_nonzero(&mut r)))).collect();
    m.set("segments", &BigUint::from(segments));
    m.set("per_segment", &BigUint::from(per_segment));
    m.set_bit("start", true);
    m.tick();
    m.set_bit("start", false);
    let t0 = m.cycles();
    let (mut pending, mut reads, mut out) = (None, vec![0usize; buckets.len()], Vec::new());
    let limit = (per_segment as u64 + 3) * 2 * LAT;
    while m.get_bit("busy") {
        assert!(m.cycles() - t0 < limit, "the run did not end");
        m.set("bucket", pending.as_ref().unwrap_or(&BigUint::from(0u8)));
        m.eval();
        pending = m.get_bit("read_valid").then(|| {
            let addr = usize::try_from(m.get("read_addr")).unwrap();
            reads[addr] += 1;
            ram[addr].clone()
        });
        if m.get_bit("out_valid") {
            let segment = usize::try_from(m.get("out_segment")).unwrap();
            out.push((segment, m.get_bit("out_total"), from_xyzz(&unpack(&m.get("out_point")))));
        }
        m.tick();
    }
    assert!(reads.iter().all(|&n| n == 1), "every bucket read once: {reads:?}");
    (out, m.cycles() - t0)
}

fn check(m: &mut Model, buckets: &[G1Affine], segments: usize, per_segment: usize, what: &str) {
    let (out, cycles) = reduce(m, buckets, segments, per_segment);
    let mut want = Vec::new();
    for s in 0..segments {
        let seg = &buckets[s * per_segment..(s + 1) * per_segment];
        let running: G1Projective = seg.iter().map(|b| G1Projective::from(*b)).sum();
        let total: G1Projective = seg.iter().enumerate().map(|(k, b)| *b * Fr::from(k as u64 + 1)).sum();
        want.push((s, false, running.into_affine()));
        want.push((s, true, total.into_affine()));
    }
    // R_s of every segment, then T_s of every segment (the order of the schedule's slots)
    want.sort_by_key(|&(s, total, _)| (total, s));
    assert_eq!(out, want, "{what}");
    // the window's sum from the segment sums, as the host combines them
    let window: G1Projective =
        out.iter().map(|&(s, total, p)| if total { G1Projective::from(p) } else { p * Fr::from((s * per_segment) as u64) }).sum();
    let direct: G1Projective = buckets.iter().enumerate().map(|(i, b)| *b * Fr::from(i as u64 + 1)).sum();
    assert_eq!(window.into_affine(), direct.into_affine(), "{what}: the window's sum");
    // periods 0 ..= L whole, period L + 1 up to segment S − 1's total, then I and O
    assert_eq!(cycles, (per_segment as u64 + 1) * 2 * LAT + 2 * segments as u64 + 2, "{what}: cycles");
    eprintln!("{MODEL_NAME} {what}: S = {segments}, L = {per_segment} exact in {cycles} cycles");
}

/// Buckets with the cases a running sum meets: empty buckets, a bucket equal to the running sum
/// below it (a doubling when it is added), and one equal to its negation (the identity).
fn buckets(segments: usize, per_segment: usize) -> Vec<G1Affine> {
    let mut r = rng();
    let mut b: Vec<G1Affine> = (0..segments * per_segment).map(|_| rand_point(&mut r)).collect();
    for s in 0..segments {
        let seg = &mut b[s * per_segment..(s + 1) * per_segment];
        let top = seg.len() - 1;
        if seg.len() >= 4 {
            // running after the top two buckets is b[top] + b[top − 1]; b[top − 2] doubles it
            seg[top - 2] = (seg[top] + seg[top - 1]).into_affine();
            // and b[top − 3] cancels the running sum then, 2·(b[top] + b[top − 1])
            seg[top - 3] = -(seg[top - 2] + seg[top - 2]).into_affine();
        }
        if s % 3 == 1 {
            seg[0] = G1Affine::zero();
        }
        if s % 5 == 2 {
            seg[top] = G1Affine::zero();
        }
    }
    b
}

#[test]
fn a_few_segments() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    check(&mut m, &buckets(6, 7), 6, 7, "a few segments");
    // the same model again: a second run starts clean
    check(&mut m, &buckets(3, 5), 3, 5, "a second run");
}

#[test]
fn one_segment_and_one_bucket() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    check(&mut m, &buckets(1, 9), 1, 9, "one segment");
    check(&mut m, &buckets(1, 1), 1, 1, "one bucket");
    let empty = vec![G1Affine::zero(); 8];
    check(&mut m, &empty, 2, 4, "every bucket empty");
}

/// A start with no segment, more segments than the schedule holds, or empty segments starts
/// nothing (a run with them would never end or would mix segments up); a valid start after them
/// runs as usual.
#[test]
fn out_of_range_starts_are_ignored() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    for (segments, per_segment) in [(0, 4), (MAX_SEGMENTS + 1, 4), (255, 1), (3, 0)] {
        m.set("segments", &BigUint::from(segments));
        m.set("per_segment", &BigUint::from(per_segment as u32));
        m.set_bit("start", true);
        m.tick();
        m.set_bit("start", false);
        for _ in 0..3 {
            assert!(!m.get_bit("busy") && !m.get_bit("read_valid"), "S = {segments}, L = {per_segment} started");
            m.tick();
        }
    }
    check(&mut m, &buckets(2, 3), 2, 3, "after ignored starts");
}

#[test]
fn the_most_segments() {
    let mut m = Model::new(MODEL_NAME).unwrap();
    check(&mut m, &buckets(MAX_SEGMENTS, 5), MAX_SEGMENTS, 5, "the most segments");
}
