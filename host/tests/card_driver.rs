//! The card driver (batching, chunking to device memory, four-step splitting of large NTTs, coset
//! scaling, timeouts) on an untimed functional model of the NTT kernel, checked bit for bit
//! against ark-poly with the shared cases.

use std::time::Duration;

use ark_bn254::Fr;
use zkaccel::card::CardBackend;
use zkaccel::testing::functional_card::{Behaviour, FunctionalNttCard};
use zkaccel::testing::{self, check_ntt, ntt_cases};
use zkaccel::{reference, Backend, Error, NttKind};

fn card(max_log: u32, memory: u64, behaviour: Behaviour) -> CardBackend {
    CardBackend::new("model", Box::new(FunctionalNttCard::new(max_log, memory, behaviour))).unwrap()
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
fn reports_count_kernel_runs_and_msm_is_unsupported_without_its_kernel() {
    let mut backend = card(2, 1 << 20, Behaviour::Correct);
    let mut values = testing::random_scalars(64, &mut testing::rng(4));
    let report = backend.ntt(&mut values, NttKind::CosetForward).unwrap();
    // 64 = 16·4: a batched run of 16 transforms of 4, then 4 transforms of 16 = 4·4 each.
    assert_eq!(report.kernel_runs, 1 + 4 * 2);
    assert_eq!(report.clock_hz, Some(250_000_000));
    let err = backend.msm(&[], &[]).unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    let mut empty: Vec<Fr> = vec![];
    assert!(matches!(backend.ntt(&mut empty, NttKind::Forward), Err(Error::UnsupportedNttSize { size: 0, .. })));
}
