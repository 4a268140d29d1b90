//! Every kind of bad input gets a typed error that says what is wrong and where — never a panic.

use ark_bn254::{Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField};
use zkaccel::cpu::CpuBackend;
use zkaccel::inputs::{decode_msm_inputs, decode_ntt_values};
use zkaccel::wire::{self, WireG1, WireScalar};
use zkaccel::{ntt, open_backend, testing, Backend, Error, MsmInputs, NttKind};

fn sample(n: usize) -> (Vec<u8>, Vec<u8>) {
    let case = testing::msm_random_case(n, 9);
    (wire::as_bytes(&wire::encode_points(&case.bases)).to_vec(), wire::as_bytes(&wire::encode_scalars(&case.scalars)).to_vec())
}

#[test]
fn buffers_that_are_not_whole_elements_are_refused() {
    let (bases, scalars) = sample(3);
    let err = decode_msm_inputs(&bases[..bases.len() - 1], &scalars).unwrap_err();
    assert!(matches!(err, Error::BufferLength { what: "bases", elem_size: 64, .. }), "{err}");
    let err = decode_msm_inputs(&bases, &scalars[..33]).unwrap_err();
    assert!(matches!(err, Error::BufferLength { what: "scalars", len: 33, elem_size: 32 }), "{err}");
    assert!(matches!(decode_ntt_values(&[0; 31]), Err(Error::BufferLength { .. })));
}

#[test]
fn mismatched_counts_are_refused() {
    let (bases, scalars) = sample(3);
    let err = decode_msm_inputs(&bases, &scalars[..64]).unwrap_err();
    assert_eq!(err, Error::LengthMismatch { left_name: "bases", left: 3, right_name: "scalars", right: 2 });
    assert!(err.to_string().contains("bases has 3 elements but scalars has 2"));
    let points = vec![G1Affine::generator(); 3];
    assert!(matches!(CpuBackend::default().msm(&points, &[Fr::from(1u64)]), Err(Error::LengthMismatch { .. })));
    let jobs = [MsmInputs { bases: &points, scalars: &[] }];
    assert!(matches!(CpuBackend::default().msm_batch(&jobs), Err(Error::LengthMismatch { .. })));
}

#[test]
fn non_canonical_scalars_name_their_index() {
    let (bases, mut scalars) = sample(4);
    let r = Fr::MODULUS.to_bytes_le();
    scalars[2 * 32..3 * 32].copy_from_slice(&r);
    let err = decode_msm_inputs(&bases, &scalars).unwrap_err();
    assert_eq!(err, Error::NonCanonicalScalar { index: 2 });
    assert!(err.to_string().contains("scalar 2"));
    let mut values = wire::as_bytes(&[WireScalar::default(); 4]).to_vec();
    values[3 * 32 + 31] = 0xff;
    assert_eq!(decode_ntt_values(&values), Err(Error::NonCanonicalScalar { index: 3 }));
}

#[test]
fn bad_points_name_their_index_and_coordinate() {
    let (mut bases, scalars) = sample(4);
    // y of point 1 := q (non-canonical).
    let q = ark_bn254::Fq::MODULUS.to_bytes_le();
    bases[64 + 32..128].copy_from_slice(&q);
    assert_eq!(decode_msm_inputs(&bases, &scalars), Err(Error::NonCanonicalCoordinate { index: 1, coordinate: "y" }));
    let (mut bases, scalars) = sample(4);
    bases[3 * 64] ^= 1; // point 3 moved off the curve
    let err = decode_msm_inputs(&bases, &scalars).unwrap_err();
    assert_eq!(err, Error::NotOnCurve { index: 3 });
    assert!(err.to_string().contains("point 3 is not on the BN254 G1 curve"));
    // The identity is fine anywhere.
    let (mut bases, scalars) = sample(2);
    bases[..64].copy_from_slice(wire::as_bytes(&[WireG1::INFINITY]));
    assert!(decode_msm_inputs(&bases, &scalars).is_ok());
}

#[test]
fn unsupported_ntt_sizes_are_refused_and_leave_values_untouched() {
    for n in [0usize, 3, 6, 12, 1000] {
        let mut values = vec![Fr::from(7u64); n];
        let err = CpuBackend::default().ntt(&mut values, NttKind::Forward).unwrap_err();
        assert!(matches!(err, Error::UnsupportedNttSize { size, .. } if size == n), "{err}");
        assert!(values.iter().all(|v| *v == Fr::from(7u64)));
    }
    assert_eq!(ntt::size_of_log(29, ntt::MAX_LOG_SIZE), Err(Error::UnsupportedNttLogSize { log: 29, max_log: 28 }));
    let mut values = vec![Fr::from(1u64); 24];
    assert!(matches!(CpuBackend::default().ntt_batch(&mut values, 16, NttKind::Forward), Err(Error::LengthMismatch { .. })));
    assert!(matches!(CpuBackend::default().ntt_batch(&mut values, 3, NttKind::Forward), Err(Error::UnsupportedNttSize { .. })));
    assert!(values.iter().all(|v| *v == Fr::from(1u64)));
}

#[test]
fn unknown_and_unavailable_backends_are_errors() {
    let err = open_backend("gpu").err().unwrap();
    assert!(err.to_string().contains("unknown backend"), "{err}");
    let err = open_backend("f1").err().unwrap();
    assert!(matches!(err, Error::BackendUnavailable { .. }), "{err}");
    assert_eq!(open_backend("cpu").unwrap().name(), "cpu");
    let auto = open_backend("auto").unwrap();
    assert!(auto.supports_msm() && auto.supports_ntt(), "auto runs everything");
}

/// `auto` is a card if one is here, else the CPU: never the simulator, which is thousands of
/// times slower than the CPU, unless `ZKACCEL_BACKEND` names it.
#[test]
fn auto_never_picks_the_simulator_unless_named() {
    use zkaccel::{open_best_with, probe_backends, Need};
    let sim_here = probe_backends().iter().any(|s| s.name == "sim" && s.available);
    // The best real backend here: a card's, or the CPU (on a machine without a card).
    let best_real = probe_backends().into_iter().find(|s| s.available && !s.simulated).unwrap().name;
    assert_ne!(best_real, "sim");
    for need in [Need::Msm, Need::Ntt, Need::Both] {
        assert_eq!(open_best_with(need, None).unwrap().name(), best_real, "{need:?}");
        assert_eq!(open_best_with(need, Some("auto")).unwrap().name(), best_real, "{need:?}");
        assert_eq!(open_best_with(need, Some("cpu")).unwrap().name(), "cpu", "{need:?}");
        if sim_here {
            assert_eq!(open_best_with(need, Some("sim")).unwrap().name(), "sim", "{need:?}");
        }
    }
    let err = open_best_with(Need::Both, Some("gpu")).err().unwrap();
    assert!(err.to_string().contains("unknown backend"), "{err}");
    assert!(probe_backends().iter().any(|s| s.name == "sim" && s.simulated), "the simulator is marked as one");
}
