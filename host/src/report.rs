//! What a call cost: wall time always, device cycles where the backend has them, and for
//! hardware backends a projection of the call end to end on a real card.

use std::time::Duration;

use serde::Serialize;

/// The cost of one backend call (or of a batch, summed).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    /// The backend that ran the call.
    pub backend: String,
    /// "msm" or "ntt" (with the transform kind).
    pub operation: String,
    /// Number of points (MSM) or values (NTT) processed.
    pub size: usize,
    /// Host wall time of the whole call, including pre- and post-processing.
    #[serde(serialize_with = "seconds")]
    pub wall: Duration,
    /// Kernel clock cycles summed over every kernel run of the call (hardware backends only).
    pub device_cycles: Option<u64>,
    /// The kernel clock the cycles are projected at, in Hz (hardware backends only).
    pub clock_hz: Option<u64>,
    /// How many kernel runs the call took (chunks, sub-transforms); 0 on the CPU.
    pub kernel_runs: u32,
    /// Host time spent in the hardware driver's own passes (four-step transposes and twiddles,
    /// coset scaling, MSM digit recoding and bucket reduction); zero on the CPU backend.
    #[serde(serialize_with = "seconds")]
    pub host_passes: Duration,
    /// Bytes the driver moved between host and device memory (written plus read); zero on the
    /// CPU backend.
    pub transfer_bytes: u64,
}

/// The host-to-card link the end-to-end projection assumes: PCIe Gen3 x16 at its theoretical
/// peak, 8 GT/s × 16 lanes × 128/130 encoding = 15.75 GB/s (F1's link; F2's is not slower).
/// A real DMA engine gets less, so the transfer term is a lower bound.
pub const PROJECTED_LINK_BYTES_PER_SECOND: f64 = 8e9 * 16.0 * 128.0 / 130.0 / 8.0;

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

impl Report {
    /// Device time projected from the cycle count at the kernel clock, if both are known.
    pub fn projected_device_time(&self) -> Option<Duration> {
        match (self.device_cycles, self.clock_hz) {
            (Some(cycles), Some(hz)) if hz > 0 => Some(Duration::from_secs_f64(cycles as f64 / hz as f64)),
            _ => None,
        }
    }

    /// The call on a real card, projected: the kernel time at the clock, plus every host pass of
    /// the driver (all of it, although the driver overlaps some with kernel runs, so this term is
    /// an upper bound), plus the transfers at [`PROJECTED_LINK_BYTES_PER_SECOND`] (a lower bound).
    /// Host work outside the driver (decoding the caller's bytes) is not in it. `None` without
    /// device cycles.
    pub fn projected_end_to_end(&self) -> Option<Duration> {
        let transfers = Duration::from_secs_f64(self.transfer_bytes as f64 / PROJECTED_LINK_BYTES_PER_SECOND);
        Some(self.projected_device_time()? + self.host_passes + transfers)
    }

    /// Adds another call's cost to this one (for batches).
    pub fn accumulate(&mut self, other: &Report) {
        self.size += other.size;
        self.wall += other.wall;
        self.kernel_runs += other.kernel_runs;
        self.host_passes += other.host_passes;
        self.transfer_bytes += other.transfer_bytes;
        self.device_cycles = match (self.device_cycles, other.device_cycles) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.clock_hz = self.clock_hz.or(other.clock_hz);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_end_to_end_projection_adds_kernel_host_and_transfers() {
        let mut report = Report {
            device_cycles: Some(250_000),
            clock_hz: Some(250_000_000),
            host_passes: Duration::from_millis(2),
            transfer_bytes: 15_753_846, // 1 ms at the projected link rate (rounded)
            ..Report::default()
        };
        let e2e = report.projected_end_to_end().unwrap().as_secs_f64();
        assert!((e2e - 0.004).abs() < 1e-6, "{e2e}");
        report.accumulate(&report.clone());
        assert_eq!(report.transfer_bytes, 2 * 15_753_846);
        assert_eq!(Report::default().projected_end_to_end(), None, "no cycles, no projection");
    }
}
