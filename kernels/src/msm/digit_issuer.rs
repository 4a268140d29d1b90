//! [`DigitIssuer`]: turns a stream of bucket additions (the [`super::digits`] cutter's records, a
//! bucket *key* each) into at most one issued addition a cycle, never two within the adder's
//! latency on one target, with no host plan: the second block of issue #13's on-chip scheduler
//! (not yet wired into [`super::MsmKernel`]).
//!
//! **Targets.** An addition goes to its key's bucket when the bucket is free, else to a *spill
//! slot* of the key: a pool of `2^S` slots is handed out as contiguous **regions**, each key
//! with at most one live region used round robin. A key's index into its region is a count of
//! its lookups (every lookup claims the next index, whatever it decides), so the slot needs no
//! link to follow and a lookup of the same key right behind takes the next slot. When the
//! bucket and the claimed slot are both busy the key's region *grows*: a new one of twice the
//! size (4 slots first, at most 512) is taken from the pool's counter and its slot used at once;
//! the old one keeps its sums for the merge. Every spill slot's sum belongs to its region's key:
//! the merge (after the run, by the host: the adder only adds affine points to a bucket) adds
//! them in. The grown regions leave the issuer with their issue (`issue_grew`, base, size) for
//! the lane to log; the model (bench/src/bin/msm_conflict_model.rs, `Spill::Regions`) gives
//! every issue-#13 shape ≥ 98.7 % with 2,048 slots.
//!
//! The busy test is an **issue-time RAM**: per key (and per slot), the cycle its last addition
//! issued (a [`STAMP_BITS`]-bit stamp); busy while `now − stamp < latency` (mod `2^STAMP_BITS`).
//! It needs one read and one write a cycle and no clearing, so it scales to every window's
//! buckets (2^17 keys at c = 13) where a busy-bit register cannot. A stamp left from long ago can
//! look busy for `latency` of every `2^STAMP_BITS` cycles, which costs a retry, never a wrong
//! sum. `now` counts from power-up and `reset` leaves it running, so a run never sees the last
//! run's stamps as young; held in reset for `latency` cycles after power-up (the kernel's
//! `RESET_FLUSH` is longer), zero stamps look old too.
//!
//! Pipeline in words, one lookup a cycle (the model's `Lookups::One`):
//! - **Choose**: the retry FIFO's head if the cycle it waits for has come (kept with it; the
//!   test is registered, a cycle ahead), else the next input record if the FIFO could take it
//!   back (a credit count of every record parked or looked up, kept from registered events).
//!   Its key addresses the stamp, count, size and base RAMs.
//! - **L1**: the RAMs read (their outputs registered); the size decoded into index masks; the
//!   key against the two records ahead and the two latest issues.
//! - **L2**: the index claimed: the count read, or the index + 1 of the record one (else two)
//!   ahead when it has the same key (its count write lands after this read); the count RAM
//!   takes index + 1; the bucket stamp's age and due cycle.
//! - **L3**: the slot (region base + index modulo its size) addresses the slot stamp RAM; the
//!   grown region's slot offset.
//! - **L4**: the bucket's age against the latency; the slot stamp's age, due cycle and order
//!   against the bucket's; key and slot against the latest issues.
//! - **L5**: the slot's age against the latency; the earlier due cycle; whether the pool has
//!   room for the grown region.
//! - **Decide** (L6): to the bucket if it is free, else to the claimed slot if free, else into a
//!   grown region if the key may grow (below the largest size, room in the pool, no growth in
//!   the two cycles before, whose pool count the room test has not seen, and no growth of the
//!   same key the RAM read could not see), else parked at the FIFO's tail with the cycle it is
//!   due again (`stamp + latency − 8` of the earlier of bucket and slot, so that it issues as
//!   its target frees, or `now + latency − 8` when a forwarded hit made it busy). Busy counts
//!   the stamps and the issues the RAM reads cannot see: seven on a key (two compared in L1, one
//!   in each later stage), four on a slot (two in L4, then one a stage).
//! - **Issue**: registered; the RAMs take the stamp (bucket or slot) and a grown region from it
//!   the cycle after.
//!
//! Every decision is taken from registers: at most two LUT levels around a carry chain (the
//! 20-bit ages, the slot address's 11 bits) and three without one (docs/kernels/msm.md has the
//! measured paths).
//!
//! Regions are not cleared by `reset`: after a run the lane writes size 0 for each key it
//! logged growing (`forget`, while the issuer is idle), and `reset` restarts the pool's count.
//!
//! Latency: 7 cycles from a record's choice to its issue register when free. Throughput: one
//! lookup a cycle; a busy lookup costs its cycle and a retry. Resources: per key a 20-bit stamp,
//! a 9-bit count, a 4-bit size and an `S`-bit base (2^17 keys, S = 11: 44 bits, 5.8 Mbit), a
//! `2^S × 20`-bit slot stamp RAM, the retry FIFO (`2^A` records of `K + P + 21` bits), seven stage
//! registers of `K + P` bits and the spill fields, nine `K`-bit and four `S`-bit comparators.

use rust_hdl::prelude::*;
use zkaccel_hdl::prims::Fifo;

/// Bits of an issue-time stamp.
pub const STAMP_BITS: usize = 20;
/// A parked record's wait beside its key and payload: the cycle its key frees (bits 0..20) and
/// the sign (bit 20). The sign's place is written as a literal in `update` (rust-hdl emits a
/// named constant there as a signal name); a compile-time check holds it to this.
const WAIT_BITS: usize = STAMP_BITS + 1;
const _: () = assert!(STAMP_BITS == 20, "update's literal bit places");

/// Bits of a key's lookup count: its index into a region of at most `2^COUNT_BITS` slots.
pub const COUNT_BITS: usize = 9;
/// log2 of a key's first region and of its largest (sizes 4, 8, …, 512: a key hit every cycle
/// needs more slots than the adder's latency; the literals in `update` follow these, held by a
/// compile-time check).
pub const FIRST_REGION_LOG: usize = 2;
pub const LAST_REGION_LOG: usize = COUNT_BITS;
const _: () = assert!(FIRST_REGION_LOG == 2 && LAST_REGION_LOG == 9, "update's literal region sizes");

/// The issuer of one adder: `2^K` keys, a `P`-bit payload per record, a retry FIFO of `2^A`
/// records (`AP1 = A + 1`), a pool of `2^S` spill slots (`S1 = S + 1`).
#[derive(LogicBlock)]
pub struct DigitIssuer<const K: usize, const P: usize, const A: usize, const AP1: usize, const S: usize, const S1: usize> {
    pub clock: Signal<In, Clock>,
    /// Drops every record held or parked; the pool's count restarts. `now` runs on, so that the
    /// last run's stamps look old (hold it at least `latency` cycles after power-up, as the
    /// kernel's reset does, so that the RAMs' zero stamps look old too).
    pub reset: Signal<In, Bit>,
    pub in_key: Signal<In, Bits<K>>,
    /// Add the negated point.
    pub in_negate: Signal<In, Bit>,
    pub in_payload: Signal<In, Bits<P>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    /// Writes "no region" for `forget_key` (after a run, while idle).
    pub forget: Signal<In, Bit>,
    pub forget_key: Signal<In, Bits<K>>,
    /// An addition is issued this cycle (all from registers): to `issue_key`'s bucket, or, with
    /// `issue_to_slot`, to spill slot `issue_slot` standing in for it.
    pub issue: Signal<Out, Bit>,
    pub issue_key: Signal<Out, Bits<K>>,
    pub issue_negate: Signal<Out, Bit>,
    pub issue_payload: Signal<Out, Bits<P>>,
    pub issue_to_slot: Signal<Out, Bit>,
    pub issue_slot: Signal<Out, Bits<S>>,
    /// This issue took a new region for its key: `2^issue_region_log` slots from
    /// `issue_region_base` (the lane logs it for the merge and for `forget`).
    pub issue_grew: Signal<Out, Bit>,
    pub issue_region_base: Signal<Out, Bits<S>>,
    pub issue_region_log: Signal<Out, Bits<4>>,
    /// Nothing looked up, parked or issuing.
    pub idle: Signal<Out, Bit>,

    /// A record decided in cycle `d` is in the issue register at `d + 1`; its bucket's age is
    /// taken at `d − 4`, so it is free when that age is at least `latency − 5` …
    busy_below: Constant<Bits<STAMP_BITS>>,
    /// … and its slot's at `d − 2`: free from `latency − 3`;
    slot_busy_below: Constant<Bits<STAMP_BITS>>,
    /// a parked one is due at `stamp + latency − 8`: chosen a cycle later (its readiness is
    /// registered), it reaches the issue register seven cycles after that, as its target frees.
    retry_after: Constant<Bits<STAMP_BITS>>,
    /// `2^A − 1`: a record may be taken while fewer than this are counted (the FIFO's RAM holds
    /// `2^A`, and the count lags a taken record by a cycle).
    room_below: Constant<Bits<AP1>>,
    one: Constant<Bits<AP1>>,
    /// The pool's count may grow by `2^j` while it is at most `2^S − 2^j` (j = 2 … 9).
    room_limit_2: Constant<Bits<S1>>,
    room_limit_3: Constant<Bits<S1>>,
    room_limit_4: Constant<Bits<S1>>,
    room_limit_5: Constant<Bits<S1>>,
    room_limit_6: Constant<Bits<S1>>,
    room_limit_7: Constant<Bits<S1>>,
    room_limit_8: Constant<Bits<S1>>,
    room_limit_9: Constant<Bits<S1>>,
    /// The region sizes' logs, as constants to compare with (rust-hdl's literals are 32 bits
    /// wide in a comparison).
    log_2: Constant<Bits<4>>,
    log_3: Constant<Bits<4>>,
    log_4: Constant<Bits<4>>,
    log_5: Constant<Bits<4>>,
    log_6: Constant<Bits<4>>,
    log_7: Constant<Bits<4>>,
    log_8: Constant<Bits<4>>,
    log_9: Constant<Bits<4>>,

    now: DFF<Bits<STAMP_BITS>>,
    stamps: RAM<Bits<STAMP_BITS>, K>,
    counts: RAM<Bits<COUNT_BITS>, K>,
    /// log2 of each key's live region (0: none) and its first slot.
    sizes: RAM<Bits<4>, K>,
    bases: RAM<Bits<S>, K>,
    slot_stamps: RAM<Bits<STAMP_BITS>, S>,
    /// Slots handed out so far this run.
    taken: DFF<Bits<S1>>,
    /// Room in the pool for a region of `2^j` slots (from `taken` a cycle ago).
    room_2: DFF<Bit>,
    room_3: DFF<Bit>,
    room_4: DFF<Bit>,
    room_5: DFF<Bit>,
    room_6: DFF<Bit>,
    room_7: DFF<Bit>,
    room_8: DFF<Bit>,
    room_9: DFF<Bit>,
    /// The retry FIFO, as three FIFOs that move together (one RAM each: key, wait, payload).
    retry_keys: Fifo<Bits<K>, A, AP1>,
    retry_waits: Fifo<Bits<WAIT_BITS>, A, AP1>,
    retry_payloads: Fifo<Bits<P>, A, AP1>,
    /// Records parked or being looked up, counted from the registered events `took` and `freed`
    /// a cycle late (never above `2^A`, so the FIFO cannot overflow).
    reserved: DFF<Bits<AP1>>,
    took: DFF<Bit>,
    freed: DFF<Bit>,
    /// The retry FIFO's head is due (registered; cleared as the head is taken, since the next
    /// one is another record).
    head_due: DFF<Bit>,

    take_retry: Signal<Local, Bit>,
    take_new: Signal<Local, Bit>,
    chosen_key: Signal<Local, Bits<K>>,
    /// `now −` the cycle the FIFO's head waits for: its wait is over when this is not negative
    /// (its top bit clear; the literal 19 in `update` is `STAMP_BITS − 1`).
    head_late: Signal<Local, Bits<STAMP_BITS>>,
    retry_waiting: Signal<Local, Bit>,

    l1_valid: DFF<Bit>,
    l1_key: DFF<Bits<K>>,
    l1_negate: DFF<Bit>,
    l1_payload: DFF<Bits<P>>,

    l2_valid: DFF<Bit>,
    l2_key: DFF<Bits<K>>,
    l2_negate: DFF<Bit>,
    l2_payload: DFF<Bits<P>>,
    l2_stamp: DFF<Bits<STAMP_BITS>>,
    /// The key's lookup count as read (registered: a deep RAM's output needs its register).
    l2_count: DFF<Bits<COUNT_BITS>>,
    /// The record one ahead (now in L3) or two ahead (in L4) has the same key: its count
    /// write is one the read could not see.
    l2_follows_1: DFF<Bit>,
    l2_follows_2: DFF<Bit>,
    /// The index this lookup claims.
    l2_claimed: Signal<Local, Bits<COUNT_BITS>>,
    /// The live region's size as a mask of the index (0: no region), the grown region's mask
    /// and log size, whether there is a region and whether it may grow: decoded from the size
    /// RAM's output in L1, so that L3's slot address is one LUT ahead of its carry chain.
    l2_mask: DFF<Bits<COUNT_BITS>>,
    l2_grow_mask: DFF<Bits<COUNT_BITS>>,
    l2_grow_log: DFF<Bits<4>>,
    l2_has_region: DFF<Bit>,
    l2_growable: DFF<Bit>,
    l2_base: DFF<Bits<S>>,
    /// L1 met the issue register or the issue before it on its key: an issue to its bucket, or
    /// a grown region, that the RAM read cannot see.
    l2_hit_bucket: DFF<Bit>,
    l2_hit_grew: DFF<Bit>,

    l3_valid: DFF<Bit>,
    l3_key: DFF<Bits<K>>,
    /// The claimed index + 1: the key's count after this lookup.
    l3_next: DFF<Bits<COUNT_BITS>>,
    l3_claimed: DFF<Bits<COUNT_BITS>>,
    l3_stamp: DFF<Bits<STAMP_BITS>>,
    l3_negate: DFF<Bit>,
    l3_payload: DFF<Bits<P>>,
    l3_age: DFF<Bits<STAMP_BITS>>,
    l3_due: DFF<Bits<STAMP_BITS>>,
    l3_has_region: DFF<Bit>,
    l3_grow_log: DFF<Bits<4>>,
    l3_mask: DFF<Bits<COUNT_BITS>>,
    l3_grow_mask: DFF<Bits<COUNT_BITS>>,
    l3_base: DFF<Bits<S>>,
    l3_growable: DFF<Bit>,
    l3_hit_bucket: DFF<Bit>,
    l3_hit_grew: DFF<Bit>,
    l3_offset: Signal<Local, Bits<COUNT_BITS>>,
    l3_slot: Signal<Local, Bits<S>>,

    l4_valid: DFF<Bit>,
    l4_key: DFF<Bits<K>>,
    l4_next: DFF<Bits<COUNT_BITS>>,
    l4_stamp: DFF<Bits<STAMP_BITS>>,
    l4_negate: DFF<Bit>,
    l4_payload: DFF<Bits<P>>,
    /// `now − stamp`, taken in L2.
    l4_age: DFF<Bits<STAMP_BITS>>,
    /// `stamp + latency − 7`: when a record parked for its stamp is due again.
    l4_due: DFF<Bits<STAMP_BITS>>,
    l4_has_region: DFF<Bit>,
    l4_slot: DFF<Bits<S>>,
    l4_grow_log: DFF<Bits<4>>,
    l4_grow_offset: DFF<Bits<COUNT_BITS>>,
    l4_growable: DFF<Bit>,
    l4_hit_bucket: DFF<Bit>,
    l4_hit_grew: DFF<Bit>,

    l5_valid: DFF<Bit>,
    l5_key: DFF<Bits<K>>,
    l5_negate: DFF<Bit>,
    l5_payload: DFF<Bits<P>>,
    /// The bucket's stamp is too young for the record to issue at its decision.
    l5_stamp_busy: DFF<Bit>,
    l5_due: DFF<Bits<STAMP_BITS>>,
    l5_has_region: DFF<Bit>,
    l5_slot: DFF<Bits<S>>,
    l5_slot_age: DFF<Bits<STAMP_BITS>>,
    l5_slot_due: DFF<Bits<STAMP_BITS>>,
    l5_grow_log: DFF<Bits<4>>,
    l5_grow_offset: DFF<Bits<COUNT_BITS>>,
    l5_growable: DFF<Bit>,
    l5_hit_bucket: DFF<Bit>,
    l5_hit_grew: DFF<Bit>,
    /// L4 met an issue to its slot that the slot RAM read cannot see.
    l5_hit_slot: DFF<Bit>,
    /// `slot stamp − bucket stamp`, taken in L4: negative when the slot frees first.
    l4_due_order: Signal<Local, Bits<STAMP_BITS>>,
    l5_slot_first: DFF<Bit>,
    l5_roomy: Signal<Local, Bit>,
    l5_grow_size: Signal<Local, Bits<S1>>,

    l6_valid: DFF<Bit>,
    l6_key: DFF<Bits<K>>,
    l6_negate: DFF<Bit>,
    l6_payload: DFF<Bits<P>>,
    l6_stamp_busy: DFF<Bit>,
    l6_slot_busy: DFF<Bit>,
    /// When a parked record is due: the earlier of its bucket's and its slot's.
    l6_due: DFF<Bits<STAMP_BITS>>,
    l6_has_region: DFF<Bit>,
    l6_slot: DFF<Bits<S>>,
    l6_grow_log: DFF<Bits<4>>,
    l6_grow_offset: DFF<Bits<COUNT_BITS>>,
    l6_grow_size: DFF<Bits<S1>>,
    /// Below the largest region, with room for the next one in the pool.
    l6_may_grow: DFF<Bit>,
    l6_hit_bucket: DFF<Bit>,
    l6_hit_grew: DFF<Bit>,
    l6_hit_slot: DFF<Bit>,
    bucket_busy: Signal<Local, Bit>,
    to_slot: Signal<Local, Bit>,
    grow: Signal<Local, Bit>,
    free: Signal<Local, Bit>,
    park: Signal<Local, Bit>,
    grown_slot: Signal<Local, Bits<S1>>,
    /// The cycle a parked record's target frees.
    ready_at: Signal<Local, Bits<STAMP_BITS>>,

    i_valid: DFF<Bit>,
    i_key: DFF<Bits<K>>,
    i_negate: DFF<Bit>,
    i_payload: DFF<Bits<P>>,
    i_to_slot: DFF<Bit>,
    i_slot: DFF<Bits<S>>,
    i_grew: DFF<Bit>,
    i_region_base: DFF<Bits<S>>,
    i_region_log: DFF<Bits<4>>,
    /// The issue before the issue register's.
    h_valid: DFF<Bit>,
    h_key: DFF<Bits<K>>,
    h_to_slot: DFF<Bit>,
    h_slot: DFF<Bits<S>>,
    h_grew: DFF<Bit>,
}

impl<const K: usize, const P: usize, const A: usize, const AP1: usize, const S: usize, const S1: usize>
    DigitIssuer<K, P, A, AP1, S, S1>
{
    /// An issuer for an adder whose additions take `latency` cycles from issue to write-back.
    pub fn new(latency: usize) -> Self {
        assert!((8..1 << (STAMP_BITS - 1)).contains(&latency), "a latency of {latency} cycles does not fit the stamps");
        assert!(S1 == S + 1 && (LAST_REGION_LOG..=16).contains(&S), "a pool of 2^{S} slots (S1 = {S1}) holds no largest region");
        assert!(AP1 == A + 1, "AP1 = A + 1");
        let stamp = |v: usize| Constant::new(Bits::<STAMP_BITS>::from(v as u64));
        let room_limit = |log: usize| Constant::new(Bits::<S1>::from((1u64 << S) - (1u64 << log)));
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_key: Default::default(),
            in_negate: Default::default(),
            in_payload: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            forget: Default::default(),
            forget_key: Default::default(),
            issue: Default::default(),
            issue_key: Default::default(),
            issue_negate: Default::default(),
            issue_payload: Default::default(),
            issue_to_slot: Default::default(),
            issue_slot: Default::default(),
            issue_grew: Default::default(),
            issue_region_base: Default::default(),
            issue_region_log: Default::default(),
            idle: Default::default(),
            busy_below: stamp(latency - 5),
            slot_busy_below: stamp(latency - 3),
            retry_after: stamp(latency - 8),
            room_below: Constant::new(Bits::<AP1>::from((1u64 << A) - 1)),
            one: Constant::new(Bits::<AP1>::from(1u64)),
            room_limit_2: room_limit(2),
            room_limit_3: room_limit(3),
            room_limit_4: room_limit(4),
            room_limit_5: room_limit(5),
            room_limit_6: room_limit(6),
            room_limit_7: room_limit(7),
            room_limit_8: room_limit(8),
            room_limit_9: room_limit(9),
            log_2: Constant::new(Bits::<4>::from(2u64)),
            log_3: Constant::new(Bits::<4>::from(3u64)),
            log_4: Constant::new(Bits::<4>::from(4u64)),
            log_5: Constant::new(Bits::<4>::from(5u64)),
            log_6: Constant::new(Bits::<4>::from(6u64)),
            log_7: Constant::new(Bits::<4>::from(7u64)),
            log_8: Constant::new(Bits::<4>::from(8u64)),
            log_9: Constant::new(Bits::<4>::from(9u64)),
            now: Default::default(),
            stamps: Default::default(),
            counts: Default::default(),
            sizes: Default::default(),
            bases: Default::default(),
            slot_stamps: Default::default(),
            taken: Default::default(),
            room_2: Default::default(),
            room_3: Default::default(),
            room_4: Default::default(),
            room_5: Default::default(),
            room_6: Default::default(),
            room_7: Default::default(),
            room_8: Default::default(),
            room_9: Default::default(),
            retry_keys: Default::default(),
            retry_waits: Default::default(),
            retry_payloads: Default::default(),
            reserved: Default::default(),
            took: Default::default(),
            freed: Default::default(),
            head_due: Default::default(),
            take_retry: Default::default(),
            take_new: Default::default(),
            chosen_key: Default::default(),
            head_late: Default::default(),
            retry_waiting: Default::default(),
            l1_valid: Default::default(),
            l1_key: Default::default(),
            l1_negate: Default::default(),
            l1_payload: Default::default(),
            l2_valid: Default::default(),
            l2_key: Default::default(),
            l2_negate: Default::default(),
            l2_payload: Default::default(),
            l2_stamp: Default::default(),
            l2_count: Default::default(),
            l2_follows_1: Default::default(),
            l2_follows_2: Default::default(),
            l2_claimed: Default::default(),
            l2_grow_log: Default::default(),
            l2_has_region: Default::default(),
            l2_growable: Default::default(),
            l2_base: Default::default(),
            l2_hit_bucket: Default::default(),
            l2_hit_grew: Default::default(),
            l2_mask: Default::default(),
            l2_grow_mask: Default::default(),
            l3_valid: Default::default(),
            l3_key: Default::default(),
            l3_next: Default::default(),
            l3_claimed: Default::default(),
            l3_stamp: Default::default(),
            l3_negate: Default::default(),
            l3_payload: Default::default(),
            l3_age: Default::default(),
            l3_due: Default::default(),
            l3_has_region: Default::default(),
            l3_grow_log: Default::default(),
            l3_mask: Default::default(),
            l3_grow_mask: Default::default(),
            l3_base: Default::default(),
            l3_growable: Default::default(),
            l3_hit_bucket: Default::default(),
            l3_hit_grew: Default::default(),
            l3_offset: Default::default(),
            l3_slot: Default::default(),
            l4_valid: Default::default(),
            l4_key: Default::default(),
            l4_next: Default::default(),
            l4_stamp: Default::default(),
            l4_negate: Default::default(),
            l4_payload: Default::default(),
            l4_age: Default::default(),
            l4_due: Default::default(),
            l4_has_region: Default::default(),
            l4_slot: Default::default(),
            l4_grow_log: Default::default(),
            l4_grow_offset: Default::default(),
            l4_growable: Default::default(),
            l4_hit_bucket: Default::default(),
            l4_hit_grew: Default::default(),
            l5_valid: Default::default(),
            l5_key: Default::default(),
            l5_negate: Default::default(),
            l5_payload: Default::default(),
            l5_stamp_busy: Default::default(),
            l5_due: Default::default(),
            l5_has_region: Default::default(),
            l5_slot: Default::default(),
            l5_slot_age: Default::default(),
            l5_slot_due: Default::default(),
            l5_grow_log: Default::default(),
            l5_grow_offset: Default::default(),
            l5_growable: Default::default(),
            l5_hit_bucket: Default::default(),
            l5_hit_grew: Default::default(),
            l5_hit_slot: Default::default(),
            l4_due_order: Default::default(),
            l5_slot_first: Default::default(),
            l5_roomy: Default::default(),
            l5_grow_size: Default::default(),
            l6_valid: Default::default(),
            l6_key: Default::default(),
            l6_negate: Default::default(),
            l6_payload: Default::default(),
            l6_stamp_busy: Default::default(),
            l6_slot_busy: Default::default(),
            l6_due: Default::default(),
            l6_has_region: Default::default(),
            l6_slot: Default::default(),
            l6_grow_log: Default::default(),
            l6_grow_offset: Default::default(),
            l6_grow_size: Default::default(),
            l6_may_grow: Default::default(),
            l6_hit_bucket: Default::default(),
            l6_hit_grew: Default::default(),
            l6_hit_slot: Default::default(),
            bucket_busy: Default::default(),
            to_slot: Default::default(),
            grow: Default::default(),
            free: Default::default(),
            park: Default::default(),
            grown_slot: Default::default(),
            ready_at: Default::default(),
            i_valid: Default::default(),
            i_key: Default::default(),
            i_negate: Default::default(),
            i_payload: Default::default(),
            i_to_slot: Default::default(),
            i_slot: Default::default(),
            i_grew: Default::default(),
            i_region_base: Default::default(),
            i_region_log: Default::default(),
            h_valid: Default::default(),
            h_key: Default::default(),
            h_to_slot: Default::default(),
            h_slot: Default::default(),
            h_grew: Default::default(),
        }
    }
}

impl<const K: usize, const P: usize, const A: usize, const AP1: usize, const S: usize, const S1: usize> Logic
    for DigitIssuer<K, P, A, AP1, S, S1>
{
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, now, taken, room_2, room_3, room_4, room_5, room_6, room_7, room_8, room_9, reserved, took, freed, head_due,
            l1_valid, l1_key, l1_negate, l1_payload,
            l2_valid, l2_key, l2_negate, l2_payload, l2_stamp, l2_count, l2_follows_1, l2_follows_2, l2_mask, l2_grow_mask, l2_grow_log, l2_has_region, l2_growable, l2_base, l2_hit_bucket, l2_hit_grew,
            l3_valid, l3_key, l3_next, l3_claimed, l3_stamp, l3_negate, l3_payload, l3_age, l3_due, l3_has_region, l3_grow_log, l3_mask, l3_grow_mask, l3_base, l3_growable, l3_hit_bucket, l3_hit_grew,
            l4_valid, l4_key, l4_next, l4_stamp, l4_negate, l4_payload, l4_age, l4_due, l4_has_region, l4_slot, l4_grow_log, l4_grow_offset, l4_growable, l4_hit_bucket, l4_hit_grew,
            l5_valid, l5_key, l5_slot_first, l5_negate, l5_payload, l5_stamp_busy, l5_due, l5_has_region, l5_slot, l5_slot_age, l5_slot_due, l5_grow_log, l5_grow_offset, l5_growable, l5_hit_bucket, l5_hit_grew, l5_hit_slot,
            l6_valid, l6_key, l6_negate, l6_payload, l6_stamp_busy, l6_slot_busy, l6_due, l6_has_region, l6_slot, l6_grow_log, l6_grow_offset, l6_grow_size, l6_may_grow, l6_hit_bucket, l6_hit_grew, l6_hit_slot,
            i_valid, i_key, i_negate, i_payload, i_to_slot, i_slot, i_grew, i_region_base, i_region_log, h_valid, h_key, h_to_slot, h_slot, h_grew);
        clock!(self, clock, retry_keys, retry_waits, retry_payloads);
        self.stamps.read_clock.next = self.clock.val();
        self.stamps.write_clock.next = self.clock.val();
        self.counts.read_clock.next = self.clock.val();
        self.counts.write_clock.next = self.clock.val();
        self.sizes.read_clock.next = self.clock.val();
        self.sizes.write_clock.next = self.clock.val();
        self.bases.read_clock.next = self.clock.val();
        self.bases.write_clock.next = self.clock.val();
        self.slot_stamps.read_clock.next = self.clock.val();
        self.slot_stamps.write_clock.next = self.clock.val();
        self.now.d.next = self.now.q.val() + bits::<STAMP_BITS>(1);
        self.room_2.d.next = self.taken.q.val() <= self.room_limit_2.val();
        self.room_3.d.next = self.taken.q.val() <= self.room_limit_3.val();
        self.room_4.d.next = self.taken.q.val() <= self.room_limit_4.val();
        self.room_5.d.next = self.taken.q.val() <= self.room_limit_5.val();
        self.room_6.d.next = self.taken.q.val() <= self.room_limit_6.val();
        self.room_7.d.next = self.taken.q.val() <= self.room_limit_7.val();
        self.room_8.d.next = self.taken.q.val() <= self.room_limit_8.val();
        self.room_9.d.next = self.taken.q.val() <= self.room_limit_9.val();

        // Choose: the head of the retry FIFO if it is due (a register: `due ≤ now`, mod 2^20, a
        // cycle ago), else a new record if every record looked up or parked, and this one,
        // could be parked.
        self.head_late.next = self.now.q.val() - self.retry_waits.data_out.val().get_bits::<STAMP_BITS>(0);
        self.retry_waiting.next = !self.retry_keys.empty.val() & !self.retry_waits.empty.val() & !self.retry_payloads.empty.val();
        self.take_retry.next = self.head_due.q.val();
        self.head_due.d.next = self.retry_waiting.val() & !self.take_retry.val() & !self.head_late.val().get_bit(19);
        self.in_ready.next = !self.take_retry.val() & (self.reserved.q.val() < self.room_below.val());
        self.take_new.next = self.in_ready.val() & self.in_valid.val();
        self.retry_keys.read.next = self.take_retry.val();
        self.retry_waits.read.next = self.take_retry.val();
        self.retry_payloads.read.next = self.take_retry.val();
        self.chosen_key.next = self.in_key.val();
        self.l1_negate.d.next = self.in_negate.val();
        self.l1_payload.d.next = self.in_payload.val();
        if self.take_retry.val() {
            self.chosen_key.next = self.retry_keys.data_out.val();
            self.l1_negate.d.next = self.retry_waits.data_out.val().get_bit(20);
            self.l1_payload.d.next = self.retry_payloads.data_out.val();
        }
        self.l1_key.d.next = self.chosen_key.val();
        self.l1_valid.d.next = self.take_retry.val() | self.take_new.val();
        self.stamps.read_address.next = self.chosen_key.val();
        self.counts.read_address.next = self.chosen_key.val();
        self.sizes.read_address.next = self.chosen_key.val();
        self.bases.read_address.next = self.chosen_key.val();

        // L1: the RAMs read; the key against the two records ahead (for the count) and the
        // two latest issues (of the seven the reads cannot see).
        self.l2_count.d.next = self.counts.read_data.val();
        self.l2_follows_1.d.next = self.l2_valid.q.val() & (self.l2_key.q.val() == self.l1_key.q.val());
        self.l2_follows_2.d.next = self.l3_valid.q.val() & (self.l3_key.q.val() == self.l1_key.q.val());
        self.l2_valid.d.next = self.l1_valid.q.val();
        self.l2_key.d.next = self.l1_key.q.val();
        self.l2_negate.d.next = self.l1_negate.q.val();
        self.l2_payload.d.next = self.l1_payload.q.val();
        self.l2_stamp.d.next = self.stamps.read_data.val();
        self.l2_has_region.d.next = self.sizes.read_data.val().any();
        self.l2_growable.d.next = self.sizes.read_data.val() != self.log_9.val();
        self.l2_mask.d.next = bits::<COUNT_BITS>(0);
        self.l2_grow_mask.d.next = bits::<COUNT_BITS>(3);
        self.l2_grow_log.d.next = bits::<4>(2);
        if self.sizes.read_data.val() == self.log_2.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(3); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(7); self.l2_grow_log.d.next = bits::<4>(3); }
        if self.sizes.read_data.val() == self.log_3.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(7); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(15); self.l2_grow_log.d.next = bits::<4>(4); }
        if self.sizes.read_data.val() == self.log_4.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(15); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(31); self.l2_grow_log.d.next = bits::<4>(5); }
        if self.sizes.read_data.val() == self.log_5.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(31); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(63); self.l2_grow_log.d.next = bits::<4>(6); }
        if self.sizes.read_data.val() == self.log_6.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(63); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(127); self.l2_grow_log.d.next = bits::<4>(7); }
        if self.sizes.read_data.val() == self.log_7.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(127); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(255); self.l2_grow_log.d.next = bits::<4>(8); }
        if self.sizes.read_data.val() == self.log_8.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(255); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(511); self.l2_grow_log.d.next = bits::<4>(9); }
        if self.sizes.read_data.val() == self.log_9.val() { self.l2_mask.d.next = bits::<COUNT_BITS>(511); self.l2_grow_mask.d.next = bits::<COUNT_BITS>(0); self.l2_grow_log.d.next = bits::<4>(9); }
        self.l2_base.d.next = self.bases.read_data.val();
        self.l2_hit_bucket.d.next = (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l1_key.q.val()))
            | (self.h_valid.q.val() & !self.h_to_slot.q.val() & (self.h_key.q.val() == self.l1_key.q.val()));
        self.l2_hit_grew.d.next = (self.i_valid.q.val() & self.i_grew.q.val() & (self.i_key.q.val() == self.l1_key.q.val()))
            | (self.h_valid.q.val() & self.h_grew.q.val() & (self.h_key.q.val() == self.l1_key.q.val()));

        // L2: the index claimed (the latest count: of the record one ahead, else two ahead,
        // else the RAM's), and the count written back; the stamp's age; the slot at the claimed
        // index addresses the slot stamps; the grown region's size and slot offset.
        self.l2_claimed.next = self.l2_count.q.val();
        if self.l2_follows_2.q.val() {
            self.l2_claimed.next = self.l4_next.q.val();
        }
        if self.l2_follows_1.q.val() {
            self.l2_claimed.next = self.l3_next.q.val();
        }
        self.counts.write_enable.next = self.l2_valid.q.val();
        self.counts.write_address.next = self.l2_key.q.val();
        self.counts.write_data.next = self.l2_claimed.val() + bits::<COUNT_BITS>(1);
        self.l3_next.d.next = self.l2_claimed.val() + bits::<COUNT_BITS>(1);
        self.l3_claimed.d.next = self.l2_claimed.val();
        self.l3_stamp.d.next = self.l2_stamp.q.val();
        self.l3_valid.d.next = self.l2_valid.q.val();
        self.l3_key.d.next = self.l2_key.q.val();
        self.l3_negate.d.next = self.l2_negate.q.val();
        self.l3_payload.d.next = self.l2_payload.q.val();
        self.l3_age.d.next = self.now.q.val() - self.l2_stamp.q.val();
        self.l3_due.d.next = self.l2_stamp.q.val() + self.retry_after.val();
        self.l3_has_region.d.next = self.l2_has_region.q.val();
        self.l3_grow_log.d.next = self.l2_grow_log.q.val();
        self.l3_mask.d.next = self.l2_mask.q.val();
        self.l3_grow_mask.d.next = self.l2_grow_mask.q.val();
        self.l3_base.d.next = self.l2_base.q.val();
        self.l3_growable.d.next = self.l2_growable.q.val();
        self.l3_hit_bucket.d.next = self.l2_hit_bucket.q.val() | (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l2_key.q.val()));
        self.l3_hit_grew.d.next = self.l2_hit_grew.q.val() | (self.i_valid.q.val() & self.i_grew.q.val() & (self.i_key.q.val() == self.l2_key.q.val()));

        // L3: the slot at the claimed index (registered operands: one LUT ahead of the carry
        // chain) addresses the slot stamps; the grown region's slot offset.
        self.l3_offset.next = self.l3_claimed.q.val() & self.l3_mask.q.val();
        self.l3_slot.next = self.l3_base.q.val() + bit_cast::<S, COUNT_BITS>(self.l3_offset.val());
        self.slot_stamps.read_address.next = self.l3_slot.val();
        self.l4_slot.d.next = self.l3_slot.val();
        self.l4_grow_offset.d.next = self.l3_claimed.q.val() & self.l3_grow_mask.q.val();
        self.l4_next.d.next = self.l3_next.q.val();
        self.l4_stamp.d.next = self.l3_stamp.q.val();
        self.l4_valid.d.next = self.l3_valid.q.val();
        self.l4_key.d.next = self.l3_key.q.val();
        self.l4_negate.d.next = self.l3_negate.q.val();
        self.l4_payload.d.next = self.l3_payload.q.val();
        self.l4_age.d.next = self.l3_age.q.val();
        self.l4_due.d.next = self.l3_due.q.val();
        self.l4_has_region.d.next = self.l3_has_region.q.val();
        self.l4_grow_log.d.next = self.l3_grow_log.q.val();
        self.l4_growable.d.next = self.l3_growable.q.val();
        self.l4_hit_bucket.d.next = self.l3_hit_bucket.q.val() | (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l3_key.q.val()));
        self.l4_hit_grew.d.next = self.l3_hit_grew.q.val() | (self.i_valid.q.val() & self.i_grew.q.val() & (self.i_key.q.val() == self.l3_key.q.val()));

        // L4: the bucket's age against the latency; the slot stamp's age, due cycle and order
        // against the bucket's; key and slot against the latest issues.
        self.l5_valid.d.next = self.l4_valid.q.val();
        self.l5_key.d.next = self.l4_key.q.val();
        self.l4_due_order.next = self.slot_stamps.read_data.val() - self.l4_stamp.q.val();
        self.l5_slot_first.d.next = self.l4_due_order.val().get_bit(19);
        self.l5_negate.d.next = self.l4_negate.q.val();
        self.l5_payload.d.next = self.l4_payload.q.val();
        self.l5_stamp_busy.d.next = self.l4_age.q.val() < self.busy_below.val();
        self.l5_due.d.next = self.l4_due.q.val();
        self.l5_has_region.d.next = self.l4_has_region.q.val();
        self.l5_slot.d.next = self.l4_slot.q.val();
        self.l5_slot_age.d.next = self.now.q.val() - self.slot_stamps.read_data.val();
        self.l5_slot_due.d.next = self.slot_stamps.read_data.val() + self.retry_after.val();
        self.l5_grow_log.d.next = self.l4_grow_log.q.val();
        self.l5_grow_offset.d.next = self.l4_grow_offset.q.val();
        self.l5_growable.d.next = self.l4_growable.q.val();
        self.l5_hit_bucket.d.next = self.l4_hit_bucket.q.val() | (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l4_key.q.val()));
        self.l5_hit_grew.d.next = self.l4_hit_grew.q.val() | (self.i_valid.q.val() & self.i_grew.q.val() & (self.i_key.q.val() == self.l4_key.q.val()));
        self.l5_hit_slot.d.next = (self.i_valid.q.val() & self.i_to_slot.q.val() & (self.i_slot.q.val() == self.l4_slot.q.val()))
            | (self.h_valid.q.val() & self.h_to_slot.q.val() & (self.h_slot.q.val() == self.l4_slot.q.val()));

        // L5: the slot's age against the latency; the earlier due cycle; room in the pool.
        self.l5_roomy.next = false;
        self.l5_grow_size.next = bits::<S1>(4);
        if self.l5_grow_log.q.val() == self.log_2.val() { self.l5_roomy.next = self.room_2.q.val(); self.l5_grow_size.next = bits::<S1>(4); }
        if self.l5_grow_log.q.val() == self.log_3.val() { self.l5_roomy.next = self.room_3.q.val(); self.l5_grow_size.next = bits::<S1>(8); }
        if self.l5_grow_log.q.val() == self.log_4.val() { self.l5_roomy.next = self.room_4.q.val(); self.l5_grow_size.next = bits::<S1>(16); }
        if self.l5_grow_log.q.val() == self.log_5.val() { self.l5_roomy.next = self.room_5.q.val(); self.l5_grow_size.next = bits::<S1>(32); }
        if self.l5_grow_log.q.val() == self.log_6.val() { self.l5_roomy.next = self.room_6.q.val(); self.l5_grow_size.next = bits::<S1>(64); }
        if self.l5_grow_log.q.val() == self.log_7.val() { self.l5_roomy.next = self.room_7.q.val(); self.l5_grow_size.next = bits::<S1>(128); }
        if self.l5_grow_log.q.val() == self.log_8.val() { self.l5_roomy.next = self.room_8.q.val(); self.l5_grow_size.next = bits::<S1>(256); }
        if self.l5_grow_log.q.val() == self.log_9.val() { self.l5_roomy.next = self.room_9.q.val(); self.l5_grow_size.next = bits::<S1>(512); }
        self.l6_valid.d.next = self.l5_valid.q.val();
        self.l6_key.d.next = self.l5_key.q.val();
        self.l6_negate.d.next = self.l5_negate.q.val();
        self.l6_payload.d.next = self.l5_payload.q.val();
        self.l6_stamp_busy.d.next = self.l5_stamp_busy.q.val();
        self.l6_slot_busy.d.next = self.l5_slot_age.q.val() < self.slot_busy_below.val();
        self.l6_due.d.next = self.l5_due.q.val();
        if self.l5_has_region.q.val() & self.l5_slot_first.q.val() {
            self.l6_due.d.next = self.l5_slot_due.q.val();
        }
        self.l6_has_region.d.next = self.l5_has_region.q.val();
        self.l6_slot.d.next = self.l5_slot.q.val();
        self.l6_grow_log.d.next = self.l5_grow_log.q.val();
        self.l6_grow_offset.d.next = self.l5_grow_offset.q.val();
        self.l6_grow_size.d.next = self.l5_grow_size.val();
        self.l6_may_grow.d.next = self.l5_growable.q.val() & self.l5_roomy.val();
        self.l6_hit_bucket.d.next = self.l5_hit_bucket.q.val() | (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l5_key.q.val()));
        self.l6_hit_grew.d.next = self.l5_hit_grew.q.val() | (self.i_valid.q.val() & self.i_grew.q.val() & (self.i_key.q.val() == self.l5_key.q.val()));
        self.l6_hit_slot.d.next = self.l5_hit_slot.q.val() | (self.i_valid.q.val() & self.i_to_slot.q.val() & (self.i_slot.q.val() == self.l5_slot.q.val()));

        // Decide: the bucket, else the claimed slot, else a grown region, else park.
        self.bucket_busy.next = self.l6_stamp_busy.q.val() | self.l6_hit_bucket.q.val()
            | (self.i_valid.q.val() & !self.i_to_slot.q.val() & (self.i_key.q.val() == self.l6_key.q.val()));
        self.to_slot.next = self.bucket_busy.val() & self.l6_has_region.q.val() & !self.l6_slot_busy.q.val() & !self.l6_hit_slot.q.val()
            & !(self.i_valid.q.val() & self.i_to_slot.q.val() & (self.i_slot.q.val() == self.l6_slot.q.val()));
        self.grow.next = self.bucket_busy.val() & !self.to_slot.val() & self.l6_may_grow.q.val() & !self.l6_hit_grew.q.val()
            & !(self.i_valid.q.val() & self.i_grew.q.val()) & !(self.h_valid.q.val() & self.h_grew.q.val());
        self.free.next = self.l6_valid.q.val() & (!self.bucket_busy.val() | self.to_slot.val() | self.grow.val());
        self.park.next = self.l6_valid.q.val() & !self.free.val();
        self.retry_keys.write.next = self.park.val();
        self.retry_waits.write.next = self.park.val();
        self.retry_payloads.write.next = self.park.val();
        self.ready_at.next = self.now.q.val() + self.retry_after.val();
        if self.l6_stamp_busy.q.val() & (!self.l6_has_region.q.val() | self.l6_slot_busy.q.val()) {
            self.ready_at.next = self.l6_due.q.val();
        }
        self.retry_keys.data_in.next = self.l6_key.q.val();
        self.retry_waits.data_in.next = (bit_cast::<WAIT_BITS, 1>(self.l6_negate.q.val().into()) << 20)
            | bit_cast::<WAIT_BITS, STAMP_BITS>(self.ready_at.val());
        self.retry_payloads.data_in.next = self.l6_payload.q.val();
        self.grown_slot.next = self.taken.q.val() + bit_cast::<S1, COUNT_BITS>(self.l6_grow_offset.q.val());
        if self.l6_valid.q.val() & self.grow.val() {
            self.taken.d.next = self.taken.q.val() + self.l6_grow_size.q.val();
        }

        // Issue, and the stamp of its target (and a grown region) the cycle after.
        self.i_valid.d.next = self.free.val();
        self.i_key.d.next = self.l6_key.q.val();
        self.i_negate.d.next = self.l6_negate.q.val();
        self.i_payload.d.next = self.l6_payload.q.val();
        self.i_to_slot.d.next = self.bucket_busy.val();
        self.i_slot.d.next = self.l6_slot.q.val();
        if self.grow.val() {
            self.i_slot.d.next = bit_cast::<S, S1>(self.grown_slot.val());
        }
        self.i_grew.d.next = self.l6_valid.q.val() & self.grow.val();
        self.i_region_base.d.next = bit_cast::<S, S1>(self.taken.q.val());
        self.i_region_log.d.next = self.l6_grow_log.q.val();
        self.h_valid.d.next = self.i_valid.q.val();
        self.h_key.d.next = self.i_key.q.val();
        self.h_to_slot.d.next = self.i_to_slot.q.val();
        self.h_slot.d.next = self.i_slot.q.val();
        self.h_grew.d.next = self.i_grew.q.val();
        self.stamps.write_enable.next = self.i_valid.q.val() & !self.i_to_slot.q.val();
        self.stamps.write_address.next = self.i_key.q.val();
        self.stamps.write_data.next = self.now.q.val();
        self.slot_stamps.write_enable.next = self.i_valid.q.val() & self.i_to_slot.q.val();
        self.slot_stamps.write_address.next = self.i_slot.q.val();
        self.slot_stamps.write_data.next = self.now.q.val();
        self.sizes.write_enable.next = (self.i_valid.q.val() & self.i_grew.q.val()) | self.forget.val();
        self.sizes.write_address.next = self.i_key.q.val();
        self.sizes.write_data.next = self.i_region_log.q.val();
        if self.forget.val() {
            self.sizes.write_address.next = self.forget_key.val();
            self.sizes.write_data.next = bits::<4>(0);
        }
        self.bases.write_enable.next = self.i_valid.q.val() & self.i_grew.q.val();
        self.bases.write_address.next = self.i_key.q.val();
        self.bases.write_data.next = self.i_region_base.q.val();
        self.issue.next = self.i_valid.q.val();
        self.issue_key.next = self.i_key.q.val();
        self.issue_negate.next = self.i_negate.q.val();
        self.issue_payload.next = self.i_payload.q.val();
        self.issue_to_slot.next = self.i_to_slot.q.val();
        self.issue_slot.next = self.i_slot.q.val();
        self.issue_grew.next = self.i_valid.q.val() & self.i_grew.q.val();
        self.issue_region_base.next = self.i_region_base.q.val();
        self.issue_region_log.next = self.i_region_log.q.val();

        // Credits: a new record takes one, an issue gives one back (from registered events).
        self.took.d.next = self.take_new.val();
        self.freed.d.next = self.free.val();
        if self.took.q.val() & !self.freed.q.val() {
            self.reserved.d.next = self.reserved.q.val() + self.one.val();
        }
        if self.freed.q.val() & !self.took.q.val() {
            self.reserved.d.next = self.reserved.q.val() - self.one.val();
        }
        // The credits count every record looked up or parked (the FIFO's `empty` shows a write
        // only three cycles late); a `freed` still to count leaves the count above zero.
        self.idle.next = !self.reserved.q.val().any() & !self.took.q.val() & !self.i_valid.q.val();

        self.retry_keys.clear.next = self.reset.val();
        self.retry_waits.clear.next = self.reset.val();
        self.retry_payloads.clear.next = self.reset.val();
        if self.reset.val() {
            self.taken.d.next = bits::<S1>(0);
            self.reserved.d.next = bits::<AP1>(0);
            self.took.d.next = false;
            self.freed.d.next = false;
            self.head_due.d.next = false;
            self.l1_valid.d.next = false;
            self.l2_valid.d.next = false;
            self.l3_valid.d.next = false;
            self.l4_valid.d.next = false;
            self.l5_valid.d.next = false;
            self.l6_valid.d.next = false;
            self.i_valid.d.next = false;
            self.h_valid.d.next = false;
        }
    }
}

/// Key bits of the stand-alone build: the 20 windows × 4,096 buckets of c = 13 …
pub const STANDALONE_KEY_BITS: usize = 17;
/// … and its pool of 2,048 spill slots (the model's choice).
pub const STANDALONE_SLOT_BITS: usize = 11;

/// The Verilog of a stand-alone issuer of 2^17 keys, a 64-record retry FIFO and the digit lane's
/// busy time ([`super::TARGET_BUSY`]), for its Verilator model and synthesis.
pub fn verilog() -> String {
    let mut issuer =
        DigitIssuer::<STANDALONE_KEY_BITS, { super::digits::INDEX_PAYLOAD_BITS }, 6, 7, STANDALONE_SLOT_BITS, 12>::new(
            super::TARGET_BUSY,
        );
    issuer.connect_all();
    generate_verilog(&issuer)
}

/// The Verilator model name of the stand-alone issuer.
pub const MODEL_NAME: &str = "digit_issuer";
