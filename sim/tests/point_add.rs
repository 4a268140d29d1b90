//! BN254 G1 XYZZ += affine adder through Verilator, against arkworks: random
//! additions with random Z-scaling, every special case, and long accumulations.
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
