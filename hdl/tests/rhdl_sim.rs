//! Blocks run in rust-hdl's own simulator (no Verilator), against integer /
//! arkworks references. Small case counts: rust-hdl simulates wide signals bit
//! by bit. The bulk verification runs through Verilator in zkaccel-sim.

use ark_bn254::{Fq, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::Field as _;
use ark_std::UniformRand;
use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_hdl::field::*;
use zkaccel_hdl::karatsuba::{Kara256, MulLo256};
use zkaccel_hdl::montmul::MontMul;
use zkaccel_hdl::point_add::PointAdd;
use zkaccel_hdl::rhdl_sim::tick;

fn rand_big(bits: u64, seed: &mut u64) -> BigUint {
    let mut v = BigUint::from(0u8);
    for _ in 0..bits.div_ceil(64) {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        v = (v << 64u32) + (*seed ^ (*seed >> 29));
    }
    v & ((BigUint::from(1u8) << bits) - 1u8)
}

/// Pipelined: a new operand pair every cycle; includes all-ones (worst-case
/// Karatsuba signs/carries) and zero.
#[test]
fn karatsuba_and_low_half_products() {
    let mut seed = 7;
    let max = (BigUint::from(1u8) << 256u32) - 1u8;
    let mut ops = vec![(max.clone(), max.clone()), (BigUint::from(0u8), max.clone()), (max.clone() >> 128u32, max.clone())];
    for _ in 0..12 {
        ops.push((rand_big(256, &mut seed), rand_big(256, &mut seed)));
    }
    let mut k = Kara256::default();
    let mut l = MulLo256::default();
    k.connect_all();
    l.connect_all();
    let r = BigUint::from(1u8) << 256u32;
    for c in 0..ops.len() + Kara256::LATENCY - 1 {
        let (a, b) = &ops[c.min(ops.len() - 1)];
        k.a.next = big_to_bits(a);
        k.b.next = big_to_bits(b);
        l.a.next = big_to_bits(a);
        l.b.next = big_to_bits(b);
        tick(&mut k, |u| &mut u.clock);
        tick(&mut l, |u| &mut u.clock);
        if c + 1 >= Kara256::LATENCY {
            let (a, b) = &ops[c + 1 - Kara256::LATENCY];
            assert_eq!(bits_to_big(k.p.val()), a * b, "Kara256 case {}", c + 1 - Kara256::LATENCY);
        }
        if c + 1 >= MulLo256::LATENCY && c + 1 - MulLo256::LATENCY < ops.len() {
            let (a, b) = &ops[c + 1 - MulLo256::LATENCY];
            assert_eq!(bits_to_big(l.p.val()), a * b % &r);
        }
    }
}

#[test]
fn montmul_matches_arkworks() {
    let mut rng = ark_std::test_rng();
    let q = Field::Fq.params().modulus;
    let mut ops: Vec<(BigUint, BigUint)> = vec![(&q - 1u8, &q - 1u8), (BigUint::from(0u8), &q - 1u8), (BigUint::from(1u8), BigUint::from(1u8))];
    for _ in 0..5 {
        ops.push((mont_residue(&Fq::rand(&mut rng)), mont_residue(&Fq::rand(&mut rng))));
    }
    let mut uut = MontMul::new(Field::Fq);
    uut.connect_all();
    for c in 0..ops.len() + MontMul::LATENCY - 1 {
        let (a, b) = &ops[c.min(ops.len() - 1)];
        uut.a.next = big_to_bits(a);
        uut.b.next = big_to_bits(b);
        tick(&mut uut, |u| &mut u.clock);
        if c + 1 >= MontMul::LATENCY {
            let (a, b) = &ops[c + 1 - MontMul::LATENCY];
            let want = from_mont_residue::<Fq>(a) * from_mont_residue::<Fq>(b);
            assert_eq!(bits_to_big(uut.p.val()), mont_residue(&want));
        }
    }
}

#[test]
fn point_add_general_case() {
    zkaccel_hdl::on_big_stack(|| {
        let mut uut = Box::new(PointAdd::new());
        uut.connect_all();
        let mut rng = ark_std::test_rng();
        let p1 = G1Projective::rand(&mut rng).into_affine();
        let p2 = G1Projective::rand(&mut rng).into_affine();
        let z = Fq::from(5u8);
        let (zz, zzz) = (z.square(), z.square() * z);
        let b = |x: Fq| big_to_bits::<256>(&mont_residue(&x));
        uut.x1.next = b(p1.x * zz);
        uut.y1.next = b(p1.y * zzz);
        uut.zz1.next = b(zz);
        uut.zzz1.next = b(zzz);
        uut.x2.next = b(p2.x);
        uut.y2.next = b(p2.y);
        uut.inf2.next = false;
        uut.valid_in.next = true;
        for _ in 0..PointAdd::LATENCY {
            tick(&mut *uut, |u| &mut u.clock);
        }
        let f = |x: Bits<256>| from_mont_residue::<Fq>(&x.into());
        let x = f(uut.x3.val()) / f(uut.zz3.val());
        let y = f(uut.y3.val()) / f(uut.zzz3.val());
        let want = (p1 + p2).into_affine();
        assert!(uut.valid_out.val());
        assert_eq!((x, y), (want.x, want.y));
    })
}
