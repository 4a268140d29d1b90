//! One proof of a [`PoseidonChain`] from scratch, as the CLI's `prove`, the Python package and the
//! benchmark run it: setup, loading the key, the proof, ark-groth16's verifier, and optionally
//! ark-groth16's own proof with the same randomness to compare byte for byte.

use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr};
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use ark_serialize::CanonicalSerialize;

use super::{PoseidonChain, Proved, Prover, Step};
use crate::backend::Backend;
use crate::{random, Error, Result};

/// What a [`run`] made and measured.
pub struct ChainRun {
    pub chain: PoseidonChain,
    /// Key generation (ark-groth16, CPU; not part of proving).
    pub setup: Duration,
    /// Loading the key's G1 queries on the backend (once per key).
    pub load_bases: Duration,
    pub proved: Proved,
    /// The proof, compressed as ark-serialize writes it.
    pub proof_bytes: Vec<u8>,
    /// Whether ark-groth16's verifier accepts it for the chain's digest.
    pub verified: bool,
    /// With `compare`: whether ark-groth16's proof with the same `r`, `s` is the same, and how
    /// long ark-groth16 took to make it.
    pub ark_groth16: Option<(bool, Duration)>,
}

/// A proof of a Poseidon chain of at most `constraints` constraints on `backend`; the preimage,
/// the key and `r`, `s` come from `seed`. `observe` hears each step as it starts.
pub fn run(
    backend: &mut dyn Backend,
    constraints: usize,
    seed: u64,
    compare: bool,
    observe: &mut dyn FnMut(Step),
) -> Result<ChainRun> {
    let synthesis = |e: ark_relations::gr1cs::SynthesisError| Error::Circuit(e.to_string());
    let mut rng = random::rng(seed);
    let chain = PoseidonChain::with_constraints(Fr::rand(&mut rng), constraints)?;
    observe(Step::Setup);
    let start = Instant::now();
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(chain.clone(), &mut rng).map_err(synthesis)?;
    let setup = start.elapsed();
    let (r, s) = (Fr::rand(&mut rng), Fr::rand(&mut rng));

    observe(Step::LoadBases);
    let start = Instant::now();
    let mut prover = Prover::new(backend, &pk)?;
    let load_bases = start.elapsed();
    let proved = prover.prove_observed(chain.clone(), r, s, observe)?;
    drop(prover);

    observe(Step::Verify);
    let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
    let verified = Groth16::<Bn254>::verify_proof(&pvk, &proved.proof, &[chain.digest()]).unwrap_or(false);
    let mut proof_bytes = Vec::new();
    proved.proof.serialize_compressed(&mut proof_bytes).map_err(|e| Error::Internal(e.to_string()))?;
    let ark_groth16 = if compare {
        observe(Step::Compare);
        let start = Instant::now();
        let theirs = Groth16::<Bn254>::create_proof_with_reduction(chain.clone(), &pk, r, s).map_err(synthesis)?;
        Some((theirs == proved.proof, start.elapsed()))
    } else {
        None
    };
    Ok(ChainRun { chain, setup, load_bases, proved, proof_bytes, verified, ark_groth16 })
}
