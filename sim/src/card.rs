//! The simulated card: the kernels' Verilog in Verilator, plus device memory behind an AXI4
//! memory model, behind the same [`Device`] trait as a real card — so the host driver that runs
//! here is the one that will run on hardware.
//!
//! The card reaches a kernel only through the ports a platform connects: `ap_rst_n`, an AXI4-Lite
//! master on `s_axi_control` for every register access, and one AXI4 slave per `m_axi_*` master
//! port ([`zkaccel_axi_model::AxiSlave`]: read and write latency, outstanding limits, bandwidth
//! and seeded stalls from one [`MemoryConfig`], and a protocol checker whose first violation
//! fails every later access). Each call to [`Device::advance`] clocks the running kernel's model;
//! register accesses are bus cycles of the model too, so the kernel keeps running while the
//! driver polls.

pub use zkaccel_axi_model::MemoryConfig;
use zkaccel_axi_model::{AxiSlave, Backing, MasterOut, SlaveOut, BEAT_WORDS, RESP_OKAY};
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
/// Cycles an AXI4-Lite access may wait for a handshake before the card calls the kernel hung.
const LITE_TIMEOUT_CYCLES: u32 = 10_000;
/// Cycles `ap_rst_n` is held low by [`SimCard::reset`] (the kernel registers it, then stretches
/// its own reset over its pipelines).
const RESET_CYCLES: u32 = 4;

/// Prefix of the MSM kernels' Verilator models: `msm_b<build name>` (see sim/build.rs).
const MSM_MODEL_PREFIX: &str = "msm_b";

/// The card's device memory as the AXI slaves see it.
struct Backed<'a>(&'a mut HostBackedMemory);

impl Backing for Backed<'_> {
    fn bytes(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        self.0.bytes_at(addr, len).ok()
    }
}

/// The read channels of one `m_axi_<name>` port.
struct ReadChannels {
    ar_valid: PortRef,
    ar_addr: PortRef,
    ar_len: PortRef,
    ar_ready: PortRef,
    r_valid: PortRef,
    r_ready: PortRef,
    r_data: PortRef,
    r_resp: PortRef,
}

/// The write channels of one `m_axi_<name>` port.
struct WriteChannels {
    aw_valid: PortRef,
    aw_addr: PortRef,
    aw_len: PortRef,
    aw_ready: PortRef,
    w_valid: PortRef,
    w_ready: PortRef,
    w_data: PortRef,
    w_strb: PortRef,
    w_last: PortRef,
    b_valid: PortRef,
    b_ready: PortRef,
    b_resp: PortRef,
}

/// One AXI4 master port of a kernel and the memory slave serving it.
struct MemoryPort {
    /// `m_axi_<name>` (with `$j` for lane `j` of a kernel with lanes).
    name: String,
    read: Option<ReadChannels>,
    write: Option<WriteChannels>,
    slave: AxiSlave,
}

impl MemoryPort {
    /// The port `m_axi_<base>_*<lane>` of `model`, if it has read or write channels.
    fn open(model: &Model, base: &str, lane: &str, config: MemoryConfig) -> std::result::Result<Option<Self>, String> {
        let has = |signal: &str| model.port_ref(&format!("{base}_{signal}{lane}")).is_ok();
        let port = |signal: &str| model.port_ref(&format!("{base}_{signal}{lane}")).map_err(|e| e.to_string());
        let read = if has("arvalid") {
            Some(ReadChannels {
                ar_valid: port("arvalid")?,
                ar_addr: port("araddr")?,
                ar_len: port("arlen")?,
                ar_ready: port("arready")?,
                r_valid: port("rvalid")?,
                r_ready: port("rready")?,
                r_data: port("rdata")?,
                r_resp: port("rresp")?,
            })
        } else {
            None
        };
        let write = if has("awvalid") {
            Some(WriteChannels {
                aw_valid: port("awvalid")?,
                aw_addr: port("awaddr")?,
                aw_len: port("awlen")?,
                aw_ready: port("awready")?,
                w_valid: port("wvalid")?,
                w_ready: port("wready")?,
                w_data: port("wdata")?,
                w_strb: port("wstrb")?,
                w_last: port("wlast")?,
                b_valid: port("bvalid")?,
                b_ready: port("bready")?,
                b_resp: port("bresp")?,
            })
        } else {
            None
        };
        if read.is_none() && write.is_none() {
            return Ok(None);
        }
        for data in [read.as_ref().map(|r| r.r_data), write.as_ref().map(|w| w.w_data)].into_iter().flatten() {
            if data.words() != BEAT_WORDS {
                return Err(format!("{base}{lane}: {}-bit data, the memory model moves 512", data.words() * 32));
            }
        }
        Ok(Some(Self { name: format!("{base}{lane}"), read, write, slave: AxiSlave::new(config)? }))
    }
}

/// The AXI4-Lite inputs the card drives in one cycle.
#[derive(Clone, Copy, Default)]
struct LiteIn {
    awvalid: bool,
    awaddr: u32,
    wvalid: bool,
    wdata: u32,
    bready: bool,
    arvalid: bool,
    araddr: u32,
    rready: bool,
}

/// The AXI4-Lite outputs of the kernel in one cycle.
#[derive(Clone, Copy, Default)]
struct LiteOut {
    awready: bool,
    wready: bool,
    bvalid: bool,
    bresp: u8,
    arready: bool,
    rvalid: bool,
    rdata: u32,
    rresp: u8,
}

/// The `s_axi_control` ports and `ap_rst_n`.
struct LitePorts {
    ap_rst_n: PortRef,
    awvalid: PortRef,
    awready: PortRef,
    awaddr: PortRef,
    wvalid: PortRef,
    wready: PortRef,
    wdata: PortRef,
    wstrb: PortRef,
    bvalid: PortRef,
    bready: PortRef,
    bresp: PortRef,
    arvalid: PortRef,
    arready: PortRef,
    araddr: PortRef,
    rvalid: PortRef,
    rready: PortRef,
    rdata: PortRef,
    rresp: PortRef,
}

/// The value of an (at most 64-bit) port of `model`.
fn port_value(model: &Model, port: PortRef) -> u64 {
    let mut w = [0u32; 2];
    model.get_words(port, &mut w);
    w[0] as u64 | (w[1] as u64) << 32
}

/// Drives an (at most 64-bit) input port of `model`.
fn set_value(model: &mut Model, port: PortRef, value: u64) {
    model.set_words(port, &[value as u32, (value >> 32) as u32]);
}

/// One kernel on the card: its Verilator model, control port and memory ports.
struct Kernel {
    kind: KernelKind,
    model: Model,
    lite: LitePorts,
    memory_ports: Vec<MemoryPort>,
    reset_low: bool,
}

impl Kernel {
    fn open(kind: KernelKind, name: &str, config: MemoryConfig, unknown: impl FnOnce(crate::SimError) -> Error) -> Result<Self> {
        let model = Model::new(name).map_err(unknown)?;
        let bad = |e: String| Error::Device(format!("kernel model {name}: {e}"));
        let port = |n: &str| model.port_ref(n).map_err(|e| bad(e.to_string()));
        let lite = |signal: &str| port(&format!("s_axi_control_{signal}"));
        let lite = LitePorts {
            ap_rst_n: port("ap_rst_n")?,
            awvalid: lite("awvalid")?,
            awready: lite("awready")?,
            awaddr: lite("awaddr")?,
            wvalid: lite("wvalid")?,
            wready: lite("wready")?,
            wdata: lite("wdata")?,
            wstrb: lite("wstrb")?,
            bvalid: lite("bvalid")?,
            bready: lite("bready")?,
            bresp: lite("bresp")?,
            arvalid: lite("arvalid")?,
            arready: lite("arready")?,
            araddr: lite("araddr")?,
            rvalid: lite("rvalid")?,
            rready: lite("rready")?,
            rdata: lite("rdata")?,
            rresp: lite("rresp")?,
        };
        // Memory ports: `m_axi_<name>_<signal>`, or `…<signal>$j` for lane j.
        let mut bases: Vec<(String, String)> = model
            .ports()
            .into_iter()
            .filter_map(|(p, _, _)| {
                let (signal, lane) = p.split_once('$').map_or((p.as_str(), String::new()), |(s, l)| (s, format!("${l}")));
                let base = signal.strip_suffix("_arvalid").or_else(|| signal.strip_suffix("_awvalid"))?;
                base.starts_with("m_axi_").then(|| (base.to_string(), lane))
            })
            .collect();
        bases.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        bases.dedup();
        let mut memory_ports = Vec::new();
        for (base, lane) in &bases {
            if let Some(p) = MemoryPort::open(&model, base, lane, config).map_err(bad)? {
                memory_ports.push(p);
            }
        }
        if memory_ports.is_empty() {
            return Err(bad("no m_axi ports".into()));
        }
        Ok(Self { kind, model, lite, memory_ports, reset_low: false })
    }

    fn get(&self, port: PortRef) -> u64 {
        port_value(&self.model, port)
    }

    /// One clock cycle: the control inputs, every memory slave's outputs, evaluation, the
    /// masters' outputs into the slaves, the edge. Returns the control outputs of the cycle.
    fn cycle(&mut self, lite: LiteIn, memory: &mut HostBackedMemory, fault: &mut Option<String>) -> LiteOut {
        let l = &self.lite;
        let inputs = [
            (l.ap_rst_n, !self.reset_low as u64),
            (l.awvalid, lite.awvalid as u64),
            (l.awaddr, lite.awaddr as u64),
            (l.wvalid, lite.wvalid as u64),
            (l.wdata, lite.wdata as u64),
            (l.wstrb, 0xf),
            (l.bready, lite.bready as u64),
            (l.arvalid, lite.arvalid as u64),
            (l.araddr, lite.araddr as u64),
            (l.rready, lite.rready as u64),
        ];
        for (port, value) in inputs {
            set_value(&mut self.model, port, value);
        }
        for p in &self.memory_ports {
            let s: SlaveOut = p.slave.drive();
            if let Some(r) = &p.read {
                set_value(&mut self.model, r.ar_ready, s.ar_ready as u64);
                set_value(&mut self.model, r.r_valid, s.r_valid as u64);
                self.model.set_words(r.r_data, &s.r_data);
                set_value(&mut self.model, r.r_resp, s.r_resp as u64);
            }
            if let Some(w) = &p.write {
                set_value(&mut self.model, w.aw_ready, s.aw_ready as u64);
                set_value(&mut self.model, w.w_ready, s.w_ready as u64);
                set_value(&mut self.model, w.b_valid, s.b_valid as u64);
                set_value(&mut self.model, w.b_resp, s.b_resp as u64);
            }
        }
        self.model.eval();

        let l = &self.lite;
        let out = LiteOut {
            awready: self.get(l.awready) & 1 == 1,
            wready: self.get(l.wready) & 1 == 1,
            bvalid: self.get(l.bvalid) & 1 == 1,
            bresp: self.get(l.bresp) as u8,
            arready: self.get(l.arready) & 1 == 1,
            rvalid: self.get(l.rvalid) & 1 == 1,
            rdata: self.get(l.rdata) as u32,
            rresp: self.get(l.rresp) as u8,
        };
        for i in 0..self.memory_ports.len() {
            let mut m = MasterOut::default();
            let p = &self.memory_ports[i];
            if let Some(r) = &p.read {
                m.ar_valid = self.get(r.ar_valid) & 1 == 1;
                m.ar_addr = self.get(r.ar_addr);
                m.ar_len = self.get(r.ar_len) as u8;
                m.r_ready = self.get(r.r_ready) & 1 == 1;
            }
            if let Some(w) = &p.write {
                m.aw_valid = self.get(w.aw_valid) & 1 == 1;
                m.aw_addr = self.get(w.aw_addr);
                m.aw_len = self.get(w.aw_len) as u8;
                m.w_valid = self.get(w.w_valid) & 1 == 1;
                self.model.get_words(w.w_data, &mut m.w_data);
                m.w_strb = self.get(w.w_strb);
                m.w_last = self.get(w.w_last) & 1 == 1;
                m.b_ready = self.get(w.b_ready) & 1 == 1;
            }
            let p = &mut self.memory_ports[i];
            p.slave.edge(&m, &mut Backed(memory));
            if let Some(v) = p.slave.violations().first() {
                fault.get_or_insert_with(|| format!("{}: AXI protocol violation on {}: {v}", self.kind.name(), p.name));
            }
        }
        self.model.tick();
        out
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
    memory_config: MemoryConfig,
    /// Index into `kernels` of the kernel last started.
    active: usize,
    fault: Option<String>,
}

impl SimCard {
    /// The on-chip log2 sizes of the NTT kernels built into this binary (see sim/build.rs).
    pub fn ntt_builds() -> Vec<u32> {
        let mut sizes: Vec<u32> =
            crate::blocks().iter().filter_map(|b| b.strip_prefix("ntt_k").and_then(|k| k.parse().ok())).collect();
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

    /// The memory model a card gets unless told otherwise: `ZKACCEL_SIM_MEMORY` = `ideal`,
    /// `ddr` (the default: DDR4 behind an interconnect) or `hbm`, optionally followed by
    /// `,stall=<percent>[,seed=<n>]`.
    pub fn default_memory() -> Result<MemoryConfig> {
        match std::env::var("ZKACCEL_SIM_MEMORY") {
            Ok(spec) => parse_memory(&spec),
            Err(_) => Ok(MemoryConfig::ddr()),
        }
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
    /// build `msm` (at least one of them), and the [`SimCard::default_memory`] model.
    pub fn new(ntt_log_size: Option<u32>, msm: Option<MsmBuild>) -> Result<Self> {
        Self::with_memory(ntt_log_size, msm, Self::default_memory()?)
    }

    /// [`SimCard::new`] with the memory model `memory`.
    pub fn with_memory(ntt_log_size: Option<u32>, msm: Option<MsmBuild>, memory: MemoryConfig) -> Result<Self> {
        memory.check().map_err(|e| Error::BackendUnavailable { name: "sim".into(), reason: format!("memory model: {e}") })?;
        let mut kernels = Vec::new();
        if let Some(k) = ntt_log_size {
            kernels.push(Kernel::open(KernelKind::Ntt, &format!("ntt_k{k}"), memory, |e| Error::BackendUnavailable {
                name: "sim".into(),
                reason: format!("{e}; built NTT kernels: {:?} (set ZKACCEL_SIM_NTT_LOG_SIZES and rebuild)", Self::ntt_builds()),
            })?);
        }
        if let Some(b) = msm {
            let built: Vec<String> = Self::msm_builds().iter().map(MsmBuild::name).collect();
            kernels.push(Kernel::open(KernelKind::Msm, &format!("{MSM_MODEL_PREFIX}{}", b.name()), memory, |e| {
                Error::BackendUnavailable {
                    name: "sim".into(),
                    reason: format!("{e}; built MSM kernels: {built:?} (set ZKACCEL_SIM_MSM_BUILDS and rebuild)"),
                }
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
            memory_config: memory,
            active: 0,
            fault: None,
        };
        card.reset();
        Ok(card)
    }

    /// The same card with only `bytes` of device memory (before anything is allocated), e.g. to
    /// make the driver split an MSM into several chunks.
    pub fn with_memory_bytes(mut self, bytes: u64) -> Self {
        self.memory = HostBackedMemory::new(MEMORY_BASE, bytes);
        self.memory_bytes = bytes;
        self
    }

    /// The memory model of this card.
    pub fn memory_config(&self) -> MemoryConfig {
        self.memory_config
    }

    /// One line per memory port: its name and traffic so far.
    pub fn memory_stats(&self) -> Vec<String> {
        self.kernels.iter().flat_map(|k| k.memory_ports.iter().map(|p| format!("{}: {}", p.name, p.slave.stats()))).collect()
    }

    /// Bytes read from and written to device memory by the kernels so far (whole beats read,
    /// strobed bytes written).
    pub fn memory_traffic(&self) -> (u64, u64) {
        let stats = self.kernels.iter().flat_map(|k| k.memory_ports.iter().map(|p| p.slave.stats()));
        stats.fold((0, 0), |(r, w), s| (r + s.read_beats * zkaccel_axi_model::BEAT_BYTES as u64, w + s.write_bytes))
    }

    /// Cycles simulated since the card was created, summed over its kernels.
    pub fn cycles(&self) -> u64 {
        self.kernels.iter().map(|k| k.model.cycles()).sum()
    }

    /// Pulls every kernel's `ap_rst_n` low for a few cycles, with the memory interconnect
    /// (every transaction in flight is dropped), as a platform's reset does, and waits until
    /// every kernel reports ap_ready. A run in progress is abandoned; the kernels keep their
    /// argument registers. Clears a recorded fault.
    pub fn reset(&mut self) {
        for i in 0..self.kernels.len() {
            self.kernels[i].reset_low = true;
            for _ in 0..RESET_CYCLES {
                self.idle_cycle(i);
            }
            // The interconnect resets with the kernel: once the kernel's masters are held (the
            // kernel registers `ap_rst_n`), nothing issued before the reset may still answer.
            for p in &mut self.kernels[i].memory_ports {
                p.slave.reset();
            }
            self.idle_cycle(i);
            self.kernels[i].reset_low = false;
        }
        self.fault = None;
        // The kernels stretch their reset over their pipelines; wait until they take work.
        for i in 0..self.kernels.len() {
            for _ in 0..LITE_TIMEOUT_CYCLES {
                match self.lite_read(i, CTRL) {
                    Ok(v) if v & ctrl::AP_READY != 0 => break,
                    _ => self.idle_cycle(i),
                }
            }
        }
    }

    fn idle_cycle(&mut self, index: usize) {
        self.kernels[index].cycle(LiteIn::default(), &mut self.memory, &mut self.fault);
    }

    fn kernel_index(&self, kernel: KernelKind) -> Result<usize> {
        let index = self.kernels.iter().position(|k| k.kind == kernel).ok_or_else(|| Error::Unsupported {
            backend: "sim".into(),
            operation: format!("kernel {} (not on this card)", kernel.name()),
        })?;
        self.check_fault()?;
        Ok(index)
    }

    fn check_fault(&self) -> Result<()> {
        match &self.fault {
            Some(f) => Err(Error::Device(f.clone())),
            None => Ok(()),
        }
    }

    /// Clocks kernel `index` with `lite` driven until `done` says the access is complete.
    fn lite_access(
        &mut self,
        index: usize,
        what: &str,
        mut lite: LiteIn,
        mut step: impl FnMut(&mut LiteIn, LiteOut) -> bool,
    ) -> Result<()> {
        for _ in 0..LITE_TIMEOUT_CYCLES {
            let out = self.kernels[index].cycle(lite, &mut self.memory, &mut self.fault);
            if step(&mut lite, out) {
                return self.check_fault();
            }
        }
        Err(Error::Device(format!(
            "{}: {what} got no AXI4-Lite response in {LITE_TIMEOUT_CYCLES} cycles",
            self.kernels[index].kind.name()
        )))
    }

    /// An AXI4-Lite read of `offset`: AR, then R.
    fn lite_read(&mut self, index: usize, offset: u32) -> Result<u32> {
        let mut result = (0, RESP_OKAY);
        self.lite_access(
            index,
            &format!("read of 0x{offset:03x}"),
            LiteIn { arvalid: true, araddr: offset, rready: true, ..LiteIn::default() },
            |lite, out| {
                if lite.arvalid && out.arready {
                    lite.arvalid = false;
                }
                if out.rvalid {
                    result = (out.rdata, out.rresp);
                    return true;
                }
                false
            },
        )?;
        match result {
            (value, RESP_OKAY) => Ok(value),
            (_, resp) => {
                Err(Error::Device(format!("{}: read of 0x{offset:03x} answered {resp}", self.kernels[index].kind.name())))
            }
        }
    }

    /// An AXI4-Lite write of `value` to `offset` (all four bytes): AW and W, then B.
    fn lite_write(&mut self, index: usize, offset: u32, value: u32) -> Result<()> {
        let mut resp = RESP_OKAY;
        let lite = LiteIn { awvalid: true, awaddr: offset, wvalid: true, wdata: value, bready: true, ..LiteIn::default() };
        self.lite_access(index, &format!("write of 0x{offset:03x}"), lite, |lite, out| {
            if lite.awvalid && out.awready {
                lite.awvalid = false;
            }
            if lite.wvalid && out.wready {
                lite.wvalid = false;
            }
            if out.bvalid {
                resp = out.bresp;
                return true;
            }
            false
        })?;
        match resp {
            RESP_OKAY => Ok(()),
            _ => Err(Error::Device(format!("{}: write of 0x{offset:03x} answered {resp}", self.kernels[index].kind.name()))),
        }
    }
}

/// Parses a `ZKACCEL_SIM_MEMORY` value (see [`SimCard::default_memory`]).
pub fn parse_memory(spec: &str) -> Result<MemoryConfig> {
    let bad = || Error::BackendUnavailable {
        name: "sim".into(),
        reason: format!("ZKACCEL_SIM_MEMORY={spec}: expected ideal|ddr|hbm[,stall=<percent>[,seed=<n>]]"),
    };
    let mut parts = spec.split(',').map(str::trim);
    let mut config = match parts.next() {
        Some("ideal") => MemoryConfig::IDEAL,
        Some("ddr") => MemoryConfig::ddr(),
        Some("hbm") => MemoryConfig::hbm(),
        _ => return Err(bad()),
    };
    let (mut stall, mut seed) = (0, 1);
    for part in parts {
        match part.split_once('=') {
            Some(("stall", v)) => stall = v.parse().map_err(|_| bad())?,
            Some(("seed", v)) => seed = v.parse().map_err(|_| bad())?,
            _ => return Err(bad()),
        }
    }
    if stall > 0 {
        config = config.with_stalls(stall, seed);
    }
    config
        .check()
        .map_err(|e| Error::BackendUnavailable { name: "sim".into(), reason: format!("ZKACCEL_SIM_MEMORY={spec}: {e}") })?;
    Ok(config)
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
            name: format!("verilator ({}; memory {})", parts.join("; "), self.memory_config),
            clock_hz: PROJECTED_CLOCK_HZ,
            memory_bytes: self.memory_bytes,
            port_bytes_per_cycle: self.memory_config.bytes_per_cycle,
            kernels: self.kernels.iter().map(|k| k.kind).collect(),
        }
    }
    zkaccel_core::device_memory_in!(memory);
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
        let i = self.kernel_index(kernel)?;
        let value = self.lite_read(i, offset)?;
        if offset == CTRL && value & ctrl::AP_DONE != 0 {
            // ap_done means every result is in memory: no write may still be unacknowledged.
            let k = &self.kernels[i];
            if let Some(p) = k.memory_ports.iter().find(|p| p.slave.writes_in_flight() > 0) {
                let err = format!(
                    "{}: ap_done rose with {} write burst(s) on {} unacknowledged",
                    k.kind.name(),
                    p.slave.writes_in_flight(),
                    p.name
                );
                self.fault.get_or_insert(err);
                self.check_fault()?;
            }
        }
        Ok(value)
    }
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()> {
        let i = self.kernel_index(kernel)?;
        if offset == CTRL && value & ctrl::AP_START != 0 {
            self.active = i;
        }
        self.lite_write(i, offset, value)
    }
    fn reset(&mut self) -> Result<()> {
        SimCard::reset(self);
        Ok(())
    }
    fn advance(&mut self) -> Result<()> {
        let i = self.active;
        for _ in 0..CYCLES_PER_ADVANCE {
            self.idle_cycle(i);
        }
        self.check_fault()
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
        assert_eq!(
            card.read_reg(KernelKind::Ntt, KernelKind::Ntt.caps_offset()).unwrap(),
            zkaccel_core::regmap::ntt_caps::encode(k)
        );
        let err = SimCard::with_msm(MsmBuild { log_slots: 3, lanes: 1 }).err().expect("no such build");
        assert!(err.to_string().contains("built MSM kernels"), "{err}");
    }
}
