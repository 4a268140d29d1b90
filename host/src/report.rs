//! What a call cost: wall time always, device cycles where the backend has them.

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
}

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

    /// Adds another call's cost to this one (for batches).
    pub fn accumulate(&mut self, other: &Report) {
        self.size += other.size;
        self.wall += other.wall;
        self.kernel_runs += other.kernel_runs;
        self.host_passes += other.host_passes;
        self.device_cycles = match (self.device_cycles, other.device_cycles) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.clock_hz = self.clock_hz.or(other.clock_hz);
    }
}
