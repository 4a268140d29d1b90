//! The card driver (batching, chunking to device memory, four-step splitting of large NTTs, coset
//! scaling, MSM window groups and chunks, bucket reduction, timeouts) on an untimed functional
//! model of the kernels, checked bit for bit against arkworks with the shared cases.

use std::time::Duration;

use ark_bn254::Fr;
use zkaccel::card::CardBackend;
use zkaccel::testing::functional_card::{Behaviour, Config, FunctionalCard};
use zkaccel::testing::{self, check_msm, check_ntt, msm_edge_cases, msm_random_case, ntt_cases};
use zkaccel::{reference, Backend, Error, NttKind};

fn card(ntt_max_log: u32, memory_bytes: u64, behaviour: Behaviour) -> CardBackend {
    let config = Config { ntt_max_log, msm_log_slots: 10, msm_lanes: 2, msm_writeback: 261, memory_bytes };
    CardBackend::new("model", Box::new(FunctionalCard::new(config, behaviour))).unwrap()
}

fn msm_card(msm_log_slots: u32, msm_lanes: u32, msm_writeback: u32, memory_bytes: u64) -> CardBackend {
    let config = Config { ntt_max_log: 4, msm_log_slots, msm_lanes, msm_writeback, memory_bytes };
    CardBackend::new("model", Box::new(FunctionalCard::new(config, Behaviour::Correct))).unwrap()
}

#[test]
fn msm_edge_cases_match_arkworks_across_window_widths_groups_and_chunks() {
    // Roomy card (2^14 slots); 4 slots (c ≤ 3, one window per group, no spare slots) forcing many
    // groups; a card whose 64 KiB memory forces several chunks of points per group; each with
    // one lane and with several (lanes split every chunk, and tiny chunks leave lanes idle); the
    // adder latencies the cards report (which space the driver's schedule) differ too.
    let cards = [
        (14, 1, 96, 1 << 24),
        (2, 1, 261, 1 << 24),
        (8, 1, 20, 64 << 10),
        (14, 4, 261, 1 << 24),
        (2, 2, 1000, 1 << 24),
        (8, 3, 96, 64 << 10),
    ];
    for (log_slots, lanes, writeback, memory) in cards {
        let mut backend = msm_card(log_slots, lanes, writeback, memory);
        let mut failures: Vec<_> = msm_edge_cases(31).iter().filter_map(|c| check_msm(&mut backend, c).err()).collect();
        failures.extend([1000, 3000].iter().filter_map(|&n| check_msm(&mut backend, &msm_random_case(n, 8)).err()));
        assert!(failures.is_empty(), "2^{log_slots} slots × {lanes} lanes: {failures:#?}");
    }
}

#[test]
fn msm_reports_its_kernel_runs() {
    let mut backend = msm_card(8, 2, 261, 64 << 10);
    let case = msm_random_case(2000, 1);
    let report = backend.msm(&case.bases, &case.scalars).unwrap().report;
    assert!(report.kernel_runs > 1, "{report:?}");
    assert_eq!(report.size, 2000);
    // Every kept point goes to the card at least once and slots come back: the transfers are
    // counted, and the end-to-end projection is kernel + host passes + transfers.
    assert!(report.transfer_bytes >= 64 * 2000, "{report:?}");
    let (device, e2e) = (report.projected_device_time().unwrap(), report.projected_end_to_end().unwrap());
    assert!(e2e >= device + report.host_passes && e2e > device, "{report:?}");
    let empty = backend.msm(&[], &[]).unwrap();
    assert_eq!((empty.report.kernel_runs, empty.report.transfer_bytes), (0, 0));
    assert!(matches!(backend.msm(&case.bases, &case.scalars[1..]), Err(Error::LengthMismatch { .. })));
}

#[test]
fn ntt_of_every_size_and_kind_matches_ark_poly_including_four_step() {
    // On-chip maximum 2^3: sizes 2^4..2^6 take the four-step path, 2^7 and up recurse into it.
    let mut backend = card(3, 1 << 20, Behaviour::Correct);
    assert_eq!(backend.ntt_on_chip_max_log(), Some(3));
    let failures: Vec<_> = ntt_cases(9, 21).iter().filter_map(|c| check_ntt(&mut backend, c).err()).collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn batches_stream_through_small_device_memory() {
    // 8 KiB of memory and 2^3-value transforms (256 bytes): at most 16 transforms per run.
    let mut backend = card(3, 8 << 10, Behaviour::Correct);
    let values = testing::random_scalars(100 * 8, &mut testing::rng(2));
    let mut got = values.clone();
    let report = backend.ntt_batch(&mut got, 8, NttKind::Inverse).unwrap();
    assert_eq!(report.kernel_runs, 7, "100 transforms in pieces of 16");
    for (a, b) in values.chunks(8).zip(got.chunks(8)) {
        let mut expected = a.to_vec();
        reference::ntt_in_place(&mut expected, NttKind::Inverse).unwrap();
        assert_eq!(expected, b);
    }
    // Larger transforms split into on-chip sizes, so they fit the same small memory.
    let mut big = testing::random_scalars(1 << 8, &mut testing::rng(3));
    let mut expected = big.clone();
    backend.ntt(&mut big, NttKind::Forward).unwrap();
    reference::ntt_in_place(&mut expected, NttKind::Forward).unwrap();
    assert_eq!(big, expected);
    // A card whose on-chip transform (2^10 values, 32 KiB) exceeds its 8 KiB memory cannot run it.
    let mut tiny = card(10, 8 << 10, Behaviour::Correct);
    let mut values = testing::random_scalars(1 << 10, &mut testing::rng(3));
    let err = tiny.ntt(&mut values, NttKind::Forward).unwrap_err();
    assert!(matches!(err, Error::DeviceMemory(_)), "{err}");
}

#[test]
fn a_hung_kernel_is_a_timeout_error_not_a_hang() {
    let mut backend = card(4, 1 << 20, Behaviour::Hang).with_timeout(Duration::from_millis(50));
    let mut values = vec![Fr::from(1u64); 16];
    let err = backend.ntt(&mut values, NttKind::Forward).unwrap_err();
    assert!(matches!(err, Error::Timeout { ref kernel, .. } if kernel == "zkaccel_ntt"), "{err}");
}

#[test]
fn after_a_timeout_the_card_is_refused_until_reopened_and_its_buffers_are_kept() {
    let mut backend = card(4, 1 << 20, Behaviour::HangOnce).with_timeout(Duration::from_millis(50));
    let mut values = testing::random_scalars(16, &mut testing::rng(7));
    let err = backend.ntt(&mut values, NttKind::Forward).unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    // The run's input and output buffers (16 values of 32 bytes each, page-rounded or not) are
    // held back: the hung kernel may still write them.
    assert!(backend.quarantined_bytes() >= 2 * 16 * 32, "{} bytes quarantined", backend.quarantined_bytes());
    let bases = testing::random_bases(4, &mut testing::rng(8));
    for err in [
        backend.ntt(&mut values, NttKind::Forward).unwrap_err(),
        backend.msm(&bases, &testing::random_scalars(4, &mut testing::rng(9))).map(|_| ()).unwrap_err(),
    ] {
        assert!(err.to_string().contains("reopened"), "{err}");
    }
    backend.reopen().unwrap();
    let case = testing::ntt_cases(4, 10).remove(0);
    testing::check_ntt(&mut backend, &case).unwrap();
}

#[test]
fn ntt_reports_count_kernel_runs() {
    let mut backend = card(2, 1 << 20, Behaviour::Correct);
    let mut values = testing::random_scalars(64, &mut testing::rng(4));
    let report = backend.ntt(&mut values, NttKind::CosetForward).unwrap();
    // 64 = 16·4: a batched run of 16 transforms of 4, then 4 transforms of 16 = 4·4 each.
    assert_eq!(report.kernel_runs, 1 + 4 * 2);
    assert_eq!(report.clock_hz, Some(250_000_000));
    // The values go in and come back on each of the two passes (and twiddles, if any, besides).
    assert!(report.transfer_bytes >= 2 * 2 * 32 * 64, "{report:?}");
    let mut empty: Vec<Fr> = vec![];
    assert!(matches!(backend.ntt(&mut empty, NttKind::Forward), Err(Error::UnsupportedNttSize { size: 0, .. })));
}

#[test]
fn a_kernel_that_reports_no_adder_latency_is_refused() {
    let mut backend = msm_card(8, 1, 0, 1 << 20);
    let case = msm_random_case(50, 3);
    let err = backend.msm(&case.bases, &case.scalars).unwrap_err();
    assert!(matches!(&err, Error::Device(m) if m.contains("write-back")), "{err}");
}

#[test]
fn corrupted_device_results_are_caught() {
    let config = Config { ntt_max_log: 4, msm_log_slots: 8, msm_lanes: 1, msm_writeback: 261, memory_bytes: 1 << 20 };
    let mut backend = CardBackend::new("faulty", Box::new(FunctionalCard::new(config, Behaviour::FlipBit))).unwrap();
    // An MSM bucket moved off the curve is refused by the driver itself, naming the bucket.
    let case = msm_random_case(50, 3);
    let err = backend.msm(&case.bases, &case.scalars).unwrap_err();
    assert!(matches!(&err, Error::Device(m) if m.contains("not on the curve")), "{err}");
    // A flipped NTT output bit is caught by the shared check.
    let cases = ntt_cases(3, 1);
    assert!(cases.iter().all(|c| check_ntt(&mut backend, c).is_err()));
}
