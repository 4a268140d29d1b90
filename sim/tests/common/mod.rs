//! Shared helpers for the Verilator tests: random field elements in Montgomery
//! form, edge cases, and a pipelined stream driver.
#![allow(dead_code)]

use ark_bn254::{Fq, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field as _, PrimeField, UniformRand, Zero};
use num_bigint::BigUint;
use zkaccel_hdl::field::{from_mont_residue, mont_residue, Field};
use zkaccel_sim::Model;

pub fn rng() -> ark_std::rand::rngs::StdRng {
    use ark_std::rand::SeedableRng;
    ark_std::rand::rngs::StdRng::seed_from_u64(0x5eed_2024)
}

/// Edge-case residues for a field: 0, 1, 2, p−1, p−2, R mod p (one), a few near p and 2^255/2^254 boundaries.
pub fn edge_residues(f: Field) -> Vec<BigUint> {
    let p = f.params().modulus;
    let one = BigUint::from(1u8);
    let mut v = vec![
        BigUint::from(0u8),
        one.clone(),
        BigUint::from(2u8),
        &p - 1u8,
        &p - 2u8,
        &p - 3u8,
        &p >> 1u8,
        (&p >> 1u8) + 1u8,
        f.params().mont_one.clone(),
        (BigUint::from(1u8) << 253u32) - 1u8,
        BigUint::from(1u8) << 253u32,
        BigUint::from(u64::MAX),
        (BigUint::from(1u8) << 128u32) - 1u8,
        BigUint::from(1u8) << 128u32,
    ];
    v.retain(|x| x < &p);
    v
}

pub fn rand_fq(r: &mut impl ark_std::rand::RngCore) -> Fq {
    Fq::rand(r)
}

/// Stream `inputs` through a fully pipelined model of latency `lat`: one input
/// set per cycle, outputs read `lat` cycles later. `apply` drives the inputs,
/// `read` samples the outputs. Returns the outputs in order.
pub fn stream<I, O>(
    m: &mut Model,
    lat: usize,
    inputs: &[I],
    apply: impl Fn(&mut Model, &I),
    read: impl Fn(&Model) -> O,
) -> Vec<O> {
    let mut out = Vec::with_capacity(inputs.len());
    for c in 0..inputs.len() + lat {
        if c < inputs.len() {
            apply(m, &inputs[c]);
        }
        m.tick();
        // after the (c+1)-th rising edge, the output of input c+1-lat is visible
        if c + 1 >= lat && c + 1 - lat < inputs.len() {
            out.push(read(m));
        }
    }
    out
}

/// XYZZ coordinates (as Montgomery residues) of an affine point scaled by `z`.
pub fn to_xyzz(p: &G1Affine, z: Fq) -> [BigUint; 4] {
    if p.is_zero() {
        return [0u8, 0, 0, 0].map(BigUint::from);
    }
    let zz = z.square();
    let zzz = zz * z;
    [p.x * zz, p.y * zzz, zz, zzz].map(|c| mont_residue(&c))
}

/// Affine point of XYZZ Montgomery residues (identity iff ZZ = 0), checking the
/// XYZZ invariant ZZ³ = ZZZ² and that all coordinates are reduced.
pub fn from_xyzz(c: &[BigUint; 4]) -> G1Affine {
    let q = Field::Fq.params().modulus;
    for x in c {
        assert!(x < &q, "coordinate not reduced");
    }
    let [x, y, zz, zzz] = c.clone().map(|v| from_mont_residue::<Fq>(&v));
    if zz.is_zero() {
        assert!(zzz.is_zero(), "ZZ = 0 but ZZZ != 0");
        return G1Affine::zero();
    }
    assert_eq!(zz.square() * zz, zzz.square(), "XYZZ invariant ZZ^3 = ZZZ^2 broken");
    let p = G1Affine::new_unchecked(x / zz, y / zzz);
    assert!(p.is_on_curve(), "result not on the curve");
    p
}

pub fn rand_point(r: &mut impl ark_std::rand::RngCore) -> G1Affine {
    G1Projective::rand(r).into_affine()
}

pub fn rand_nonzero(r: &mut impl ark_std::rand::RngCore) -> Fq {
    loop {
        let z = Fq::rand(r);
        if !z.is_zero() {
            return z;
        }
    }
}

pub fn modulus<F: PrimeField>() -> BigUint {
    BigUint::from_bytes_le(&ark_ff::BigInteger::to_bytes_le(&F::MODULUS))
}

/// Every special case of an XYZZ + XYZZ addition, as pairs of points in XYZZ residues, `rounds`
/// times with fresh points and Z scalings (the first round with Z = 1): the identity on either
/// side and on both, `P + P` in different and in the same coordinates (a doubling), `P + (−P)`
/// both ways and a general pair; then the identity as `ZZ = ZZZ = 0` with `X`, `Y` not zero on
/// either side and on both, and the generator with its double.
pub fn special_xyzz_pairs(rounds: usize) -> Vec<([BigUint; 4], [BigUint; 4])> {
    let mut r = rng();
    let id = G1Affine::zero();
    let mut pairs = Vec::new();
    for k in 0..rounds {
        let p = rand_point(&mut r);
        let q = rand_point(&mut r);
        let (z1, z2) = if k == 0 { (Fq::from(1u8), Fq::from(1u8)) } else { (rand_nonzero(&mut r), rand_nonzero(&mut r)) };
        let pair = |a: &G1Affine, b: &G1Affine| (to_xyzz(a, z1), to_xyzz(b, z2));
        pairs.push(pair(&id, &p));
        pairs.push(pair(&q, &id));
        pairs.push(pair(&id, &id));
        pairs.push(pair(&p, &p));
        pairs.push((to_xyzz(&p, z1), to_xyzz(&p, z1)));
        pairs.push(pair(&p, &-p));
        pairs.push(pair(&-p, &p));
        pairs.push(pair(&p, &q));
    }
    let junk = to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r));
    let junk_identity = [junk[0].clone(), junk[1].clone(), BigUint::from(0u8), BigUint::from(0u8)];
    let p = to_xyzz(&rand_point(&mut r), rand_nonzero(&mut r));
    pairs.push((junk_identity.clone(), p.clone()));
    pairs.push((p, junk_identity.clone()));
    pairs.push((junk_identity.clone(), junk_identity));
    let g = G1Affine::generator();
    let g2 = (g + g).into_affine();
    pairs.push((to_xyzz(&g, Fq::from(1u8)), to_xyzz(&g, Fq::from(1u8))));
    pairs.push((to_xyzz(&g2, Fq::from(7u8)), to_xyzz(&g, Fq::from(5u8))));
    pairs.push((to_xyzz(&g, Fq::from(7u8)), to_xyzz(&g2, Fq::from(1u8))));
    pairs
}
