//! The simulated card: the kernels' Verilog in Verilator, plus device memory and a DMA model,
//! behind the same [`Device`] trait as the F1 card — so the host driver that runs here is the
//! one that will run on hardware.
//!
//! Each call to [`Device::advance`] clocks the model; register accesses are bus cycles of the
//! model too, so the kernel keeps running while the driver polls. The DMA model serves the
//! kernel's read and write commands at one 32-byte word per cycle each way with no latency, so
//! the cycle counts are those of the kernel itself (a real card adds DDR latency and the
//! host↔card transfers, which the driver times separately).

use zkaccel_core::device::{Device, DeviceBuffer, DeviceInfo, HostBackedMemory};
use zkaccel_core::regmap::KernelKind;
use zkaccel_core::{Error, Result};

use crate::{Model, PortRef};

/// The kernel clock cycle counts are projected at: what F1 kernels typically close timing at.
pub const PROJECTED_CLOCK_HZ: u64 = 250_000_000;
/// Device memory the simulated card offers (backed on demand by host RAM).
pub const MEMORY_BYTES: u64 = 4 << 30;
/// Cycles simulated per [`Device::advance`] between two polls of ap_done.
const CYCLES_PER_ADVANCE: u32 = 1024;
const WORDS: usize = 8;

/// One direction of the DMA model: the next device address and the words still to move.
#[derive(Clone, Copy, Debug, Default)]
struct Stream {
    addr: u64,
    words_left: u64,
}

struct Ports {
    reg_addr: PortRef,
    reg_wdata: PortRef,
    reg_write: PortRef,
    reg_read: PortRef,
    reg_rdata: PortRef,
    rd_cmd_valid: PortRef,
    rd_cmd_addr: PortRef,
    rd_cmd_words: PortRef,
    wr_cmd_valid: PortRef,
    wr_cmd_addr: PortRef,
    wr_cmd_words: PortRef,
    in_data: PortRef,
    in_valid: PortRef,
    in_ready: PortRef,
    out_data: PortRef,
    out_valid: PortRef,
    out_ready: PortRef,
}

/// A bus operation performed during one cycle.
#[derive(Clone, Copy)]
enum Bus {
    Idle,
    Read(u32),
    Write(u32, u32),
}

/// A simulated card carrying the NTT kernel built for `2^log_size` values on chip.
pub struct SimCard {
    model: Model,
    ports: Ports,
    log_size: u32,
    memory: HostBackedMemory,
    read: Stream,
    write: Stream,
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

    /// A card with the NTT kernel holding `2^log_size` values on chip.
    pub fn with_ntt(log_size: u32) -> Result<Self> {
        let name = format!("ntt_k{log_size}");
        let model = Model::new(&name).map_err(|e| Error::BackendUnavailable {
            name: "sim".into(),
            reason: format!("{e}; built NTT kernels: {:?} (set ZKACCEL_SIM_NTT_LOG_SIZES and rebuild)", Self::ntt_builds()),
        })?;
        let port = |n: &str| model.port_ref(n).map_err(|e| Error::Device(format!("kernel model {name}: {e}")));
        let ports = Ports {
            reg_addr: port("reg_addr")?,
            reg_wdata: port("reg_wdata")?,
            reg_write: port("reg_write")?,
            reg_read: port("reg_read")?,
            reg_rdata: port("reg_rdata")?,
            rd_cmd_valid: port("rd_cmd_valid")?,
            rd_cmd_addr: port("rd_cmd_addr")?,
            rd_cmd_words: port("rd_cmd_words")?,
            wr_cmd_valid: port("wr_cmd_valid")?,
            wr_cmd_addr: port("wr_cmd_addr")?,
            wr_cmd_words: port("wr_cmd_words")?,
            in_data: port("in_data")?,
            in_valid: port("in_valid")?,
            in_ready: port("in_ready")?,
            out_data: port("out_data")?,
            out_valid: port("out_valid")?,
            out_ready: port("out_ready")?,
        };
        let mut card = Self {
            model,
            ports,
            log_size,
            memory: HostBackedMemory::new(0x1_0000_0000, MEMORY_BYTES),
            read: Stream::default(),
            write: Stream::default(),
            fault: None,
        };
        // Let the registers settle out of their initial values.
        for _ in 0..4 {
            card.cycle(Bus::Idle)?;
        }
        Ok(card)
    }

    /// Cycles simulated since the card was created.
    pub fn cycles(&self) -> u64 {
        self.model.cycles()
    }

    fn set(&mut self, port: PortRef, value: u64) {
        self.model.set_words(port, &[value as u32, (value >> 32) as u32]);
    }

    fn get(&self, port: PortRef) -> u64 {
        let mut w = [0u32; 2];
        self.model.get_words(port, &mut w);
        w[0] as u64 | (w[1] as u64) << 32
    }

    /// One clock cycle: the bus operation, the DMA model's side of both streams, the edge.
    /// Returns what a bus read saw.
    fn cycle(&mut self, bus: Bus) -> Result<u32> {
        let p = &self.ports;
        let (reg_addr, reg_wdata, reg_write, reg_read) = (p.reg_addr, p.reg_wdata, p.reg_write, p.reg_read);
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
        let in_valid = self.read.words_left > 0;
        if in_valid {
            let bytes = self.memory.bytes_at(self.read.addr, 32)?;
            let mut words = [0u32; WORDS];
            for (w, b) in words.iter_mut().zip(bytes.chunks_exact(4)) {
                *w = u32::from_le_bytes(b.try_into().expect("4 bytes"));
            }
            self.model.set_words(self.ports.in_data, &words);
        }
        self.set(self.ports.in_valid, in_valid as u64);
        self.set(self.ports.out_ready, 1);
        self.model.eval();

        let rdata = self.get(self.ports.reg_rdata) as u32;
        if in_valid && self.get(self.ports.in_ready) & 1 == 1 {
            self.read.addr += 32;
            self.read.words_left -= 1;
        }
        if self.get(self.ports.out_valid) & 1 == 1 {
            if self.write.words_left == 0 {
                self.fault.get_or_insert_with(|| "the kernel wrote more words than its write command announced".into());
            } else {
                let mut words = [0u32; WORDS];
                self.model.get_words(self.ports.out_data, &mut words);
                let dst = self.memory.bytes_at(self.write.addr, 32)?;
                for (b, w) in dst.chunks_exact_mut(4).zip(words) {
                    b.copy_from_slice(&w.to_le_bytes());
                }
                self.write.addr += 32;
                self.write.words_left -= 1;
            }
        }
        if self.get(self.ports.rd_cmd_valid) & 1 == 1 {
            self.read = Stream { addr: self.get(self.ports.rd_cmd_addr), words_left: self.get(self.ports.rd_cmd_words) & 0xffff_ffff };
        }
        if self.get(self.ports.wr_cmd_valid) & 1 == 1 {
            self.write = Stream { addr: self.get(self.ports.wr_cmd_addr), words_left: self.get(self.ports.wr_cmd_words) & 0xffff_ffff };
        }
        self.model.tick();
        Ok(rdata)
    }

    fn check_kernel(&self, kernel: KernelKind) -> Result<()> {
        if kernel != KernelKind::Ntt {
            return Err(Error::Unsupported { backend: "sim".into(), operation: format!("kernel {} (not on this card)", kernel.name()) });
        }
        match &self.fault {
            Some(f) => Err(Error::Device(f.clone())),
            None => Ok(()),
        }
    }
}

impl Device for SimCard {
    fn info(&self) -> DeviceInfo {
        DeviceInfo {
            name: format!("verilator (NTT kernel, 2^{} values on chip)", self.log_size),
            clock_hz: PROJECTED_CLOCK_HZ,
            memory_bytes: MEMORY_BYTES,
            kernels: vec![KernelKind::Ntt],
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
        self.check_kernel(kernel)?;
        self.cycle(Bus::Read(offset))
    }
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()> {
        self.check_kernel(kernel)?;
        self.cycle(Bus::Write(offset, value)).map(|_| ())
    }
    fn advance(&mut self) -> Result<()> {
        for _ in 0..CYCLES_PER_ADVANCE {
            self.cycle(Bus::Idle)?;
        }
        self.check_kernel(KernelKind::Ntt)
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
}
