//! An untimed functional model of a card with the NTT and MSM kernels, for testing the card
//! driver (batching, chunking to device memory, four-step splitting, window groups, bucket
//! reduction, timeouts) without hardware.
//!
//! It honours the register map exactly as the RTL kernels must — arguments, ap_start, ap_idle,
//! clear-on-read ap_done, capability words, memory layouts — and computes with arkworks. It has
//! no timing: its cycle counters read 0. It is a test double, never offered as a backend.

use std::collections::HashMap;

use ark_bn254::{FqConfig, Fr, FrConfig, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, PrimeGroup};
use ark_ff::{Field, Zero};

use crate::device::{Device, DeviceInfo, HostBackedMemory};
use crate::ntt::NttKind;
use crate::regmap::{ctrl, msm_args, msm_caps, msm_config, msm_entry, ntt_args, ntt_caps, ArgSpec, KernelKind, ARGS_BASE, CTRL};
use crate::wire::{field_from_montgomery_bytes, field_to_montgomery_bytes, FIELD_BYTES};
use crate::{reference, Error, Result};

/// What the model does after ap_start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Finishes after a few polls with the right answer.
    Correct,
    /// Never raises ap_done.
    Hang,
    /// The first run never raises ap_done; a reset while it hangs cures the card
    /// ([`Behaviour::Correct`] from then on).
    HangOnce,
    /// Finishes, but flips the lowest bit of the first value it writes (an NTT output, or the X
    /// coordinate of the first non-identity MSM bucket).
    FlipBit,
}

/// The sizes of the modelled kernels.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Largest on-chip NTT, log2.
    pub ntt_max_log: u32,
    /// log2 of the MSM bucket slots each lane holds on chip.
    pub msm_log_slots: u32,
    /// MSM kernel lanes (1 to `msm_args::MAX_LANES`).
    pub msm_lanes: u32,
    /// The issue-to-write-back time the MSM kernel reports (the model itself has no pipeline;
    /// the driver's scheduler spaces additions to one slot by it).
    pub msm_writeback: u32,
    /// Device memory in bytes.
    pub memory_bytes: u64,
}

struct KernelState {
    regs: [u32; 64],
    /// Polls left before the running kernel finishes; `None` when idle.
    running: Option<u32>,
    done: bool,
}

impl Default for KernelState {
    fn default() -> Self {
        Self { regs: [0; 64], running: None, done: false }
    }
}

impl KernelState {
    fn arg(&self, spec: ArgSpec) -> u64 {
        let slot = ((spec.offset - ARGS_BASE) / 4) as usize;
        self.regs[slot] as u64 | (self.regs[slot + 1] as u64) << 32
    }
}

/// A card with both kernels, modelled functionally.
pub struct FunctionalCard {
    config: Config,
    behaviour: Behaviour,
    memory: HostBackedMemory,
    kernels: HashMap<KernelKind, KernelState>,
    /// The MSM kernel's on-chip bucket slots, per lane and bank.
    banks: Vec<[Vec<G1Projective>; 2]>,
    /// Kernel runs started, for tests of batching and chunking.
    pub runs: u32,
}

impl FunctionalCard {
    pub fn new(config: Config, behaviour: Behaviour) -> Self {
        Self {
            config,
            behaviour,
            memory: HostBackedMemory::new(0x4000_0000, config.memory_bytes),
            kernels: KernelKind::ALL.into_iter().map(|k| (k, KernelState::default())).collect(),
            // Slots never cleared hold garbage, as on a card after power-up: a driver that relies
            // on an uncleared slot gets a wrong sum and fails the tests.
            banks: vec![
                std::array::from_fn(|_| vec![G1Projective::generator(); 1 << config.msm_log_slots]);
                config.msm_lanes as usize
            ],
            runs: 0,
        }
    }

    fn execute(&mut self, kernel: KernelKind) -> Result<()> {
        match kernel {
            KernelKind::Ntt => self.execute_ntt(),
            KernelKind::Msm => self.execute_msm(),
        }
    }

    fn execute_ntt(&mut self) -> Result<()> {
        let k = &self.kernels[&KernelKind::Ntt];
        let log = k.arg(ntt_args::LOG_N) as u32;
        let inverse = k.arg(ntt_args::FLAGS) as u32 & ntt_args::FLAG_INVERSE != 0;
        let (len, src, dst) = ((k.arg(ntt_args::BATCH) as usize) << log, k.arg(ntt_args::SRC), k.arg(ntt_args::DST));
        if log > self.config.ntt_max_log {
            return Err(Error::Device(format!("model: log_n {log} exceeds the on-chip maximum")));
        }
        // The kernel's data format: Montgomery form (arkworks' representation), little-endian limbs.
        let bytes = self.memory.bytes_at(src, len * FIELD_BYTES)?.to_vec();
        let mut values = bytes
            .chunks_exact(FIELD_BYTES)
            .map(|word| field_from_montgomery_bytes::<FrConfig>(word.try_into().expect("32 bytes")))
            .collect::<Option<Vec<Fr>>>()
            .ok_or_else(|| Error::Device("model: an NTT input word is not below r".into()))?;
        let kind = if inverse { NttKind::Inverse } else { NttKind::Forward };
        for t in values.chunks_exact_mut(1 << log) {
            reference::ntt_in_place(t, kind)?;
        }
        let mut out: Vec<u8> = values.iter().flat_map(field_to_montgomery_bytes).collect();
        if self.behaviour == Behaviour::FlipBit {
            out[0] ^= 1;
        }
        self.memory.bytes_at(dst, len * FIELD_BYTES)?.copy_from_slice(&out);
        Ok(())
    }

    /// One run: every lane in turn (they share nothing but memory).
    fn execute_msm(&mut self) -> Result<()> {
        (0..self.config.msm_lanes as usize).try_for_each(|lane| self.execute_msm_lane(lane))
    }

    fn execute_msm_lane(&mut self, lane: usize) -> Result<()> {
        let (k, args) = (&self.kernels[&KernelKind::Msm], msm_args::lane(lane));
        let run = msm_config::decode(k.arg(args.config) as u32);
        let (points_at, entries_at, slots_at) = (k.arg(args.points), k.arg(args.entries), k.arg(args.slots));
        // A lane asked for neither slots nor a flush, or for more slots than it holds, sits the
        // run out.
        let capacity = 1 << self.config.msm_log_slots;
        if (run.slots == 0 && run.flush_slots == 0) || run.slots > capacity || run.flush_slots > capacity {
            return Ok(());
        }
        if entries_at % (msm_args::ENTRIES_PER_WORD * msm_args::ENTRY_BYTES) as u64 != 0 {
            return Err(Error::Device(format!("model: lane {lane}'s entries at {entries_at:#x} are not word-aligned")));
        }
        let [bank0, bank1] = &mut self.banks[lane];
        let (accumulating, flushing) = if run.bank { (bank1, bank0) } else { (bank0, bank1) };
        // The other bank goes out (and is left empty) while this one accumulates.
        if run.flush_slots > 0 {
            let flushed = &mut flushing[..run.flush_slots as usize];
            let mut out = Vec::with_capacity(flushed.len() * msm_args::BUCKET_BYTES);
            for b in flushed.iter() {
                // Jacobian (X, Y, Z) is XYZZ (X, Y, Z², Z³); the identity has Z = 0, so ZZ = 0.
                let zz = b.z.square();
                for coordinate in [b.x, b.y, zz, zz * b.z] {
                    out.extend_from_slice(&field_to_montgomery_bytes(&coordinate));
                }
            }
            if self.behaviour == Behaviour::FlipBit {
                if let Some(i) = flushed.iter().position(|b| *b != G1Projective::ZERO) {
                    out[i * msm_args::BUCKET_BYTES] ^= 1;
                }
            }
            flushed.fill(G1Projective::ZERO);
            self.memory.bytes_at(slots_at, out.len())?.copy_from_slice(&out);
        }
        let buckets = &mut accumulating[..run.slots as usize];
        if run.clear {
            buckets.fill(G1Projective::ZERO);
        }
        let k = &self.kernels[&KernelKind::Msm];
        let (n, num_entries) = (k.arg(args.num_points) as usize, k.arg(args.num_entries) as usize);
        let point_bytes = self.memory.bytes_at(points_at, n * msm_args::POINT_BYTES)?.to_vec();
        let entry_bytes = self.memory.bytes_at(entries_at, num_entries * msm_args::ENTRY_BYTES)?.to_vec();
        let mut entries = entry_bytes.chunks_exact(2).map(|e| msm_entry::decode(u16::from_le_bytes([e[0], e[1]])));
        for (i, p) in point_bytes.chunks_exact(msm_args::POINT_BYTES).enumerate() {
            let coordinate = |at: usize| {
                field_from_montgomery_bytes::<FqConfig>(p[at..at + FIELD_BYTES].try_into().expect("32 bytes"))
                    .ok_or_else(|| Error::Device(format!("model: lane {lane} point {i} is not canonical")))
            };
            let (x, y) = (coordinate(0)?, coordinate(FIELD_BYTES)?);
            // y = 0 marks the identity, whose entries add nothing.
            let point = if y.is_zero() { G1Affine::identity() } else { G1Affine::new_unchecked(x, y) };
            loop {
                let (slot, negate, last) =
                    entries.next().ok_or_else(|| Error::Device(format!("model: lane {lane}'s entries run out at point {i}")))?;
                let bucket = buckets
                    .get_mut(slot as usize)
                    .ok_or_else(|| Error::Device(format!("model: lane {lane} slot {slot} is not in use")))?;
                if negate {
                    *bucket -= point;
                } else {
                    *bucket += point;
                }
                if last {
                    break;
                }
            }
        }
        if entries.next().is_some() {
            return Err(Error::Device(format!("model: lane {lane} has more entries than its points use")));
        }
        Ok(())
    }
}

impl Device for FunctionalCard {
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            name: "functional-model".into(),
            clock_hz: 250_000_000,
            memory_bytes: self.config.memory_bytes,
            port_bytes_per_cycle: crate::device::BEAT_BYTES,
            kernels: KernelKind::ALL.to_vec(),
        }
    }
    zkaccel_core::device_memory_in!(memory);
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
        let caps = match kernel {
            KernelKind::Ntt => ntt_caps::encode(self.config.ntt_max_log),
            KernelKind::Msm => msm_caps::with_writeback(
                msm_caps::encode(self.config.msm_log_slots, self.config.msm_lanes),
                self.config.msm_writeback,
            ),
        };
        let k = self.kernels.get_mut(&kernel).expect("every kernel is modelled");
        Ok(match offset {
            CTRL => {
                let done = std::mem::take(&mut k.done);
                (if k.running.is_none() { ctrl::AP_IDLE } else { 0 }) | if done { ctrl::AP_DONE } else { 0 }
            }
            o if o == kernel.cycles_offset() || o == kernel.cycles_offset() + 4 => 0,
            o if o == kernel.caps_offset() => caps,
            o if o == kernel.status_offset() => 0,
            o => k.regs[((o - ARGS_BASE) / 4) as usize],
        })
    }
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()> {
        let k = self.kernels.get_mut(&kernel).expect("every kernel is modelled");
        if offset == CTRL {
            if value & ctrl::AP_START != 0 && k.running.is_none() {
                self.runs += 1;
                k.running = Some(3);
            }
        } else {
            k.regs[((offset - ARGS_BASE) / 4) as usize] = value;
        }
        Ok(())
    }
    fn reset(&mut self) -> Result<()> {
        if self.behaviour == Behaviour::HangOnce && self.kernels.values().any(|k| k.running.is_some()) {
            self.behaviour = Behaviour::Correct;
        }
        for k in self.kernels.values_mut() {
            k.running = None;
            k.done = false;
        }
        Ok(())
    }
    fn advance(&mut self) -> Result<()> {
        if matches!(self.behaviour, Behaviour::Hang | Behaviour::HangOnce) {
            std::thread::sleep(std::time::Duration::from_millis(1));
            return Ok(());
        }
        for kernel in KernelKind::ALL {
            let k = self.kernels.get_mut(&kernel).expect("every kernel is modelled");
            match k.running {
                Some(0) => {
                    k.running = None;
                    self.execute(kernel)?;
                    self.kernels.get_mut(&kernel).expect("modelled").done = true;
                }
                Some(n) => k.running = Some(n - 1),
                None => {}
            }
        }
        Ok(())
    }
}
