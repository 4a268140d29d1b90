//! The MSM kernel end to end: host driver → device trait → Verilator model of the MSM kernel →
//! buckets → host reduction, bit for bit against arkworks with the shared cases, plus plans with
//! several window groups and several point chunks. (Its Verilog is linted with every model in sim/tests/lint.rs.)
#![cfg(feature = "sim")]


use zkaccel::card::msm::{signed_digits, window_count, MsmPlan};
use zkaccel::card::CardBackend;
use zkaccel::testing::{check_msm, msm_edge_cases, msm_random_case, MsmCase};
use zkaccel::Backend;
use zkaccel::regmap::msm_caps;
use zkaccel_sim::card::{MsmBuild, SimCard};

fn build() -> MsmBuild {
    *SimCard::msm_builds().first().expect("an MSM kernel build (ZKACCEL_SIM_MSM_CONFIGS)")
}

fn backend(memory: Option<u64>) -> CardBackend {
    let mut card = SimCard::with_msm(build()).unwrap();
    if let Some(bytes) = memory {
        card = card.with_memory_bytes(bytes);
    }
    CardBackend::new("sim", Box::new(card)).unwrap()
}

/// The bucket additions the kernel must issue for `case` under `plan`: one per nonzero digit of
/// a non-identity point.
fn additions(case: &MsmCase, plan: &MsmPlan) -> u64 {
    let mut digits = vec![0i16; window_count(plan.c) as usize];
    case.bases
        .iter()
        .zip(&case.scalars)
        .filter(|(b, _)| !ark_ec::AffineRepr::is_zero(*b))
        .map(|(_, s)| {
            signed_digits(s, plan.c, &mut digits);
            digits.iter().filter(|&&d| d != 0).count() as u64
        })
        .sum()
}

#[test]
fn every_edge_case_matches_arkworks_through_the_kernel() {
    let mut backend = backend(None);
    let failures: Vec<_> = msm_edge_cases(21).iter().filter_map(|c| check_msm(&mut backend, c).err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn random_sizes_with_several_window_groups_match_and_report_honest_cycles() {
    let b = build();
    let caps = msm_caps::encode(b.max_c, b.log_buckets);
    let mut backend = backend(None);
    for n in [100, 257] {
        let case = msm_random_case(n, 40 + n as u64);
        check_msm(&mut backend, &case).unwrap();
        let plan = MsmPlan::new(n, caps, zkaccel_sim::card::MEMORY_BYTES).unwrap();
        let groups = plan.windows.div_ceil(plan.group);
        assert!(groups >= 2, "the test should exercise several window groups: {plan:?}");
        let report = backend.msm(&case.bases, &case.scalars).unwrap().report;
        assert_eq!(report.kernel_runs, groups, "one run per window group (one chunk)");
        let cycles = report.device_cycles.unwrap();
        let adds = additions(&case, &plan);
        assert!(cycles >= adds, "{cycles} cycles cannot issue {adds} additions on one adder");
    }
}

#[test]
fn points_split_into_several_chunks_keep_their_buckets_between_runs() {
    // 64 KiB of device memory: the plan takes 256 points per chunk, so 257 points need two runs
    // per window group (the second accumulates into the buckets the first left on chip).
    let memory = 64 << 10;
    let b = build();
    let n = 257;
    let plan = MsmPlan::new(n, msm_caps::encode(b.max_c, b.log_buckets), memory).unwrap();
    assert!(plan.chunk < n, "{plan:?}");
    let mut backend = backend(Some(memory));
    let mut case = msm_random_case(n, 77);
    // Identity points and zero scalars across the chunk boundary too.
    case.bases[255] = ark_bn254::G1Affine::identity();
    case.scalars[256] = ark_ff::Zero::zero();
    check_msm(&mut backend, &case).unwrap();
    let report = backend.msm(&case.bases, &case.scalars).unwrap().report;
    let groups = plan.windows.div_ceil(plan.group);
    assert_eq!(report.kernel_runs, groups * n.div_ceil(plan.chunk) as u32);
}

#[test]
fn the_sim_backend_offers_the_msm_kernel() {
    let backend = zkaccel::open_backend("sim").unwrap();
    assert!(backend.supports_msm());
}
