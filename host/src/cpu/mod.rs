//! The CPU backend: MSM by [`msm`] (batch-affine Pippenger; arkworks' for small inputs), NTT by
//! [`ntt`] (radix-2² passes and cache-sized blocks over cached twiddle tables), behind the
//! [`Backend`] API.

pub mod msm;
pub mod ntt;

use ark_bn254::{Fr, G1Affine, G1Projective};

use crate::backend::{timed, Backend, Outcome};
use crate::bases::ResidentBases;
use crate::ntt::NttKind;
use crate::report::Report;
use crate::{reference, Result};

/// The backend's name, in reports and to `open_backend`.
pub(crate) const NAME: &str = "cpu";

/// MSM by [`msm::msm`] (batch-affine Pippenger for large scalars, ark-ec for small ones and small
/// inputs), NTT by [`ntt::ntt_in_place`], on all host threads.
#[derive(Debug, Default)]
pub struct CpuBackend {
    /// Resident bases stay in host memory, as arkworks points.
    bases: ResidentBases,
    /// The NTT's tables of every size transformed so far (`64·n` bytes for size `n`).
    twiddles: ntt::TwiddleCache,
}

impl Backend for CpuBackend {
    fn name(&self) -> &str {
        NAME
    }

    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        timed(self.name(), "msm", bases.len(), || {
            reference::check_msm_lengths(bases.len(), scalars.len())?;
            Ok(msm::msm(bases, scalars))
        })
    }

    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report> {
        let operation = format!("ntt {}", kind.name());
        let twiddles = &mut self.twiddles;
        Ok(timed(NAME, &operation, values.len(), || {
            let tables = twiddles.get(values.len())?;
            ntt::ntt_in_place(values, kind, &tables);
            Ok(())
        })?
        .report)
    }

    fn resident_bases(&mut self) -> Option<&mut ResidentBases> {
        Some(&mut self.bases)
    }
}
