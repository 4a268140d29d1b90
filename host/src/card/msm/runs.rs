//! Kernel runs: a window group's points streamed through the card chunk by chunk, split among
//! the lanes, and the flushes of the slot banks (step 4 of [`super`]).

use std::time::Duration;

use super::buffers::MsmBuffers;
use super::plan::MsmPlan;
use super::slots::{PreparedMsm, WindowGroup};
use crate::device::{run_kernel, ArgValue, Device};
use crate::regmap::{msm_args, msm_config, KernelKind};
use crate::Result;

/// What a group's runs do to the lanes' slot banks besides accumulating.
///
/// Each lane has two banks. Group after group alternates between them, and a group's slots are
/// written out by the first run of the next group (in the bank it is not using), or by
/// [`flush_pending`] after the last group, so the flush overlaps the accumulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotControl {
    /// For each lane and bank, slots `0..clean[j][b]` are known to be empty. A lane whose part of
    /// a group uses more slots clears them before its first run; a flush leaves the slots it
    /// wrote out empty again, and `clean` says so.
    pub clean: Vec<[u32; 2]>,
    /// For each lane, the slots of the previous group waiting in the other bank to be written out
    /// (0: none).
    pub pending: Vec<u32>,
    /// The bank the next group accumulates into.
    pub bank: bool,
    /// Whether a group's slots are written out at all (a benchmark of the accumulation alone
    /// turns it off).
    pub flush: bool,
}

impl SlotControl {
    /// Nothing known to be empty (a card fresh from power-up): every lane clears first.
    pub fn new(lanes: u32) -> Self {
        Self { clean: vec![[0; 2]; lanes as usize], pending: vec![0; lanes as usize], bank: false, flush: true }
    }

    /// Accumulation only: no clear pass and no flush (the sums are garbage, the cycles are
    /// those of the accumulation alone).
    pub fn accumulate_only(lanes: u32) -> Self {
        Self { clean: vec![[u32::MAX; 2]; lanes as usize], pending: vec![0; lanes as usize], bank: false, flush: false }
    }
}

/// What running a group did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupRuns {
    /// Kernel runs.
    pub runs: u32,
    /// Their kernel cycles.
    pub cycles: u64,
    /// The lanes that accumulated part of the group, in order.
    pub lanes: Vec<usize>,
    /// The lanes whose previous group's slots were written out to the slots buffer, in order.
    pub flushed: Vec<usize>,
}

/// Points `[bounds[j], bounds[j + 1])` of `range` go to lane `j`: cut where the entries before
/// reach `j/lanes` of the range's entries, so the lanes finish at about the same time.
fn lane_bounds(entry_start: &[usize], range: std::ops::Range<usize>, lanes: usize) -> Vec<usize> {
    let (first, total) = (entry_start[range.start], entry_start[range.end] - entry_start[range.start]);
    let starts = &entry_start[range.clone()];
    (0..=lanes)
        .map(|j| if j == lanes { range.end } else { range.start + starts.partition_point(|&e| (e - first) * lanes < total * j) })
        .collect()
}

/// One lane's part of a kernel run.
struct LaneWork {
    points: u32,
    entries: u32,
    run: msm_config::LaneRun,
    /// Byte offsets of its points and entries in the buffers.
    points_at: u64,
    entries_at: u64,
}

/// Runs the kernel once with `work[j]` for lane `j` (its flushed slots go to its area of the
/// slots buffer).
fn run_lanes(device: &mut dyn Device, plan: &MsmPlan, buffers: MsmBuffers, work: &[LaneWork], timeout: Duration) -> Result<u64> {
    let mut args = Vec::with_capacity(work.len() * msm_args::PER_LANE);
    for (j, w) in work.iter().enumerate() {
        let lane = msm_args::lane(j);
        args.extend([
            (lane.num_points, ArgValue::Scalar(w.points)),
            (lane.num_entries, ArgValue::Scalar(w.entries)),
            (lane.config, ArgValue::Scalar(msm_config::encode(w.run))),
            (lane.points, ArgValue::Address(buffers.points.addr + w.points_at)),
            (lane.entries, ArgValue::Address(buffers.entries.addr + w.entries_at)),
            (lane.slots, ArgValue::Address(buffers.slots.addr + (j * plan.lane_slots_bytes()) as u64)),
        ]);
    }
    Ok(run_kernel(device, KernelKind::Msm, &args, timeout)?.cycles)
}

/// Streams a group's points through the card, chunk by chunk, each chunk split among the lanes
/// and accumulated into bank `control.bank`; the first run also writes out the previous group's
/// slots (`control.pending`). Updates `control` for the next group. A group without points must
/// not be run (it would flip the bank for nothing).
pub fn run_group(
    device: &mut dyn Device,
    job: &PreparedMsm,
    group: &WindowGroup,
    buffers: MsmBuffers,
    control: &mut SlotControl,
    timeout: Duration,
) -> Result<GroupRuns> {
    let (plan, lanes, bank) = (&job.plan, job.plan.lanes as usize, control.bank);
    let mut used = vec![false; lanes];
    let mut done = GroupRuns { flushed: (0..lanes).filter(|&j| control.pending[j] > 0).collect(), ..GroupRuns::default() };
    let n = group.points.len();
    let chunks = n.div_ceil(plan.chunk);
    for k in 0..chunks {
        let range = k * plan.chunk..((k + 1) * plan.chunk).min(n);
        let bounds = lane_bounds(&group.entry_start, range.clone(), lanes);
        let points: Vec<u8> = group.points[range.clone()].iter().flat_map(|&i| job.points[i as usize]).collect();
        device.write(buffers.points, 0, &points)?;
        let mut entry_bytes = Vec::with_capacity(plan.entries_bytes());
        let mut work = Vec::with_capacity(lanes);
        for j in 0..lanes {
            let (p0, p1) = (bounds[j], bounds[j + 1]);
            let has_points = p1 > p0;
            let flush_slots = if k == 0 { control.pending[j] } else { 0 };
            let word = msm_args::ENTRIES_PER_WORD * msm_args::ENTRY_BYTES;
            entry_bytes.resize(entry_bytes.len().next_multiple_of(word), 0);
            let entries_at = entry_bytes.len() as u64;
            let entries = &group.entries[group.entry_start[p0]..group.entry_start[p1]];
            entry_bytes.extend(entries.iter().flat_map(|e| e.to_le_bytes()));
            // A lane with nothing to add and nothing to flush sits the run out (config 0).
            let run = if has_points {
                let clear = !used[j] && group.slots() > control.clean[j][bank as usize];
                used[j] = true;
                msm_config::LaneRun { slots: group.slots(), clear, flush_slots, bank }
            } else {
                msm_config::LaneRun { slots: 0, clear: false, flush_slots, bank }
            };
            let points_at = ((p0 - range.start) * msm_args::POINT_BYTES) as u64;
            work.push(LaneWork { points: (p1 - p0) as u32, entries: entries.len() as u32, run, points_at, entries_at });
        }
        device.write(buffers.entries, 0, &entry_bytes)?;
        done.cycles += run_lanes(device, plan, buffers, &work, timeout)?;
        done.runs += 1;
    }
    done.lanes = (0..lanes).filter(|&j| used[j]).collect();
    finish_flush(control, &done.flushed);
    if control.flush {
        control.pending = (0..lanes).map(|j| if used[j] { group.slots() } else { 0 }).collect();
        control.bank = !bank;
    }
    Ok(done)
}

/// Writes out the last group's slots (`control.pending`) in a run that accumulates nothing.
/// Returns the run's cycles and the lanes flushed.
pub fn flush_pending(
    device: &mut dyn Device,
    plan: &MsmPlan,
    buffers: MsmBuffers,
    control: &mut SlotControl,
    timeout: Duration,
) -> Result<(u64, Vec<usize>)> {
    let lanes: Vec<usize> = (0..control.pending.len()).filter(|&j| control.pending[j] > 0).collect();
    if lanes.is_empty() {
        return Ok((0, lanes));
    }
    let work: Vec<LaneWork> = control
        .pending
        .iter()
        .map(|&flush_slots| LaneWork {
            points: 0,
            entries: 0,
            run: msm_config::LaneRun { slots: 0, clear: false, flush_slots, bank: control.bank },
            points_at: 0,
            entries_at: 0,
        })
        .collect();
    let cycles = run_lanes(device, plan, buffers, &work, timeout)?;
    finish_flush(control, &lanes);
    Ok((cycles, lanes))
}

/// After `lanes` wrote out their pending slots (in the bank other than `control.bank`), those
/// slots are empty.
fn finish_flush(control: &mut SlotControl, lanes: &[usize]) {
    let flushed = !control.bank as usize;
    for &j in lanes {
        control.clean[j][flushed] = control.clean[j][flushed].max(control.pending[j]);
        control.pending[j] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_get_contiguous_runs_of_about_equal_entries() {
        // Points with 1, 2, 3, 1, 2, 3, … entries.
        let mut entry_start = vec![0usize];
        for i in 0..90 {
            entry_start.push(entry_start[i] + 1 + i % 3);
        }
        for lanes in 1..=4 {
            let b = lane_bounds(&entry_start, 10..70, lanes);
            assert_eq!((b.len(), b[0], b[lanes]), (lanes + 1, 10, 70));
            let counts: Vec<usize> = b.windows(2).map(|w| entry_start[w[1]] - entry_start[w[0]]).collect();
            let (lo, hi) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(hi - lo <= 3, "{lanes} lanes: {counts:?}");
        }
        // Fewer points than lanes: some lanes get none, none gets a point twice.
        let b = lane_bounds(&entry_start, 5..7, 4);
        assert!(b.windows(2).all(|w| w[0] <= w[1]) && b[0] == 5 && b[4] == 7, "{b:?}");
    }
}
