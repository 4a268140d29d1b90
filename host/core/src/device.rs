//! The host ↔ device boundary: what a card must offer so one driver serves the simulated card
//! (Verilator) and a real card (e.g. AWS F1 or F2 through XRT: planned, not written) alike.
//!
//! A card has device memory (buffers the host allocates, writes and reads) and kernels, each with
//! 32-bit control registers laid out by [`crate::regmap`]. The driver writes arguments, raises
//! ap_start, and waits for ap_done with a timeout; [`run_kernel`] is that sequence, written once.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::regmap::{self, ctrl, ArgKind, ArgSpec, KernelKind, CTRL};
use crate::{Error, Result};

/// A region of device memory: its device address and length in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DeviceBuffer {
    pub addr: u64,
    pub len: u64,
}

/// Bytes of one beat of the kernels' AXI4 memory ports (512-bit data): what a port that takes a
/// beat every cycle sustains per cycle.
pub const BEAT_BYTES: u32 = 64;

/// What a card says about itself.
#[derive(Clone, Debug, Serialize)]
pub struct DeviceInfo {
    /// Human-readable name, e.g. "verilator" or "xilinx_aws-vu9p-f1".
    pub name: String,
    /// Kernel clock in Hz, used to project time from cycles.
    pub clock_hz: u64,
    /// Device memory capacity in bytes.
    pub memory_bytes: u64,
    /// Bytes per kernel cycle that one of the kernels' memory ports sustains in each direction
    /// ([`BEAT_BYTES`]: a beat every cycle). The MSM plan reads fewer bytes per addition when a port
    /// gives less.
    pub port_bytes_per_cycle: u32,
    /// The kernels present on the card.
    pub kernels: Vec<KernelKind>,
}

/// A card: device memory plus kernels with control registers.
///
/// Implementations: the simulated card (`zkaccel-sim`, the kernels' Verilog in Verilator) and the
/// functional model of the host's tests (`zkaccel::testing::functional_card`); a real card through
/// XRT is planned, not written. Every method returns an error rather than panicking, including for
/// accesses outside a buffer.
pub trait Device: Send {
    /// What the card is.
    fn info(&self) -> DeviceInfo;

    /// Allocates `len` bytes of device memory.
    fn alloc(&mut self, len: u64) -> Result<DeviceBuffer>;

    /// Releases a buffer returned by [`Device::alloc`].
    fn free(&mut self, buffer: DeviceBuffer) -> Result<()>;

    /// Copies `data` into `buffer` starting `offset` bytes in.
    fn write(&mut self, buffer: DeviceBuffer, offset: u64, data: &[u8]) -> Result<()>;

    /// Copies `out.len()` bytes out of `buffer` starting `offset` bytes in.
    fn read(&mut self, buffer: DeviceBuffer, offset: u64, out: &mut [u8]) -> Result<()>;

    /// Reads the 32-bit control register at `offset` of `kernel`.
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32>;

    /// Writes the 32-bit control register at `offset` of `kernel`.
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()>;

    /// Resets the card's kernels, with the memory interconnect, as the platform's reset does: a
    /// run in progress is abandoned, and the kernels are ready for work when this returns.
    /// Device memory and its allocations are kept.
    fn reset(&mut self) -> Result<()>;

    /// Lets the card make progress between two polls of ap_done. A simulated card clocks its model
    /// here; a real card has nothing to do (the default) as its kernels run on their own.
    fn advance(&mut self) -> Result<()> {
        std::thread::yield_now();
        Ok(())
    }
}

/// The value of one kernel argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgValue {
    Scalar(u32),
    Address(u64),
}

/// What one kernel run cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KernelRun {
    /// Clock cycles from ap_start to ap_done, read from the kernel's cycle counter.
    pub cycles: u64,
    /// Host wall time from ap_start to the observed ap_done (for a simulated card: simulation time).
    pub wall: Duration,
}

/// Runs `kernel` once: writes `args` (each must be one of the kernel's [`ArgSpec`]s, with a value
/// of the matching kind), raises ap_start, and polls ap_done until it rises or `timeout` elapses.
/// Returns the kernel's own cycle count of the run.
pub fn run_kernel(
    device: &mut dyn Device,
    kernel: KernelKind,
    args: &[(ArgSpec, ArgValue)],
    timeout: Duration,
) -> Result<KernelRun> {
    let status = device.read_reg(kernel, CTRL)?;
    if status & ctrl::AP_IDLE == 0 {
        return Err(Error::Device(format!("kernel '{}' is busy (CTRL = {status:#x})", kernel.name())));
    }
    for &(spec, value) in args {
        if !kernel.args().contains(&spec) {
            return Err(Error::Device(format!("'{}' is not an argument of '{}'", spec.name, kernel.name())));
        }
        match (spec.kind, value) {
            (ArgKind::Scalar32, ArgValue::Scalar(v)) => device.write_reg(kernel, spec.offset, v)?,
            (ArgKind::Address64, ArgValue::Address(a)) => {
                device.write_reg(kernel, spec.offset, a as u32)?;
                device.write_reg(kernel, spec.offset + 4, (a >> 32) as u32)?;
            }
            _ => {
                return Err(Error::Device(format!(
                    "argument '{}' of '{}' is a {:?}, got {value:?}",
                    spec.name,
                    kernel.name(),
                    spec.kind
                )))
            }
        }
    }
    let start = Instant::now();
    device.write_reg(kernel, CTRL, ctrl::AP_START)?;
    loop {
        // ap_done is clear-on-read: seeing it once is the completion.
        if device.read_reg(kernel, CTRL)? & ctrl::AP_DONE != 0 {
            break;
        }
        if start.elapsed() > timeout {
            return Err(Error::Timeout { kernel: kernel.name().to_string(), timeout });
        }
        device.advance()?;
    }
    let wall = start.elapsed();
    let status = device.read_reg(kernel, kernel.status_offset())?;
    if status != 0 {
        let mut what = Vec::new();
        if status & regmap::status::READ_ERROR != 0 {
            what.push("a read from device memory failed (error response or misaligned address)");
        }
        if status & regmap::status::WRITE_ERROR != 0 {
            what.push("a write to device memory failed (error response or misaligned address)");
        }
        return Err(Error::Device(format!("kernel '{}': {} (STATUS = {status:#x})", kernel.name(), what.join("; "))));
    }
    let lo = device.read_reg(kernel, kernel.cycles_offset())? as u64;
    let hi = device.read_reg(kernel, kernel.cycles_offset() + 4)? as u64;
    Ok(KernelRun { cycles: hi << 32 | lo, wall })
}

/// The memory methods of [`Device`] (`alloc`, `free`, `write`, `read`) for a card whose device
/// memory is the [`HostBackedMemory`] in the field `$memory`, e.g. `device_memory_in!(memory);`
/// inside `impl Device for …`.
#[macro_export]
macro_rules! device_memory_in {
    ($memory:ident) => {
        fn alloc(&mut self, len: u64) -> $crate::Result<$crate::device::DeviceBuffer> {
            self.$memory.alloc(len)
        }
        fn free(&mut self, buffer: $crate::device::DeviceBuffer) -> $crate::Result<()> {
            self.$memory.free(buffer)
        }
        fn write(&mut self, buffer: $crate::device::DeviceBuffer, offset: u64, data: &[u8]) -> $crate::Result<()> {
            self.$memory.write(buffer, offset, data)
        }
        fn read(&mut self, buffer: $crate::device::DeviceBuffer, offset: u64, out: &mut [u8]) -> $crate::Result<()> {
            self.$memory.read(buffer, offset, out)
        }
    };
}

/// Device memory held in host RAM: a bounds-checked allocator and store for cards that have no
/// memory of their own (the simulated card). Addresses start at a 4 KiB-aligned base, like a DDR
/// bank, and every allocation is 4 KiB-aligned, as XRT's are.
#[derive(Debug)]
pub struct HostBackedMemory {
    base: u64,
    capacity: u64,
    /// Live allocations sorted by address.
    buffers: Vec<DeviceBuffer>,
    bytes: Vec<u8>,
}

const PAGE: u64 = 4096;

impl HostBackedMemory {
    /// Memory of `capacity` bytes whose first address is `base` (rounded up to 4 KiB). Backing
    /// store grows on demand, so a large capacity costs nothing until used.
    pub fn new(base: u64, capacity: u64) -> Self {
        Self { base: base.div_ceil(PAGE) * PAGE, capacity, buffers: Vec::new(), bytes: Vec::new() }
    }

    /// Allocates `len` bytes (first fit).
    pub fn alloc(&mut self, len: u64) -> Result<DeviceBuffer> {
        let size = len.max(1).div_ceil(PAGE) * PAGE;
        let mut cursor = self.base;
        let mut slot = self.buffers.len();
        for (i, b) in self.buffers.iter().enumerate() {
            if b.addr - cursor >= size {
                slot = i;
                break;
            }
            cursor = b.addr + b.len.max(1).div_ceil(PAGE) * PAGE;
        }
        if cursor - self.base + size > self.capacity {
            return Err(Error::DeviceMemory(format!("cannot allocate {len} bytes: capacity {} bytes", self.capacity)));
        }
        let buffer = DeviceBuffer { addr: cursor, len };
        self.buffers.insert(slot, buffer);
        Ok(buffer)
    }

    /// Releases a live allocation.
    pub fn free(&mut self, buffer: DeviceBuffer) -> Result<()> {
        let i = self.live_index(buffer)?;
        self.buffers.remove(i);
        Ok(())
    }

    fn live_index(&self, buffer: DeviceBuffer) -> Result<usize> {
        self.buffers
            .iter()
            .position(|b| *b == buffer)
            .ok_or_else(|| Error::DeviceMemory(format!("{buffer:?} is not a live allocation")))
    }

    /// The store range for `len` bytes at `offset` into a live buffer.
    fn range(&mut self, buffer: DeviceBuffer, offset: u64, len: usize) -> Result<std::ops::Range<usize>> {
        self.live_index(buffer)?;
        let end = offset.checked_add(len as u64).filter(|&e| e <= buffer.len).ok_or_else(|| {
            Error::DeviceMemory(format!("access of {len} bytes at offset {offset} overruns a buffer of {} bytes", buffer.len))
        })?;
        self.raw_range(buffer.addr + offset, buffer.addr + end)
    }

    /// The store range for device addresses `[start, end)`, growing the store as needed.
    fn raw_range(&mut self, start: u64, end: u64) -> Result<std::ops::Range<usize>> {
        if start < self.base || end > self.base + self.capacity || start > end {
            return Err(Error::DeviceMemory(format!("address range {start:#x}..{end:#x} is outside device memory")));
        }
        let (s, e) = ((start - self.base) as usize, (end - self.base) as usize);
        if self.bytes.len() < e {
            self.bytes.resize(e, 0);
        }
        Ok(s..e)
    }

    /// Host → device copy into a live buffer.
    pub fn write(&mut self, buffer: DeviceBuffer, offset: u64, data: &[u8]) -> Result<()> {
        let r = self.range(buffer, offset, data.len())?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    /// Device → host copy from a live buffer.
    pub fn read(&mut self, buffer: DeviceBuffer, offset: u64, out: &mut [u8]) -> Result<()> {
        let r = self.range(buffer, offset, out.len())?;
        out.copy_from_slice(&self.bytes[r]);
        Ok(())
    }

    /// A kernel's view: raw bytes at device addresses, as its memory interface sees them
    /// (no allocation check, only the device's bounds).
    pub fn bytes_at(&mut self, addr: u64, len: usize) -> Result<&mut [u8]> {
        let r = self.raw_range(addr, addr + len as u64)?;
        Ok(&mut self.bytes[r])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::regmap::ntt_args;

    #[test]
    fn memory_allocates_aligned_checks_bounds_and_reuses_freed_space() {
        let mut mem = HostBackedMemory::new(0x1000_0000, 64 * 1024);
        let a = mem.alloc(100).unwrap();
        let b = mem.alloc(5000).unwrap();
        assert_eq!(a.addr % 4096, 0);
        assert_eq!(b.addr, a.addr + 4096);
        mem.write(b, 4990, &[7; 10]).unwrap();
        let mut out = [0u8; 10];
        mem.read(b, 4990, &mut out).unwrap();
        assert_eq!(out, [7; 10]);
        assert!(mem.write(b, 4991, &[0; 10]).is_err(), "overrun must be refused");
        assert!(mem.read(a, u64::MAX, &mut out).is_err(), "offset overflow must be refused");
        mem.free(a).unwrap();
        assert!(mem.write(a, 0, &[1]).is_err(), "freed buffer must be refused");
        assert!(mem.free(a).is_err(), "double free must be refused");
        let c = mem.alloc(10).unwrap();
        assert_eq!(c.addr, a.addr, "first fit reuses the freed page");
        assert!(mem.alloc(1 << 20).is_err(), "capacity is enforced");
        assert_eq!(mem.bytes_at(b.addr + 4990, 10).unwrap(), &[7; 10]);
    }

    /// A scripted card: records register writes, raises ap_done after `done_after` polls
    /// (never, if `None`), and reports a fixed cycle count.
    struct ScriptedCard {
        done_after: Option<u32>,
        polls: u32,
        started: bool,
        writes: Vec<(u32, u32)>,
        /// What the STATUS register reads after the run.
        status: u32,
    }

    impl Device for ScriptedCard {
        fn info(&self) -> DeviceInfo {
            DeviceInfo {
                name: "scripted".into(),
                clock_hz: 1,
                memory_bytes: 0,
                port_bytes_per_cycle: BEAT_BYTES,
                kernels: vec![KernelKind::Ntt],
            }
        }
        fn alloc(&mut self, _: u64) -> Result<DeviceBuffer> {
            unreachable!()
        }
        fn free(&mut self, _: DeviceBuffer) -> Result<()> {
            unreachable!()
        }
        fn write(&mut self, _: DeviceBuffer, _: u64, _: &[u8]) -> Result<()> {
            unreachable!()
        }
        fn read(&mut self, _: DeviceBuffer, _: u64, _: &mut [u8]) -> Result<()> {
            unreachable!()
        }
        fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
            if offset == kernel.cycles_offset() {
                return Ok(0x2345);
            }
            if offset == kernel.cycles_offset() + 4 {
                return Ok(1);
            }
            if offset == kernel.status_offset() {
                return Ok(self.status);
            }
            assert_eq!(offset, CTRL);
            if !self.started {
                return Ok(ctrl::AP_IDLE);
            }
            self.polls += 1;
            Ok(if self.done_after.is_some_and(|n| self.polls >= n) { ctrl::AP_DONE } else { 0 })
        }
        fn reset(&mut self) -> Result<()> {
            unreachable!()
        }
        fn write_reg(&mut self, _: KernelKind, offset: u32, value: u32) -> Result<()> {
            if offset == CTRL && value & ctrl::AP_START != 0 {
                self.started = true;
            }
            self.writes.push((offset, value));
            Ok(())
        }
    }

    fn card(done_after: Option<u32>) -> ScriptedCard {
        ScriptedCard { done_after, polls: 0, started: false, writes: vec![], status: 0 }
    }

    #[test]
    fn run_kernel_writes_arguments_then_start_and_reads_cycles() {
        let mut dev = card(Some(3));
        let run = run_kernel(
            &mut dev,
            KernelKind::Ntt,
            &[(ntt_args::LOG_N, ArgValue::Scalar(10)), (ntt_args::SRC, ArgValue::Address(0x1_2345_6000))],
            Duration::from_secs(5),
        )
        .unwrap();
        assert_eq!(run.cycles, (1 << 32) | 0x2345);
        assert_eq!(dev.writes, vec![(0x10, 10), (0x28, 0x2345_6000), (0x2c, 1), (CTRL, ctrl::AP_START)]);
        assert_eq!(dev.polls, 3);
    }

    #[test]
    fn run_kernel_fails_a_run_whose_status_reports_a_memory_error() {
        for (status, says) in [(regmap::status::READ_ERROR, "a read"), (regmap::status::WRITE_ERROR, "a write")] {
            let mut dev = ScriptedCard { status, ..card(Some(1)) };
            let err = run_kernel(&mut dev, KernelKind::Ntt, &[], Duration::from_secs(1)).unwrap_err();
            assert!(matches!(err, Error::Device(_)) && err.to_string().contains(says), "{err}");
        }
    }

    #[test]
    fn run_kernel_times_out_when_done_never_rises() {
        let mut dev = card(None);
        let err = run_kernel(&mut dev, KernelKind::Ntt, &[], Duration::from_millis(20)).unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err}");
    }

    #[test]
    fn run_kernel_rejects_foreign_or_mistyped_arguments() {
        let mut dev = card(Some(1));
        let foreign = crate::regmap::msm_args::lane(0).entries;
        assert!(run_kernel(&mut dev, KernelKind::Ntt, &[(foreign, ArgValue::Address(0))], Duration::from_secs(1)).is_err());
        let mistyped = (ntt_args::SRC, ArgValue::Scalar(1));
        assert!(run_kernel(&mut dev, KernelKind::Ntt, &[mistyped], Duration::from_secs(1)).is_err());
        assert!(!dev.started, "nothing may start after a bad argument");
    }
}
