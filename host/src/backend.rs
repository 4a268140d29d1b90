//! The backend abstraction: one API for MSM and NTT whatever runs them. Opening backends by
//! name is [`crate::registry`]'s.

use std::time::Instant;

use ark_bn254::{Fr, G1Affine, G1Projective};

use crate::bases::{BasesHandle, ResidentBases, ResidentMsm};
use crate::ntt::{self, NttKind};
use crate::report::Report;
use crate::{Error, Result};

/// A result together with what it cost.
#[derive(Clone, Debug)]
pub struct Outcome<T> {
    pub value: T,
    pub report: Report,
}

/// The inputs of one MSM of a batch, `Σ scalars[i] · bases[i]`.
#[derive(Clone, Copy, Debug)]
pub struct MsmInputs<'a> {
    pub bases: &'a [G1Affine],
    pub scalars: &'a [Fr],
}

/// Something that computes MSMs on BN254 G1 and NTTs over BN254 Fr.
///
/// Contract for every implementation:
/// - results are bit-identical to arkworks (`crate::reference`);
/// - bad input (mismatched lengths, unsupported sizes) is an [`Error`], never a panic, and is
///   detected before any work starts, so a rejected call leaves its inputs untouched;
/// - NTTs follow ark-poly's `Radix2EvaluationDomain` conventions (see [`crate::ntt`]).
pub trait Backend: Send {
    /// The backend's name, as accepted by [`crate::open_backend`].
    fn name(&self) -> &str;

    /// Whether this backend can run MSMs (a card may carry only some kernels).
    fn supports_msm(&self) -> bool {
        true
    }

    /// Whether this backend can run NTTs.
    fn supports_ntt(&self) -> bool {
        true
    }

    /// Largest log2 NTT size this backend runs.
    fn max_ntt_log_size(&self) -> u32 {
        ntt::MAX_LOG_SIZE
    }

    /// `Σ scalars[i] · bases[i]`; the empty sum is the identity.
    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>>;

    /// Transforms `values` in place (natural order in and out). `values.len()` must be a power of
    /// two no larger than `2^max_ntt_log_size()`.
    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report>;

    /// Several MSMs; the report sums their costs.
    fn msm_batch(&mut self, jobs: &[MsmInputs<'_>]) -> Result<Outcome<Vec<G1Projective>>> {
        for job in jobs {
            crate::reference::check_msm_lengths(job.bases.len(), job.scalars.len())?;
        }
        let mut report = self.empty_report("msm-batch");
        let mut points = Vec::with_capacity(jobs.len());
        for job in jobs {
            let outcome = self.msm(job.bases, job.scalars)?;
            report.accumulate(&outcome.report);
            points.push(outcome.value);
        }
        Ok(Outcome { value: points, report })
    }

    /// `values.len() / size` independent transforms of `size` consecutive values each.
    fn ntt_batch(&mut self, values: &mut [Fr], size: usize, kind: NttKind) -> Result<Report> {
        ntt::log_size(size, self.max_ntt_log_size())?;
        if !values.len().is_multiple_of(size) {
            return Err(Error::LengthMismatch {
                left_name: "batch values",
                left: values.len(),
                right_name: "a whole number of transforms of size",
                right: size,
            });
        }
        let mut report = self.empty_report(&format!("ntt-batch {}", kind.name()));
        for chunk in values.chunks_exact_mut(size) {
            report.accumulate(&self.ntt(chunk, kind)?);
        }
        Ok(report)
    }

    /// The store of resident bases, for a backend that keeps them on the host side (the default
    /// methods below use it); `None`: this backend has no resident bases.
    fn resident_bases(&mut self) -> Option<&mut ResidentBases> {
        None
    }

    /// Loads `bases` once for many MSMs ([`Backend::msm_resident`]); the handle is valid on this
    /// backend until [`Backend::free_bases`].
    fn load_bases(&mut self, bases: &[G1Affine]) -> Result<BasesHandle> {
        let name = self.name().to_string();
        Ok(self.resident_bases().ok_or_else(|| no_resident_bases(name))?.load(bases))
    }

    /// Frees the bases `handle` names; using the handle afterwards is [`Error::UnknownBases`].
    fn free_bases(&mut self, handle: BasesHandle) -> Result<()> {
        let name = self.name().to_string();
        self.resident_bases().ok_or_else(|| no_resident_bases(name))?.free(handle)
    }

    /// `Σ scalars[i] · bases[i]` over the first `scalars.len()` resident bases of `bases`.
    fn msm_resident(&mut self, bases: BasesHandle, scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        let outcome = self.msm_resident_batch(&[ResidentMsm { bases, scalars }])?;
        Ok(Outcome { value: outcome.value[0], report: outcome.report })
    }

    /// Several MSMs over resident bases; the report sums their costs. Every handle and length is
    /// checked before any work starts.
    fn msm_resident_batch(&mut self, jobs: &[ResidentMsm<'_>]) -> Result<Outcome<Vec<G1Projective>>> {
        let name = self.name().to_string();
        let sets = self.resident_bases().ok_or_else(|| no_resident_bases(name))?.resolve(jobs)?;
        let inputs: Vec<MsmInputs<'_>> = jobs
            .iter()
            .zip(&sets)
            .map(|(job, bases)| MsmInputs { bases: &bases[..job.scalars.len()], scalars: job.scalars })
            .collect();
        self.msm_batch(&inputs)
    }

    /// A zero-cost report naming this backend, to accumulate into.
    fn empty_report(&self, operation: &str) -> Report {
        Report { backend: self.name().to_string(), operation: operation.to_string(), ..Report::default() }
    }
}

fn no_resident_bases(backend: String) -> Error {
    Error::Unsupported { backend, operation: "resident bases".into() }
}

/// Times `work` and returns its result with a report of its wall time (no device cycles).
pub(crate) fn timed<T>(backend: &str, operation: &str, size: usize, work: impl FnOnce() -> Result<T>) -> Result<Outcome<T>> {
    let start = Instant::now();
    let value = work()?;
    let report = Report {
        backend: backend.to_string(),
        operation: operation.to_string(),
        size,
        wall: start.elapsed(),
        ..Report::default()
    };
    Ok(Outcome { value, report })
}
