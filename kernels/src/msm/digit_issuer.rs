//! [`DigitIssuer`]: turns a stream of bucket additions (the [`super::digits`] cutter's records, a
//! bucket *key* each) into at most one issued addition a cycle, never two within the adder's
//! latency on one key, with no host plan: the second block of issue #13's on-chip scheduler
//! (not yet wired into [`super::MsmKernel`]). Spill slots for hot keys are not built yet: a hot
//! key issues once per latency here (docs/kernels/msm.md, "What the rest of #13 must respect").
//!
//! The busy test is an **issue-time RAM**: per key, the cycle its last addition issued (a
//! [`STAMP_BITS`]-bit stamp); a key is busy while `now − stamp < latency` (mod `2^STAMP_BITS`).
//! It needs one read and one write a cycle and no clearing, so it scales to every window's
//! buckets (2^17 keys at c = 13) where a busy-bit register cannot. A stamp left from long ago can
//! look busy for `latency` of every `2^STAMP_BITS` cycles, which costs a retry, never a wrong
//! sum; `now` starts at `latency` after reset so that zero stamps look old.
//!
//! Pipeline in words, one lookup a cycle (the model's `Lookups::One`, bench/src/bin/
//! msm_conflict_model.rs):
//! - **Choose**: the retry FIFO's head if the cycle it waits for has come (kept with it; the
//!   test is registered, a cycle ahead), else the next input record if the FIFO could take it
//!   back (a credit count of every record parked or looked up, kept from registered events).
//!   Its key addresses the stamp RAM.
//! - **L1**: the record, while the RAM reads; its key is compared with the issue register and
//!   the issue before it.
//! - **L2**: the record and the RAM's registered output (its stamp): the stamp's age, and the
//!   key against the issue register (one issue later).
//! - **L3**: the age against the latency, and the key against the issue register.
//! - **Decide** (L4): busy if the stamp is too young (the record would reach the issue register
//!   within the latency of the stamp), or an earlier comparison hit, or the issue register
//!   (decided a cycle ago) holds the same key: the RAM read cannot see the five issues decided
//!   just before, so these comparisons (two in L1, one in each later stage) cover them. A free
//!   record issues; a busy one is parked at the FIFO's tail with the cycle it is due again:
//!   `stamp + latency − 6`, so that it issues exactly when its key frees, or
//!   `now + latency − 6` for a forwarded hit, at most four cycles late.
//! - **Issue**: registered; the RAM takes `(key, now)` from it the cycle after.
//!
//! Every decision is taken from registers: the longest paths are one 20-bit carry chain, or a
//! key comparison and the decision (docs/kernels/msm.md has the measured paths).
//!
//! Latency: 5 cycles from a record's choice to its issue register when free. Throughput: one
//! lookup a cycle; a busy lookup costs its cycle and a retry. Resources: the stamp RAM
//! (`2^K × 20` bits: 2^17 keys are 2.6 Mbit, 80 RAMB36 in yosys' mapping), the retry FIFO
//! (`2^A` records of `K + P + 21` bits), five stage registers of `K + P` bits, five `K`-bit
//! comparators, two 20-bit subtractions and a comparison.

use rust_hdl::prelude::*;
use zkaccel_hdl::prims::Fifo;

/// Bits of an issue-time stamp.
pub const STAMP_BITS: usize = 20;
/// A parked record's wait beside its key and payload: the cycle its key frees (bits 0..20) and
/// the sign (bit 20). The sign's place is written as a literal in `update` (rust-hdl emits a
/// named constant there as a signal name); a compile-time check holds it to this.
const WAIT_BITS: usize = STAMP_BITS + 1;
const _: () = assert!(STAMP_BITS == 20, "update's literal bit places");

/// The issuer of one adder: `2^K` keys, a `P`-bit payload per record, a retry FIFO of `2^A`
/// records (`AP1 = A + 1`).
#[derive(LogicBlock)]
pub struct DigitIssuer<const K: usize, const P: usize, const A: usize, const AP1: usize> {
    pub clock: Signal<In, Clock>,
    /// Drops every record held or parked; `now` restarts.
    pub reset: Signal<In, Bit>,
    pub in_key: Signal<In, Bits<K>>,
    /// Add the negated point.
    pub in_negate: Signal<In, Bit>,
    pub in_payload: Signal<In, Bits<P>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    /// An addition to `issue_key` is issued this cycle (all from registers).
    pub issue: Signal<Out, Bit>,
    pub issue_key: Signal<Out, Bits<K>>,
    pub issue_negate: Signal<Out, Bit>,
    pub issue_payload: Signal<Out, Bits<P>>,
    /// Nothing looked up, parked or issuing.
    pub idle: Signal<Out, Bit>,

    /// A record decided in cycle `d` is in the issue register at `d + 1` and its age is taken at
    /// `d − 2`, so it is free when that age is at least `latency − 3` …
    busy_below: Constant<Bits<STAMP_BITS>>,
    /// … and a parked one is due at `stamp + latency − 6`: chosen a cycle later (its readiness
    /// is registered), it reaches the issue register five cycles after that, as its key frees
    /// (after reset `now` starts at `latency`, so zero stamps look old).
    retry_after: Constant<Bits<STAMP_BITS>>,
    restart: Constant<Bits<STAMP_BITS>>,
    /// `2^A − 1`: a record may be taken while fewer than this are counted (the FIFO's RAM holds
    /// `2^A`, and the count lags a taken record by a cycle).
    room_below: Constant<Bits<AP1>>,
    one: Constant<Bits<AP1>>,

    now: DFF<Bits<STAMP_BITS>>,
    stamps: RAM<Bits<STAMP_BITS>, K>,
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
    /// L1 met the issue register or the issue before it on its key.
    l2_forwarded: DFF<Bit>,

    l3_valid: DFF<Bit>,
    l3_key: DFF<Bits<K>>,
    l3_negate: DFF<Bit>,
    l3_payload: DFF<Bits<P>>,
    /// `now − stamp`, taken in L2.
    l3_age: DFF<Bits<STAMP_BITS>>,
    /// `stamp + latency − 6`: when a record parked for its stamp is due again.
    l3_due: DFF<Bits<STAMP_BITS>>,
    /// L1 or L2 met an issue on its key that the RAM read cannot see.
    l3_forwarded: DFF<Bit>,
    l4_valid: DFF<Bit>,
    l4_key: DFF<Bits<K>>,
    l4_negate: DFF<Bit>,
    l4_payload: DFF<Bits<P>>,
    /// The stamp is too young for the record to issue at its decision.
    l4_stamp_busy: DFF<Bit>,
    l4_due: DFF<Bits<STAMP_BITS>>,
    l4_forwarded: DFF<Bit>,
    busy: Signal<Local, Bit>,
    free: Signal<Local, Bit>,
    park: Signal<Local, Bit>,
    /// The cycle a parked record's key frees.
    ready_at: Signal<Local, Bits<STAMP_BITS>>,

    i_valid: DFF<Bit>,
    i_key: DFF<Bits<K>>,
    i_negate: DFF<Bit>,
    i_payload: DFF<Bits<P>>,
    /// The issue before the issue register's.
    h_valid: DFF<Bit>,
    h_key: DFF<Bits<K>>,
}

impl<const K: usize, const P: usize, const A: usize, const AP1: usize> DigitIssuer<K, P, A, AP1> {
    /// An issuer for an adder whose additions take `latency` cycles from issue to write-back.
    pub fn new(latency: usize) -> Self {
        assert!((6..1 << (STAMP_BITS - 1)).contains(&latency), "a latency of {latency} cycles does not fit the stamps");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            in_key: Default::default(),
            in_negate: Default::default(),
            in_payload: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            issue: Default::default(),
            issue_key: Default::default(),
            issue_negate: Default::default(),
            issue_payload: Default::default(),
            idle: Default::default(),
            busy_below: Constant::new(Bits::<STAMP_BITS>::from(latency as u64 - 3)),
            retry_after: Constant::new(Bits::<STAMP_BITS>::from(latency as u64 - 6)),
            restart: Constant::new(Bits::<STAMP_BITS>::from(latency as u64)),
            room_below: Constant::new(Bits::<AP1>::from((1u64 << A) - 1)),
            one: Constant::new(Bits::<AP1>::from(1u64)),
            now: Default::default(),
            stamps: Default::default(),
            retry_keys: Default::default(),
            retry_waits: Default::default(),
            retry_payloads: Default::default(),
            reserved: Default::default(),
            took: Default::default(),
            freed: Default::default(),
            head_due: Default::default(),
            take_retry: Default::default(),
            take_new: Default::default(),
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
            l2_forwarded: Default::default(),
            l3_valid: Default::default(),
            l3_key: Default::default(),
            l3_negate: Default::default(),
            l3_payload: Default::default(),
            l3_age: Default::default(),
            l3_due: Default::default(),
            l3_forwarded: Default::default(),
            l4_valid: Default::default(),
            l4_key: Default::default(),
            l4_negate: Default::default(),
            l4_payload: Default::default(),
            l4_stamp_busy: Default::default(),
            l4_due: Default::default(),
            l4_forwarded: Default::default(),
            busy: Default::default(),
            free: Default::default(),
            park: Default::default(),
            ready_at: Default::default(),
            i_valid: Default::default(),
            i_key: Default::default(),
            i_negate: Default::default(),
            i_payload: Default::default(),
            h_valid: Default::default(),
            h_key: Default::default(),
        }
    }
}

impl<const K: usize, const P: usize, const A: usize, const AP1: usize> Logic for DigitIssuer<K, P, A, AP1> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, now, reserved, took, freed, head_due, l1_valid, l1_key, l1_negate, l1_payload, l2_valid, l2_key, l2_negate, l2_payload, l2_stamp, l2_forwarded, l3_valid, l3_key, l3_negate, l3_payload, l3_age, l3_due, l3_forwarded, l4_valid, l4_key, l4_negate, l4_payload, l4_stamp_busy, l4_due, l4_forwarded, i_valid, i_key, i_negate, i_payload, h_valid, h_key);
        clock!(self, clock, retry_keys, retry_waits, retry_payloads);
        self.stamps.read_clock.next = self.clock.val();
        self.stamps.write_clock.next = self.clock.val();
        self.now.d.next = self.now.q.val() + bits::<STAMP_BITS>(1);

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
        self.stamps.read_address.next = self.in_key.val();
        self.l1_key.d.next = self.in_key.val();
        self.l1_negate.d.next = self.in_negate.val();
        self.l1_payload.d.next = self.in_payload.val();
        if self.take_retry.val() {
            self.stamps.read_address.next = self.retry_keys.data_out.val();
            self.l1_key.d.next = self.retry_keys.data_out.val();
            self.l1_negate.d.next = self.retry_waits.data_out.val().get_bit(20);
            self.l1_payload.d.next = self.retry_payloads.data_out.val();
        }
        self.l1_valid.d.next = self.take_retry.val() | self.take_new.val();

        // L1: the RAM reads; the two latest issues are compared here (of the five it cannot see).
        self.l2_valid.d.next = self.l1_valid.q.val();
        self.l2_key.d.next = self.l1_key.q.val();
        self.l2_negate.d.next = self.l1_negate.q.val();
        self.l2_payload.d.next = self.l1_payload.q.val();
        self.l2_stamp.d.next = self.stamps.read_data.val();
        self.l2_forwarded.d.next = (self.i_valid.q.val() & (self.i_key.q.val() == self.l1_key.q.val()))
            | (self.h_valid.q.val() & (self.h_key.q.val() == self.l1_key.q.val()));

        // L2: the stamp's age, and the next issue L1 could not compare.
        self.l3_valid.d.next = self.l2_valid.q.val();
        self.l3_key.d.next = self.l2_key.q.val();
        self.l3_negate.d.next = self.l2_negate.q.val();
        self.l3_payload.d.next = self.l2_payload.q.val();
        self.l3_age.d.next = self.now.q.val() - self.l2_stamp.q.val();
        self.l3_due.d.next = self.l2_stamp.q.val() + self.retry_after.val();
        self.l3_forwarded.d.next = self.l2_forwarded.q.val() | (self.i_valid.q.val() & (self.i_key.q.val() == self.l2_key.q.val()));

        // L3: the age against the latency, and the next issue.
        self.l4_valid.d.next = self.l3_valid.q.val();
        self.l4_key.d.next = self.l3_key.q.val();
        self.l4_negate.d.next = self.l3_negate.q.val();
        self.l4_payload.d.next = self.l3_payload.q.val();
        self.l4_stamp_busy.d.next = self.l3_age.q.val() < self.busy_below.val();
        self.l4_due.d.next = self.l3_due.q.val();
        self.l4_forwarded.d.next = self.l3_forwarded.q.val() | (self.i_valid.q.val() & (self.i_key.q.val() == self.l3_key.q.val()));

        // Decide.
        self.busy.next = self.l4_stamp_busy.q.val() | self.l4_forwarded.q.val() | (self.i_valid.q.val() & (self.i_key.q.val() == self.l4_key.q.val()));
        self.free.next = self.l4_valid.q.val() & !self.busy.val();
        self.park.next = self.l4_valid.q.val() & self.busy.val();
        self.retry_keys.write.next = self.park.val();
        self.retry_waits.write.next = self.park.val();
        self.retry_payloads.write.next = self.park.val();
        self.ready_at.next = self.now.q.val() + self.retry_after.val();
        if self.l4_stamp_busy.q.val() {
            self.ready_at.next = self.l4_due.q.val();
        }
        self.retry_keys.data_in.next = self.l4_key.q.val();
        self.retry_waits.data_in.next = (bit_cast::<WAIT_BITS, 1>(self.l4_negate.q.val().into()) << 20)
            | bit_cast::<WAIT_BITS, STAMP_BITS>(self.ready_at.val());
        self.retry_payloads.data_in.next = self.l4_payload.q.val();

        // Issue, and the stamp of the issue register's key the cycle after.
        self.i_valid.d.next = self.free.val();
        self.i_key.d.next = self.l4_key.q.val();
        self.i_negate.d.next = self.l4_negate.q.val();
        self.i_payload.d.next = self.l4_payload.q.val();
        self.h_valid.d.next = self.i_valid.q.val();
        self.h_key.d.next = self.i_key.q.val();
        self.stamps.write_enable.next = self.i_valid.q.val();
        self.stamps.write_address.next = self.i_key.q.val();
        self.stamps.write_data.next = self.now.q.val();
        self.issue.next = self.i_valid.q.val();
        self.issue_key.next = self.i_key.q.val();
        self.issue_negate.next = self.i_negate.q.val();
        self.issue_payload.next = self.i_payload.q.val();

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
            self.now.d.next = self.restart.val();
            self.reserved.d.next = bits::<AP1>(0);
            self.took.d.next = false;
            self.freed.d.next = false;
            self.head_due.d.next = false;
            self.l1_valid.d.next = false;
            self.l2_valid.d.next = false;
            self.l3_valid.d.next = false;
            self.l4_valid.d.next = false;
            self.i_valid.d.next = false;
            self.h_valid.d.next = false;
        }
    }
}

/// Key bits of the stand-alone build: the 20 windows × 4,096 buckets of c = 13.
pub const STANDALONE_KEY_BITS: usize = 17;

/// The Verilog of a stand-alone issuer of 2^17 keys, a 64-record retry FIFO and the MSM lane's
/// adder latency ([`super::ISSUE_TO_WRITEBACK`]), for its Verilator model and synthesis.
pub fn verilog() -> String {
    let mut issuer =
        DigitIssuer::<STANDALONE_KEY_BITS, { super::digits::INDEX_PAYLOAD_BITS }, 6, 7>::new(super::ISSUE_TO_WRITEBACK);
    issuer.connect_all();
    generate_verilog(&issuer)
}

/// The Verilator model name of the stand-alone issuer.
pub const MODEL_NAME: &str = "digit_issuer";
