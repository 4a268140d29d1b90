//! Slots for the buckets of a window group, and the entries that add each point into them
//! (step 3 of [`super`]).

use ark_bn254::{Fr, G1Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, Zero};
use rayon::prelude::*;

use super::digits::signed_digits;
use super::plan::{CardMemory, MsmPlan};
use super::schedule::schedule;
use crate::regmap::{msm_args, msm_entry};
use crate::wire::{field_to_montgomery_bytes, FIELD_BYTES};
use crate::Result;

/// Hot buckets get enough slots that each slot takes at most `1/SPREAD` of a group's
/// additions: on average a slot then comes round every `SPREAD` issue cycles, well beyond the
/// kernel's issue-to-write-back time (267 cycles in the current kernel).
pub const SPREAD: u64 = 1024;

/// An MSM made ready for the card: the pairs that add something, their digits and plan.
pub struct PreparedMsm {
    pub plan: MsmPlan,
    /// The bases with a nonzero scalar that are not the identity, in the device encoding
    /// (x then y, Montgomery form).
    pub points: Vec<[u8; msm_args::POINT_BYTES]>,
    /// Their digits, `plan.windows` per point.
    digits: Vec<i16>,
}

/// One window group as the card gets it.
pub struct WindowGroup {
    /// The group's first window.
    pub first: usize,
    /// Windows in the group.
    pub windows: usize,
    /// For each slot in use, its bucket: `w·2^(c-1) + |d| − 1` with `w` counted in the group.
    pub slot_bucket: Vec<u32>,
    /// The points (indices into [`PreparedMsm::points`]) with a nonzero digit in the group, in order.
    pub points: Vec<u32>,
    /// Their entries, point after point, the last of each point marked `LAST`.
    pub entries: Vec<u16>,
    /// `entries[entry_start[i]..entry_start[i + 1]]` are the entries of `points[i]`.
    pub entry_start: Vec<usize>,
}

impl WindowGroup {
    /// Slots in use.
    pub fn slots(&self) -> u32 {
        self.slot_bucket.len() as u32
    }
}

impl PreparedMsm {
    /// Drops the pairs that add nothing, digitises the rest and plans for a card with
    /// capability word `caps` and `memory`. Lengths must already match.
    pub fn new(bases: &[G1Affine], scalars: &[Fr], caps: u32, memory: CardMemory) -> Result<Self> {
        let kept: Vec<(&G1Affine, Fr)> =
            bases.iter().zip(scalars).filter(|(b, s)| !b.is_zero() && !s.is_zero()).map(|(b, s)| (b, *s)).collect();
        let bits = kept.iter().map(|(_, s)| s.into_bigint().num_bits()).max().unwrap_or(1);
        let plan = MsmPlan::new(kept.len().max(1), bits, caps, memory)?;
        let windows = plan.windows as usize;
        let mut digits = vec![0i16; kept.len() * windows];
        digits.par_chunks_mut(windows.max(1)).zip(&kept).for_each(|(out, (_, s))| signed_digits(s, plan.c, out));
        let points = kept
            .par_iter()
            .map(|(b, _)| {
                let mut p = [0u8; msm_args::POINT_BYTES];
                p[..FIELD_BYTES].copy_from_slice(&field_to_montgomery_bytes(&b.x));
                p[FIELD_BYTES..].copy_from_slice(&field_to_montgomery_bytes(&b.y));
                p
            })
            .collect();
        Ok(Self { plan, points, digits })
    }

    /// The first window of every group.
    pub fn group_starts(&self) -> impl Iterator<Item = usize> {
        (0..self.plan.windows as usize).step_by(self.plan.group as usize)
    }

    /// The slots and entries of the group starting at window `first`.
    pub fn group(&self, first: usize) -> WindowGroup {
        let (all, half) = (self.plan.windows as usize, 1usize << (self.plan.c - 1));
        let windows = (self.plan.group as usize).min(all - first);
        let bucket = |w: usize, d: i16| w * half + d.unsigned_abs() as usize - 1;
        let mut counts = vec![0u64; windows * half];
        for d in self.digits.chunks_exact(all) {
            for (w, &x) in d[first..first + windows].iter().enumerate().filter(|(_, &x)| x != 0) {
                counts[bucket(w, x)] += 1;
            }
        }
        // One slot per bucket hit, plus the spare slots for the hot ones.
        let total: u64 = counts.iter().sum();
        let used = counts.iter().filter(|&&k| k > 0).count() as u64;
        let spare = self.plan.slots as u64 - used;
        let wanted: Vec<u64> = counts.iter().map(|&k| if k == 0 { 0 } else { (k * SPREAD).div_ceil(total) - 1 }).collect();
        let all_wanted: u64 = wanted.iter().sum();
        let mut slot_bucket = Vec::with_capacity(self.plan.slots as usize);
        let mut first_slot = vec![0u32; counts.len()];
        let mut replicas = vec![0u32; counts.len()];
        for (b, (_, &want)) in counts.iter().zip(&wanted).enumerate().filter(|(_, (&k, _))| k > 0) {
            let extra = if all_wanted <= spare { want } else { want * spare / all_wanted };
            first_slot[b] = slot_bucket.len() as u32;
            replicas[b] = 1 + extra as u32;
            slot_bucket.extend(std::iter::repeat_n(b as u32, replicas[b] as usize));
        }
        // Entries, each bucket's additions round-robin over its slots.
        let mut next = vec![0u32; counts.len()];
        let (mut points, mut entries, mut entry_start) = (Vec::new(), Vec::new(), vec![0usize]);
        for (i, d) in self.digits.chunks_exact(all).enumerate() {
            let start = entries.len();
            for (w, &x) in d[first..first + windows].iter().enumerate().filter(|(_, &x)| x != 0) {
                let b = bucket(w, x);
                entries.push(msm_entry::encode(first_slot[b] + next[b] % replicas[b], x < 0, false));
                next[b] += 1;
            }
            if entries.len() > start {
                *entries.last_mut().expect("an entry") |= msm_entry::LAST;
                points.push(i as u32);
                entry_start.push(entries.len());
            }
        }
        let order = schedule(&entries, &entry_start, slot_bucket.len(), self.plan.slot_distance);
        let mut group =
            WindowGroup { first, windows, slot_bucket, points: Vec::new(), entries: Vec::new(), entry_start: vec![0] };
        for k in order {
            group.points.push(points[k]);
            group.entries.extend_from_slice(&entries[entry_start[k]..entry_start[k + 1]]);
            group.entry_start.push(group.entries.len());
        }
        group
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::msm::test_caps;
    use ark_ff::{AdditiveGroup, Field};
    use ark_std::UniformRand;

    /// The entries of every group, decoded: (point, slot, negate) per addition.
    fn additions(job: &PreparedMsm, group: &WindowGroup) -> Vec<(u32, u32, bool)> {
        let mut out = Vec::new();
        for (k, &p) in group.points.iter().enumerate() {
            let entries = &group.entries[group.entry_start[k]..group.entry_start[k + 1]];
            for (j, &e) in entries.iter().enumerate() {
                let (slot, negate, last) = msm_entry::decode(e);
                assert_eq!(last, j + 1 == entries.len(), "LAST marks exactly the point's last entry");
                assert!(slot < group.slots() && group.slots() <= job.plan.slots);
                out.push((p, slot, negate));
            }
        }
        out
    }

    #[test]
    fn entries_add_every_nonzero_digit_to_a_slot_of_its_bucket() {
        let mut rng = crate::testing::rng(5);
        let n = 300;
        let bases = crate::testing::random_bases(n, &mut rng);
        let mut scalars = crate::testing::small_skewed_scalars(n, &mut rng);
        scalars[..100].copy_from_slice(&crate::testing::random_scalars(100, &mut rng));
        let job = PreparedMsm::new(&bases, &scalars, test_caps(8, 1), CardMemory::full_ports(1 << 30)).unwrap();
        assert_eq!(job.points.len(), scalars.iter().filter(|s| !s.is_zero()).count(), "zero scalars are dropped");
        let half = 1i64 << (job.plan.c - 1);
        // Σ over entries of ±2^(c·w)·|d| per point must give back each scalar.
        let mut rebuilt = vec![Fr::ZERO; job.points.len()];
        for first in job.group_starts() {
            let group = job.group(first);
            for (p, slot, negate) in additions(&job, &group) {
                let b = group.slot_bucket[slot as usize] as i64;
                let (w, d) = ((first as i64 + b / half) as u64, b % half + 1);
                let term = Fr::from(d as u64) * Fr::from(2u64).pow([job.plan.c as u64 * w]);
                rebuilt[p as usize] += if negate { -term } else { term };
            }
        }
        let kept: Vec<Fr> = scalars.iter().copied().filter(|s| !s.is_zero()).collect();
        assert_eq!(rebuilt, kept);
    }

    #[test]
    fn a_hot_bucket_is_spread_round_robin_over_many_slots() {
        let mut rng = crate::testing::rng(6);
        let n = 2000;
        let bases = crate::testing::random_bases(n, &mut rng);
        let scalars = vec![Fr::rand(&mut rng); n];
        let job = PreparedMsm::new(&bases, &scalars, test_caps(12, 1), CardMemory::full_ports(1 << 30)).unwrap();
        let group = job.group(0);
        let adds = additions(&job, &group);
        // Every point hits the same bucket in each window: the additions of one window must
        // still cycle through many slots, never reusing one within the adder's 267 cycles.
        let mut last_use = std::collections::HashMap::new();
        for (t, &(_, slot, _)) in adds.iter().enumerate() {
            if let Some(prev) = last_use.insert(slot, t) {
                assert!(t - prev > 267, "slot {slot} reused after {} additions", t - prev);
            }
        }
        assert!(group.slots() as u64 >= SPREAD / 2, "{} slots", group.slots());
    }
}
