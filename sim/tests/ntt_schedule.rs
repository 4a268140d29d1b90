//! The NTT kernel's cycle counts are exactly its documented schedule
//! (`zkaccel_kernels::ntt::cycles_per_transform`), on the Verilator model, through the register
//! map as the driver uses it. (Correctness of the values is checked in host/tests/sim_backend.rs.)

use std::time::Duration;

use zkaccel_core::device::{run_kernel, ArgValue, Device};
use zkaccel_core::regmap::{ntt_args, KernelKind};
use zkaccel_kernels::ntt::cycles_per_transform;
use zkaccel_sim::card::SimCard;

#[test]
fn cycles_match_the_documented_schedule_at_every_on_chip_size() {
    for k in SimCard::ntt_builds() {
        let mut card = SimCard::with_ntt(k).unwrap();
        for log in 0..=k {
            let bytes = 32u64 << log;
            let (src, dst) = (card.alloc(bytes).unwrap(), card.alloc(bytes).unwrap());
            // Small canonical values: 32-byte words whose first byte is the index.
            let data: Vec<u8> = (0..1u64 << log).flat_map(|i| { let mut w = [0u8; 32]; w[0] = i as u8; w }).collect();
            card.write(src, 0, &data).unwrap();
            for inverse in [0, ntt_args::FLAG_INVERSE] {
                let run = run_kernel(
                    &mut card,
                    KernelKind::Ntt,
                    &[
                        (ntt_args::LOG_N, ArgValue::Scalar(log)),
                        (ntt_args::FLAGS, ArgValue::Scalar(inverse)),
                        (ntt_args::BATCH, ArgValue::Scalar(1)),
                        (ntt_args::SRC, ArgValue::Address(src.addr)),
                        (ntt_args::DST, ArgValue::Address(dst.addr)),
                    ],
                    Duration::from_secs(60),
                )
                .unwrap();
                assert_eq!(run.cycles, cycles_per_transform(log), "2^{log} on a 2^{k} kernel, flags {inverse}");
            }
            card.free(src).unwrap();
            card.free(dst).unwrap();
        }
    }
}

#[test]
fn a_zero_batch_finishes_at_once_and_a_second_start_works() {
    let k = SimCard::ntt_builds()[0];
    let mut card = SimCard::with_ntt(k).unwrap();
    let run = run_kernel(&mut card, KernelKind::Ntt, &[(ntt_args::BATCH, ArgValue::Scalar(0))], Duration::from_secs(5)).unwrap();
    assert!(run.cycles <= 2, "{run:?}");
    let run = run_kernel(&mut card, KernelKind::Ntt, &[(ntt_args::BATCH, ArgValue::Scalar(0))], Duration::from_secs(5)).unwrap();
    assert!(run.cycles <= 2, "{run:?}");
}
