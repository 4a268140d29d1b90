//! The CPU backend against the shared reference check, and the reference itself against naive
//! textbook definitions (so the conventions — ω, the coset offset, 1/n — are pinned independently
//! of ark-poly's code).

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field};
use zkaccel::cpu::CpuBackend;
use zkaccel::ntt::{self, NttKind};
use zkaccel::testing::{self, check_backend};
use zkaccel::{reference, Backend, MsmInputs};

#[test]
fn cpu_backend_agrees_with_arkworks_on_every_shared_case() {
    // 2^14 + 1 random points take the batch-affine path (zkaccel::cpu::msm::MIN_POINTS).
    let failures = check_backend(&mut CpuBackend::default(), 10, &[1000, 4096, (1 << 14) + 1], 7);
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The edge cases at a size where the batch-affine method runs: duplicated and negated points
/// (doublings and cancellations in a bucket), identity bases, zero, one and r − 1 scalars (which
/// go to arkworks beside it), and long runs of one equal scalar (one bucket per window).
#[test]
fn large_msms_with_edge_shapes_match_arkworks() {
    let mut rng = testing::rng(11);
    let n = (1 << 14) + 3;
    let distinct = zkaccel::random::random_bases(257, &mut rng);
    let mut bases: Vec<G1Affine> = (0..n).map(|i| distinct[i % 257]).collect();
    let mut scalars = zkaccel::random::random_scalars(n, &mut rng);
    for i in 0..n {
        match i % 97 {
            0 => bases[i] = -bases[i],
            1 => bases[i] = G1Affine::identity(),
            2 => scalars[i] = Fr::ZERO,
            3 => scalars[i] = -Fr::ONE,
            4 => scalars[i] = Fr::ONE,
            _ => {}
        }
    }
    for scalar in scalars.iter_mut().skip(5000).take(3000) {
        *scalar = -Fr::from(12345u64).inverse().unwrap();
    }
    let mut cpu = CpuBackend::default();
    assert_eq!(cpu.msm(&bases, &scalars).unwrap().value, reference::msm(&bases, &scalars).unwrap());
    let equal = vec![scalars[5000]; n];
    assert_eq!(cpu.msm(&bases, &equal).unwrap().value, reference::msm(&bases, &equal).unwrap());
}

/// `Σ values[j] · x^j`, by Horner.
fn evaluate(values: &[Fr], x: Fr) -> Fr {
    values.iter().rev().fold(Fr::ZERO, |acc, v| acc * x + v)
}

#[test]
fn ntt_conventions_match_the_textbook_definitions() {
    let mut rng = testing::rng(3);
    for log in 0..=5 {
        let n = 1usize << log;
        let omega = ntt::root_of_unity(n).unwrap();
        assert_eq!(omega.pow([n as u64]), Fr::ONE);
        if n > 1 {
            assert_ne!(omega.pow([n as u64 / 2]), Fr::ONE, "ω must be primitive");
        }
        let g = ntt::coset_offset();
        assert_eq!(g, Fr::from(5u64), "BN254 Fr's multiplicative generator");
        let coeffs = testing::random_scalars(n, &mut rng);
        for kind in [NttKind::Forward, NttKind::CosetForward] {
            let offset = if kind.is_coset() { g } else { Fr::ONE };
            let naive: Vec<Fr> = (0..n).map(|i| evaluate(&coeffs, offset * omega.pow([i as u64]))).collect();
            let mut fast = coeffs.clone();
            CpuBackend::default().ntt(&mut fast, kind).unwrap();
            assert_eq!(fast, naive, "{} 2^{log}", kind.name());
            CpuBackend::default().ntt(&mut fast, kind.inverse()).unwrap();
            assert_eq!(fast, coeffs, "{} round trip 2^{log}", kind.name());
        }
    }
}

#[test]
fn msm_reference_matches_naive_sum_on_edge_cases() {
    for case in testing::msm_edge_cases(11) {
        let naive: G1Projective = case.bases.iter().zip(&case.scalars).map(|(b, s)| b.into_group() * s).sum();
        let fast = reference::msm(&case.bases, &case.scalars).unwrap();
        assert_eq!(fast.into_affine(), naive.into_affine(), "{}", case.name);
    }
}

#[test]
fn edge_cases_exercise_what_they_claim() {
    let cases = testing::msm_edge_cases(5);
    let sizes: Vec<usize> = cases.iter().map(|c| c.bases.len()).collect();
    for n in [0, 1, 2, 3] {
        assert!(sizes.contains(&n), "size {n} missing");
    }
    assert!(cases.iter().any(|c| c.scalars.iter().all(|s| *s == -Fr::ONE)));
    assert!(cases.iter().any(|c| !c.bases.is_empty() && c.bases.iter().all(|b| b.is_zero())));
    let cancel = cases.iter().find(|c| c.name.contains("sum is identity")).unwrap();
    assert!(reference::msm(&cancel.bases, &cancel.scalars).unwrap().into_affine().is_zero());
    let ntt_cases = testing::ntt_cases(4, 1);
    for kind in NttKind::ALL {
        for n in [1, 2, 16] {
            assert!(ntt_cases.iter().any(|c| c.kind == kind && c.values.len() == n), "{kind:?} {n}");
        }
    }
}

#[test]
fn batches_equal_their_single_calls() {
    let a = testing::msm_random_case(20, 1);
    let b = testing::msm_random_case(0, 2);
    let jobs = [MsmInputs { bases: &a.bases, scalars: &a.scalars }, MsmInputs { bases: &b.bases, scalars: &b.scalars }];
    let out = CpuBackend::default().msm_batch(&jobs).unwrap();
    assert_eq!(out.value[0], reference::msm(&a.bases, &a.scalars).unwrap());
    assert_eq!(out.value[1], G1Projective::default());
    assert_eq!(out.report.size, 20);
    assert!(a.bases.iter().all(G1Affine::is_on_curve));

    let values = testing::random_scalars(3 * 8, &mut testing::rng(4));
    let mut batched = values.clone();
    CpuBackend::default().ntt_batch(&mut batched, 8, NttKind::CosetInverse).unwrap();
    for (chunk, out) in values.chunks(8).zip(batched.chunks(8)) {
        let mut single = chunk.to_vec();
        reference::ntt_in_place(&mut single, NttKind::CosetInverse).unwrap();
        assert_eq!(single, out);
    }
}
