//! An untimed functional model of a card with the NTT and MSM kernels, for testing the card
//! driver (batching, chunking to device memory, four-step splitting, window groups, bucket
//! reduction, timeouts) without hardware.
//!
//! It honours the register map exactly as the RTL kernels must — arguments, ap_start, ap_idle,
//! clear-on-read ap_done, capability words, memory layouts — and computes with arkworks. It has
//! no timing: its cycle counters read 0. It is a test double, never offered as a backend.

use std::collections::HashMap;

use ark_bn254::{Fr, G1Projective};
use ark_ec::AdditiveGroup;
use ark_ff::{BigInt, Field, PrimeField};

use crate::device::{Device, DeviceBuffer, DeviceInfo, HostBackedMemory};
use crate::ntt::NttKind;
use crate::regmap::{ctrl, msm_args, msm_caps, msm_config, ntt_args, ntt_caps, ArgSpec, KernelKind, ARGS_BASE, CTRL};
use crate::wire::{self, field_to_bytes, WireG1, FIELD_BYTES, POINT_BYTES};
use crate::{reference, Error, Result};

/// What the model does after ap_start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Finishes after a few polls with the right answer.
    Correct,
    /// Never raises ap_done.
    Hang,
    /// Finishes, but flips the lowest bit of the first value it writes (an NTT output, or the X
    /// coordinate of the first non-identity MSM bucket).
    FlipBit,
}

/// The sizes of the modelled kernels.
#[derive(Clone, Copy, Debug)]
pub struct Config {
    /// Largest on-chip NTT, log2.
    pub ntt_max_log: u32,
    /// Largest MSM window width.
    pub msm_max_c: u32,
    /// log2 of the MSM buckets held on chip.
    pub msm_log_buckets: u32,
    /// Device memory in bytes.
    pub memory_bytes: u64,
}

#[derive(Default)]
struct KernelState {
    regs: [u32; 16],
    /// Polls left before the running kernel finishes; `None` when idle.
    running: Option<u32>,
    done: bool,
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
    /// The MSM kernel's on-chip buckets (window-major, 2^(c-1) per window).
    buckets: Vec<G1Projective>,
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
            buckets: Vec::new(),
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
            .map(|word| {
                let limbs: [u64; 4] = std::array::from_fn(|i| u64::from_le_bytes(word[8 * i..8 * i + 8].try_into().expect("8 bytes")));
                let montgomery = BigInt::new(limbs);
                (montgomery < Fr::MODULUS).then(|| Fr::new_unchecked(montgomery))
            })
            .collect::<Option<Vec<Fr>>>()
            .ok_or_else(|| Error::Device("model: an NTT input word is not below r".into()))?;
        let kind = if inverse { NttKind::Inverse } else { NttKind::Forward };
        for t in values.chunks_exact_mut(1 << log) {
            reference::ntt_in_place(t, kind)?;
        }
        let mut out: Vec<u8> = values.iter().flat_map(|v| v.0 .0.iter().flat_map(|limb| limb.to_le_bytes())).collect();
        if self.behaviour == Behaviour::FlipBit {
            out[0] ^= 1;
        }
        self.memory.bytes_at(dst, len * FIELD_BYTES)?.copy_from_slice(&out);
        Ok(())
    }

    fn execute_msm(&mut self) -> Result<()> {
        let k = &self.kernels[&KernelKind::Msm];
        let n = k.arg(msm_args::NUM_POINTS) as usize;
        let (c, windows, clear, flush) = msm_config::decode(k.arg(msm_args::WINDOW_CONFIG) as u32);
        let (points_at, digits_at, buckets_at) = (k.arg(msm_args::POINTS), k.arg(msm_args::DIGITS), k.arg(msm_args::BUCKETS));
        let per_window = 1usize << (c.max(1) - 1);
        if c == 0 || c > self.config.msm_max_c || (windows as u64) << (c - 1) > 1 << self.config.msm_log_buckets {
            return Err(Error::Device(format!("model: window config c={c} windows={windows} exceeds the kernel")));
        }
        if clear {
            self.buckets = vec![G1Projective::ZERO; windows as usize * per_window];
        }
        let point_bytes = self.memory.bytes_at(points_at, n * POINT_BYTES)?.to_vec();
        let points = wire::decode_points(wire::view::<WireG1>("points", &point_bytes)?)?;
        let digit_bytes = self.memory.bytes_at(digits_at, n * windows as usize * msm_args::DIGIT_BYTES)?.to_vec();
        let half = 1i32 << (c - 1);
        for (i, p) in points.iter().enumerate() {
            for w in 0..windows as usize {
                let at = (i * windows as usize + w) * 2;
                let d = i16::from_le_bytes([digit_bytes[at], digit_bytes[at + 1]]) as i32;
                if !(-half + 1..=half).contains(&d) {
                    return Err(Error::Device(format!("model: digit {d} out of range for c={c}")));
                }
                let bucket = &mut self.buckets[w * per_window + (d.unsigned_abs() as usize).saturating_sub(1)];
                match d.signum() {
                    1 => *bucket += p,
                    -1 => *bucket -= p,
                    _ => {}
                }
            }
        }
        if flush {
            let mut out = Vec::with_capacity(self.buckets.len() * msm_args::BUCKET_BYTES);
            for b in &self.buckets {
                // Jacobian (X, Y, Z) is XYZZ (X, Y, Z², Z³); the identity has Z = 0, so ZZ = 0.
                let zz = b.z.square();
                for coordinate in [b.x, b.y, zz, zz * b.z] {
                    out.extend_from_slice(&field_to_bytes(&coordinate));
                }
            }
            if self.behaviour == Behaviour::FlipBit {
                if let Some(i) = self.buckets.iter().position(|b| *b != G1Projective::ZERO) {
                    out[i * msm_args::BUCKET_BYTES] ^= 1;
                }
            }
            self.memory.bytes_at(buckets_at, out.len())?.copy_from_slice(&out);
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
            kernels: KernelKind::ALL.to_vec(),
        }
    }
    fn alloc(&mut self, len: u64) -> Result<DeviceBuffer> {
        self.memory.alloc(len)
    }
    fn free(&mut self, buffer: DeviceBuffer) -> Result<()> {
        self.memory.free(buffer)
    }
    fn write(&mut self, buffer: DeviceBuffer, offset: u64, data: &[u8]) -> Result<()> {
        self.memory.write(buffer, offset, data)
    }
    fn read(&mut self, buffer: DeviceBuffer, offset: u64, out: &mut [u8]) -> Result<()> {
        self.memory.read(buffer, offset, out)
    }
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
        let caps = match kernel {
            KernelKind::Ntt => ntt_caps::encode(self.config.ntt_max_log),
            KernelKind::Msm => msm_caps::encode(self.config.msm_max_c, self.config.msm_log_buckets),
        };
        let k = self.kernels.get_mut(&kernel).expect("every kernel is modelled");
        Ok(match offset {
            CTRL => {
                let done = std::mem::take(&mut k.done);
                (if k.running.is_none() { ctrl::AP_IDLE } else { 0 }) | if done { ctrl::AP_DONE } else { 0 }
            }
            o if o == kernel.cycles_offset() || o == kernel.cycles_offset() + 4 => 0,
            o if o == kernel.caps_offset() => caps,
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
    fn advance(&mut self) -> Result<()> {
        if self.behaviour == Behaviour::Hang {
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
