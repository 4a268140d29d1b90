//! The CPU backend: MSM by [`msm`] (batch-affine Pippenger; arkworks' for small inputs), NTT by
//! ark-poly, behind the [`Backend`] API.

pub mod msm;

use ark_bn254::{Fr, G1Affine, G1Projective};

use crate::backend::{timed, Backend, Outcome};
use crate::bases::ResidentBases;
use crate::ntt::NttKind;
use crate::report::Report;
use crate::{reference, Result};

/// MSM by [`msm::msm`] (batch-affine Pippenger for large scalars, ark-ec for small ones and small
/// inputs), NTT by ark-poly's radix-2 domain, on all host threads.
#[derive(Debug, Default)]
pub struct CpuBackend {
    /// Resident bases stay in host memory, as arkworks points.
    bases: ResidentBases,
}

impl Backend for CpuBackend {
    fn name(&self) -> &str {
        "cpu"
    }

    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        timed(self.name(), "msm", bases.len(), || {
            reference::check_msm_lengths(bases.len(), scalars.len())?;
            Ok(msm::msm(bases, scalars))
        })
    }

    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report> {
        let operation = format!("ntt {}", kind.name());
        Ok(timed(self.name(), &operation, values.len(), || reference::ntt_in_place(values, kind))?.report)
    }

    fn resident_bases(&mut self) -> Option<&mut ResidentBases> {
        Some(&mut self.bases)
    }
}
