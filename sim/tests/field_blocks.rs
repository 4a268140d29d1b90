//! Modular add/sub and Montgomery multipliers (Fq and Fr) through Verilator,
//! against arkworks, on random inputs plus edge cases.
mod common;

use ark_ff::{PrimeField, UniformRand};
use common::*;
use num_bigint::BigUint;
use zkaccel_hdl::blocks::info;
use zkaccel_hdl::field::{from_mont_residue, mont_residue, Field};
use zkaccel_sim::Model;

const RANDOM_CASES: usize = 5000;

/// All pairs of edge cases, then random residues (uniform in [0, p)) and random
/// values within 2^16 of p.
fn operands<F: PrimeField>(f: Field) -> Vec<(BigUint, BigUint)> {
    let mut r = rng();
    let edges = edge_residues(f);
    let mut v = Vec::new();
    for a in &edges {
        for b in &edges {
            v.push((a.clone(), b.clone()));
        }
    }
    let p = f.params().modulus;
    for i in 0..RANDOM_CASES {
        let a = mont_residue(&F::rand(&mut r));
        let b = if i % 10 == 0 { &p - 1u8 - BigUint::from(u16::rand(&mut r)) } else { mont_residue(&F::rand(&mut r)) };
        v.push((a, b));
    }
    v
}

fn run_binary(block: &str, ops: &[(BigUint, BigUint)]) -> Vec<BigUint> {
    let mut m = Model::new(block).unwrap();
    let lat = info(block).unwrap().latency;
    stream(
        &mut m,
        lat,
        ops,
        |m, (a, b)| {
            m.set("a", a);
            m.set("b", b);
        },
        |m| m.get("p"),
    )
}

fn check<F: PrimeField>(f: Field, block: &str, reference: impl Fn(F, F) -> F) {
    let ops = operands::<F>(f);
    let got = run_binary(block, &ops);
    assert_eq!(got.len(), ops.len());
    for (i, ((a, b), p)) in ops.iter().zip(&got).enumerate() {
        let want = mont_residue(&reference(from_mont_residue::<F>(a), from_mont_residue::<F>(b)));
        assert_eq!(p, &want, "{block} case {i}: a={a:x} b={b:x}");
    }
    eprintln!("{block}: {} cases bit-exact", ops.len());
}

#[test]
fn fq_add_matches_arkworks() {
    check::<ark_bn254::Fq>(Field::Fq, "fq_add", |a, b| a + b);
}
#[test]
fn fq_sub_matches_arkworks() {
    check::<ark_bn254::Fq>(Field::Fq, "fq_sub", |a, b| a - b);
}
#[test]
fn fr_add_matches_arkworks() {
    check::<ark_bn254::Fr>(Field::Fr, "fr_add", |a, b| a + b);
}
#[test]
fn fr_sub_matches_arkworks() {
    check::<ark_bn254::Fr>(Field::Fr, "fr_sub", |a, b| a - b);
}
#[test]
fn fq_mul_matches_arkworks() {
    check::<ark_bn254::Fq>(Field::Fq, "fq_mul", |a, b| a * b);
}
#[test]
fn fr_mul_matches_arkworks() {
    check::<ark_bn254::Fr>(Field::Fr, "fr_mul", |a, b| a * b);
}

#[test]
fn fq_mul_d243_matches_arkworks() {
    check::<ark_bn254::Fq>(Field::Fq, "fq_mul_d243", |a, b| a * b);
}
#[test]
fn fq_mul_d81_matches_arkworks() {
    check::<ark_bn254::Fq>(Field::Fq, "fq_mul_d81", |a, b| a * b);
}

/// Independent of arkworks: the multiplier computes a·b·2^-256 mod p on raw integers.
#[test]
fn fq_mul_is_montgomery_product() {
    let p = Field::Fq.params().modulus;
    let rinv = BigUint::from(1u8) << 256u32;
    let rinv = rinv.modpow(&(&p - 2u8), &p);
    let ops = operands::<ark_bn254::Fq>(Field::Fq);
    let ops = &ops[..500];
    let got = run_binary("fq_mul", ops);
    for ((a, b), g) in ops.iter().zip(&got) {
        assert_eq!(g, &(a * b * &rinv % &p));
    }
}

/// The test harness can fail: a wrong expectation must be detected.
#[test]
fn harness_detects_a_wrong_result() {
    let ops = vec![(BigUint::from(5u8), BigUint::from(7u8))];
    let got = run_binary("fq_add", &ops);
    assert_eq!(got[0], BigUint::from(12u8));
    assert_ne!(got[0], BigUint::from(13u8));
    assert!(Model::new("no_such_block").is_err());
}
