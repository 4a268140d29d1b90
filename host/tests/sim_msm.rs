//! The MSM kernel end to end: host driver → device trait → Verilator model of the MSM kernel →
//! buckets → host reduction, bit for bit against arkworks with the shared cases, plus plans with
//! several window groups and several point chunks. (Its Verilog is linted with every model in sim/tests/lint.rs.)
#![cfg(feature = "sim")]

use zkaccel::card::msm::{CardMemory, PreparedMsm, SPREAD};
use zkaccel::card::CardBackend;
use zkaccel::testing::{self, check_msm, msm_edge_cases, msm_random_case};
use zkaccel::Backend;
use zkaccel_sim::card::{MsmBuild, SimCard};

fn build() -> MsmBuild {
    *SimCard::msm_builds().first().expect("an MSM kernel build (ZKACCEL_SIM_MSM_BUILDS)")
}

/// The memory the driver plans for on a simulated card with `bytes` of it.
fn card_memory(bytes: u64) -> CardMemory {
    CardMemory { bytes, port_bytes_per_cycle: SimCard::default_memory().unwrap().bytes_per_cycle }
}

fn backend(memory: Option<u64>) -> CardBackend {
    let mut card = SimCard::with_msm(build()).unwrap();
    if let Some(bytes) = memory {
        card = card.with_memory_bytes(bytes);
    }
    CardBackend::new("sim", Box::new(card)).unwrap()
}

#[test]
fn every_edge_case_matches_arkworks_through_the_kernel() {
    let mut backend = backend(None);
    let failures: Vec<_> = msm_edge_cases(21).iter().filter_map(|c| check_msm(&mut backend, c).err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn random_sizes_with_several_window_groups_match_and_report_honest_cycles() {
    let caps = SimCard::msm_caps(build());
    let mut backend = backend(None);
    for n in [100, 257] {
        let case = msm_random_case(n, 40 + n as u64);
        check_msm(&mut backend, &case).unwrap();
        let job = PreparedMsm::new(&case.bases, &case.scalars, caps, card_memory(zkaccel_sim::card::MEMORY_BYTES)).unwrap();
        let groups: Vec<_> = job.group_starts().map(|first| job.group(first)).collect();
        assert!(groups.len() >= 2, "the test should exercise several window groups: {:?}", job.plan);
        let report = backend.msm(&case.bases, &case.scalars).unwrap().report;
        // One run per window group (one chunk each), plus the run writing out the last group.
        assert_eq!(report.kernel_runs as usize, groups.len() + 1);
        let cycles = report.device_cycles.unwrap();
        let adds: u64 = groups.iter().map(|g| g.entries.len() as u64).sum();
        let lanes = build().lanes as u64;
        assert!(cycles * lanes >= adds, "{cycles} cycles cannot issue {adds} additions on {lanes} adders");
    }
}

#[test]
fn equal_scalars_spread_over_slots_and_match() {
    // Every point hits one bucket per window: the driver spreads each over the spare slots.
    let mut rng = testing::rng(12);
    let bases = testing::random_bases(150, &mut rng);
    let scalars = vec![testing::random_scalars(1, &mut rng)[0]; 150];
    let job =
        PreparedMsm::new(&bases, &scalars, SimCard::msm_caps(build()), card_memory(zkaccel_sim::card::MEMORY_BYTES)).unwrap();
    let group = job.group(0);
    assert!(group.slots() as usize > group.windows, "hot buckets get several slots: {}", group.slots());
    assert!((group.slots() as u64) < SPREAD * 2);
    check_msm(&mut backend(None), &zkaccel::testing::MsmCase { name: "equal".into(), bases, scalars }).unwrap();
}

#[test]
fn points_split_into_several_chunks_keep_their_buckets_between_runs() {
    // 64 KiB of device memory: a chunk holds a few hundred points at most, so 700 points need
    // several runs per window group (each accumulating into the slots the last left on chip).
    let memory = 64 << 10;
    let n = 700;
    let mut case = msm_random_case(n, 77);
    // Identity points and zero scalars across chunk boundaries too.
    case.bases[255] = ark_bn254::G1Affine::identity();
    case.scalars[256] = ark_ff::Zero::zero();
    let job = PreparedMsm::new(&case.bases, &case.scalars, SimCard::msm_caps(build()), card_memory(memory)).unwrap();
    assert!(job.plan.chunk < job.points.len(), "{:?}", job.plan);
    let mut backend = backend(Some(memory));
    check_msm(&mut backend, &case).unwrap();
    let report = backend.msm(&case.bases, &case.scalars).unwrap().report;
    let runs: usize = job.group_starts().map(|first| job.group(first).points.len().div_ceil(job.plan.chunk)).sum();
    assert_eq!(report.kernel_runs as usize, runs + 1, "the chunks of every group, then the last group's flush");
}

#[test]
fn the_sim_backend_offers_the_msm_kernel() {
    let backend = zkaccel::open_backend("sim").unwrap();
    assert!(backend.supports_msm());
}

#[test]
fn a_groups_flush_hides_behind_the_next_groups_accumulation() {
    use std::time::Duration;
    use zkaccel::card::msm::{run_group, MsmBuffers, SlotControl};
    let timeout = Duration::from_secs(600);
    let case = msm_random_case(600, 9);
    let job =
        PreparedMsm::new(&case.bases, &case.scalars, SimCard::msm_caps(build()), card_memory(zkaccel_sim::card::MEMORY_BYTES))
            .unwrap();
    let groups: Vec<_> = job.group_starts().map(|first| job.group(first)).collect();
    assert!(groups.len() >= 4, "{:?}", job.plan);
    let mut card = SimCard::with_msm(build()).unwrap();
    let buffers = MsmBuffers::alloc(&mut card, &job.plan).unwrap();
    // Each group's accumulation alone (no clear, no flush)…
    let mut alone = SlotControl::accumulate_only(job.plan.lanes);
    let accumulation: Vec<u64> =
        groups.iter().map(|g| run_group(&mut card, &job, g, buffers, &mut alone, timeout).unwrap().cycles).collect();
    // …and the real sequence, where each group's run also writes out the previous group's
    // slots (2 cycles a slot) from the other bank: it must cost (next to) nothing.
    let mut control = SlotControl::new(job.plan.lanes);
    let mut checked = 0;
    for (k, group) in groups.iter().enumerate() {
        let done = run_group(&mut card, &job, group, buffers, &mut control, timeout).unwrap();
        assert_eq!(done.flushed.is_empty(), k == 0, "group {k}");
        let flush_cycles = 2 * groups[k.saturating_sub(1)].slots() as u64;
        // From group 2 on both banks are clean (no clear pass) unless a group needs more slots.
        if k >= 2 && group.slots() <= groups[k - 2].slots() && accumulation[k] > flush_cycles {
            assert!(
                done.cycles <= accumulation[k] + 8,
                "group {k}: {} cycles with the flush beside it, {} without (the flush alone is {flush_cycles})",
                done.cycles,
                accumulation[k]
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "only {checked} groups could be compared");
    buffers.free(&mut card).unwrap();
}

/// A run ends once its additions are issued, long before the first sum is written back. (That
/// the next clear or flush waits for those sums is what every multi-run case above checks: with
/// the wait removed, the edge cases, the window groups and the chunked runs all differ from
/// arkworks.)
#[test]
fn a_run_ends_before_its_additions_leave_the_adder() {
    use std::time::Duration;
    use zkaccel::card::msm::{run_group, MsmBuffers, SlotControl};
    use zkaccel::regmap::msm_caps;
    let caps = SimCard::msm_caps(build());
    let drain = msm_caps::writeback(caps) as u64;
    let case = msm_random_case(1, 77);
    let job = PreparedMsm::new(&case.bases, &case.scalars, caps, card_memory(zkaccel_sim::card::MEMORY_BYTES)).unwrap();
    let group = job.group(job.group_starts().next().unwrap());
    let memory = zkaccel_sim::card::parse_memory("ideal").unwrap();
    let mut card = SimCard::with_memory(None, Some(build()), memory).unwrap();
    let buffers = MsmBuffers::alloc(&mut card, &job.plan).unwrap();
    // One point: its additions go to different slots (one per window), so none waits. No clear
    // pass (the slots are taken as clean).
    let mut control = SlotControl::accumulate_only(job.plan.lanes);
    let run = run_group(&mut card, &job, &group, buffers, &mut control, Duration::from_secs(600)).unwrap();
    let issued = group.entries.len() as u64;
    assert!(
        issued > 0 && run.cycles < drain,
        "a run of {issued} additions took {} cycles, the adder's drain is {drain}",
        run.cycles
    );
    buffers.free(&mut card).unwrap();
}
