//! The simulated card end to end: host driver → device trait → Verilator model of the NTT
//! kernel → result, bit for bit against ark-poly with the shared cases, including sizes above
//! the on-chip maximum (the four-step path) and batches.
#![cfg(feature = "sim")]

use zkaccel::card::CardBackend;
use zkaccel::testing::{self, check_ntt, ntt_cases};
use zkaccel::{open_backend, reference, Backend, NttKind};
use zkaccel_sim::card::SimCard;

fn sim() -> (CardBackend, u32) {
    let k = *SimCard::ntt_builds().last().expect("an NTT kernel build");
    (CardBackend::new("sim", Box::new(SimCard::with_ntt(k).unwrap())).unwrap(), k)
}

#[test]
fn every_size_and_kind_matches_ark_poly_through_the_kernel() {
    let (mut backend, k) = sim();
    // On chip up to 2^k, then two sizes of the four-step path.
    let failures: Vec<_> = ntt_cases(k + 2, 5).iter().filter_map(|c| check_ntt(&mut backend, c).err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn batches_and_reports_carry_kernel_cycles() {
    // Five transforms in one run: each buffer holds transforms in both of its layouts, and the
    // middle phases load, compute and store at once.
    let (mut backend, k) = sim();
    let n = 1usize << k;
    for kind in [NttKind::Forward, NttKind::Inverse] {
        let values = testing::random_scalars(5 * n, &mut testing::rng(9));
        let mut got = values.clone();
        let report = backend.ntt_batch(&mut got, n, kind).unwrap();
        assert_eq!(report.kernel_runs, 1, "one kernel run for the whole batch");
        let cycles = report.device_cycles.unwrap();
        let butterflies = 5 * (n / 2) * k as usize;
        assert!(cycles as usize > butterflies, "cycles {cycles} cannot beat one butterfly per cycle");
        for (a, b) in values.chunks(n).zip(got.chunks(n)) {
            let mut expected = a.to_vec();
            reference::ntt_in_place(&mut expected, kind).unwrap();
            assert_eq!(expected, b, "{kind:?}");
        }
    }
}

#[test]
fn the_sim_backend_is_offered_by_name_and_carries_the_msm_kernel_too() {
    // The MSM kernel is tested end to end in sim_msm.rs.
    let mut backend = open_backend("sim").unwrap();
    assert_eq!(backend.name(), "sim");
    assert!(backend.supports_msm());
    assert_eq!(backend.msm(&[], &[]).unwrap().value, <ark_bn254::G1Projective as ark_ec::AdditiveGroup>::ZERO);
}
