//! The shared testing module: random and edge-case inputs, and the one check that holds any
//! backend to the arkworks reference bit for bit. Every backend's tests use these.
//!
//! All generators are deterministic in their seed, so a failure can be replayed. Built for this
//! crate's own tests and, with the `testing` feature, for other crates' tests; the input
//! generators themselves are [`crate::random`], which ships.

use std::fmt;

use ark_bn254::{Fr, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, UniformRand};

use crate::backend::Backend;
use crate::ntt::NttKind;
use crate::reference;
use crate::wire::{WireG1, WireScalar};

pub use crate::inputs::{point_hex, scalar_hex};
pub use crate::random::{random_bases, random_scalars, rng, small_skewed_scalars};

/// One MSM input with a name saying what it exercises.
#[derive(Clone, Debug)]
pub struct MsmCase {
    pub name: String,
    pub bases: Vec<G1Affine>,
    pub scalars: Vec<Fr>,
}

impl MsmCase {
    fn new(name: impl Into<String>, bases: Vec<G1Affine>, scalars: Vec<Fr>) -> Self {
        assert_eq!(bases.len(), scalars.len(), "test case must pair bases and scalars");
        Self { name: name.into(), bases, scalars }
    }
}

/// `n` random bases with `n` random scalars.
pub fn msm_random_case(n: usize, seed: u64) -> MsmCase {
    let mut rng = rng(seed);
    let bases = random_bases(n, &mut rng);
    MsmCase::new(format!("random n={n} seed={seed}"), bases, random_scalars(n, &mut rng))
}

/// The MSM edge cases every backend must get right (all small: at most 100 points).
pub fn msm_edge_cases(seed: u64) -> Vec<MsmCase> {
    let mut rng = rng(seed);
    let r_minus_1 = -Fr::ONE;
    let p = random_bases(1, &mut rng)[0];
    let mut cases = Vec::new();

    for n in [0, 1, 2, 3, 5, 37, 100] {
        let bases = random_bases(n, &mut rng);
        cases.push(MsmCase::new(format!("random size {n}"), bases, random_scalars(n, &mut rng)));
    }

    let bases = random_bases(8, &mut rng);
    cases.push(MsmCase::new("all scalars zero", bases.clone(), vec![Fr::ZERO; 8]));
    let mut some_zero = random_scalars(8, &mut rng);
    some_zero.iter_mut().step_by(2).for_each(|s| *s = Fr::ZERO);
    cases.push(MsmCase::new("every other scalar zero", bases.clone(), some_zero));
    cases.push(MsmCase::new("all scalars r-1", bases.clone(), vec![r_minus_1; 8]));
    let mut near_r = random_scalars(8, &mut rng);
    near_r[0] = r_minus_1;
    near_r[3] = r_minus_1 - Fr::from(12345u64);
    near_r[5] = Fr::ONE;
    cases.push(MsmCase::new("scalars r-1, r-12346 and 1 among random", bases.clone(), near_r));
    cases.push(MsmCase::new("scalar one", bases.clone(), vec![Fr::ONE; 8]));

    cases.push(MsmCase::new("all bases identity", vec![G1Affine::zero(); 6], random_scalars(6, &mut rng)));
    let mut some_identity = random_bases(9, &mut rng);
    some_identity[0] = G1Affine::zero();
    some_identity[4] = G1Affine::zero();
    some_identity[8] = G1Affine::zero();
    cases.push(MsmCase::new("some bases identity", some_identity, random_scalars(9, &mut rng)));

    cases.push(MsmCase::new("one base repeated, random scalars", vec![p; 32], random_scalars(32, &mut rng)));
    cases.push(MsmCase::new("P + P (doubling)", vec![p, p], vec![Fr::ONE, Fr::ONE]));
    cases.push(MsmCase::new("one base repeated, all scalars equal", vec![p; 64], vec![Fr::from(7u64); 64]));
    cases.push(MsmCase::new("P and -P with equal scalars (sum is identity)", vec![p, -p], vec![Fr::from(99u64); 2]));
    let q = random_bases(6, &mut rng);
    let mixed: Vec<G1Affine> = q.iter().flat_map(|&b| [b, -b, b]).collect();
    cases.push(MsmCase::new("P, -P and P again among others", mixed, random_scalars(18, &mut rng)));

    let bases = random_bases(64, &mut rng);
    let s = Fr::rand(&mut rng);
    cases.push(MsmCase::new("all scalars equal", bases.clone(), vec![s; 64]));
    cases.push(MsmCase::new("small skewed scalars", bases.clone(), small_skewed_scalars(64, &mut rng)));
    let high: Vec<Fr> = (0..64).map(|i| r_minus_1 - Fr::from(i as u64)).collect();
    cases.push(MsmCase::new("scalars just below r (full top window)", bases, high));
    cases
}

/// One NTT input.
#[derive(Clone, Debug)]
pub struct NttCase {
    pub name: String,
    pub values: Vec<Fr>,
    pub kind: NttKind,
}

/// The NTT cases every backend must get right: every kind at every size `2^0 … 2^max_log`
/// (random values), plus structured inputs (zeros, a unit impulse, a constant) at the largest size.
pub fn ntt_cases(max_log: u32, seed: u64) -> Vec<NttCase> {
    let mut rng = rng(seed);
    let mut cases = Vec::new();
    for log in 0..=max_log {
        for kind in NttKind::ALL {
            let values = random_scalars(1 << log, &mut rng);
            cases.push(NttCase { name: format!("{} random 2^{log}", kind.name()), values, kind });
        }
    }
    let n = 1usize << max_log;
    let mut impulse = vec![Fr::ZERO; n];
    impulse[0] = Fr::ONE;
    for kind in NttKind::ALL {
        for (what, values) in [("zeros", vec![Fr::ZERO; n]), ("impulse", impulse.clone()), ("constant r-1", vec![-Fr::ONE; n])] {
            cases.push(NttCase { name: format!("{} {what} 2^{max_log}", kind.name()), values, kind });
        }
    }
    cases
}

/// A backend result that differs from arkworks, or a backend error where arkworks succeeded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    pub case: String,
    pub detail: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.case, self.detail)
    }
}

impl std::error::Error for Mismatch {}

/// Checks `backend`'s MSM of `case` against arkworks, comparing the affine wire encodings (so
/// "equal" means equal in every bit, not merely projectively equivalent).
pub fn check_msm(backend: &mut dyn Backend, case: &MsmCase) -> Result<(), Mismatch> {
    let name = format!("msm [{}] {}", backend.name(), case.name);
    let fail = |detail: String| Mismatch { case: name.clone(), detail };
    let expected = reference::msm(&case.bases, &case.scalars).map_err(|e| fail(format!("reference failed: {e}")))?;
    let got = backend.msm(&case.bases, &case.scalars).map_err(|e| fail(format!("backend error: {e}")))?.value;
    let (want, have) = (WireG1::encode(&expected.into_affine()), WireG1::encode(&got.into_affine()));
    if want != have {
        return Err(fail(format!("expected {}, got {}", point_hex(&want), point_hex(&have))));
    }
    Ok(())
}

/// Checks `backend`'s NTT of `case` against ark-poly, element by element in the wire encoding,
/// and that the inverse transform brings the input back.
pub fn check_ntt(backend: &mut dyn Backend, case: &NttCase) -> Result<(), Mismatch> {
    let name = format!("ntt [{}] {}", backend.name(), case.name);
    let fail = |detail: String| Mismatch { case: name.clone(), detail };
    let mut expected = case.values.clone();
    reference::ntt_in_place(&mut expected, case.kind).map_err(|e| fail(format!("reference failed: {e}")))?;
    let mut got = case.values.clone();
    backend.ntt(&mut got, case.kind).map_err(|e| fail(format!("backend error: {e}")))?;
    first_difference(&expected, &got).map_or(Ok(()), |i| {
        Err(fail(format!(
            "first difference at index {i} of {}: expected {}, got {}",
            got.len(),
            scalar_hex(&expected[i]),
            scalar_hex(&got[i])
        )))
    })?;
    backend.ntt(&mut got, case.kind.inverse()).map_err(|e| fail(format!("backend error on the inverse: {e}")))?;
    first_difference(&case.values, &got)
        .map_or(Ok(()), |i| Err(fail(format!("round trip through the inverse differs at index {i}"))))
}

/// Runs every edge case, NTT case up to `2^max_ntt_log`, and random MSMs of the given sizes;
/// returns every mismatch (empty when the backend agrees with arkworks everywhere).
pub fn check_backend(backend: &mut dyn Backend, max_ntt_log: u32, random_msm_sizes: &[usize], seed: u64) -> Vec<Mismatch> {
    let mut failures = Vec::new();
    for case in msm_edge_cases(seed) {
        failures.extend(check_msm(backend, &case).err());
    }
    for &n in random_msm_sizes {
        failures.extend(check_msm(backend, &msm_random_case(n, seed ^ n as u64)).err());
    }
    for case in ntt_cases(max_ntt_log, seed) {
        failures.extend(check_ntt(backend, &case).err());
    }
    failures
}

fn first_difference(a: &[Fr], b: &[Fr]) -> Option<usize> {
    if a.len() != b.len() {
        return Some(a.len().min(b.len()));
    }
    a.iter().zip(b).position(|(x, y)| WireScalar::encode(x) != WireScalar::encode(y))
}

pub mod functional_card;
