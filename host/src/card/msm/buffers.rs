//! The three device buffers of an MSM.

use super::plan::MsmPlan;
use crate::device::{Device, DeviceBuffer};
use crate::regmap::msm_args;
use crate::Result;

/// The three device buffers of an MSM: points, entries and flushed slots.
#[derive(Clone, Copy)]
pub struct MsmBuffers {
    pub points: DeviceBuffer,
    pub entries: DeviceBuffer,
    pub slots: DeviceBuffer,
}

impl MsmBuffers {
    /// Buffers sized for `plan` (nothing stays allocated on failure).
    pub fn alloc(device: &mut dyn Device, plan: &MsmPlan) -> Result<Self> {
        let sizes = [
            (plan.chunk * msm_args::POINT_BYTES) as u64,
            plan.entries_bytes() as u64,
            (plan.lanes as usize * plan.lane_slots_bytes()) as u64,
        ];
        let mut buffers = Vec::with_capacity(3);
        for size in sizes {
            match device.alloc(size) {
                Ok(b) => buffers.push(b),
                Err(e) => {
                    buffers.into_iter().try_for_each(|b| device.free(b))?;
                    return Err(e);
                }
            }
        }
        Ok(Self { points: buffers[0], entries: buffers[1], slots: buffers[2] })
    }

    pub fn free(self, device: &mut dyn Device) -> Result<()> {
        device.free(self.points)?;
        device.free(self.entries)?;
        device.free(self.slots)
    }
}
