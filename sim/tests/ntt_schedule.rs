//! The NTT kernel's cycle counts are exactly its documented schedule
//! (`zkaccel_kernels::ntt::cycles`), on the Verilator model with memory that answers in one
//! cycle, through the register map as the driver uses it, for single transforms and for batches
//! (where load, compute and store overlap).
//! (Correctness of the values is checked in host/tests/sim_backend.rs.)

use std::time::Duration;

use zkaccel_core::device::{run_kernel, ArgValue, Device};
use zkaccel_core::regmap::{ntt_args, KernelKind};
use zkaccel_kernels::ntt::cycles;
use zkaccel_sim::card::{MemoryConfig, SimCard};

#[test]
fn cycles_match_the_documented_schedule_at_every_on_chip_size() {
    for k in SimCard::ntt_builds() {
        let mut card = SimCard::with_memory(Some(k), None, MemoryConfig::IDEAL).unwrap();
        for log in 0..=k {
            // Batches of 1 (nothing overlaps), 2 (no phase both loads and stores) and 4.
            let max_batch = 4u32;
            let bytes = (32u64 << log) * max_batch as u64;
            let (src, dst) = (card.alloc(bytes).unwrap(), card.alloc(bytes).unwrap());
            // Small values: 32-byte words whose first byte is the index.
            let data: Vec<u8> = (0..(1u64 << log) * max_batch as u64)
                .flat_map(|i| {
                    let mut w = [0u8; 32];
                    w[0] = i as u8;
                    w
                })
                .collect();
            card.write(src, 0, &data).unwrap();
            for (inverse, batch) in [0, ntt_args::FLAG_INVERSE].into_iter().flat_map(|f| [1, 2, max_batch].map(|b| (f, b))) {
                let run = run_kernel(
                    &mut card,
                    KernelKind::Ntt,
                    &[
                        (ntt_args::LOG_N, ArgValue::Scalar(log)),
                        (ntt_args::FLAGS, ArgValue::Scalar(inverse)),
                        (ntt_args::BATCH, ArgValue::Scalar(batch)),
                        (ntt_args::SRC, ArgValue::Address(src.addr)),
                        (ntt_args::DST, ArgValue::Address(dst.addr)),
                    ],
                    Duration::from_secs(60),
                )
                .unwrap();
                assert_eq!(run.cycles, cycles(log, batch as u64), "{batch} × 2^{log} on a 2^{k} kernel, flags {inverse}");
            }
            card.free(src).unwrap();
            card.free(dst).unwrap();
        }
    }
}

#[test]
fn a_zero_batch_finishes_at_once_and_a_second_start_works() {
    let k = SimCard::ntt_builds()[0];
    let mut card = SimCard::with_memory(Some(k), None, MemoryConfig::IDEAL).unwrap();
    let run = run_kernel(&mut card, KernelKind::Ntt, &[(ntt_args::BATCH, ArgValue::Scalar(0))], Duration::from_secs(5)).unwrap();
    assert_eq!(run.cycles, cycles(0, 0), "{run:?}");
    let run = run_kernel(&mut card, KernelKind::Ntt, &[(ntt_args::BATCH, ArgValue::Scalar(0))], Duration::from_secs(5)).unwrap();
    assert_eq!(run.cycles, cycles(0, 0), "{run:?}");
}
