//! The Groth16 prover against ark-groth16: the same circuit, key, `r` and `s` give the same proof,
//! byte for byte, on every backend; ark-groth16's verifier accepts it; bad circuits and keys
//! are errors.
#![cfg(feature = "groth16")]

use ark_bn254::{Bn254, Fr};
use ark_ff::{UniformRand, Zero};
use ark_groth16::{Groth16, Proof, ProvingKey};
use ark_r1cs_std::alloc::AllocVar;
use ark_r1cs_std::eq::EqGadget;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ark_serialize::CanonicalSerialize;
use zkaccel::groth16::{PoseidonChain, Prover};
use zkaccel::random::rng;
use zkaccel::{Backend, Error};

fn setup(chain: &PoseidonChain, seed: u64) -> ProvingKey<Bn254> {
    Groth16::<Bn254>::generate_random_parameters_with_reduction(chain.clone(), &mut rng(seed)).unwrap()
}

fn bytes(proof: &Proof<Bn254>) -> Vec<u8> {
    let mut out = Vec::new();
    proof.serialize_compressed(&mut out).unwrap();
    out
}

/// Random `(r, s)`, then the cases ark-groth16 treats apart: `r = 0` (no B in G1) and no
/// zero-knowledge at all.
fn randomness() -> [(Fr, Fr); 3] {
    let mut random = rng(99);
    [(Fr::rand(&mut random), Fr::rand(&mut random)), (Fr::zero(), Fr::from(3u8)), (Fr::zero(), Fr::zero())]
}

/// Proves `chain` on `backend` with each `(r, s)`, checked against ark-groth16 and its verifier.
fn proves_like_arkworks(backend: &mut dyn Backend, chain: &PoseidonChain, pk: &ProvingKey<Bn254>, randomness: &[(Fr, Fr)]) {
    let pvk = ark_groth16::prepare_verifying_key(&pk.vk);
    let mut prover = Prover::new(backend, pk).unwrap();
    for &(r, s) in randomness {
        let ours = prover.prove(chain.clone(), r, s).unwrap();
        let theirs = Groth16::<Bn254>::create_proof_with_reduction(chain.clone(), pk, r, s).unwrap();
        assert_eq!(bytes(&ours.proof), bytes(&theirs), "r = {r}, s = {s}");
        assert!(Groth16::<Bn254>::verify_proof(&pvk, &ours.proof, &[chain.digest()]).unwrap());
        assert!(!Groth16::<Bn254>::verify_proof(&pvk, &ours.proof, &[chain.digest() + Fr::from(1u8)]).unwrap());
        assert_eq!(ours.domain_size, (ours.constraints + PoseidonChain::PUBLIC_VARIABLES).next_power_of_two());
    }
}

#[test]
fn cpu_proofs_are_ark_groth16_proofs() {
    let chain = PoseidonChain::with_constraints(Fr::from(12345u32), 1 << 10).unwrap();
    let pk = setup(&chain, 1);
    let mut backend = zkaccel::open_backend("cpu").unwrap();
    proves_like_arkworks(backend.as_mut(), &chain, &pk, &randomness());
}

#[cfg(feature = "sim")]
#[test]
fn simulated_card_proofs_are_ark_groth16_proofs() {
    // One hash: ~240 constraints, domain 256, MSMs of ~240 points on the simulated kernels
    // (~20 s a proof, so only the random (r, s); the prover's code for the other cases is the
    // one the CPU test covers).
    let chain = PoseidonChain::new(Fr::from(5u8), 1);
    let pk = setup(&chain, 2);
    let mut backend = zkaccel::open_backend("sim").unwrap();
    proves_like_arkworks(backend.as_mut(), &chain, &pk, &randomness()[..1]);
}

#[test]
fn the_prover_frees_its_bases_when_dropped() {
    let chain = PoseidonChain::new(Fr::from(1u8), 1);
    let pk = setup(&chain, 3);
    let mut backend = zkaccel::cpu::CpuBackend::default();
    let handle = backend.load_bases(&pk.h_query).unwrap();
    drop(Prover::new(&mut backend, &pk).unwrap());
    assert_eq!(backend.resident_bases().unwrap().len(), 1, "only the caller's own set is left");
    backend.free_bases(handle).unwrap();
}

#[test]
fn a_key_for_another_circuit_is_an_error() {
    let pk = setup(&PoseidonChain::new(Fr::from(1u8), 1), 4);
    let mut backend = zkaccel::open_backend("cpu").unwrap();
    let mut prover = Prover::new(backend.as_mut(), &pk).unwrap();
    let err = prover.prove(PoseidonChain::new(Fr::from(1u8), 2), Fr::from(1u8), Fr::from(2u8)).unwrap_err();
    assert!(matches!(&err, Error::Circuit(m) if m.contains("another circuit")), "{err}");
}

/// `x · x = y` with a public `y` that is not `x²`.
#[derive(Clone)]
struct WrongSquare;

impl ConstraintSynthesizer<Fr> for WrongSquare {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let y = FpVar::new_input(cs.clone(), || Ok(Fr::from(10u8)))?;
        let x = FpVar::new_witness(cs, || Ok(Fr::from(3u8)))?;
        (&x * &x).enforce_equal(&y)
    }
}

#[test]
fn an_unsatisfied_circuit_is_an_error_not_a_bad_proof() {
    let pk = Groth16::<Bn254>::generate_random_parameters_with_reduction(WrongSquare, &mut rng(5)).unwrap();
    let mut backend = zkaccel::open_backend("cpu").unwrap();
    let mut prover = Prover::new(backend.as_mut(), &pk).unwrap();
    let err = prover.prove(WrongSquare, Fr::from(1u8), Fr::from(2u8)).unwrap_err();
    assert!(matches!(&err, Error::Circuit(m) if m.contains("does not satisfy") && m.contains("constraint ")), "{err}");
}
