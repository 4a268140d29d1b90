//! A real circuit to prove: a chain of Poseidon hashes from ark-crypto-primitives' sponge gadget.
//!
//! Public input: the chain's last digest `d_k`; witness: the preimage `x`, with `d_0 = x` and
//! `d_{i+1} = Poseidon(d_i)` (one absorb, one squeeze). Poseidon over BN254 Fr with width 3
//! (rate 2, capacity 1), x^5 S-box, 8 full and 57 partial rounds, round constants and MDS matrix
//! from the Grain LFSR of the Poseidon paper: the parameters Circom and most BN254 provers use.

use ark_bn254::Fr;
use ark_crypto_primitives::sponge::constraints::CryptographicSpongeVar;
use ark_crypto_primitives::sponge::poseidon::constraints::PoseidonSpongeVar;
use ark_crypto_primitives::sponge::poseidon::{find_poseidon_ark_and_mds, PoseidonConfig, PoseidonSponge};
use ark_crypto_primitives::sponge::CryptographicSponge;
use ark_ff::PrimeField;
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, SynthesisError, SynthesisMode};

use crate::{Error, Result};

const FULL_ROUNDS: usize = 8;
const PARTIAL_ROUNDS: usize = 57;
const ALPHA: u64 = 5;
const RATE: usize = 2;
const CAPACITY: usize = 1;

/// The Poseidon parameters of the chain (see the module doc).
pub fn poseidon_config() -> PoseidonConfig<Fr> {
    let (ark, mds) =
        find_poseidon_ark_and_mds::<Fr>(Fr::MODULUS_BIT_SIZE as u64, RATE, FULL_ROUNDS as u64, PARTIAL_ROUNDS as u64, 0);
    PoseidonConfig::new(FULL_ROUNDS, PARTIAL_ROUNDS, ALPHA, mds, ark, RATE, CAPACITY)
}

/// `hashes` Poseidon hashes in a chain from `preimage`; proves knowledge of the preimage of
/// [`PoseidonChain::digest`].
#[derive(Clone)]
pub struct PoseidonChain {
    pub config: PoseidonConfig<Fr>,
    pub preimage: Fr,
    pub hashes: usize,
}

impl PoseidonChain {
    pub fn new(preimage: Fr, hashes: usize) -> Self {
        Self { config: poseidon_config(), preimage, hashes }
    }

    /// The longest chain (at least one hash) whose R1CS has at most `constraints` constraints
    /// plus public inputs, i.e. whose QAP domain is at most the next power of two of
    /// `constraints`.
    pub fn with_constraints(preimage: Fr, constraints: usize) -> Result<Self> {
        let per_hash = Self::new(preimage, 2).count_constraints()? - Self::new(preimage, 1).count_constraints()?;
        let fixed = Self::new(preimage, 1).count_constraints()? - per_hash + Self::PUBLIC_VARIABLES;
        let hashes = constraints.saturating_sub(fixed) / per_hash;
        Ok(Self::new(preimage, hashes.max(1)))
    }

    /// Instance variables: the constant one and the digest.
    pub const PUBLIC_VARIABLES: usize = 2;

    /// The chain's last digest: the public input.
    pub fn digest(&self) -> Fr {
        let mut d = self.preimage;
        for _ in 0..self.hashes {
            let mut sponge = PoseidonSponge::new(&self.config);
            sponge.absorb(&d);
            d = sponge.squeeze_field_elements::<Fr>(1)[0];
        }
        d
    }

    /// Its number of R1CS constraints (synthesized in setup mode, no witness computed).
    pub fn count_constraints(&self) -> Result<usize> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_mode(SynthesisMode::Setup);
        self.clone().generate_constraints(cs.clone()).map_err(circuit_error)?;
        cs.finalize();
        Ok(cs.num_constraints())
    }
}

impl ConstraintSynthesizer<Fr> for PoseidonChain {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let digest = FpVar::new_input(cs.clone(), || Ok(self.digest()))?;
        let mut d = FpVar::new_witness(cs.clone(), || Ok(self.preimage))?;
        for _ in 0..self.hashes {
            let mut sponge = PoseidonSpongeVar::new(cs.clone(), &self.config);
            sponge.absorb(&d)?;
            d = sponge.squeeze_field_elements(1)?.remove(0);
        }
        d.enforce_equal(&digest)
    }
}

/// A synthesis failure as zkaccel's error.
pub(crate) fn circuit_error(e: SynthesisError) -> Error {
    Error::Circuit(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chain_is_satisfied_by_its_digest_and_not_by_another() {
        let chain = PoseidonChain::new(Fr::from(7u8), 3);
        let cs = ConstraintSystem::<Fr>::new_ref();
        chain.clone().generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        assert!(cs.is_satisfied().unwrap());
        assert_ne!(chain.digest(), PoseidonChain::new(Fr::from(8u8), 3).digest());
        assert_ne!(chain.digest(), PoseidonChain::new(Fr::from(7u8), 2).digest());
    }

    #[test]
    fn a_chain_sized_for_n_constraints_fits_a_domain_of_n() {
        for n in [1usize << 10, 1 << 12] {
            let chain = PoseidonChain::with_constraints(Fr::from(1u8), n).unwrap();
            let used = chain.count_constraints().unwrap() + PoseidonChain::PUBLIC_VARIABLES;
            assert!(used <= n, "{used} > {n}");
            let longer = PoseidonChain::new(Fr::from(1u8), chain.hashes + 1).count_constraints().unwrap();
            assert!(longer + PoseidonChain::PUBLIC_VARIABLES > n, "one more hash would still fit {n}");
        }
    }
}
