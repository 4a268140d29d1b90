//! Both kernels stay bit-exact when memory is slow, stalls at random or is reset mid-run: every
//! edge case of `zkaccel::testing` through the driver, on Verilator models whose AXI ports are
//! served by the card's memory model (sim/axi-model), whose protocol checker fails the run on
//! any violation.
#![cfg(feature = "sim")]

use std::time::Duration;

use zkaccel::card::CardBackend;
use zkaccel::testing::{check_backend, msm_random_case, ntt_cases};
use zkaccel_core::device::Device;
use zkaccel_core::regmap::{ctrl, msm_args, msm_config, ntt_args, KernelKind, CTRL};
use zkaccel_sim::card::{MemoryConfig, SimCard};

fn card(memory: MemoryConfig) -> SimCard {
    let ntt = SimCard::ntt_builds().first().copied();
    let msm = SimCard::msm_builds().first().copied();
    SimCard::with_memory(ntt, msm, memory).unwrap()
}

fn max_ntt_log() -> u32 {
    *SimCard::ntt_builds().first().expect("an NTT build")
}

/// Every edge case under `memory`; returns the card's traffic for the message.
fn check_all(memory: MemoryConfig) {
    let mut backend = CardBackend::new("sim", Box::new(card(memory))).unwrap();
    let failures = check_backend(&mut backend, max_ntt_log(), &[70], 5);
    assert!(failures.is_empty(), "memory {memory}: {failures:#?}");
}

#[test]
fn long_latency_memory_ddr_like() {
    check_all(MemoryConfig::ddr());
}

#[test]
fn random_stalls_on_every_channel_hbm_like() {
    check_all(MemoryConfig::hbm().with_stalls(30, 11));
}

#[test]
fn a_slow_write_port_holds_the_ntt_load_back_and_loses_nothing() {
    // One beat every 8 cycles on every port plus stalls: the output FIFO fills, the store
    // stops, so must the load into the addresses the store has not read yet.
    let memory = MemoryConfig { bytes_per_cycle: 8, ..MemoryConfig::ddr() }.with_stalls(40, 3);
    let mut backend = CardBackend::new("sim", Box::new(card(memory))).unwrap();
    let k = max_ntt_log();
    let failures: Vec<_> = ntt_cases(k, 9)
        .iter()
        .filter(|c| c.values.len() >= 1 << (k - 1))
        .filter_map(|c| zkaccel::testing::check_ntt(&mut backend, c).err())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Starts a run of `kernel` with `args`, lets it work for `cycles`, and resets the card under it.
fn reset_mid_run(card: &mut SimCard, kernel: KernelKind, args: &[(u32, u32)], advances: u32) {
    for &(offset, value) in args {
        card.write_reg(kernel, offset, value).unwrap();
    }
    card.write_reg(kernel, CTRL, ctrl::AP_START).unwrap();
    for _ in 0..advances {
        card.advance().unwrap();
    }
    assert_eq!(card.read_reg(kernel, CTRL).unwrap() & ctrl::AP_DONE, 0, "the run should still be going");
    card.reset();
    let status = card.read_reg(kernel, CTRL).unwrap();
    assert_eq!(
        status & (ctrl::AP_IDLE | ctrl::AP_READY | ctrl::AP_DONE),
        ctrl::AP_IDLE | ctrl::AP_READY,
        "CTRL after reset: {status:#x}"
    );
}

#[test]
fn a_reset_in_the_middle_of_a_run_is_followed_by_correct_runs() {
    let mut card = card(MemoryConfig::ddr());
    let k = max_ntt_log();
    let words = 4u64 << k;
    let (src, dst) = (card.alloc(32 * words).unwrap(), card.alloc(32 * words).unwrap());
    reset_mid_run(
        &mut card,
        KernelKind::Ntt,
        &[
            (ntt_args::LOG_N.offset, k),
            (ntt_args::BATCH.offset, 4),
            (ntt_args::SRC.offset, src.addr as u32),
            (ntt_args::SRC.offset + 4, (src.addr >> 32) as u32),
            (ntt_args::DST.offset, dst.addr as u32),
            (ntt_args::DST.offset + 4, (dst.addr >> 32) as u32),
        ],
        1,
    );
    // An MSM lane accumulating 4,000 points into its slots when the reset comes.
    let lane = msm_args::lane(0);
    let n = 4000u32;
    let (points, entries) = (card.alloc(64 * n as u64).unwrap(), card.alloc(2 * n as u64).unwrap());
    let entry_words: Vec<u8> =
        (0..n).flat_map(|i| zkaccel_core::regmap::msm_entry::encode(i % 8, false, true).to_le_bytes()).collect();
    card.write(entries, 0, &entry_words).unwrap();
    let run = msm_config::LaneRun { slots: 8, clear: true, flush_slots: 0, bank: false };
    reset_mid_run(
        &mut card,
        KernelKind::Msm,
        &[
            (lane.num_points.offset, n),
            (lane.num_entries.offset, n),
            (lane.config.offset, msm_config::encode(run)),
            (lane.points.offset, points.addr as u32),
            (lane.points.offset + 4, (points.addr >> 32) as u32),
            (lane.entries.offset, entries.addr as u32),
            (lane.entries.offset + 4, (entries.addr >> 32) as u32),
        ],
        1,
    );
    let mut backend = CardBackend::new("sim", Box::new(card)).unwrap().with_timeout(Duration::from_secs(120));
    let mut failures = check_backend(&mut backend, k, &[], 8);
    failures.extend(zkaccel::testing::check_msm(&mut backend, &msm_random_case(70, 4)).err());
    assert!(failures.is_empty(), "{failures:#?}");
}
