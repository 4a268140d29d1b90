//! The slave against a protocol-abiding test master (data, timing, limits, stalls, errors,
//! reset) and against deliberately bad masters (every checker rule).

mod harness;

use harness::{random_data, replay, run, run_with, Master, Memory, WBeat};

use crate::stall::Rng;
use crate::{AxiSlave, MasterOut, MemoryConfig, BEAT_BYTES, BEAT_WORDS, RESP_OKAY, RESP_SLVERR};

const BASE: u64 = 0x1_0000_0000;
const FULL: u64 = u64::MAX;

fn slave(config: MemoryConfig) -> AxiSlave {
    AxiSlave::new(config).expect("valid config")
}

/// Write bursts `(offset from BASE, beats)` with random data and strobes (some full, some
/// partial, overlapping the earlier ones), then read everything back through the slave and
/// compare with a shadow copy that applied the same strobes in order. Returns the cycle of every
/// R and B handshake, and the cycles the whole exchange took.
fn write_then_read_back(config: MemoryConfig, gap_percent: u32, seed: u64) -> (Vec<u64>, u64) {
    let bursts = [(0, 1), (3 * 64, 4), (4096, 64), (8192 + 16 * 64, 16), (4096 + 32 * 64, 8), (0, 8)];
    let mut rng = Rng::new(seed);
    let mut memory = Memory::new(BASE, 16 << 10);
    let mut shadow = memory.bytes.clone();
    let mut master = Master::new(seed ^ 1, gap_percent);
    let mut strobed = 0;
    for (i, &(offset, beats)) in bursts.iter().enumerate() {
        let beats: Vec<_> = (0..beats)
            .map(|_| {
                let strb = if i % 2 == 0 { FULL } else { rng.next_u64() | 1 };
                (random_data(&mut rng), strb)
            })
            .collect();
        for (b, (data, strb)) in beats.iter().enumerate() {
            strobed += u64::from(strb.count_ones());
            let bytes = data.iter().flat_map(|w| w.to_le_bytes());
            let at = offset as usize + b * BEAT_BYTES;
            for (j, byte) in bytes.enumerate().filter(|&(j, _)| strb >> j & 1 == 1) {
                shadow[at + j] = byte;
            }
        }
        master.write(BASE + offset, &beats);
    }
    let mut slave = slave(config);
    let write_cycles = run(&mut slave, &mut master, &mut memory);
    assert_eq!(memory.bytes, shadow, "memory after the writes ({config})");
    assert!(master.b.iter().all(|&(_, resp)| resp == RESP_OKAY));

    let regions = [(0, 64), (4096, 64), (8192, 64)];
    for &(offset, beats) in &regions {
        master.read(BASE + offset, beats);
    }
    let read_cycles = run(&mut slave, &mut master, &mut memory);
    let expected: Vec<u8> = regions
        .iter()
        .flat_map(|&(offset, beats)| &shadow[offset as usize..offset as usize + beats * BEAT_BYTES])
        .copied()
        .collect();
    let read: Vec<u8> = master.r_beats.iter().flat_map(|b| b.data.iter().flat_map(|w| w.to_le_bytes())).collect();
    assert_eq!(read, expected, "data read back ({config})");
    assert!(master.r_beats.iter().all(|b| b.resp == RESP_OKAY));
    let lasts: Vec<bool> = master.r_beats.iter().map(|b| b.last).collect();
    let expected_lasts: Vec<bool> = regions.iter().flat_map(|&(_, beats)| (0..beats).map(move |i| i + 1 == beats)).collect();
    assert_eq!(lasts, expected_lasts, "RLAST on exactly the last beat of each burst");

    let stats = slave.stats();
    assert_eq!(stats.write_bursts, bursts.len() as u64);
    assert_eq!(stats.write_beats, bursts.iter().map(|b| b.1).sum::<u64>());
    assert_eq!(stats.write_bytes, strobed);
    assert_eq!((stats.read_bursts, stats.read_beats), (3, 192));
    assert_eq!(stats.r_stall_cycles, master.r_waits);
    assert_eq!(stats.cycles, slave.cycle());
    let mut trace = master.r_beats.iter().map(|b| b.cycle).collect::<Vec<_>>();
    trace.extend(master.b.iter().map(|b| b.0));
    (trace, write_cycles + read_cycles)
}

#[test]
fn data_written_is_read_back() {
    let narrow = MemoryConfig { bytes_per_cycle: 24, ..MemoryConfig::IDEAL };
    for config in [MemoryConfig::IDEAL, MemoryConfig::ddr(), MemoryConfig::hbm(), narrow] {
        for gap in [0, 40] {
            write_then_read_back(config, gap, 5);
        }
    }
}

#[test]
fn read_and_write_latency_are_exact() {
    for config in [MemoryConfig::IDEAL, MemoryConfig::ddr(), MemoryConfig::hbm()] {
        let mut memory = Memory::new(BASE, 4096);
        let mut master = Master::new(0, 0);
        master.read(BASE, 8);
        master.write(BASE + 1024, &[([7; BEAT_WORDS], FULL); 4]);
        let mut slave = slave(config);
        run(&mut slave, &mut master, &mut memory);

        let first = master.r_beats[0].cycle;
        assert_eq!(first - master.ar_cycles[0], u64::from(config.read_latency), "{config}");
        // Full bandwidth and an always-ready master: the rest follow back to back.
        let cycles: Vec<u64> = master.r_beats.iter().map(|b| b.cycle).collect();
        assert_eq!(cycles, (first..first + 8).collect::<Vec<_>>(), "{config}");
        let b_cycle = master.b[0].0;
        assert_eq!(b_cycle - master.w_last_cycles()[0], u64::from(config.write_latency), "{config}");
    }
}

/// Cycles to read and then write `beats` beats in 16-beat bursts at `bytes_per_cycle`.
fn transfer_cycles(bytes_per_cycle: u32, beats: usize) -> (u64, u64) {
    let config = MemoryConfig { bytes_per_cycle, ..MemoryConfig::IDEAL };
    let mut memory = Memory::new(BASE, beats * BEAT_BYTES);
    let mut slave = slave(config);
    let mut master = Master::new(0, 0);
    for i in 0..beats / 16 {
        master.read(BASE + (i * 16 * BEAT_BYTES) as u64, 16);
    }
    let read = run(&mut slave, &mut master, &mut memory);
    for i in 0..beats / 16 {
        master.write(BASE + (i * 16 * BEAT_BYTES) as u64, &[([1; BEAT_WORDS], FULL); 16]);
    }
    let write = run(&mut slave, &mut master, &mut memory);
    (read, write)
}

#[test]
fn bandwidth_limits_throughput() {
    let (read_full, write_full) = transfer_cycles(64, 64);
    let (read_half, write_half) = transfer_cycles(32, 64);
    for (full, half) in [(read_full, read_half), (write_full, write_half)] {
        assert!((64..72).contains(&full), "a beat per cycle at 64 B/cycle: {full} cycles");
        let ratio = half as f64 / full as f64;
        assert!((1.8..2.2).contains(&ratio), "32 B/cycle took {half} cycles, 64 B/cycle {full}");
    }
    // HBM's 56 of 64 bytes: 7 beats in 8 cycles.
    let (read_hbm, _) = transfer_cycles(56, 256);
    let expected = 256.0 * 64.0 / 56.0;
    assert!((read_hbm as f64 - expected).abs() < 8.0, "{read_hbm} cycles at 56 B/cycle");
}

#[test]
fn outstanding_limits_hold() {
    let config = MemoryConfig { read_latency: 40, write_latency: 40, max_reads: 4, max_writes: 3, ..MemoryConfig::IDEAL };
    let mut memory = Memory::new(BASE, 4096);
    let mut master = Master::new(0, 0);
    for i in 0..10 {
        master.read(BASE + i * 128, 2);
        master.write(BASE + i * 128, &[([3; BEAT_WORDS], FULL); 2]);
    }
    let mut slave = slave(config);
    let (mut reads_full, mut writes_full) = (0, 0);
    let cycles = run_with(&mut slave, &mut master, &mut memory, 10_000, |slave, s| {
        assert!(slave.reads_in_flight() <= 4 && slave.writes_in_flight() <= 3);
        assert_eq!(s.ar_ready, slave.reads_in_flight() < 4, "ARREADY low exactly at the limit");
        assert_eq!(s.aw_ready, slave.writes_in_flight() < 3, "AWREADY low exactly at the limit");
        reads_full += u32::from(slave.reads_in_flight() == 4);
        writes_full += u32::from(slave.writes_in_flight() == 3);
    });
    assert!(reads_full > 0 && writes_full > 0, "the limits were never reached");
    // Ten bursts through four slots of a 40-cycle memory take at least three latencies.
    assert!(cycles > 3 * 40, "{cycles} cycles");
}

#[test]
fn seeded_stalls_are_reproducible_and_lose_nothing() {
    for base in [MemoryConfig::IDEAL, MemoryConfig::hbm()] {
        let stalled = base.with_stalls(30, 0xdead_beef);
        // write_then_read_back checks the data; the trace is every handshake's cycle.
        let (trace, cycles) = write_then_read_back(stalled, 20, 9);
        let (again, _) = write_then_read_back(stalled, 20, 9);
        assert_eq!(trace, again, "same seed, same run ({stalled})");
        let (other, _) = write_then_read_back(base.with_stalls(30, 1), 20, 9);
        assert_ne!(trace, other, "another seed, another run");
        let (_, unstalled) = write_then_read_back(base, 20, 9);
        assert!(cycles > unstalled, "stalls cost cycles: {cycles} vs {unstalled}");
    }
    // Stalls on every handshake but one in a hundred still get there.
    write_then_read_back(MemoryConfig::IDEAL.with_stalls(99, 3), 0, 4);
}

#[test]
fn stalls_reach_every_channel() {
    let config = MemoryConfig::IDEAL.with_stalls(50, 11);
    let mut memory = Memory::new(BASE, 8192);
    let mut master = Master::new(0, 0);
    for i in 0..8 {
        master.read(BASE + i * 1024, 16);
        master.write(BASE + 4096 + i * 512, &[([i as u32; BEAT_WORDS], FULL); 8]);
    }
    let mut slave = slave(config);
    let (mut ar_stalls, mut aw_stalls) = (0, 0);
    run_with(&mut slave, &mut master, &mut memory, 100_000, |slave, s| {
        ar_stalls += u32::from(!s.ar_ready && slave.reads_in_flight() < config.max_reads);
        aw_stalls += u32::from(!s.aw_ready && slave.writes_in_flight() < config.max_writes);
    });
    assert!(ar_stalls > 0 && aw_stalls > 0, "AR {ar_stalls}, AW {aw_stalls} stalled cycles");
    // The master is always ready and valid, and the bandwidth is a beat per cycle: any gap
    // inside a burst, or a B later than the latency, is a stall.
    let r_gaps = master.r_beats.windows(2).filter(|b| !b[0].last && b[1].cycle > b[0].cycle + 1).count();
    assert!(r_gaps > 0, "R never stalled");
    let w_gaps = master.w_beats.windows(2).filter(|w| !w[0].1 && w[1].0 > w[0].0 + 1).count();
    assert!(w_gaps > 0, "W never stalled");
    let late_b = master.b.iter().zip(master.w_last_cycles()).filter(|&(b, w)| b.0 > w + 1).count();
    assert!(late_b > 0, "B never stalled");
}

#[test]
fn unbacked_memory_is_slverr() {
    // Backed: [BASE, BASE + 4096 + 128); a burst at BASE + 4096 has two backed beats, then not.
    let mut memory = Memory::new(BASE, 4096 + 128);
    let mut master = Master::new(0, 10);
    let beats = [([0xa5a5_a5a5; BEAT_WORDS], FULL); 4];
    master.write(BASE, &beats);
    master.write(BASE + 4096, &beats);
    master.write(BASE - 4096, &beats[..1]);
    master.read(BASE + 4096, 4);
    master.read(BASE - 4096, 1);
    let mut slave = slave(MemoryConfig::ddr());
    run(&mut slave, &mut master, &mut memory);

    let resps: Vec<u8> = master.b.iter().map(|b| b.1).collect();
    assert_eq!(resps, [RESP_OKAY, RESP_SLVERR, RESP_SLVERR]);
    // The backed beats of the straddling burst were written all the same.
    assert!(memory.bytes[4096..].iter().all(|&b| b == 0xa5));
    let resps: Vec<u8> = master.r_beats.iter().map(|b| b.resp).collect();
    assert_eq!(resps, [RESP_OKAY, RESP_OKAY, RESP_SLVERR, RESP_SLVERR, RESP_SLVERR]);
    for beat in &master.r_beats {
        let expected = if beat.resp == RESP_OKAY { 0xa5a5_a5a5 } else { 0 };
        assert_eq!(beat.data, [expected; BEAT_WORDS]);
    }
}

#[test]
fn reset_drops_transactions_in_flight() {
    let config = MemoryConfig { read_latency: 20, max_reads: 1, ..MemoryConfig::IDEAL };
    let mut memory = Memory::new(BASE, 4096);
    let mut slave = slave(config);
    let ar = |addr| MasterOut { ar_valid: true, ar_addr: addr, ..Default::default() };
    let w = |last: bool| MasterOut {
        w_valid: true,
        w_data: [0x0909_0909; BEAT_WORDS],
        w_strb: FULL,
        w_last: last,
        ..Default::default()
    };
    let aw = MasterOut { aw_valid: true, aw_addr: BASE, aw_len: 3, ..ar(BASE + 2048) };
    // Cycle 0: a read and a 4-beat write accepted; cycles 1-2: two of its beats, while a
    // second read waits at the read limit.
    replay(&mut slave, &mut memory, &[aw, w(false), w(false)]);
    assert!(!slave.drive().ar_ready, "at the read limit");
    replay(&mut slave, &mut memory, &[ar(BASE + 2048 + 64)]);
    assert_eq!((slave.reads_in_flight(), slave.writes_in_flight()), (1, 1));

    slave.reset();
    assert!(slave.idle());
    let s = slave.drive();
    assert!(s.ar_ready && s.aw_ready && !s.w_ready && !s.r_valid && !s.b_valid);
    assert_eq!(memory.beat(BASE + 64), &[9; BEAT_BYTES], "memory is left as it is");
    assert_eq!(memory.beat(BASE + 128), &[0; BEAT_BYTES]);
    assert_eq!((slave.stats().read_bursts, slave.stats().write_beats), (1, 2), "stats are kept");

    // The master was reset too: its pending AR is legally gone, and nothing of the old
    // transactions comes back.
    let mut master = Master::new(0, 0);
    master.read(BASE, 2);
    master.write(BASE + 256, &[([1; BEAT_WORDS], FULL)]);
    run(&mut slave, &mut master, &mut memory);
    assert_eq!(master.r_beats.len(), 2);
    assert_eq!(master.r_beats[0].data, [0x0909_0909; BEAT_WORDS]);
    assert_eq!(master.b.len(), 1);
    replay(&mut slave, &mut memory, &[MasterOut::default(); 50]);
    assert!(slave.idle() && !slave.drive().r_valid && !slave.drive().b_valid);
}

#[test]
fn config_is_validated_and_printed() {
    let ideal = MemoryConfig::IDEAL;
    for bad in [
        MemoryConfig { read_latency: 0, ..ideal },
        MemoryConfig { write_latency: 0, ..ideal },
        MemoryConfig { max_reads: 0, ..ideal },
        MemoryConfig { max_writes: 0, ..ideal },
        MemoryConfig { bytes_per_cycle: 0, ..ideal },
        MemoryConfig { bytes_per_cycle: 65, ..ideal },
        ideal.with_stalls(101, 0),
    ] {
        assert!(AxiSlave::new(bad).is_err(), "{bad}");
    }
    for good in [ideal, MemoryConfig::ddr(), MemoryConfig::hbm(), ideal.with_stalls(100, 1)] {
        good.check().unwrap();
    }
    let line = MemoryConfig::ddr().with_stalls(5, 0x2a).to_string();
    assert_eq!(
        line,
        "read_latency=128 write_latency=64 max_reads=32 max_writes=32 bytes_per_cycle=64 \
         stall_percent=5 seed=0x2a"
    );
}

#[test]
fn reset_restarts_the_stall_pattern() {
    /// The AR and AW readies of 64 idle cycles.
    fn idle_readies(slave: &mut AxiSlave, memory: &mut Memory) -> Vec<(bool, bool)> {
        (0..64)
            .map(|_| {
                let s = slave.drive();
                slave.edge(&MasterOut::default(), memory);
                (s.ar_ready, s.aw_ready)
            })
            .collect()
    }
    let mut slave = slave(MemoryConfig::hbm().with_stalls(50, 77));
    let mut memory = Memory::new(BASE, 4096);
    let first = idle_readies(&mut slave, &mut memory);
    assert!(first.contains(&(true, true)) && first.iter().any(|&(ar, aw)| !ar || !aw));
    idle_readies(&mut slave, &mut memory);
    slave.reset();
    assert_eq!(idle_readies(&mut slave, &mut memory), first, "a reset slave stalls like a new one");
}

// The checker: each rule against a master that breaks it.

/// The slave's violations after `cycles` of fixed master outputs.
fn violations(config: MemoryConfig, cycles: &[MasterOut]) -> Vec<String> {
    let mut slave = slave(config);
    replay(&mut slave, &mut Memory::new(BASE, 1 << 16), cycles);
    slave.violations().to_vec()
}

/// A slave that never raises a READY, so every VALID waits.
const NEVER_READY: MemoryConfig = MemoryConfig::IDEAL.with_stalls(100, 0);

#[test]
fn checker_catches_a_dropped_valid() {
    let idle = MasterOut::default();
    let ar = MasterOut { ar_valid: true, ar_addr: BASE, ..idle };
    let aw = MasterOut { aw_valid: true, aw_addr: BASE, ..idle };
    let w = MasterOut { w_valid: true, w_strb: FULL, w_last: true, ..idle };
    assert_eq!(violations(NEVER_READY, &[idle, ar, idle]), ["cycle 2: AR: ARVALID dropped before ARREADY"]);
    assert_eq!(violations(NEVER_READY, &[aw, aw, idle]), ["cycle 2: AW: AWVALID dropped before AWREADY"]);
    // W waits without a stall too: no AW has been accepted.
    assert_eq!(violations(MemoryConfig::IDEAL, &[w, idle]), ["cycle 1: W: WVALID dropped before WREADY"]);
    // Dropping VALID after the handshake is fine.
    assert_eq!(violations(MemoryConfig::IDEAL, &[ar, idle, aw, idle]), [] as [String; 0]);
}

#[test]
fn checker_catches_a_payload_change() {
    let idle = MasterOut::default();
    let ar = MasterOut { ar_valid: true, ar_addr: BASE, ..idle };
    let aw = MasterOut { aw_valid: true, aw_addr: BASE, aw_len: 1, ..idle };
    let w = MasterOut { w_valid: true, w_strb: FULL, ..idle };
    let moved = MasterOut { ar_addr: BASE + 64, ..ar };
    assert_eq!(
        violations(NEVER_READY, &[ar, moved]),
        ["cycle 1: AR: ARADDR/ARLEN changed while waiting for ARREADY (0x100000000/0 -> 0x100000040/0)"]
    );
    let longer = MasterOut { aw_len: 2, ..aw };
    let v = violations(NEVER_READY, &[aw, aw, longer]);
    assert_eq!(v.len(), 1);
    assert!(v[0].starts_with("cycle 2: AW: AWADDR/AWLEN changed"), "{v:?}");
    for changed in [MasterOut { w_data: [1; BEAT_WORDS], ..w }, MasterOut { w_strb: 0xff, ..w }, MasterOut { w_last: true, ..w }]
    {
        let v = violations(MemoryConfig::IDEAL, &[w, changed]);
        assert_eq!(v, ["cycle 1: W: WDATA/WSTRB/WLAST changed while waiting for WREADY"]);
    }
    // A steady payload is fine however long it waits.
    assert_eq!(violations(NEVER_READY, &[ar, ar, ar, ar]), [] as [String; 0]);
}

#[test]
fn checker_catches_bad_addresses() {
    let ar = |addr, len| MasterOut { ar_valid: true, ar_addr: addr, ar_len: len, ..Default::default() };
    let aw = |addr, len| MasterOut { aw_valid: true, aw_addr: addr, aw_len: len, ..Default::default() };
    let ideal = MemoryConfig::IDEAL;
    assert_eq!(
        violations(ideal, &[ar(BASE + 4096 - 64, 1)]),
        ["cycle 0: AR: 2-beat burst at 0x100000fc0 crosses a 4 KiB boundary"]
    );
    assert_eq!(violations(ideal, &[aw(BASE + 64, 63)]), ["cycle 0: AW: 64-beat burst at 0x100000040 crosses a 4 KiB boundary"]);
    assert_eq!(violations(ideal, &[ar(BASE + 32, 0)]), ["cycle 0: AR: address 0x100000020 is not 64-byte aligned"]);
    assert_eq!(violations(ideal, &[aw(BASE + 4, 0)]), ["cycle 0: AW: address 0x100000004 is not 64-byte aligned"]);
    // The largest legal bursts: a whole 4 KiB page, and its last beat.
    assert_eq!(violations(ideal, &[ar(BASE, 63), aw(BASE + 4096 - 64, 0)]), [] as [String; 0]);
}

/// The violations of a master that sends `beats` after an AW of `len_beats`.
fn w_violations(len_beats: usize, beats: &[WBeat]) -> Vec<String> {
    let mut memory = Memory::new(BASE, 4096);
    let mut slave = slave(MemoryConfig::IDEAL);
    let mut master = Master::new(0, 0);
    master.write_raw(BASE, len_beats, beats.iter().copied());
    for _ in 0..20 {
        let cycle = slave.cycle();
        let s = slave.drive();
        let m = master.drive();
        slave.edge(&m, &mut memory);
        master.edge(cycle, &s);
    }
    assert!(master.done(), "the burst completed");
    slave.violations().iter().map(|v| v.split_once(": ").unwrap().1.to_owned()).collect()
}

#[test]
fn checker_catches_wlast_and_empty_beats() {
    let beat = |strb, last| WBeat { data: [5; BEAT_WORDS], strb, last };
    let good = [beat(FULL, false), beat(FULL, false), beat(0x0f, false), beat(FULL, true)];
    assert_eq!(w_violations(4, &good), [] as [String; 0]);
    let mut early = good;
    early[1].last = true;
    assert_eq!(w_violations(4, &early), ["W: WLAST on beat 2 of a 4-beat burst"]);
    let mut missing = good;
    missing[3].last = false;
    assert_eq!(w_violations(4, &missing), ["W: WLAST missing on the last beat of a 4-beat burst"]);
    let mut empty = good;
    empty[2].strb = 0;
    assert_eq!(w_violations(4, &empty), ["W: empty write beat (WSTRB = 0)"]);
    assert_eq!(w_violations(1, &[beat(0, false)]).len(), 2, "a missing WLAST and an empty beat");
}
