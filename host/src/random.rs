//! Random inputs, deterministic in their seed: for the demo, the CLI's `generate`, benchmarks and
//! the tests ([`crate::testing`] builds its cases from these).

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{PrimeGroup, ScalarMul};
use ark_ff::{AdditiveGroup, Field, UniformRand};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};

/// A deterministic random generator.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}

/// `n` uniformly random scalars.
pub fn random_scalars(n: usize, rng: &mut impl Rng) -> Vec<Fr> {
    (0..n).map(|_| Fr::rand(rng)).collect()
}

/// `n` uniformly random points of G1 (none is the identity, with overwhelming probability).
pub fn random_bases(n: usize, rng: &mut impl Rng) -> Vec<G1Affine> {
    // A fixed-base table over the generator makes this far cheaper than n independent scalar
    // multiplications; the points are still uniform because the multipliers are.
    G1Projective::generator().batch_mul(&random_scalars(n, rng))
}

/// Scalars as real provers often have them: mostly 0 and 1, the rest below 2^16. They pile into
/// few buckets, the case where hardware schedulers stall.
pub fn small_skewed_scalars(n: usize, rng: &mut impl Rng) -> Vec<Fr> {
    (0..n)
        .map(|_| match rng.gen_range(0..10) {
            0..=3 => Fr::ZERO,
            4..=7 => Fr::ONE,
            _ => Fr::from(rng.gen_range(2u64..1 << 16)),
        })
        .collect()
}
