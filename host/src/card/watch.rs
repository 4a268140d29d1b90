//! The card as the driver sees it, watched for abandoned kernel runs.
//!
//! The driver runs one kernel at a time and waits for its ap_done ([`crate::device::run_kernel`]).
//! If it does anything else with the card after an ap_start and before that ap_done (it gave up
//! on a hung kernel, or an error ended the call), the run was abandoned: the kernel may still be
//! reading and writing device memory. From then on every access fails with an error saying so,
//! and a buffer freed is *quarantined* (kept allocated), so memory the kernel may still write is
//! never handed out again. Only reopening the backend (which resets the card) lifts that.

use crate::device::{Device, DeviceBuffer, DeviceInfo};
use crate::regmap::{ctrl, KernelKind, CTRL};
use crate::{Error, Result};

/// A [`Device`] that refuses work after an abandoned run (see the module documentation).
pub(crate) struct Watched {
    device: Box<dyn Device>,
    /// The kernel started and not yet seen done.
    running: Option<KernelKind>,
    /// Why the card is refused, once a run was abandoned.
    hung: Option<String>,
    /// Bytes of the buffers freed after the abandoned run and kept allocated.
    quarantined: u64,
    /// Bytes written to and read from device memory since [`Watched::take_transferred`].
    transferred: u64,
}

impl Watched {
    pub(crate) fn new(device: Box<dyn Device>) -> Self {
        Self { device, running: None, hung: None, quarantined: 0, transferred: 0 }
    }

    /// Resets the card and accepts work again (quarantined buffers stay allocated).
    pub(crate) fn reset(&mut self) -> Result<()> {
        self.device.reset()?;
        self.running = None;
        self.hung = None;
        Ok(())
    }

    /// Device memory held back because an abandoned run may still write it.
    pub(crate) fn quarantined_bytes(&self) -> u64 {
        self.quarantined
    }

    /// The bytes moved between host and device memory since the last call, and a fresh count.
    pub(crate) fn take_transferred(&mut self) -> u64 {
        std::mem::take(&mut self.transferred)
    }

    /// Fails if the card is refused; marks it refused if `kernel` (or memory, for `None`) is
    /// accessed while a run is in progress that this access abandons.
    fn check(&mut self, kernel: Option<KernelKind>) -> Result<()> {
        if let Some(running) = self.running {
            if kernel != Some(running) {
                self.hung = Some(format!(
                    "a run of kernel '{}' was abandoned before its ap_done (it timed out or failed); the card is refused until the \
                     backend is reopened, which resets it",
                    running.name()
                ));
            }
        }
        match &self.hung {
            Some(why) => Err(Error::Device(why.clone())),
            None => Ok(()),
        }
    }
}

impl Device for Watched {
    fn info(&self) -> DeviceInfo {
        self.device.info()
    }
    fn alloc(&mut self, len: u64) -> Result<DeviceBuffer> {
        self.check(None)?;
        self.device.alloc(len)
    }
    fn free(&mut self, buffer: DeviceBuffer) -> Result<()> {
        if self.check(None).is_err() {
            // The abandoned run may still write it: never hand it out again. Not an error, so the
            // caller's own error (the timeout) is the one reported.
            self.quarantined += buffer.len;
            return Ok(());
        }
        self.device.free(buffer)
    }
    fn write(&mut self, buffer: DeviceBuffer, offset: u64, data: &[u8]) -> Result<()> {
        self.check(None)?;
        self.device.write(buffer, offset, data)?;
        self.transferred += data.len() as u64;
        Ok(())
    }
    fn read(&mut self, buffer: DeviceBuffer, offset: u64, out: &mut [u8]) -> Result<()> {
        self.check(None)?;
        self.device.read(buffer, offset, out)?;
        self.transferred += out.len() as u64;
        Ok(())
    }
    fn read_reg(&mut self, kernel: KernelKind, offset: u32) -> Result<u32> {
        self.check(Some(kernel))?;
        let value = self.device.read_reg(kernel, offset)?;
        if offset == CTRL && value & ctrl::AP_DONE != 0 {
            self.running = None;
        }
        Ok(value)
    }
    fn write_reg(&mut self, kernel: KernelKind, offset: u32, value: u32) -> Result<()> {
        self.check(Some(kernel))?;
        self.device.write_reg(kernel, offset, value)?;
        if offset == CTRL && value & ctrl::AP_START != 0 {
            self.running = Some(kernel);
        }
        Ok(())
    }
    fn advance(&mut self) -> Result<()> {
        self.check(self.running)?;
        self.device.advance()
    }
    fn reset(&mut self) -> Result<()> {
        Watched::reset(self)
    }
}
