//! BN254 G1 XYZZ + XYZZ adder (`g1_add_xyzz`) through Verilator, against arkworks: random
//! additions with both points Z-scaled at random, every special case with the identity on either
//! side and the same point in different coordinates, and running sums fed back through the
//! whole latency (the way the bucket method uses it).
mod common;

use ark_bn254::{G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use common::*;
use num_bigint::BigUint;
use zkaccel_hdl::blocks::info;
use zkaccel_sim::Model;

const NAME: &str = "g1_add_xyzz";
const PORTS_1: [&str; 4] = ["x1", "y1", "zz1", "zzz1"];
const PORTS_2: [&str; 4] = ["x2", "y2", "zz2", "zzz2"];
const PORTS_OUT: [&str; 4] = ["x3", "y3", "zz3", "zzz3"];

/// One addition: two points in XYZZ residues.
#[derive(Clone)]
struct Req {
    a: [BigUint; 4],
    b: [BigUint; 4],
}

fn apply(m: &mut Model, r: &Req) {
    for (port, v) in PORTS_1.iter().zip(&r.a).chain(PORTS_2.iter().zip(&r.b)) {
        m.set(port, v);
    }
    m.set_bit("valid_in", true);
}

fn read(m: &Model) -> [BigUint; 4] {
    assert!(m.get_bit("valid_out"));
    PORTS_OUT.map(|p| m.get(p))
}

fn check(reqs: &[Req], what: &str) {
    let mut m = Model::new(NAME).unwrap();
    let got = stream(&mut m, info(NAME).unwrap().latency, reqs, apply, read);
    for (i, (r, g)) in reqs.iter().zip(&got).enumerate() {
        let want = (from_xyzz(&r.a) + from_xyzz(&r.b)).into_affine();
        assert_eq!(from_xyzz(g), want, "{what}: case {i}");
    }
    eprintln!("{NAME} {what}: {} cases exact", reqs.len());
}

#[test]
fn random_additions() {
    let mut r = rng();
    let reqs: Vec<Req> = (0..1500)
        .map(|_| Req {
            a: to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r)),
            b: to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r)),
        })
        .collect();
    check(&reqs, "random");
}

#[test]
fn special_cases() {
    let reqs: Vec<Req> = special_xyzz_pairs(40).into_iter().map(|(a, b)| Req { a, b }).collect();
    check(&reqs, "special");
}

/// Running sums, as the bucket method's reduction computes them: `running += bucket`,
/// `total += running`, each step waiting for the previous results (feedback through the whole
/// latency). The buckets include the identity, a bucket equal to the running sum it meets (a
/// doubling inside the chain: the running sum is `b1` after step 1, and bucket 2 is `b1`), a
/// repeat and a bucket that cancels the running sum.
#[test]
fn running_sums() {
    let mut r = rng();
    let mut m = Model::new(NAME).unwrap();
    let latency = info(NAME).unwrap().latency;
    let mut buckets: Vec<G1Affine> = (0..40).map(|_| rand_point(&mut r)).collect();
    buckets[0] = G1Affine::zero();
    buckets[2] = buckets[1];
    buckets[3] = buckets[1];
    buckets[10] = G1Affine::zero();
    buckets[11] = G1Affine::zero();
    let zero = || [0u8, 0, 0, 0].map(BigUint::from);
    let (mut running, mut total) = (zero(), zero());
    let (mut want_running, mut want_total) = (G1Projective::from(G1Affine::zero()), G1Projective::from(G1Affine::zero()));
    let add = |m: &mut Model, a: &[BigUint; 4], b: &[BigUint; 4]| {
        apply(m, &Req { a: a.clone(), b: b.clone() });
        m.tick();
        m.set_bit("valid_in", false);
        for _ in 1..latency {
            m.tick();
        }
        read(m)
    };
    for (i, bucket) in buckets.iter().enumerate() {
        // A bucket equal to −running cancels it (step 20).
        let bucket = if i == 20 { -want_running.into_affine() } else { *bucket };
        running = add(&mut m, &running, &to_xyzz(&bucket, rand_nonzero(&mut r)));
        want_running += bucket;
        assert_eq!(from_xyzz(&running), want_running.into_affine(), "running sum, step {i}");
        total = add(&mut m, &total, &running);
        want_total += want_running;
        assert_eq!(from_xyzz(&total), want_total.into_affine(), "total, step {i}");
    }
    eprintln!("{NAME} running sums: {} steps, {} cycles", buckets.len(), m.cycles());
}
