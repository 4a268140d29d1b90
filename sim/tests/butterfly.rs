//! NTT butterfly (Cooley–Tukey, a' = a + w·b, b' = a − w·b over Fr; with `halve`, a/2 in place of
//! a) through Verilator.
mod common;

use ark_bn254::Fr;
use ark_ff::{Field as _, UniformRand};
use common::*;
use num_bigint::BigUint;
use zkaccel_hdl::blocks::info;
use zkaccel_hdl::field::{from_mont_residue, mont_residue, Field};
use zkaccel_sim::Model;

#[test]
fn butterfly_matches_arkworks() {
    let mut r = rng();
    let edges = edge_residues(Field::Fr);
    // Every edge pair with and without halving (odd and even a, a = r − 1 near the top).
    let mut cases: Vec<([BigUint; 3], bool)> = Vec::new();
    for halve in [false, true] {
        for a in &edges {
            for b in &edges {
                cases.push(([a.clone(), b.clone(), edges[(cases.len() * 7) % edges.len()].clone()], halve));
            }
        }
    }
    for i in 0..4000 {
        cases.push(([0, 1, 2].map(|_| mont_residue(&Fr::rand(&mut r))), i % 2 == 1));
    }
    let mut m = Model::new("butterfly").unwrap();
    let lat = info("butterfly").unwrap().latency;
    let got = stream(
        &mut m,
        lat,
        &cases,
        |m, ([a, b, w], halve)| {
            m.set("a", a);
            m.set("b", b);
            m.set("w", w);
            m.set_bit("halve", *halve);
            m.set_bit("valid_in", true);
        },
        |m| (m.get("a_out"), m.get("b_out"), m.get_bit("valid_out")),
    );
    let half = Fr::from(2u64).inverse().unwrap();
    for (i, (([a, b, w], halve), (ao, bo, v))) in cases.iter().zip(&got).enumerate() {
        let [a, b, w] = [a, b, w].map(from_mont_residue::<Fr>);
        let a = if *halve { a * half } else { a };
        assert!(v, "valid_out low for case {i}");
        assert_eq!(ao, &mont_residue(&(a + w * b)), "a' case {i}");
        assert_eq!(bo, &mont_residue(&(a - w * b)), "b' case {i}");
    }
    // valid_out follows valid_in with the block latency
    m.set_bit("valid_in", false);
    for _ in 0..lat - 1 {
        m.tick();
        assert!(m.get_bit("valid_out"));
    }
    m.tick();
    assert!(!m.get_bit("valid_out"));
    eprintln!("butterfly: {} cases bit-exact", cases.len());
}
