//! The simulated card: the kernels' Verilog in Verilator, plus device memory and a DMA model,
//! behind the same [`Device`] trait as the F1 card — so the host driver that runs here is the
//! one that will run on hardware.
//!
//! Each call to [`Device::advance`] clocks the running kernel's model; register accesses are bus
//! cycles of the model too, so the kernel keeps running while the driver polls. The DMA model
//! serves each of a kernel's streams (the NTT kernel has one read and one write stream; each
//! lane of the MSM kernel two read streams — points and bucket entries — and one write stream)
//! at one word per cycle per stream with no latency (a word is as wide as the stream's data
//! port: 32 bytes, or 64 for the MSM points), so the cycle counts are those of the kernel itself
//! (a real card adds DDR latency and the host↔card transfers, which the driver times
//! separately).

use zkaccel_core::device::{Device, DeviceInfo, HostBackedMemory};
pub use zkaccel_core::regmap::MsmBuild;
use zkaccel_core::regmap::{ctrl, msm_caps, KernelKind, CTRL};
use zkaccel_core::{Error, Result};

use crate::{Model, PortRef};

/// The kernel clock cycle counts are projected at: what F1 kernels typically close timing at.
pub const PROJECTED_CLOCK_HZ: u64 = 250_000_000;
/// Device memory the simulated card offers (backed on demand by host RAM).
pub const MEMORY_BYTES: u64 = 4 << 30;
/// First device address of the simulated memory.
const MEMORY_BASE: u64 = 0x1_0000_0000;
/// Cycles simulated per [`Device::advance`] between two polls of ap_done.
const CYCLES_PER_ADVANCE: u32 = 1024;
/// 32-bit words in the widest stream word the DMA model moves (512 bits, the MSM points), so
/// each cycle's word fits a buffer on the stack.
const MAX_STREAM_WORDS: usize = 16;

/// Prefix of the MSM kernels' Verilator models: `msm_b<build name>` (see sim/build.rs).
const MSM_MODEL_PREFIX: &str = "msm_b";

/// One direction of the DMA model: the next device address and the words still to move.
#[derive(Clone, Copy, Debug, Default)]
struct Stream {
    addr: u64,
    words_left: u64,
}

/// One DMA stream port of a kernel: its command (`<cmd>_cmd_valid/addr/words<lane>`) and its
/// valid/ready data channel (`<data>_data/valid/ready<lane>`), where `<lane>` is empty for a
/// kernel without lanes and `$j` for lane `j` (rust-hdl's name for element `j` of a port array).
struct StreamPort {
    cmd_valid: PortRef,
    cmd_addr: PortRef,
    cmd_words: PortRef,
    data: PortRef,
    valid: PortRef,
    ready: PortRef,
    stream: Stream,
}

impl StreamPort {
    fn open(model: &Model, cmd: &str, data: &str, lane: &str) -> std::result::Result<Self, crate::SimError> {
        Ok(Self {
            cmd_valid: model.port_ref(&format!("{cmd}_cmd_valid{lane}"))?,
            cmd_addr: model.port_ref(&format!("{cmd}_cmd_addr{lane}"))?,
            cmd_words: model.port_ref(&format!("{cmd}_cmd_words{lane}"))?,
            data: model.port_ref(&format!("{data}_data{lane}"))?,
            valid: model.port_ref(&format!("{data}_valid{lane}"))?,
            ready: model.port_ref(&format!("{data}_ready{lane}"))?,
            stream: Stream::default(),
        })
    }
}

/// A bus operation performed during one cycle.
#[derive(Clone, Copy)]
enum Bus {
    Idle,
    Read(u32),
    Write(u32, u32),
}

/// The value of an (at most 64-bit) port of `model`.
fn port_value(model: &Model, port: PortRef) -> u64 {
    let mut w = [0u32; 2];
    model.get_words(port, &mut w);
    w[0] as u64 | (w[1] as u64) << 32
}

/// One kernel on the card: its Verilator model, register bus and DMA streams.
struct Kernel {
    kind: KernelKind,
    model: Model,
    reg_addr: PortRef,
    reg_wdata: PortRef,
    reg_write: PortRef,
    reg_read: PortRef,
    reg_rdata: PortRef,
    /// Read streams (device memory → kernel): `rd`/`in`, then `rd2`/`in2`, … as the model has
    /// them, lane after lane.
    reads: Vec<StreamPort>,
    /// Write streams (kernel → device memory): `wr`/`out`, one per lane.
    writes: Vec<StreamPort>,
}

impl Kernel {
    fn open(kind: KernelKind, name: &str, unknown: impl FnOnce(crate::SimError) -> Error) -> Result<Self> {
        let model = Model::new(name).map_err(unknown)?;
        let bad = |e: crate::SimError| Error::Device(format!("kernel model {name}: {e}"));
        let port = |n: &str| model.port_ref(n).map_err(bad);
        // A kernel without lanes has the streams `rd`, `rd2`, …, `wr`; one with lanes has them
        // for each lane `j`, suffixed `$j`.
        let lanes: Vec<String> = if model.port_ref("rd_cmd_valid").is_ok() {
            vec![String::new()]
        } else {
            (0..).map(|j| format!("${j}")).take_while(|lane| model.port_ref(&format!("rd_cmd_valid{lane}")).is_ok()).collect()
        };
        let (mut reads, mut writes) = (Vec::new(), Vec::new());
        for lane in &lanes {
            reads.push(StreamPort::open(&model, "rd", "in", lane).map_err(bad)?);
            for k in 2.. {
                match StreamPort::open(&model, &format!("rd{k}"), &format!("in{k}"), lane) {
                    Ok(s) => reads.push(s),
                    Err(_) => break,
                }
            }
            writes.push(StreamPort::open(&model, "wr", "out", lane).map_err(bad)?);
        }
        if writes.is_empty() {
            return Err(Error::Device(format!("kernel model {name}: no DMA streams")));
        }
        if let Some(wide) = reads.iter().chain(&writes).find(|s| s.data.words() > MAX_STREAM_WORDS) {
            return Err(Error::Device(format!("kernel model {name}: a {}-bit stream is wider than the DMA model's 512", wide.data.words() * 32)));
        }
        Ok(Self {
            kind,
            reg_addr: port("reg_addr")?,
            reg_wdata: port("reg_wdata")?,
            reg_write: port("reg_write")?,
            reg_read: port("reg_read")?,
            reg_rdata: port("reg_rdata")?,
            reads,
            writes,
            model,
        })
    }

    fn set(&mut self, port: PortRef, value: u64) {
        self.model.set_words(port, &[value as u32, (value >> 32) as u32]);
    }

    fn get(&self, port: PortRef) -> u64 {
        port_value(&self.model, port)
    }

    /// One clock cycle: the bus operation, the DMA model's side of every stream (one 32-byte
    /// word per cycle per stream, no latency), the edge. Returns what a bus read saw.
    fn cycle(&mut self, bus: Bus, memory: &mut HostBackedMemory, fault: &mut Option<String>) -> Result<u32> {
        let (reg_addr, reg_wdata, reg_write, reg_read) = (self.reg_addr, self.reg_wdata, self.reg_write, self.reg_read);
        match bus {
            Bus::Idle => {
                self.set(reg_write, 0);
                self.set(reg_read, 0);
            }
            Bus::Read(offset) => {
                self.set(reg_addr, offset as u64);
                self.set(reg_write, 0);
                self.set(reg_read, 1);
            }
            Bus::Write(offset, value) => {
                self.set(reg_addr, offset as u64);
                self.set(reg_wdata, value as u64);
                self.set(reg_write, 1);
                self.set(reg_read, 0);
            }
        }
        for i in 0..self.reads.len() {
            let (stream, data, valid) = (self.reads[i].stream, self.reads[i].data, self.reads[i].valid);
            let in_valid = stream.words_left > 0;
            if in_valid {
                let mut buffer = [0u32; MAX_STREAM_WORDS];
                let words = &mut buffer[..data.words()];
                for (w, b) in words.iter_mut().zip(memory.bytes_at(stream.addr, data.words() * 4)?.chunks_exact(4)) {
                    *w = u32::from_le_bytes(b.try_into().expect("4 bytes"));
                }
                self.model.set_words(data, words);
            }
            self.set(valid, in_valid as u64);
        }
        for i in 0..self.writes.len() {
            let out_ready = self.writes[i].ready;
            self.set(out_ready, 1);
        }
        self.model.eval();

        let rdata = self.get(self.reg_rdata) as u32;
        for i in 0..self.reads.len() {
            let r = &self.reads[i];
            if r.stream.words_left > 0 && self.get(r.ready) & 1 == 1 {
                let step = r.data.words() as u64 * 4;
                let s = &mut self.reads[i].stream;
                s.addr += step;
                s.words_left -= 1;
            }
        }
        for i in 0..self.writes.len() {
            let w = &self.writes[i];
            if self.get(w.valid) & 1 == 0 {
                continue;
            }
            if w.stream.words_left == 0 {
                fault.get_or_insert_with(|| format!("{}: the kernel wrote more words than its write command announced", self.kind.name()));
                continue;
            }
            let mut buffer = [0u32; MAX_STREAM_WORDS];
            let words = &mut buffer[..w.data.words()];
            self.model.get_words(w.data, words);
            let dst = memory.bytes_at(w.stream.addr, words.len() * 4)?;
            for (b, word) in dst.chunks_exact_mut(4).zip(words.iter()) {
                b.copy_from_slice(&word.to_le_bytes());
            }
            let s = &mut self.writes[i].stream;
            s.addr += words.len() as u64 * 4;
            s.words_left -= 1;
        }
        for port in self.reads.iter_mut().chain(self.writes.iter_mut()) {
            if port_value(&self.model, port.cmd_valid) & 1 == 1 {
                let words_left = port_value(&self.model, port.cmd_words) & 0xffff_ffff;
                port.stream = Stream { addr: port_value(&self.model, port.cmd_addr), words_left };
            }
        }
        self.model.tick();
        Ok(rdata)
    }
}

/// A simulated card carrying an NTT kernel, an MSM kernel, or both, sharing one device memory.
///
/// Each kernel is its own Verilator model. A kernel's model is clocked when the driver accesses
/// its registers, and by [`Device::advance`] while it is the kernel last started: kernels share
/// nothing but memory and the driver runs one at a time, so an idle kernel is not clocked (the
/// MSM kernel's model is slow, and clocking it idle would slow every NTT down).
pub struct SimCard {
    kernels: Vec<Kernel>,
    ntt_log_size: Option<u32>,
    msm: Option<MsmBuild>,
    memory: HostBackedMemory,
    memory_bytes: u64,
    /// Index into `kernels` of the kernel last started.
    active: usize,
    fault: Option<String>,
}

impl SimCard {
    /// The on-chip log2 sizes of the NTT kernels built into this binary (see sim/build.rs).
    pub fn ntt_builds() -> Vec<u32> {
        let mut sizes: Vec<u32> = crate::blocks()
            .iter()
            .filter_map(|b| b.strip_prefix("ntt_k").and_then(|k| k.parse().ok()))
            .collect();
        sizes.sort_unstable();
        sizes
    }

    /// The MSM kernel builds in this binary (see sim/build.rs, `ZKACCEL_SIM_MSM_BUILDS`), smallest
    /// first (by slots, then lanes).
    pub fn msm_builds() -> Vec<MsmBuild> {
        let mut builds: Vec<MsmBuild> =
            crate::blocks().iter().filter_map(|b| MsmBuild::parse(b.strip_prefix(MSM_MODEL_PREFIX)?)).collect();
        builds.sort_unstable();
        builds
    }

    /// The capability word the MSM kernel of `build` reports (what the driver reads from it).
    pub fn msm_caps(build: MsmBuild) -> u32 {
        msm_caps::with_writeback(build.caps(), crate::MSM_ISSUE_TO_WRITEBACK)
    }

    /// A card with the NTT kernel holding `2^log_size` values on chip.
    pub fn with_ntt(log_size: u32) -> Result<Self> {
        Self::new(Some(log_size), None)
    }

    /// A card with the MSM kernel build `msm`.
    pub fn with_msm(msm: MsmBuild) -> Result<Self> {
        Self::new(None, Some(msm))
    }

    /// A card with the NTT kernel holding `2^ntt_log_size` values on chip and/or the MSM kernel
    /// build `msm` (at least one of them).
    pub fn new(ntt_log_size: Option<u32>, msm: Option<MsmBuild>) -> Result<Self> {
        let mut kernels = Vec::new();
        if let Some(k) = ntt_log_size {
            kernels.push(Kernel::open(KernelKind::Ntt, &format!("ntt_k{k}"), |e| Error::BackendUnavailable {
                name: "sim".into(),
                reason: format!("{e}; built NTT kernels: {:?} (set ZKACCEL_SIM_NTT_LOG_SIZES and rebuild)", Self::ntt_builds()),
            })?);
        }
        if let Some(b) = msm {
            let built: Vec<String> = Self::msm_builds().iter().map(MsmBuild::name).collect();
            kernels.push(Kernel::open(KernelKind::Msm, &format!("{MSM_MODEL_PREFIX}{}", b.name()), |e| Error::BackendUnavailable {
                name: "sim".into(),
                reason: format!("{e}; built MSM kernels: {built:?} (set ZKACCEL_SIM_MSM_BUILDS and rebuild)"),
            })?);
        }
        if kernels.is_empty() {
            return Err(Error::Device("a simulated card needs at least one kernel".into()));
        }
        let mut card = Self {
            kernels,
            ntt_log_size,
            msm,
            memory: HostBackedMemory::new(MEMORY_BASE, MEMORY_BYTES),
            memory_bytes: MEMORY_BYTES,
            active: 0,
            fault: None,
        };
        // Let the registers settle out of their initial values.
        for i in 0..card.kernels.len() {
            for _ in 0..4 {
                card.cycle(i, Bus::Idle)?;
            }
        }
        Ok(card)
    }

    /// The same card with only `bytes` of device memory (before anything is allocated), e.g. to
    /// make the driver split an MSM into several chunks.
    pub fn with_memory_bytes(mut self, bytes: u64) -> Self {
        self.memory = HostBackedMemory::new(MEMORY_BASE, bytes);
        self.memory_bytes = bytes;
        self
    }

    /// Cycles simulated since the card was created, summed over its kernels.
    pub fn cycles(&self) -> u64 {
        self.kernels.iter().map(|k| k.model.cycles()).sum()
    }

    fn cycle(&mut self, index: usize, bus: Bus) -> Result<u32> {
        self.kernels[index].cycle(bus, &mut self.memory, &mut self.fault)
    }

    fn kernel_index(&self, kernel: KernelKind) -> Result<usize> {
        let index = self.kernels.iter().position(|k| k.kind == kernel).ok_or_else(|| Error::Unsupported {
            backend: "sim".into(),
            operation: format!("kernel {} (not on this card)", kernel.name()),
        })?;
        match &self.fault {
            Some(f) => Err(Error::Device(f.clone())),
            None => Ok(index),
        }
    }
}

impl Device for SimCard {
    fn info(&self) -> DeviceInfo {
        let mut parts = Vec::new();
        if let Some(k) = self.ntt_log_size {
            parts.push(format!("NTT kernel, 2^{k} values on chip"));
        }
        if let Some(b) = self.msm {
            parts.push(format!("MSM kernel, {} lane(s) of 2^{} bucket slots", b.lanes, b.log_slots));
        }
        DeviceInfo {
            name: format!("verilator ({})", parts.join("; ")),
            clock_hz: PROJECTED_CLOCK_HZ,
            memory_bytes: self.memory_bytes,
            kernels: self.kernels.iter().map(|k| k.kind).collect(),
        }
    }
    zkaccel_core::device_memory_in!(memory);
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
        let i = self.kernel_index(kernel)?;
        self.cycle(i, Bus::Read(offset))
    }
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()> {
        let i = self.kernel_index(kernel)?;
        if offset == CTRL && value & ctrl::AP_START != 0 {
            self.active = i;
        }
        self.cycle(i, Bus::Write(offset, value)).map(|_| ())
    }
    fn advance(&mut self) -> Result<()> {
        let i = self.active;
        for _ in 0..CYCLES_PER_ADVANCE {
            self.cycle(i, Bus::Idle)?;
        }
        match &self.fault {
            Some(f) => Err(Error::Device(f.clone())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkaccel_core::regmap::CTRL;

    #[test]
    fn unknown_builds_are_a_clear_error() {
        let err = SimCard::with_ntt(3).err().expect("no 2^3 build");
        assert!(err.to_string().contains("built NTT kernels"), "{err}");
    }

    #[test]
    fn registers_read_back_and_the_caps_word_names_the_build() {
        let k = *SimCard::ntt_builds().first().expect("at least one NTT build");
        let mut card = SimCard::with_ntt(k).unwrap();
        let ntt = KernelKind::Ntt;
        assert_eq!(card.read_reg(ntt, CTRL).unwrap() & 0b1100, 0b1100, "idle and ready");
        assert_eq!(card.read_reg(ntt, ntt.caps_offset()).unwrap(), zkaccel_core::regmap::ntt_caps::encode(k));
        for arg in ntt.args() {
            card.write_reg(ntt, arg.offset, 0x1234_5670 + arg.offset).unwrap();
            assert_eq!(card.read_reg(ntt, arg.offset).unwrap(), 0x1234_5670 + arg.offset, "{}", arg.name);
        }
    }

    #[test]
    fn one_card_carries_both_kernels_with_their_own_registers() {
        let k = *SimCard::ntt_builds().first().expect("an NTT build");
        let b = *SimCard::msm_builds().first().expect("an MSM build");
        let mut card = SimCard::new(Some(k), Some(b)).unwrap();
        assert_eq!(card.info().kernels, vec![KernelKind::Ntt, KernelKind::Msm]);
        let msm = KernelKind::Msm;
        assert_eq!(card.read_reg(msm, CTRL).unwrap() & 0b1100, 0b1100, "idle and ready");
        assert_eq!(MsmBuild::from_caps(card.read_reg(msm, msm.caps_offset()).unwrap()), b);
        // Every lane the build has holds its own arguments; the blocks of absent lanes read 0.
        for (i, arg) in msm.args().iter().enumerate() {
            let present = i / zkaccel_core::regmap::msm_args::PER_LANE < b.lanes as usize;
            card.write_reg(msm, arg.offset, 0x0bad_c0d0 + arg.offset).unwrap();
            let expected = if present { 0x0bad_c0d0 + arg.offset } else { 0 };
            assert_eq!(card.read_reg(msm, arg.offset).unwrap(), expected, "{}", arg.name);
        }
        assert_eq!(card.read_reg(KernelKind::Ntt, KernelKind::Ntt.caps_offset()).unwrap(), zkaccel_core::regmap::ntt_caps::encode(k));
        let err = SimCard::with_msm(MsmBuild { log_slots: 3, lanes: 1 }).err().expect("no such build");
        assert!(err.to_string().contains("built MSM kernels"), "{err}");
    }
}
