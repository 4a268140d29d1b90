//! An untimed functional model of a card with the NTT kernel, for testing the card driver
//! (batching, chunking to device memory, four-step splitting, timeouts) without hardware.
//!
//! It honours the register map exactly as the RTL kernel must — arguments, ap_start, ap_idle,
//! clear-on-read ap_done, the capability word — and computes with ark-poly. It has no timing:
//! its cycle counter reads 0. It is a test double, never offered as a backend.

use crate::device::{Device, DeviceBuffer, DeviceInfo, HostBackedMemory};
use crate::ntt::NttKind;
use crate::regmap::{ctrl, ntt_args, ntt_caps, KernelKind, CTRL};
use crate::wire::{self, WireScalar, FIELD_BYTES};
use crate::{reference, Error, Result};

/// What the model does after ap_start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Finishes after a few polls with the right answer.
    Correct,
    /// Never raises ap_done.
    Hang,
}

/// A card with only the NTT kernel, modelled functionally.
pub struct FunctionalNttCard {
    memory: HostBackedMemory,
    memory_bytes: u64,
    max_log: u32,
    behaviour: Behaviour,
    args: [u32; 16],
    /// Polls left before the running kernel finishes; `None` when idle.
    running: Option<u32>,
    done: bool,
    /// Kernel runs started, for tests of batching.
    pub runs: u32,
}

impl FunctionalNttCard {
    /// A card holding transforms up to `2^max_log` on chip, with `memory_bytes` of device memory.
    pub fn new(max_log: u32, memory_bytes: u64, behaviour: Behaviour) -> Self {
        Self {
            memory: HostBackedMemory::new(0x4000_0000, memory_bytes),
            memory_bytes,
            max_log,
            behaviour,
            args: [0; 16],
            running: None,
            done: false,
            runs: 0,
        }
    }

    fn arg(&self, spec: crate::regmap::ArgSpec) -> u64 {
        let slot = ((spec.offset - ntt_args::LOG_N.offset) / 4) as usize;
        self.args[slot] as u64 | (self.args[slot + 1] as u64) << 32
    }

    /// What the kernel computes, from the arguments latched at ap_start.
    fn execute(&mut self) -> Result<()> {
        let log = self.arg(ntt_args::LOG_N) as u32;
        if log > self.max_log {
            return Err(Error::Device(format!("model: log_n {log} exceeds the on-chip maximum {}", self.max_log)));
        }
        let kind = if self.arg(ntt_args::FLAGS) as u32 & ntt_args::FLAG_INVERSE != 0 { NttKind::Inverse } else { NttKind::Forward };
        let len = (self.arg(ntt_args::BATCH) as usize) << log;
        let bytes = self.memory.bytes_at(self.arg(ntt_args::SRC), len * FIELD_BYTES)?.to_vec();
        let mut values = wire::decode_scalars(wire::view("src", &bytes)?)?;
        for t in values.chunks_exact_mut(1 << log) {
            reference::ntt_in_place(t, kind)?;
        }
        let out = wire::encode_scalars(&values);
        self.memory.bytes_at(self.arg(ntt_args::DST), len * FIELD_BYTES)?.copy_from_slice(wire::as_bytes::<WireScalar>(&out));
        Ok(())
    }
}

impl Device for FunctionalNttCard {
    fn info(&self) -> DeviceInfo {
        DeviceInfo { name: "functional-ntt-model".into(), clock_hz: 250_000_000, memory_bytes: self.memory_bytes, kernels: vec![KernelKind::Ntt] }
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
        assert_eq!(kernel, KernelKind::Ntt);
        Ok(match offset {
            CTRL => {
                let done = std::mem::take(&mut self.done);
                (if self.running.is_none() { ctrl::AP_IDLE } else { 0 }) | if done { ctrl::AP_DONE } else { 0 }
            }
            o if o == kernel.cycles_offset() || o == kernel.cycles_offset() + 4 => 0,
            o if o == kernel.caps_offset() => ntt_caps::encode(self.max_log),
            o => self.args[((o - ntt_args::LOG_N.offset) / 4) as usize],
        })
    }
    fn write_reg(&mut self, _: KernelKind, offset: u32, value: u32) -> Result<()> {
        if offset == CTRL {
            if value & ctrl::AP_START != 0 && self.running.is_none() {
                self.runs += 1;
                self.running = Some(3);
            }
        } else {
            self.args[((offset - ntt_args::LOG_N.offset) / 4) as usize] = value;
        }
        Ok(())
    }
    fn advance(&mut self) -> Result<()> {
        match (self.running, self.behaviour) {
            (Some(0), Behaviour::Correct) => {
                self.running = None;
                self.execute()?;
                self.done = true;
            }
            (Some(n), Behaviour::Correct) => self.running = Some(n - 1),
            _ => std::thread::sleep(std::time::Duration::from_millis(1)),
        }
        Ok(())
    }
}
