//! BN254 G1 XYZZ += affine adder through Verilator, against arkworks: random
//! additions with random Z-scaling, every special case, and long accumulations; and its
//! XYZZ + XYZZ mode (two issues), the same way, interleaved with mixed additions.
mod common;

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::UniformRand;
use common::*;
use num_bigint::BigUint;
use zkaccel_hdl::blocks::info;
use zkaccel_hdl::field::mont_residue;
use zkaccel_sim::Model;

const PORTS_IN: [&str; 4] = ["x1", "y1", "zz1", "zzz1"];
const PORTS_OUT: [&str; 4] = ["x3", "y3", "zz3", "zzz3"];

/// One addition request: accumulator (XYZZ residues) + affine point.
#[derive(Clone)]
struct Req {
    acc: [BigUint; 4],
    p: G1Affine,
}

fn apply(m: &mut Model, r: &Req) {
    m.set_bit("rescale", false);
    m.set_bit("rescaled", false);
    for (port, v) in PORTS_IN.iter().zip(&r.acc) {
        m.set(port, v);
    }
    let inf = r.p.is_zero();
    m.set_bit("inf2", inf);
    let (x, y) = if inf { (Fq::from(0u8), Fq::from(0u8)) } else { (r.p.x, r.p.y) };
    m.set("x2", &mont_residue(&x));
    m.set("y2", &mont_residue(&y));
    m.set_bit("valid_in", true);
}

fn read(m: &Model) -> [BigUint; 4] {
    assert!(m.get_bit("valid_out"));
    PORTS_OUT.map(|p| m.get(p))
}

fn run(reqs: &[Req]) -> Vec<[BigUint; 4]> {
    let mut m = Model::new("g1_add").unwrap();
    stream(&mut m, info("g1_add").unwrap().latency, reqs, apply, read)
}

fn check(reqs: &[Req], what: &str) {
    let got = run(reqs);
    for (i, (r, g)) in reqs.iter().zip(&got).enumerate() {
        let acc = from_xyzz(&r.acc);
        let want = (acc + r.p).into_affine();
        assert_eq!(from_xyzz(g), want, "{what}: case {i}");
        if want.is_zero() {
            // the adder emits the identity canonically as all-zero (unless it passes
            // the accumulator through unchanged, which only happens for inf2)
            if !r.p.is_zero() {
                assert!(g.iter().all(|c| c == &BigUint::from(0u8)), "{what}: case {i} identity not canonical");
            }
        }
    }
    eprintln!("g1_add {what}: {} cases exact", reqs.len());
}

#[test]
fn random_additions() {
    let mut r = rng();
    let reqs: Vec<Req> =
        (0..2000).map(|_| Req { acc: to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r)), p: rand_point(&mut r) }).collect();
    check(&reqs, "random");
}

#[test]
fn special_cases() {
    let mut r = rng();
    let mut reqs = Vec::new();
    let id = G1Affine::zero();
    for k in 0..50 {
        let p = rand_point(&mut r);
        let q = rand_point(&mut r);
        let z = if k == 0 { Fq::from(1u8) } else { rand_nonzero(&mut r) };
        reqs.push(Req { acc: to_xyzz(&id, z), p }); // identity + P
        reqs.push(Req { acc: to_xyzz(&q, z), p: id }); // Q + identity
        reqs.push(Req { acc: to_xyzz(&id, z), p: id }); // identity + identity
        reqs.push(Req { acc: to_xyzz(&p, z), p }); // P + P (doubling)
        reqs.push(Req { acc: to_xyzz(&p, z), p: -p }); // P + (-P)
        reqs.push(Req { acc: to_xyzz(&-p, z), p }); // (-P) + P
        reqs.push(Req { acc: to_xyzz(&p, z), p: q }); // general, interleaved
    }
    // the generator and small multiples
    let g = G1Affine::generator();
    let g2 = (g + g).into_affine();
    reqs.push(Req { acc: to_xyzz(&g, Fq::from(1u8)), p: g });
    reqs.push(Req { acc: to_xyzz(&g2, Fq::from(7u8)), p: g });
    reqs.push(Req { acc: to_xyzz(&g, Fq::from(7u8)), p: g2 });
    check(&reqs, "special");
}

/// Accumulate a sequence into one bucket (each addition waits for the previous
/// result: feedback through the full latency) and compare with arkworks' sum.
/// The sequence includes repeats (doubling), negations (cancellation to the
/// identity) and identities.
#[test]
fn accumulate_sequence() {
    let mut r = rng();
    let mut m = Model::new("g1_add").unwrap();
    let lat = info("g1_add").unwrap().latency;
    let mut pts: Vec<G1Affine> = (0..150).map(|_| rand_point(&mut r)).collect();
    let p0 = pts[0];
    pts.insert(0, G1Affine::zero()); // identity first
    pts.insert(1, p0); // acc = p0 after step 1, then p0 + p0 = doubling at step 2
    pts.insert(5, -p0);
    let s = (pts[3] + pts[4]).into_affine();
    let _ = s;
    pts.push(G1Affine::zero());
    let mut acc = [0u8, 0, 0, 0].map(BigUint::from);
    let mut want = G1Projective::from(G1Affine::zero());
    for (i, p) in pts.iter().enumerate() {
        apply(&mut m, &Req { acc: acc.clone(), p: *p });
        m.tick();
        m.set_bit("valid_in", false);
        for _ in 1..lat {
            m.tick();
        }
        acc = read(&m);
        want += p;
        assert_eq!(from_xyzz(&acc), want.into_affine(), "step {i}");
        // a mid-sequence cancellation: add the negation of the running sum
        if i == 40 {
            let neg = -want.into_affine();
            apply(&mut m, &Req { acc: acc.clone(), p: neg });
            m.tick();
            m.set_bit("valid_in", false);
            for _ in 1..lat {
                m.tick();
            }
            acc = read(&m);
            want += neg;
            assert_eq!(from_xyzz(&acc), G1Affine::zero());
        }
    }
    eprintln!("g1_add accumulate: {} steps, {} cycles", pts.len() + 1, m.cycles());
    let _ = Fq::rand(&mut r);
}

// ---- XYZZ + XYZZ in two issues

const PORTS_2: [&str; 4] = ["x2", "y2", "zz2", "zzz2"];

/// What a first issue hands the second: `(x3, y3, zz3, zzz3)` and `(u2, s2, zz_v)`, `settled`.
#[derive(Clone)]
struct FirstOut {
    bucket: [BigUint; 4],
    u2_s2_zz_v: [BigUint; 3],
    settled: bool,
}

/// One issue into the adder.
#[derive(Clone)]
enum Issue {
    Mixed(Req),
    First { a: [BigUint; 4], b: [BigUint; 4] },
    Second(FirstOut),
}

fn apply_issue(m: &mut Model, issue: &Issue) {
    match issue {
        Issue::Mixed(r) => apply(m, r),
        Issue::First { a, b } => {
            for (port, v) in PORTS_IN.iter().zip(a).chain(PORTS_2.iter().zip(b)) {
                m.set(port, v);
            }
            // the first issue finds the second point's identity from zz2 alone
            m.set_bit("inf2", false);
            m.set_bit("rescale", true);
            m.set_bit("rescaled", false);
            m.set_bit("valid_in", true);
        }
        Issue::Second(f) => {
            for (port, v) in PORTS_IN.iter().zip(&f.bucket).chain(["x2", "y2", "zz2"].iter().zip(&f.u2_s2_zz_v)) {
                m.set(port, v);
            }
            m.set("zzz2", &BigUint::from(0u8));
            m.set_bit("inf2", f.settled);
            m.set_bit("rescale", false);
            m.set_bit("rescaled", true);
            m.set_bit("valid_in", true);
        }
    }
}

fn read_issue(m: &Model) -> FirstOut {
    FirstOut { bucket: read(m), u2_s2_zz_v: ["u2", "s2", "zz_v"].map(|p| m.get(p)), settled: m.get_bit("settled") }
}

/// `a + b` for each pair, both issues streamed back to back, each issue followed by a mixed
/// addition (so that every mode's neighbour in the pipeline is another mode); the mixed
/// additions are checked too.
fn check_xyzz(pairs: &[([BigUint; 4], [BigUint; 4])], what: &str) {
    let mut r = rng();
    let mut m = Model::new("g1_add").unwrap();
    let lat = info("g1_add").unwrap().latency;
    let mixed: Vec<Req> =
        pairs.iter().map(|_| Req { acc: to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r)), p: rand_point(&mut r) }).collect();
    let check_mixed = |got: &[FirstOut]| {
        for (i, (q, g)) in mixed.iter().zip(got.iter().skip(1).step_by(2)).enumerate() {
            assert_eq!(from_xyzz(&g.bucket), (from_xyzz(&q.acc) + q.p).into_affine(), "{what}: mixed neighbour {i}");
        }
    };
    let firsts: Vec<Issue> = pairs
        .iter()
        .zip(&mixed)
        .flat_map(|((a, b), q)| [Issue::First { a: a.clone(), b: b.clone() }, Issue::Mixed(q.clone())])
        .collect();
    let first_out = stream(&mut m, lat, &firsts, apply_issue, read_issue);
    check_mixed(&first_out);
    let seconds: Vec<Issue> =
        first_out.iter().step_by(2).zip(&mixed).flat_map(|(f, q)| [Issue::Second(f.clone()), Issue::Mixed(q.clone())]).collect();
    let sums = stream(&mut m, lat, &seconds, apply_issue, read_issue);
    check_mixed(&sums);
    for (i, ((a, b), s)) in pairs.iter().zip(sums.iter().step_by(2)).enumerate() {
        let want = (from_xyzz(a) + from_xyzz(b)).into_affine();
        assert_eq!(from_xyzz(&s.bucket), want, "{what}: case {i}");
    }
    eprintln!("g1_add XYZZ mode {what}: {} cases exact, {} mixed beside them", pairs.len(), mixed.len());
}

#[test]
fn xyzz_random_additions() {
    let mut r = rng();
    let pairs: Vec<_> = (0..600)
        .map(|_| (to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r)), to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r))))
        .collect();
    check_xyzz(&pairs, "random");
}

#[test]
fn xyzz_special_cases() {
    check_xyzz(&special_xyzz_pairs(30), "special");
}

/// Running sums, as the reduction runs them (`running += bucket`, `total += running`), each
/// addition two issues fed back through the whole latency; a bucket equal to the running sum
/// (a doubling inside the chain), one equal to its negation (a cancellation) and empty buckets.
#[test]
fn xyzz_running_sums() {
    let mut r = rng();
    let mut m = Model::new("g1_add").unwrap();
    let lat = info("g1_add").unwrap().latency;
    let mut add = |a: [BigUint; 4], b: [BigUint; 4]| {
        let first = stream(&mut m, lat, &[Issue::First { a, b }], apply_issue, read_issue);
        stream(&mut m, lat, &[Issue::Second(first[0].clone())], apply_issue, read_issue)[0].bucket.clone()
    };
    let mut buckets: Vec<G1Affine> = (0..40).map(|_| rand_point(&mut r)).collect();
    buckets[0] = G1Affine::zero();
    buckets[2] = buckets[1]; // running is b1 when b1 comes again: a doubling
    buckets[9] = G1Affine::zero();
    let zero = || [0u8, 0, 0, 0].map(BigUint::from);
    let (mut running, mut total) = (zero(), zero());
    let (mut want_running, mut want_total) = (G1Projective::default(), G1Projective::default());
    for (i, b) in buckets.iter().enumerate() {
        // bucket 5 is the running sum so far (a doubling), bucket 7 its negation (the identity)
        let b = if i == 5 {
            want_running.into_affine()
        } else if i == 7 {
            -want_running.into_affine()
        } else {
            *b
        };
        running = add(running, to_xyzz(&b, rand_nonzero(&mut r)));
        total = add(total, running.clone());
        want_running += b;
        want_total += want_running;
        assert_eq!(from_xyzz(&running), want_running.into_affine(), "running, bucket {i}");
        assert_eq!(from_xyzz(&total), want_total.into_affine(), "total, bucket {i}");
    }
    eprintln!("g1_add XYZZ mode running sums: {} buckets, {} cycles", buckets.len(), m.cycles());
}
