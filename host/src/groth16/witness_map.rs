//! The QAP witness map of ark-groth16's `LibsnarkReduction`, with its NTTs on a backend.
//!
//! For the R1CS `(A, B, C)` with assignment `z`, on the domain `H` of size `n` (the next power of
//! two of constraints + public inputs) and its coset `gH`:
//! 1. evaluations on `H`: `a_i = ⟨A_i, z⟩`, `b_i = ⟨B_i, z⟩`, `c_i = ⟨C_i, z⟩` for each constraint
//!    `i` (and `a_i·b_i = c_i` checked: the witness satisfies the R1CS), and `a_{m+j} = z_j` for
//!    the public inputs (host, parallel);
//! 2. `a, b, c` to coefficients (inverse NTT), then to evaluations on `gH` (coset NTT): one
//!    batch of three each;
//! 3. `h(gω^i) = (a·b − c)(gω^i) / Z_H(g)`, as `Z_H(x) = x^n − 1` is the constant `g^n − 1` on
//!    the coset (host);
//! 4. `h`'s coefficients (coset inverse NTT).
//!
//! Each step is an exact field computation, so `h` equals ark-groth16's bit for bit.

use std::time::{Duration, Instant};

use ark_bn254::Fr;
use ark_ff::{Field, One, Zero};
use ark_relations::gr1cs::Matrix;
use rayon::prelude::*;

use crate::backend::Backend;
use crate::ntt::{self, NttKind};
use crate::report::Report;
use crate::{Error, Result};

/// `h`'s coefficients (domain size many) and what computing them cost.
pub struct WitnessMap {
    pub h: Vec<Fr>,
    /// The backend's NTT calls, summed.
    pub ntt: Report,
    /// Host time outside the NTT calls (steps 1 and 3).
    pub host: Duration,
}

/// The QAP domain size for `constraints` constraints and `inputs` instance variables.
pub fn domain_size(constraints: usize, inputs: usize) -> usize {
    (constraints + inputs).next_power_of_two()
}

/// `⟨row, z⟩`.
fn evaluate(row: &[(Fr, usize)], z: &[Fr]) -> Fr {
    row.iter().map(|&(coeff, index)| if coeff.is_one() { z[index] } else { z[index] * coeff }).sum()
}

/// Computes `h` for `matrices = [A, B, C]`, `inputs` instance variables (the constant one
/// included) and the full assignment `z` (instance, then witness).
pub fn witness_map(backend: &mut dyn Backend, matrices: &[Matrix<Fr>], inputs: usize, z: &[Fr]) -> Result<WitnessMap> {
    let constraints = matrices[0].len();
    let n = domain_size(constraints, inputs);
    ntt::log_size(n, backend.max_ntt_log_size())?;

    let start = Instant::now();
    // a | b | c, each n values, so that each step is one batched NTT call.
    let mut abc = vec![Fr::zero(); 3 * n];
    {
        let (a, rest) = abc.split_at_mut(n);
        let (b, c) = rest.split_at_mut(n);
        a[..constraints]
            .par_iter_mut()
            .zip(b[..constraints].par_iter_mut())
            .zip(c[..constraints].par_iter_mut())
            .enumerate()
            .for_each(|(i, ((a, b), c))| {
                *a = evaluate(&matrices[0][i], z);
                *b = evaluate(&matrices[1][i], z);
                *c = evaluate(&matrices[2][i], z);
            });
        // The R1CS is satisfied exactly when a_i·b_i = c_i for every constraint: checked here,
        // where it costs one product per constraint, so a wrong witness is an error rather than
        // a proof that does not verify.
        if let Some(i) = (0..constraints).into_par_iter().find_first(|&i| a[i] * b[i] != c[i]) {
            return Err(Error::Circuit(format!("the assignment does not satisfy the circuit: constraint {i} fails")));
        }
        a[constraints..constraints + inputs].copy_from_slice(&z[..inputs]);
    }
    let mut host = start.elapsed();

    let mut ntt = backend.ntt_batch(&mut abc, n, NttKind::Inverse)?;
    ntt.accumulate(&backend.ntt_batch(&mut abc, n, NttKind::CosetForward)?);

    let start = Instant::now();
    let vanishing_inverse = (ntt::coset_offset().pow([n as u64]) - Fr::ONE).inverse().expect("g^n ≠ 1: g generates Fr*");
    let (a, rest) = abc.split_at(n);
    let (b, c) = rest.split_at(n);
    let mut h: Vec<Fr> = a.par_iter().zip(b).zip(c).map(|((a, b), c)| (*a * b - c) * vanishing_inverse).collect();
    drop(abc);
    host += start.elapsed();

    ntt.accumulate(&backend.ntt(&mut h, NttKind::CosetInverse)?);
    Ok(WitnessMap { h, ntt, host })
}
