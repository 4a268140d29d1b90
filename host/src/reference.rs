//! The arkworks reference: what every backend's results must equal bit for bit.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::VariableBaseMSM;
use ark_poly::EvaluationDomain;

use crate::ntt::{self, NttKind};
use crate::{Error, Result};

/// `Σ scalars[i] · bases[i]` by ark-ec's `VariableBaseMSM`. The empty sum is the identity.
pub fn msm(bases: &[G1Affine], scalars: &[Fr]) -> Result<G1Projective> {
    check_msm_lengths(bases.len(), scalars.len())?;
    Ok(G1Projective::msm_unchecked(bases, scalars))
}

/// MSM inputs must pair one scalar with each base.
pub fn check_msm_lengths(bases: usize, scalars: usize) -> Result<()> {
    if bases != scalars {
        return Err(Error::LengthMismatch { left_name: "bases", left: bases, right_name: "scalars", right: scalars });
    }
    Ok(())
}

/// The transform `kind` of `values`, in place, by ark-poly's `Radix2EvaluationDomain`.
pub fn ntt_in_place(values: &mut [Fr], kind: NttKind) -> Result<()> {
    let domain = ntt::domain(values.len(), kind)?;
    // ark-poly transforms a Vec (it may pad); ours is exactly the domain size, so it never resizes.
    let mut buffer = values.to_vec();
    if kind.is_inverse() {
        domain.ifft_in_place(&mut buffer);
    } else {
        domain.fft_in_place(&mut buffer);
    }
    values.copy_from_slice(&buffer);
    Ok(())
}
