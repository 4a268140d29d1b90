//! Host side of the MSM kernel (Pippenger's bucket method, buckets accumulated on the card).
//!
//! 1. Pairs with a zero scalar or an identity base add nothing and are dropped. The longest
//!    remaining scalar decides how many windows there are: `⌈(bits + 1) / c⌉` of width `c`.
//! 2. Each scalar becomes signed c-bit digits `d_w ∈ [-2^(c-1)+1, 2^(c-1)]` with
//!    `Σ d_w·2^(c·w) = s` (negating a point is free, so a window needs only `2^(c-1)` buckets).
//! 3. Windows go to the card in groups whose buckets fit a lane's slots. For each group the host
//!    counts the additions each bucket `(w, |d|)` receives and gives it slots: one, plus more for
//!    a hot bucket, so that no slot takes more than `1/SPREAD` of the group's additions; a hot
//!    bucket's additions go round-robin over its slots. Equal scalars, small scalars and the short
//!    top window pile additions onto a few buckets; spread over slots they still give the kernel
//!    hundreds of different slots to alternate between, more than the additions in flight (the
//!    kernel's issue-to-write-back time, from its capability word),
//!    so its hazard logic rarely has to wait.
//! 4. Every point with a nonzero digit in the group streams through the card with one entry
//!    (slot, sign) per nonzero digit, so zero digits cost no cycle; points are cut into chunks
//!    that fit device memory, and the slots stay on chip between chunks. Each chunk is split
//!    among the kernel's lanes (point adders) into runs of about equal entry counts; every lane
//!    holds its own copy of the group's slots.
//! 5. The card flushes the slots; the host checks each (canonical, on the curve), adds up the
//!    slots of every bucket over all lanes and finishes: `S_w = Σ_b b·B_{w,b}` by running sums, then
//!    `Σ_w 2^(c·w)·S_w` by doubling. These sums are a few thousand additions per window, small
//!    next to the `N·W` on the card, and they need the whole bucket set, so the host does them.
//!
//! One module per step: [`digits`] (1–2), [`plan`] (the window width and group size from a cost
//! model of the kernel), [`slots`] (3: slots for each bucket and the entries), [`schedule`] (the
//! order of the points that keeps the issuer from waiting), [`buffers`] and [`runs`] (4: device
//! buffers and kernel runs), [`reduce`] (5), and [`driver`], which runs the steps on host threads
//! beside the card.

pub mod buffers;
pub mod digits;
pub(super) mod driver;
pub mod plan;
pub mod reduce;
pub mod runs;
pub mod schedule;
pub mod slots;

pub use buffers::MsmBuffers;
pub use digits::{signed_digits, window_count, MAX_WINDOW_BITS, SCALAR_BITS};
pub use plan::{CardMemory, MsmPlan};
pub use runs::{flush_pending, run_group, GroupRuns, SlotControl};
pub use schedule::SLOT_SLACK;
pub use slots::{PreparedMsm, WindowGroup, SPREAD};

/// A capability word with a 267-cycle issue-to-write-back time (the kernel's, see
/// kernels/src/msm.rs), for the unit tests.
#[cfg(test)]
fn test_caps(log_slots: u32, lanes: u32) -> u32 {
    use crate::regmap::msm_caps;
    msm_caps::with_writeback(msm_caps::encode(log_slots, lanes), 267)
}
