//! NTT conventions: exactly those of ark-poly's `Radix2EvaluationDomain`.
//!
//! A transform of size `n = 2^k` (`0 ≤ k ≤ 28`, the 2-adicity of BN254 Fr) works in place on values
//! in natural order, in and out:
//! - forward: coefficients `a` → evaluations `a(ω^i)`, ω the domain's primitive n-th root of unity;
//! - inverse: the exact inverse (includes the factor `1/n`);
//! - coset forward: coefficients → evaluations `a(g·ω^i)` with `g` = [`coset_offset`];
//! - coset inverse: the exact inverse of coset forward.

use ark_bn254::Fr;
use ark_ff::{FftField, Field};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Largest supported log2 size: the 2-adicity of BN254 Fr.
pub const MAX_LOG_SIZE: u32 = <Fr as FftField>::TWO_ADICITY;

/// Which transform to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NttKind {
    Forward,
    Inverse,
    CosetForward,
    CosetInverse,
}

impl NttKind {
    /// Every kind, for tests and tables.
    pub const ALL: [NttKind; 4] = [NttKind::Forward, NttKind::Inverse, NttKind::CosetForward, NttKind::CosetInverse];

    /// The kind selected by the two flags used in the CLI, the C ABI and Python.
    pub fn from_flags(inverse: bool, coset: bool) -> Self {
        match (inverse, coset) {
            (false, false) => NttKind::Forward,
            (true, false) => NttKind::Inverse,
            (false, true) => NttKind::CosetForward,
            (true, true) => NttKind::CosetInverse,
        }
    }

    pub fn is_inverse(self) -> bool {
        matches!(self, NttKind::Inverse | NttKind::CosetInverse)
    }

    pub fn is_coset(self) -> bool {
        matches!(self, NttKind::CosetForward | NttKind::CosetInverse)
    }

    /// The transform that undoes this one.
    pub fn inverse(self) -> Self {
        Self::from_flags(!self.is_inverse(), self.is_coset())
    }

    /// Short name, as used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            NttKind::Forward => "forward",
            NttKind::Inverse => "inverse",
            NttKind::CosetForward => "coset-forward",
            NttKind::CosetInverse => "coset-inverse",
        }
    }
}

/// The coset offset `g` of coset transforms: the multiplicative generator of Fr (5 for BN254),
/// the offset ark-poly's and arkworks' provers (ark-groth16) use.
pub fn coset_offset() -> Fr {
    <Fr as FftField>::GENERATOR
}

/// log2 of `size`, or an error if `size` is not a power of two in `[1, 2^max_log]`.
pub fn log_size(size: usize, max_log: u32) -> Result<u32> {
    let unsupported = |reason: String| Err(Error::UnsupportedNttSize { size, reason });
    if size == 0 {
        return unsupported("the size must be at least 1".into());
    }
    if !size.is_power_of_two() {
        return unsupported("the size must be a power of two".into());
    }
    let log = size.trailing_zeros();
    if log > max_log {
        return unsupported(format!("the largest supported size is 2^{max_log}"));
    }
    Ok(log)
}

/// `2^log`, or an error if `log` exceeds `max_log`.
pub fn size_of_log(log: u32, max_log: u32) -> Result<usize> {
    if log > max_log {
        return Err(Error::UnsupportedNttLogSize { log, max_log });
    }
    Ok(1 << log)
}

/// The evaluation domain (plain or coset) that `kind` transforms over, for `size` values.
pub fn domain(size: usize, kind: NttKind) -> Result<Radix2EvaluationDomain<Fr>> {
    log_size(size, MAX_LOG_SIZE)?;
    let domain = Radix2EvaluationDomain::<Fr>::new(size).expect("size checked against the 2-adicity");
    Ok(if kind.is_coset() { domain.get_coset(coset_offset()).expect("a nonzero offset always gives a coset") } else { domain })
}

/// The primitive `size`-th root of unity ω of the domain (as ark-poly chooses it).
pub fn root_of_unity(size: usize) -> Result<Fr> {
    Ok(domain(size, NttKind::Forward)?.group_gen())
}

/// `1/size` in Fr, the scale of inverse transforms.
pub fn size_inverse(size: usize) -> Result<Fr> {
    log_size(size, MAX_LOG_SIZE)?;
    Ok(Fr::from(size as u64).inverse().expect("size is nonzero and below r"))
}
