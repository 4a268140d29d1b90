//! Conversions between arkworks' and halo2curves' BN254 types, and the inputs of an NTT
//! comparison, for the side-by-side runs (`src/main.rs`) and the criterion benchmark
//! (`benches/cpu.rs`).

use ark_bn254::{Fq, Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::PrimeField;
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use halo2curves::bn256;
use halo2curves::ff::PrimeField as _;
use halo2curves::group::prime::PrimeCurveAffine as _;
use halo2curves::group::Curve as _;
use halo2curves::CurveAffine as _;
use zkaccel::cpu::ntt::Twiddles;
use zkaccel::ntt::{self, NttKind};

fn limbs<F: PrimeField<BigInt = ark_ff::BigInt<4>>>(x: &F) -> [u64; 4] {
    x.into_bigint().0
}

/// An arkworks scalar as halo2curves'.
pub fn to_h2_fr(x: &Fr) -> bn256::Fr {
    bn256::Fr::from_raw(limbs(x))
}

/// An arkworks point as halo2curves' (the identity included).
pub fn to_h2_point(p: &G1Affine) -> bn256::G1Affine {
    if p.is_zero() {
        return bn256::G1Affine::identity();
    }
    bn256::G1Affine::from_xy(bn256::Fq::from_raw(limbs(&p.x)), bn256::Fq::from_raw(limbs(&p.y))).expect("a point on the curve")
}

/// A halo2curves scalar as arkworks'.
pub fn from_h2_fr(x: &bn256::Fr) -> Fr {
    Fr::from_le_bytes_mod_order(x.to_repr().as_ref())
}

/// A halo2curves point as arkworks' affine point (the identity included).
pub fn from_h2_point(p: &bn256::G1) -> G1Affine {
    let affine = p.to_affine();
    let coordinates = affine.coordinates();
    if bool::from(coordinates.is_none()) {
        return G1Affine::zero();
    }
    let coordinates = coordinates.unwrap();
    let x = Fq::from_le_bytes_mod_order(coordinates.x().to_repr().as_ref());
    let y = Fq::from_le_bytes_mod_order(coordinates.y().to_repr().as_ref());
    G1Affine::new(x, y)
}

/// One size of the forward-NTT comparison: each library's setup and the same input in both
/// libraries' types.
pub struct NttCase {
    /// arkworks' domain of the size.
    pub domain: Radix2EvaluationDomain<Fr>,
    /// The domain's root of unity, for halo2curves' `best_fft`.
    pub h2_omega: bn256::Fr,
    /// zkaccel's tables, built before any timing, as a backend keeps them across calls.
    pub twiddles: Twiddles,
    pub input: Vec<Fr>,
    pub h2_input: Vec<bn256::Fr>,
}

impl NttCase {
    /// The case of `input`, whose length is the size.
    pub fn new(input: Vec<Fr>) -> Self {
        let n = input.len();
        let domain = ntt::domain(n, NttKind::Forward).expect("a supported size");
        Self {
            h2_omega: to_h2_fr(&domain.group_gen()),
            twiddles: Twiddles::new(n).expect("a supported size"),
            h2_input: input.iter().map(to_h2_fr).collect(),
            domain,
            input,
        }
    }
}
