//! The hardware backend: one driver for every card that implements [`Device`] — the
//! Verilator-simulated card and, later, the AWS F1 card. It does the host side of the work
//! (encoding, chunking to device memory, four-step splitting of large NTTs, coset scaling) and
//! runs the kernels through the register map.

pub mod msm;
mod ntt;
mod watch;

use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective};

use crate::backend::{Backend, Outcome};
use crate::bases::ResidentBases;
use crate::device::Device;
use crate::ntt::NttKind;
use crate::reference::check_msm_lengths;
use crate::regmap::{ntt_caps, KernelKind};
use crate::report::Report;
use crate::{Error, Result};
use watch::Watched;

/// Kernel time a single run may take before the driver declares the card hung. Simulated cards
/// run millions of times slower than real ones, so the default is generous; tests shorten it.
pub const DEFAULT_KERNEL_TIMEOUT: Duration = Duration::from_secs(600);

/// A [`Backend`] running on a card.
pub struct CardBackend {
    name: String,
    /// The card, refused after an abandoned run until [`CardBackend::reopen`].
    device: Watched,
    clock_hz: u64,
    /// Largest on-chip NTT size (log2), if the card has an NTT kernel.
    ntt_max_log: Option<u32>,
    /// The MSM kernel's capability word, if the card has an MSM kernel.
    msm_caps: Option<u32>,
    timeout: Duration,
    /// Resident bases, held on the host: converted once, but each MSM still writes the points of
    /// every window group to the card, because today's kernel streams points in the order of
    /// its entries. Device-resident bases wait for a kernel that reads points by index.
    bases: ResidentBases,
}

/// Cost of the kernel runs of one call, gathered while it runs.
#[derive(Default)]
struct CardStats {
    cycles: u64,
    runs: u32,
    /// Time in the driver's host-side passes.
    host: Duration,
}

impl CardBackend {
    /// Opens the backend `name` on `device`: resets the card, then reads the capability word of
    /// each kernel present.
    pub fn new(name: &str, device: Box<dyn Device>) -> Result<Self> {
        let mut device = Watched::new(device);
        device.reset()?;
        let info = device.info();
        let ntt_max_log = if info.kernels.contains(&KernelKind::Ntt) {
            let caps = device.read_reg(KernelKind::Ntt, KernelKind::Ntt.caps_offset())?;
            Some(ntt_caps::max_log_n(caps))
        } else {
            None
        };
        let msm_caps = if info.kernels.contains(&KernelKind::Msm) {
            Some(device.read_reg(KernelKind::Msm, KernelKind::Msm.caps_offset())?)
        } else {
            None
        };
        Ok(Self {
            name: name.to_string(),
            device,
            clock_hz: info.clock_hz,
            ntt_max_log,
            msm_caps,
            timeout: DEFAULT_KERNEL_TIMEOUT,
            bases: ResidentBases::default(),
        })
    }

    /// Reopens the card after a run was abandoned (a timeout): resets it and accepts work again.
    /// Until then every call fails, saying so. Buffers the abandoned run may still have written
    /// stay allocated ([`CardBackend::quarantined_bytes`]).
    pub fn reopen(&mut self) -> Result<()> {
        self.device.reset()
    }

    /// Device memory held back because an abandoned run may still write it.
    pub fn quarantined_bytes(&self) -> u64 {
        self.device.quarantined_bytes()
    }

    /// Sets how long one kernel run may take before it is reported as hung.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest NTT the card's kernel holds on chip (log2), if it has an NTT kernel.
    pub fn ntt_on_chip_max_log(&self) -> Option<u32> {
        self.ntt_max_log
    }

    /// The call's report; the transfers counted since the call began are its own.
    fn report(&mut self, operation: String, size: usize, start: Instant, stats: CardStats) -> Report {
        Report {
            backend: self.name.clone(),
            operation,
            size,
            wall: start.elapsed(),
            device_cycles: Some(stats.cycles),
            clock_hz: Some(self.clock_hz),
            kernel_runs: stats.runs,
            host_passes: stats.host,
            transfer_bytes: self.device.take_transferred(),
        }
    }

    fn ntt_kernel_max_log(&self) -> Result<u32> {
        self.ntt_max_log.ok_or_else(|| Error::Unsupported {
            backend: self.name.clone(),
            operation: "NTT (the card has no NTT kernel)".into(),
        })
    }
}

impl Backend for CardBackend {
    fn name(&self) -> &str {
        &self.name
    }

    fn supports_msm(&self) -> bool {
        self.msm_caps.is_some()
    }

    fn supports_ntt(&self) -> bool {
        self.ntt_max_log.is_some()
    }

    fn msm(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<Outcome<G1Projective>> {
        check_msm_lengths(bases.len(), scalars.len())?;
        let caps = self.msm_caps.ok_or_else(|| Error::Unsupported {
            backend: self.name.clone(),
            operation: "MSM (the card has no MSM kernel)".into(),
        })?;
        let start = Instant::now();
        self.device.take_transferred();
        let mut stats = CardStats::default();
        let mut driver = msm::driver::MsmDriver { device: &mut self.device, caps, timeout: self.timeout, stats: &mut stats };
        let value = driver.run(bases, scalars)?;
        Ok(Outcome { value, report: self.report("msm".into(), bases.len(), start, stats) })
    }

    fn ntt(&mut self, values: &mut [Fr], kind: NttKind) -> Result<Report> {
        crate::ntt::log_size(values.len(), self.max_ntt_log_size())?;
        self.ntt_batch(values, values.len(), kind)
    }

    fn ntt_batch(&mut self, values: &mut [Fr], size: usize, kind: NttKind) -> Result<Report> {
        let max_log = self.ntt_kernel_max_log()?;
        crate::ntt::log_size(size, self.max_ntt_log_size())?;
        if !values.len().is_multiple_of(size) || values.is_empty() {
            return Err(Error::LengthMismatch {
                left_name: "values",
                left: values.len(),
                right_name: "a whole, nonzero number of transforms of size",
                right: size,
            });
        }
        let start = Instant::now();
        self.device.take_transferred();
        let mut stats = CardStats::default();
        let mut driver = ntt::NttDriver { device: &mut self.device, max_log, timeout: self.timeout, stats: &mut stats };
        driver.run(values, size, kind)?;
        Ok(self.report(format!("ntt {}", kind.name()), values.len(), start, stats))
    }

    fn resident_bases(&mut self) -> Option<&mut ResidentBases> {
        Some(&mut self.bases)
    }
}
