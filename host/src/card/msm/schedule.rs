//! The order in which a group's points go to the card, so that a slot's additions are spaced
//! beyond the adder's issue-to-write-back time.

use crate::regmap::msm_entry;

/// Entries added to the kernel's issue-to-write-back time to space two additions to one slot:
/// slack for the cycles its retry FIFO shifts.
pub const SLOT_SLACK: usize = 8;
/// Points the scheduler looks ahead.
pub(super) const SCHEDULE_LOOKAHEAD: usize = 32;

/// An order of the points (given by their entry ranges) in which, as far as a look-ahead of
/// [`SCHEDULE_LOOKAHEAD`] points can manage, no slot comes back within `distance`
/// entries: each time the first waiting point whose slots have all cooled down goes next, or
/// the oldest if none has. The sum does not depend on the order, the kernel's stalls do.
pub(super) fn schedule(entries: &[u16], entry_start: &[usize], slots: usize, distance: usize) -> Vec<usize> {
    let n = entry_start.len() - 1;
    let mut last_use = vec![usize::MAX; slots];
    let mut waiting: std::collections::VecDeque<usize> = (0..n.min(SCHEDULE_LOOKAHEAD)).collect();
    let (mut order, mut issued) = (Vec::with_capacity(n), 0usize);
    let slot = |e: u16| msm_entry::decode(e).0 as usize;
    while !waiting.is_empty() {
        let cooled = |&k: &usize| {
            entries[entry_start[k]..entry_start[k + 1]]
                .iter()
                .enumerate()
                .all(|(j, &e)| last_use[slot(e)] == usize::MAX || issued + j - last_use[slot(e)] > distance)
        };
        let pick = waiting.iter().position(cooled).unwrap_or(0);
        let k = waiting.remove(pick).expect("a waiting point");
        for (j, &e) in entries[entry_start[k]..entry_start[k + 1]].iter().enumerate() {
            last_use[slot(e)] = issued + j;
        }
        issued += entry_start[k + 1] - entry_start[k];
        order.push(k);
        if order.len() + waiting.len() < n {
            waiting.push_back(order.len() + waiting.len());
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_a_permutation_that_lets_a_busy_slot_cool_down() {
        // Ten points on slot 0, then 400 on slots of their own: in the given order slot 0 would
        // come back every entry; scheduled, it waits for 96 entries each time it can.
        let entries: Vec<u16> = (0..410).map(|i| msm_entry::encode(if i < 10 { 0 } else { i as u32 - 9 }, false, true)).collect();
        let entry_start: Vec<usize> = (0..=410).collect();
        let order = schedule(&entries, &entry_start, 402, 96);
        let mut sorted = order.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (0..410).collect::<Vec<_>>());
        let hot: Vec<usize> = order.iter().enumerate().filter(|(_, &k)| k < 10).map(|(t, _)| t).collect();
        assert_eq!(hot.len(), 10);
        // While other points remain (400 entries: room for four gaps), slot 0 cools down; after
        // that the rest must go back to back.
        assert!(hot[..5].windows(2).all(|w| w[1] - w[0] > 96), "{hot:?}");
    }
}
