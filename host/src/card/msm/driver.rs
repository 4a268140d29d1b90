//! The MSM driver: the steps of [`super`] on host threads beside the card, so that the host's
//! passes hide behind kernel runs.

use std::time::{Duration, Instant};

use ark_bn254::{Fr, G1Affine, G1Projective};
use ark_ff::AdditiveGroup;

use super::buffers::MsmBuffers;
use super::plan::CardMemory;
use super::reduce::{combine_windows, reduce_group};
use super::runs::{flush_pending, run_group, SlotControl};
use super::slots::{PreparedMsm, WindowGroup};
use crate::card::CardStats;
use crate::device::Device;
use crate::regmap::msm_args;
use crate::{Error, Result};

pub(in crate::card) struct MsmDriver<'a> {
    pub device: &'a mut dyn Device,
    pub caps: u32,
    pub timeout: Duration,
    pub stats: &'a mut CardStats,
}

impl MsmDriver<'_> {
    /// The MSM on the card. While the card accumulates window group `k`, other threads prepare
    /// the entries of group `k + 1` and reduce the flushed slots of group `k − 1`, so the host's
    /// passes hide behind kernel runs (except the first preparation and the last reduction).
    pub fn run(&mut self, bases: &[G1Affine], scalars: &[Fr]) -> Result<G1Projective> {
        let host_start = Instant::now();
        let job = PreparedMsm::new(bases, scalars, self.caps, CardMemory::of(&self.device.info()))?;
        self.stats.host += host_start.elapsed();
        if job.points.is_empty() {
            return Ok(G1Projective::ZERO);
        }
        let buffers = MsmBuffers::alloc(self.device, &job.plan)?;
        let result = self.run_groups(&job, buffers);
        buffers.free(self.device)?;
        let window_sums = result?;
        let combine_start = Instant::now();
        let sum = combine_windows(&window_sums, job.plan.c);
        self.stats.host += combine_start.elapsed();
        Ok(sum)
    }

    /// Every window group through the card; the window sums, in window order.
    fn run_groups(&mut self, job: &PreparedMsm, buffers: MsmBuffers) -> Result<Vec<G1Projective>> {
        type Sums = Result<(Vec<G1Projective>, Duration)>;
        let timed = |work: &dyn Fn() -> Result<Vec<G1Projective>>| {
            let start = Instant::now();
            work().map(|v| (v, start.elapsed()))
        };
        let starts: Vec<usize> = job.group_starts().collect();
        let (c, plan) = (job.plan.c, job.plan);
        let mut control = SlotControl::new(plan.lanes);
        std::thread::scope(|scope| {
            let prepare = |first: usize| {
                scope.spawn(move || {
                    let start = Instant::now();
                    (job.group(first), start.elapsed())
                })
            };
            // The slots of `lanes` (one lane's after the other), just flushed, reduced on a host
            // thread.
            let reduce = |device: &mut dyn Device,
                          group: WindowGroup,
                          lanes: Vec<usize>|
             -> Result<std::thread::ScopedJoinHandle<'_, Sums>> {
                let lane_bytes = group.slot_bucket.len() * msm_args::BUCKET_BYTES;
                let mut slots = vec![0u8; lanes.len() * lane_bytes];
                for (&j, out) in lanes.iter().zip(slots.chunks_exact_mut(lane_bytes)) {
                    device.read(buffers.slots, (j * plan.lane_slots_bytes()) as u64, out)?;
                }
                Ok(scope.spawn(move || timed(&|| reduce_group(&slots, &lanes, &group, c))))
            };
            let mut next = Some(prepare(starts[0]));
            // (group index, its window sums), in any order; the group whose slots wait in the
            // other bank for the next run to write them out.
            let mut reductions = Vec::with_capacity(starts.len());
            let mut waiting: Option<(usize, WindowGroup, Vec<usize>)> = None;
            for k in 0..starts.len() {
                let (group, prepared_in) = joined(next.take().expect("prepared group"))?;
                self.stats.host += prepared_in;
                next = starts.get(k + 1).map(|&first| prepare(first));
                if group.points.is_empty() {
                    let windows = group.windows;
                    reductions.push((k, scope.spawn(move || timed(&|| Ok(vec![G1Projective::ZERO; windows])))));
                    continue;
                }
                let done = run_group(self.device, job, &group, buffers, &mut control, self.timeout)?;
                self.stats.runs += done.runs;
                self.stats.cycles += done.cycles;
                if let Some((index, previous, lanes)) = waiting.take() {
                    debug_assert_eq!(lanes, done.flushed);
                    reductions.push((index, reduce(self.device, previous, lanes)?));
                }
                waiting = Some((k, group, done.lanes));
            }
            if let Some((index, last, _)) = waiting.take() {
                let (cycles, lanes) = flush_pending(self.device, &plan, buffers, &mut control, self.timeout)?;
                self.stats.runs += 1;
                self.stats.cycles += cycles;
                reductions.push((index, reduce(self.device, last, lanes)?));
            }
            reductions.sort_by_key(|(index, _)| *index);
            let mut window_sums = Vec::with_capacity(plan.windows as usize);
            for (_, handle) in reductions {
                let (sums, reduced_in) = joined(handle)??;
                self.stats.host += reduced_in;
                window_sums.extend(sums);
            }
            Ok(window_sums)
        })
    }
}

/// The result of a host thread, a panic in it turned into an internal error (a bug of ours, not
/// a device fault).
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> Result<T> {
    handle.join().map_err(|panic| Error::from_panic(panic.as_ref()))
}
