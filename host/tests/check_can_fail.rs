//! The shared check must catch a backend that is wrong in a single bit: wrap the CPU backend in
//! deliberately faulty ones and require `check_backend` to name them.

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::PrimeGroup;
use ark_ff::Field;
use zkaccel::cpu::CpuBackend;
use zkaccel::testing::check_backend;
use zkaccel::{Backend, NttKind, Outcome, Report, Result};

/// Adds the generator to MSM results of more than `threshold` points.
struct WrongMsm {
    threshold: usize,
}

impl Backend for WrongMsm {
    fn name(&self) -> &str {
        "wrong-msm"
    }
    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        let mut out = CpuBackend::default().msm(bases, scalars)?;
        if bases.len() > self.threshold {
            out.value += G1Projective::generator();
        }
        Ok(out)
    }
    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report> {
        CpuBackend::default().ntt(values, kind)
    }
}

/// Flips the last value of forward coset transforms of 2^4 values or more.
struct WrongCosetNtt;

impl Backend for WrongCosetNtt {
    fn name(&self) -> &str {
        "wrong-ntt"
    }
    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        CpuBackend::default().msm(bases, scalars)
    }
    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report> {
        let report = CpuBackend::default().ntt(values, kind)?;
        if kind == NttKind::CosetForward && values.len() >= 16 {
            let last = values.last_mut().unwrap();
            *last += Fr::ONE;
        }
        Ok(report)
    }
}

#[test]
fn a_wrong_msm_on_large_inputs_is_caught() {
    let failures = check_backend(&mut WrongMsm { threshold: 64 }, 3, &[], 1);
    assert!(!failures.is_empty());
    assert!(failures.iter().all(|f| f.case.contains("msm [wrong-msm]")), "{failures:#?}");
}

#[test]
fn a_wrong_coset_ntt_is_caught_with_its_index() {
    let failures = check_backend(&mut WrongCosetNtt, 5, &[], 1);
    assert!(!failures.is_empty());
    assert!(failures.iter().any(|f| f.detail.contains("index 15 of 16")), "{failures:#?}");
    // Coset-inverse cases fail too: their round trip goes through the faulty coset-forward.
    assert!(failures.iter().all(|f| f.case.contains("coset-")), "{failures:#?}");
    assert!(failures.iter().any(|f| f.detail.contains("round trip")), "{failures:#?}");
}
