//! A Groth16 prover on BN254 whose heavy kernels run on a zkaccel [`Backend`]: the four G1 MSMs
//! (A, B in G1, and C's `h` and `l` queries) over resident bases, and the witness map's NTTs as
//! batched transforms. The G2 MSM (B in G2) stays on the CPU with arkworks: no backend has a G2
//! kernel.
//!
//! The proof is **byte-identical** to `ark_groth16::Groth16::<Bn254>::create_proof_with_reduction`
//! for the same circuit, key, `r` and `s`: every step is an exact computation in the field or the
//! group, and the final affine points are canonical. (ark-groth16 computes its MSMs with
//! `msm_bigint`, which an override of `SWCurveConfig::msm` does not reach; so this prover calls
//! the backend itself rather than hooking arkworks.)
//!
//! ```text
//! synthesis (ark-relations) ─► witness map: rows on host (a·b = c checked) ─► 3 inverse NTTs ─► 3 coset NTTs
//!   ─► h on the coset (host) ─► 1 coset inverse NTT ─► 4 G1 MSMs (one batch, resident bases)
//!   ─► B in G2 (CPU) ─► A, B, C combined as ark-groth16 does
//! ```

pub mod circuit;
pub mod run;
pub mod witness_map;

use std::time::{Duration, Instant};

use ark_bn254::{Bn254, Fr, G1Projective, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::Zero;
use ark_groth16::{Proof, ProvingKey};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode, R1CS_PREDICATE_LABEL};

use crate::backend::Backend;
use crate::bases::{BasesHandle, ResidentMsm};
use crate::report::Report;
use crate::{Error, Result};
use circuit::circuit_error;

pub use circuit::PoseidonChain;

/// A step of a proof as [`Prover::prove_observed`] announces it (synthesis to combine), or of a
/// whole [`run`] around it (setup, loading bases, verifying, comparing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Setup,
    LoadBases,
    Synthesis,
    WitnessMap,
    MsmG1,
    MsmG2,
    Combine,
    Verify,
    Compare,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Setup => "setup (ark-groth16 key generation, CPU)",
            Step::LoadBases => "loading the key's G1 queries",
            Step::Verify => "verifying with ark-groth16",
            Step::Compare => "proving with ark-groth16 to compare",
            Step::Synthesis => "synthesis",
            Step::WitnessMap => "witness map (NTTs)",
            Step::MsmG1 => "G1 MSMs",
            Step::MsmG2 => "G2 MSM (CPU)",
            Step::Combine => "combine",
        }
    }
}

/// Where a proof's time went (wall time on this host).
#[derive(Clone, Debug, Default)]
pub struct ProofTimes {
    /// Constraint synthesis (ark-relations).
    pub synthesis: Duration,
    /// The witness map's host steps (row evaluations, the pointwise quotient).
    pub witness_host: Duration,
    /// The witness map's NTT calls on the backend.
    pub ntt: Duration,
    /// The G1 MSM batch on the backend.
    pub msm_g1: Duration,
    /// The G2 MSM on the CPU.
    pub msm_g2: Duration,
    /// Scalar preparation and the final combination.
    pub other: Duration,
}

impl ProofTimes {
    pub fn total(&self) -> Duration {
        self.synthesis + self.witness_host + self.ntt + self.msm_g1 + self.msm_g2 + self.other
    }
}

/// A proof and what it cost.
#[derive(Clone, Debug)]
pub struct Proved {
    pub proof: Proof<Bn254>,
    pub times: ProofTimes,
    /// The backend's NTT calls, summed (device cycles on a card).
    pub ntt: Report,
    /// The backend's G1 MSM batch.
    pub msm: Report,
    pub constraints: usize,
    /// The QAP domain size: the NTTs' size.
    pub domain_size: usize,
}

impl Proved {
    /// The proof's time with the backend's share (NTTs and G1 MSMs) projected to the card end to
    /// end ([`Report::projected_end_to_end`]) and the rest as measured here; `None` on a backend
    /// without device cycles.
    pub fn projected_total(&self) -> Option<Duration> {
        let card = self.ntt.projected_end_to_end()? + self.msm.projected_end_to_end()?;
        Some(self.times.total() - self.times.ntt - self.times.msm_g1 + card)
    }
}

/// The proving key's G1 queries, resident on the backend.
struct QueryBases {
    /// `a_query[1..]`, `b_g1_query[1..]` (index 0, the constant one's, is added apart), `h_query`,
    /// `l_query`.
    a: BasesHandle,
    b_g1: BasesHandle,
    h: BasesHandle,
    l: BasesHandle,
}

/// Proves with one proving key on one backend; the key's G1 queries are loaded once (resident
/// bases) for every proof, and freed when the prover is dropped.
pub struct Prover<'a> {
    backend: &'a mut dyn Backend,
    pk: &'a ProvingKey<Bn254>,
    bases: QueryBases,
}

impl<'a> Prover<'a> {
    /// Loads `pk`'s G1 queries on `backend` (nothing stays loaded if that fails).
    pub fn new(backend: &'a mut dyn Backend, pk: &'a ProvingKey<Bn254>) -> Result<Self> {
        let sets: [&[_]; 4] =
            [pk.a_query.get(1..).unwrap_or(&[]), pk.b_g1_query.get(1..).unwrap_or(&[]), &pk.h_query, &pk.l_query];
        let mut handles = Vec::with_capacity(sets.len());
        for set in sets {
            match backend.load_bases(set) {
                Ok(handle) => handles.push(handle),
                Err(e) => {
                    for handle in handles {
                        backend.free_bases(handle)?;
                    }
                    return Err(e);
                }
            }
        }
        let bases = QueryBases { a: handles[0], b_g1: handles[1], h: handles[2], l: handles[3] };
        Ok(Self { backend, pk, bases })
    }

    /// A proof of `circuit` with randomness `r`, `s`: the proof ark-groth16's
    /// `create_proof_with_reduction(circuit, pk, r, s)` makes, byte for byte.
    pub fn prove<C: ConstraintSynthesizer<Fr>>(&mut self, circuit: C, r: Fr, s: Fr) -> Result<Proved> {
        self.prove_observed(circuit, r, s, &mut |_| {})
    }

    /// [`Prover::prove`], announcing each step to `observe` as it starts (for progress output).
    pub fn prove_observed<C: ConstraintSynthesizer<Fr>>(
        &mut self,
        circuit: C,
        r: Fr,
        s: Fr,
        observe: &mut dyn FnMut(Step),
    ) -> Result<Proved> {
        let pk = self.pk;
        let mut times = ProofTimes::default();

        observe(Step::Synthesis);
        let start = Instant::now();
        let cs = ConstraintSystem::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove { construct_matrices: true, generate_lc_assignments: false });
        circuit.generate_constraints(cs.clone()).map_err(circuit_error)?;
        cs.finalize();
        let mut matrices = cs.to_matrices().map_err(circuit_error)?;
        if matrices.len() != 1 {
            return Err(Error::Circuit("the circuit uses predicates other than R1CS; Groth16 proves R1CS only".into()));
        }
        let matrices = matrices.remove(R1CS_PREDICATE_LABEL).ok_or_else(|| Error::Circuit("no R1CS constraints".into()))?;
        let inputs = cs.num_instance_variables();
        let instance = cs.instance_assignment().map_err(circuit_error)?;
        let witness = cs.witness_assignment().map_err(circuit_error)?;
        let constraints = cs.num_constraints();
        drop(cs);
        let domain_size = witness_map::domain_size(constraints, inputs);
        check_key_fits(pk, instance.len() + witness.len(), witness.len(), domain_size)?;
        let z = [&instance[..], &witness[..]].concat();
        times.synthesis = start.elapsed();

        observe(Step::WitnessMap);
        let qap = witness_map::witness_map(self.backend, &matrices, inputs, &z)?;
        drop(matrices);
        times.witness_host = qap.host;
        times.ntt = qap.ntt.wall;

        observe(Step::MsmG1);
        // Index 0 of `z` is the constant one, whose bases are added apart below.
        let assignment = &z[1..];
        let h = &qap.h[..pk.h_query.len()];
        let mut jobs = vec![
            ResidentMsm { bases: self.bases.a, scalars: assignment },
            ResidentMsm { bases: self.bases.h, scalars: h },
            ResidentMsm { bases: self.bases.l, scalars: &witness },
        ];
        // ark-groth16 skips B in G1 when r = 0 (C then does not use it).
        if !r.is_zero() {
            jobs.push(ResidentMsm { bases: self.bases.b_g1, scalars: assignment });
        }
        let start = Instant::now();
        let msm = self.backend.msm_resident_batch(&jobs)?;
        times.msm_g1 = start.elapsed();
        let (a_acc, h_acc, l_acc) = (msm.value[0], msm.value[1], msm.value[2]);

        observe(Step::MsmG2);
        let start = Instant::now();
        let b_g2_acc = G2Projective::msm_unchecked(&pk.b_g2_query[1..], assignment);
        times.msm_g2 = start.elapsed();

        observe(Step::Combine);
        let start = Instant::now();
        let delta_g1 = pk.delta_g1;
        let g_a: G1Projective = delta_g1 * r + pk.a_query[0] + a_acc + pk.vk.alpha_g1;
        let g1_b = match msm.value.get(3) {
            Some(&b_acc) => delta_g1 * s + pk.b_g1_query[0] + b_acc + pk.beta_g1,
            None => G1Projective::zero(),
        };
        let g2_b: G2Projective = pk.vk.delta_g2 * s + pk.b_g2_query[0] + b_g2_acc + pk.vk.beta_g2;
        let g_c = g_a * s + g1_b * r - delta_g1 * (r * s) + l_acc + h_acc;
        let proof = Proof { a: g_a.into_affine(), b: g2_b.into_affine(), c: g_c.into_affine() };
        times.other = start.elapsed();

        Ok(Proved { proof, times, ntt: qap.ntt, msm: msm.report, constraints, domain_size })
    }
}

impl Drop for Prover<'_> {
    fn drop(&mut self) {
        for handle in [self.bases.a, self.bases.b_g1, self.bases.h, self.bases.l] {
            // Freeing a handle this prover loaded cannot fail; if a backend ever says otherwise
            // there is nothing better to do in a destructor than to go on.
            let _ = self.backend.free_bases(handle);
        }
    }
}

/// An error unless `pk` was made for a circuit of this shape (ark-groth16 would silently cut
/// the MSMs to the shorter length and make a proof that does not verify).
fn check_key_fits(pk: &ProvingKey<Bn254>, variables: usize, witness: usize, domain_size: usize) -> Result<()> {
    let mismatch = |what: &str, key: usize, circuit: usize| {
        Err(Error::Circuit(format!(
            "the proving key is for another circuit: its {what} has {key} elements, this circuit needs {circuit}"
        )))
    };
    let checks = [
        ("a_query", pk.a_query.len(), variables),
        ("b_g1_query", pk.b_g1_query.len(), variables),
        ("b_g2_query", pk.b_g2_query.len(), variables),
        ("l_query", pk.l_query.len(), witness),
        ("h_query", pk.h_query.len(), domain_size - 1),
    ];
    for (what, key, circuit) in checks {
        if key != circuit {
            return mismatch(what, key, circuit);
        }
    }
    Ok(())
}
