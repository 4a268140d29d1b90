//! [`SlotIssuer`]: turns a lane's point and entry streams into bucket additions, at most one per
//! cycle, never two in flight on one slot.
//!
//! Pipeline in words (every decision is taken from registers, and a busy-bit lookup takes two
//! cycles, so no path crosses more than half a lookup and a few gates; docs/hardware.md,
//! "Timing budget"):
//! - **Loader**: one point per cycle from the `in` stream into the 16-deep point FIFO, while the
//!   FIFO has room for every point not yet consumed (the head included; a registered test on a
//!   count that takes its load and consume events a cycle late, with two places to spare). It
//!   runs from the lane's start on, also during the clear pass, so the first point waits at the
//!   head when the accumulation begins. An identity point (`y = 0`) is marked when it becomes
//!   the head.
//! - **Head**: the head point (x, y) and the current entry word (16 entries of 16 bits). An entry
//!   names slot `a` and a sign. The head moves one entry per cycle into the *pre-candidate* stage
//!   while the retry FIFO has room (a registered test, with five places to spare); the entry
//!   with the `LAST` bit moves on to the next point with no bubble.
//! - **Pre-candidate** (`p_*`): the entry's addition (slot, sign, x, y), the 64 busy bits of the
//!   slot's group as the entry moved in (the lookup's first half: a `2^L/64`:1 selection of
//!   64-bit words), and whether the issue register then held the slot. An identity point's
//!   entries are dropped here.
//! - **Candidate** (`c_*`): the addition and its slot's busy bit: the bit from the group (the
//!   lookup's second half, 64:1), ORed with the pre-candidate's comparison and with "the issue
//!   register now holds this slot" (bits are set a cycle after an issue, so these two cover the
//!   issues the group could not see).
//! - **Decision**: the candidate *conflicts* if that bit was set or the issue register now holds
//!   its slot. That register was loaded a cycle ago from the candidate or the retry head of
//!   then, and the new candidate's slot was compared with theirs as it moved in (`c_hits_c`,
//!   `c_hits_r`), so the test is a few gates. A free candidate issues; a conflicting one is
//!   parked (through one register, `pk_*`) in the 16-deep *retry FIFO*. The candidate never
//!   waits, so the head never waits on a lookup. When the candidate conflicts or there is none,
//!   the head of the retry FIFO (`r_*`) issues instead if its slot is free: its lookup runs in
//!   the same two halves, refreshed every cycle, so it is current two cycles after the pop (a
//!   retry every third cycle at most).
//! - **Issue** (`i_*`): registered; the lane reads the slot RAM at `issue_addr` with it. Its
//!   busy bit is set from this register a cycle later (hence the comparisons above) and cleared
//!   when the lane writes the sum back (`written`; a cleared bit seen late only costs a retry).
//!   The bits survive from run to run: additions still in the adder when a run ends keep their
//!   slots busy.
//!
//! A parked addition cannot be lost or starve: the head stops when the retry FIFO could fill,
//! and then only retries issue, one per slot freed; a run is done when the head, the
//! pre-candidate, the candidate, the parking register, the retry FIFO and the issue register are
//! all empty. The sign is not applied here: the lane negates `y` (`q − y`, two 128-bit halves in
//! its two read stages).
//!
//! Resources: the busy register (`2^L` bits, two lookups in two halves, a set and a clear
//! decoder), the point FIFO (16 × 512 bits), the retry FIFO (16 × 529), five 529-bit stage
//! registers and two 64-bit group registers.

use rust_hdl::prelude::*;
use zkaccel_core::regmap::msm_entry;
use zkaccel_hdl::prims::{Fifo, SimCheck};

/// Depth of the point FIFO between the loader and the head.
pub const POINT_FIFO_DEPTH: usize = 16;
/// Depth of the retry FIFO holding additions parked because their slot was busy.
pub const RETRY_FIFO_DEPTH: usize = 16;
/// A parked addition in the retry FIFO: x (bits 0..256), y (256..512), the sign (512) and the
/// slot (513..529, as in an entry).
const RECORD_BITS: usize = 529;

/// The issuer of one lane with `2^L` slots (`CAP = 2^L`, the width of the busy register).
#[derive(LogicBlock)]
pub struct SlotIssuer<const L: usize, const CAP: usize> {
    pub clock: Signal<In, Clock>,
    /// Nothing held, parked or busy (held by the control block beyond the adder's depth).
    pub reset: Signal<In, Bit>,
    /// One cycle: a run begins; its points and entries follow on `in` and `in2`.
    pub start: Signal<In, Bit>,
    /// Points may be loaded (the run is clearing or accumulating).
    pub load: Signal<In, Bit>,
    /// Entries may issue (the run is accumulating).
    pub accumulate: Signal<In, Bit>,
    /// The run's points and slots (from the start on).
    pub num_points: Signal<In, Bits<32>>,
    pub slots: Signal<In, Bits<32>>,
    /// Points, one 512-bit word each (x, then y in the high half), in Montgomery form.
    pub in_data: Signal<In, Bits<512>>,
    pub in_valid: Signal<In, Bit>,
    pub in_ready: Signal<Out, Bit>,
    /// Entry words, 16 little-endian u16 entries each.
    pub in2_data: Signal<In, Bits<256>>,
    pub in2_valid: Signal<In, Bit>,
    pub in2_ready: Signal<Out, Bit>,
    /// The lane writes a sum back to slot `written_addr` this cycle.
    pub written: Signal<In, Bit>,
    pub written_addr: Signal<In, Bits<L>>,
    /// An addition of (`issue_x`, ±`issue_y`: `issue_negate` asks for `q − y`) to slot
    /// `issue_addr` is issued this cycle; all from registers.
    pub issue: Signal<Out, Bit>,
    pub issue_x: Signal<Out, Bits<256>>,
    pub issue_y: Signal<Out, Bits<256>>,
    pub issue_negate: Signal<Out, Bit>,
    pub issue_addr: Signal<Out, Bits<L>>,
    /// Every point of the run consumed and nothing parked or pending: the run has issued all it
    /// will.
    pub done: Signal<Out, Bit>,
    /// Simulation: an entry names a slot outside the run's `slots`.
    slot_range: SimCheck,

    ent_negate: Constant<Bits<16>>,
    ent_last: Constant<Bits<16>>,
    ent_slot: Constant<Bits<16>>,
    point_room: Constant<Bits<5>>,
    retry_room: Constant<Bits<6>>,
    record_negate: Constant<Bits<RECORD_BITS>>,
    one_hot: Constant<Bits<CAP>>,
    one_entry: Constant<Bits<5>>,
    /// A slot's group of 64 busy bits starts at `slot & group_mask`.
    group_mask: Constant<Bits<L>>,

    /// Points of the run not yet loaded, and whether there are any.
    to_load: DFF<Bits<32>>,
    more_to_load: DFF<Bit>,
    /// Points loaded and not yet consumed (in the point FIFO or at the head), counted from the
    /// registered events `loaded`/`consumed`, so a cycle late: no path runs from a handshake
    /// into its adder.
    held: DFF<Bits<5>>,
    loaded: DFF<Bit>,
    consumed: DFF<Bit>,
    /// `held < point_room`, a cycle late: the loader may take a point. Up to three loads are
    /// not in it yet (the two in flight into `held` and this cycle's), hence `point_room` =
    /// [`POINT_FIFO_DEPTH`] − 2.
    point_space: DFF<Bit>,
    head_x: DFF<Bits<256>>,
    head_y: DFF<Bits<256>>,
    head_identity: DFF<Bit>,
    head_valid: DFF<Bit>,
    entries: DFF<Bits<256>>,
    entries_left: DFF<Bits<5>>,
    /// `entries_left` is not zero (a register, so the head's `fire`, and through it the point
    /// FIFO's pop, is one gate over registers).
    has_entry: DFF<Bit>,
    /// The pre-candidate stage: the head entry's addition, the lookup's first half (the 64 busy
    /// bits of the slot's group, a `2^L/64`:1 selection of words) and whether the issue register
    /// then held the slot (its bit was not set yet).
    p_valid: DFF<Bit>,
    p_addr: DFF<Bits<L>>,
    p_negate: DFF<Bit>,
    p_x: DFF<Bits<256>>,
    p_y: DFF<Bits<256>>,
    p_group: DFF<Bits<64>>,
    p_hit_i: DFF<Bit>,
    c_valid: DFF<Bit>,
    c_busy: DFF<Bit>,
    /// The candidate's slot equals that of the candidate before it, and that of the retry head
    /// then (compared as the entry moved in: one of the two may have issued meanwhile).
    c_hits_c: DFF<Bit>,
    c_hits_r: DFF<Bit>,
    c_addr: DFF<Bits<L>>,
    c_negate: DFF<Bit>,
    c_x: DFF<Bits<256>>,
    c_y: DFF<Bits<256>>,
    pk_valid: DFF<Bit>,
    pk_record: DFF<Bits<RECORD_BITS>>,
    /// Records written to the retry FIFO and not yet popped into `r_*`, with pops counted a
    /// cycle late (from `popped`, so no path runs from the pop into the counter's adder; the
    /// count errs high, on the safe side).
    parked: DFF<Bits<6>>,
    popped: DFF<Bit>,
    /// The head may move an entry on: the parked records leave five places in the retry FIFO,
    /// for the parking register, the candidate, the pre-candidate, the entry moving on now and
    /// the cycle this flag lags behind `parked`.
    room: DFF<Bit>,
    r_valid: DFF<Bit>,
    /// `r_busy` holds the lookup of the current `r_addr`.
    r_seen: DFF<Bit>,
    r_busy: DFF<Bit>,
    /// The retry head's lookup in two halves, as the candidate's: its slot's group of busy
    /// bits and the issue-register comparison of a cycle ago.
    r_group: DFF<Bits<64>>,
    r_hit_i: DFF<Bit>,
    /// The retry head's slot equals that of the candidate of the cycle before.
    r_hits_c: DFF<Bit>,
    r_addr: DFF<Bits<L>>,
    r_negate: DFF<Bit>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    i_valid: DFF<Bit>,
    /// The issue register was loaded from the candidate, or from the retry head.
    i_from_c: DFF<Bit>,
    i_from_r: DFF<Bit>,
    i_addr: DFF<Bits<L>>,
    i_negate: DFF<Bit>,
    i_x: DFF<Bits<256>>,
    i_y: DFF<Bits<256>>,
    busy: DFF<Bits<CAP>>,
    points: Fifo<Bits<512>, 4, 5>,
    retries: Fifo<Bits<RECORD_BITS>, 4, 5>,

    load_fire: Signal<Local, Bit>,
    consume: Signal<Local, Bit>,
    entry: Signal<Local, Bits<16>>,
    bucket: Signal<Local, Bits<L>>,
    bucket_group: Signal<Local, Bits<L>>,
    /// The retry head's slot: the retry register's, or the FIFO head's when that is empty.
    r_sel: Signal<Local, Bits<L>>,
    r_sel_group: Signal<Local, Bits<L>>,
    /// A slot's bit within its group.
    p_low: Signal<Local, Bits<6>>,
    r_low: Signal<Local, Bits<6>>,
    last: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    c_conflict: Signal<Local, Bit>,
    r_free: Signal<Local, Bit>,
    c_issue: Signal<Local, Bit>,
    r_issue: Signal<Local, Bit>,
    r_pop: Signal<Local, Bit>,
    retry_head_addr: Signal<Local, Bits<L>>,
    /// The record's sign bit in place (`record_negate` or nothing).
    record_sign: Signal<Local, Bits<RECORD_BITS>>,
    set_mask: Signal<Local, Bits<CAP>>,
    clear_mask: Signal<Local, Bits<CAP>>,
}

impl<const L: usize, const CAP: usize> Default for SlotIssuer<L, CAP> {
    fn default() -> Self {
        assert!(CAP == 1 << L, "CAP must be 2^L");
        assert!(L as u32 <= msm_entry::SLOT_BITS, "an entry addresses at most 2^SLOT_BITS slots");
        assert!(513 + L <= RECORD_BITS, "a record holds x, y, the sign and the slot");
        Self {
            clock: Default::default(),
            reset: Default::default(),
            start: Default::default(),
            load: Default::default(),
            accumulate: Default::default(),
            num_points: Default::default(),
            slots: Default::default(),
            in_data: Default::default(),
            in_valid: Default::default(),
            in_ready: Default::default(),
            in2_data: Default::default(),
            in2_valid: Default::default(),
            in2_ready: Default::default(),
            written: Default::default(),
            written_addr: Default::default(),
            issue: Default::default(),
            issue_x: Default::default(),
            issue_y: Default::default(),
            issue_negate: Default::default(),
            issue_addr: Default::default(),
            done: Default::default(),
            slot_range: Default::default(),
            ent_negate: Constant::new(Bits::from(msm_entry::NEGATE as u64)),
            ent_last: Constant::new(Bits::from(msm_entry::LAST as u64)),
            ent_slot: Constant::new(Bits::from((1u64 << msm_entry::SLOT_BITS) - 1)),
            point_room: Constant::new(Bits::from(POINT_FIFO_DEPTH as u64 - 2)),
            retry_room: Constant::new(Bits::from((RETRY_FIFO_DEPTH - 5) as u64)),
            record_negate: Constant::new(Bits::<RECORD_BITS>::from(1u64) << 512),
            one_hot: Constant::new(Bits::from(1u64)),
            one_entry: Constant::new(Bits::from(1u64)),
            group_mask: Constant::new(Bits::from(((1u64 << L) - 1) & !63)),
            to_load: Default::default(),
            more_to_load: Default::default(),
            held: Default::default(),
            loaded: Default::default(),
            consumed: Default::default(),
            point_space: Default::default(),
            head_x: Default::default(),
            head_y: Default::default(),
            head_identity: Default::default(),
            head_valid: Default::default(),
            entries: Default::default(),
            entries_left: Default::default(),
            has_entry: Default::default(),
            p_valid: Default::default(),
            p_addr: Default::default(),
            p_negate: Default::default(),
            p_x: Default::default(),
            p_y: Default::default(),
            p_group: Default::default(),
            p_hit_i: Default::default(),
            c_valid: Default::default(),
            c_busy: Default::default(),
            c_hits_c: Default::default(),
            c_hits_r: Default::default(),
            c_addr: Default::default(),
            c_negate: Default::default(),
            c_x: Default::default(),
            c_y: Default::default(),
            pk_valid: Default::default(),
            pk_record: Default::default(),
            parked: Default::default(),
            popped: Default::default(),
            room: Default::default(),
            r_valid: Default::default(),
            r_seen: Default::default(),
            r_busy: Default::default(),
            r_group: Default::default(),
            r_hit_i: Default::default(),
            r_hits_c: Default::default(),
            r_addr: Default::default(),
            r_negate: Default::default(),
            r_x: Default::default(),
            r_y: Default::default(),
            i_valid: Default::default(),
            i_from_c: Default::default(),
            i_from_r: Default::default(),
            i_addr: Default::default(),
            i_negate: Default::default(),
            i_x: Default::default(),
            i_y: Default::default(),
            busy: Default::default(),
            points: Default::default(),
            retries: Default::default(),
            load_fire: Default::default(),
            consume: Default::default(),
            entry: Default::default(),
            bucket: Default::default(),
            bucket_group: Default::default(),
            r_sel: Default::default(),
            r_sel_group: Default::default(),
            p_low: Default::default(),
            r_low: Default::default(),
            last: Default::default(),
            fire: Default::default(),
            c_conflict: Default::default(),
            r_free: Default::default(),
            c_issue: Default::default(),
            r_issue: Default::default(),
            r_pop: Default::default(),
            retry_head_addr: Default::default(),
            record_sign: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
        }
    }
}

impl<const L: usize, const CAP: usize> Logic for SlotIssuer<L, CAP> {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            to_load,
            more_to_load,
            held,
            loaded,
            consumed,
            point_space,
            head_x,
            head_y,
            head_identity,
            head_valid,
            entries,
            entries_left,
            has_entry,
            p_valid,
            p_addr,
            p_negate,
            p_x,
            p_y,
            p_group,
            p_hit_i,
            c_valid,
            c_busy,
            c_hits_c,
            c_hits_r,
            c_addr,
            c_negate,
            c_x,
            c_y,
            pk_valid,
            pk_record,
            parked,
            popped,
            room,
            r_valid,
            r_seen,
            r_busy,
            r_group,
            r_hit_i,
            r_hits_c,
            r_addr,
            r_negate,
            r_x,
            r_y,
            i_valid,
            i_from_c,
            i_from_r,
            i_addr,
            i_negate,
            i_x,
            i_y,
            busy
        );
        clock!(self, clock, points, retries, slot_range);

        // ---- Loader.
        self.in_ready.next = self.load.val() & self.more_to_load.q.val() & self.point_space.q.val();
        self.load_fire.next = self.in_ready.val() & self.in_valid.val();
        if self.load_fire.val() {
            self.to_load.d.next = self.to_load.q.val() - bits::<32>(1);
            self.more_to_load.d.next = self.to_load.q.val() != bits::<32>(1);
        }
        self.points.write.next = self.load_fire.val();
        self.points.data_in.next = self.in_data.val();

        // ---- Head: one entry per cycle into the candidate stage, while the retry FIFO has room.
        self.entry.next = self.entries.q.val().get_bits::<16>(0);
        self.last.next = (self.entry.val() & self.ent_last.val()).any();
        self.bucket.next = bit_cast::<L, 16>(self.entry.val() & self.ent_slot.val());
        self.fire.next = self.accumulate.val() & self.head_valid.q.val() & self.has_entry.q.val() & self.room.q.val();
        self.slot_range.fail.next =
            self.fire.val() & !self.head_identity.q.val() & (bit_cast::<32, 16>(self.entry.val() & self.ent_slot.val()) >= self.slots.val());
        self.consume.next = self.fire.val() & self.last.val();
        if self.consume.val() {
            self.head_valid.d.next = false;
        }
        self.loaded.d.next = self.load_fire.val();
        self.consumed.d.next = self.consume.val();
        if self.loaded.q.val() & !self.consumed.q.val() {
            self.held.d.next = self.held.q.val() + bits::<5>(1);
        }
        if !self.loaded.q.val() & self.consumed.q.val() {
            self.held.d.next = self.held.q.val() - bits::<5>(1);
        }
        self.point_space.d.next = self.held.q.val() < self.point_room.val();
        // The head takes the next point when it has none or its last entry goes: written out
        // from registers (not through `consume`), so the FIFO's pop is one gate deep.
        self.points.read.next = !self.points.empty.val()
            & (!self.head_valid.q.val() | (self.accumulate.val() & self.has_entry.q.val() & self.room.q.val() & self.last.val()));
        if self.points.read.val() {
            self.head_x.d.next = self.points.data_out.val().get_bits::<256>(0);
            self.head_y.d.next = self.points.data_out.val().get_bits::<256>(256);
            self.head_identity.d.next = !self.points.data_out.val().get_bits::<256>(256).any();
            self.head_valid.d.next = true;
        }
        // Entry words: refill when the word is used up (or its last entry goes this cycle).
        self.in2_ready.next =
            self.accumulate.val() & (!self.has_entry.q.val() | ((self.entries_left.q.val() == self.one_entry.val()) & self.fire.val()));
        if self.in2_ready.val() & self.in2_valid.val() {
            self.entries.d.next = self.in2_data.val();
            self.entries_left.d.next = bits::<5>(16);
            self.has_entry.d.next = true;
        } else if self.fire.val() {
            self.entries.d.next = self.entries.q.val() >> 16;
            self.entries_left.d.next = self.entries_left.q.val() - bits::<5>(1);
            self.has_entry.d.next = self.entries_left.q.val() != self.one_entry.val();
        }

        // ---- Pre-candidate: the head entry, with its slot's group of busy bits as of now.
        self.p_valid.d.next = self.fire.val() & !self.head_identity.q.val();
        self.p_addr.d.next = self.bucket.val();
        self.p_negate.d.next = (self.entry.val() & self.ent_negate.val()).any();
        self.p_x.d.next = self.head_x.q.val();
        self.p_y.d.next = self.head_y.q.val();
        self.bucket_group.next = self.bucket.val() & self.group_mask.val();
        self.p_group.d.next = bit_cast::<64, CAP>(self.busy.q.val() >> self.bucket_group.val());
        self.p_hit_i.d.next = self.i_valid.q.val() & (self.i_addr.q.val() == self.bucket.val());

        // ---- Candidate: the slot's busy bit from its group, or set by the issue register of
        // the cycle before (`p_hit_i`) or of now (its bit is set a cycle later).
        self.p_low.next = bit_cast::<6, L>(self.p_addr.q.val());
        self.c_valid.d.next = self.p_valid.q.val();
        self.c_busy.d.next = self.p_group.q.val().get_bit(self.p_low.val().index())
            | self.p_hit_i.q.val()
            | (self.i_valid.q.val() & (self.i_addr.q.val() == self.p_addr.q.val()));
        self.c_hits_c.d.next = self.p_addr.q.val() == self.c_addr.q.val();
        self.c_hits_r.d.next = self.p_addr.q.val() == self.r_addr.q.val();
        self.c_addr.d.next = self.p_addr.q.val();
        self.c_negate.d.next = self.p_negate.q.val();
        self.c_x.d.next = self.p_x.q.val();
        self.c_y.d.next = self.p_y.q.val();

        // ---- Decision. The lookups saw the busy bits and the issue register of the cycle before;
        // the issue register of now came from the candidate or the retry head of then, whose
        // slots were compared with this candidate's and this retry head's in that cycle. So the
        // decision is a few gates over registers.
        self.c_conflict.next = self.c_busy.q.val()
            | (self.i_from_c.q.val() & self.c_hits_c.q.val())
            | (self.i_from_r.q.val() & self.c_hits_r.q.val());
        // A retry head that issued is gone now, so only an issue from the candidate can collide.
        self.r_free.next = self.r_valid.q.val() & self.r_seen.q.val() & !self.r_busy.q.val() & !(self.i_from_c.q.val() & self.r_hits_c.q.val());
        self.c_issue.next = self.c_valid.q.val() & !self.c_conflict.val();
        self.r_issue.next = self.r_free.val() & !self.c_issue.val();
        self.i_valid.d.next = self.c_issue.val() | self.r_issue.val();
        self.i_from_c.d.next = self.c_issue.val();
        self.i_from_r.d.next = self.r_issue.val();
        if self.c_issue.val() {
            self.i_addr.d.next = self.c_addr.q.val();
            self.i_negate.d.next = self.c_negate.q.val();
            self.i_x.d.next = self.c_x.q.val();
            self.i_y.d.next = self.c_y.q.val();
        } else {
            self.i_addr.d.next = self.r_addr.q.val();
            self.i_negate.d.next = self.r_negate.q.val();
            self.i_x.d.next = self.r_x.q.val();
            self.i_y.d.next = self.r_y.q.val();
        }
        self.issue.next = self.i_valid.q.val();
        self.issue_addr.next = self.i_addr.q.val();
        self.issue_negate.next = self.i_negate.q.val();
        self.issue_x.next = self.i_x.q.val();
        self.issue_y.next = self.i_y.q.val();

        // ---- Parking: a conflicting candidate goes to the retry FIFO through `pk_*`.
        self.pk_valid.d.next = self.c_valid.q.val() & self.c_conflict.val();
        self.record_sign.next = bits::<RECORD_BITS>(0);
        if self.c_negate.q.val() {
            self.record_sign.next = self.record_negate.val();
        }
        self.pk_record.d.next = (bit_cast::<RECORD_BITS, L>(self.c_addr.q.val()) << 513)
            | self.record_sign.val()
            | (bit_cast::<RECORD_BITS, 256>(self.c_y.q.val()) << 256)
            | bit_cast::<RECORD_BITS, 256>(self.c_x.q.val());
        self.retries.write.next = self.pk_valid.q.val();
        self.retries.data_in.next = self.pk_record.q.val();
        // The retry head: reloaded a cycle after it issued, looked up as it is popped (the FIFO's
        // head is a RAM output register) and every cycle after.
        self.r_pop.next = !self.retries.empty.val() & !self.r_valid.q.val();
        self.retries.read.next = self.r_pop.val();
        self.retry_head_addr.next = bit_cast::<L, 16>(self.retries.data_out.val().get_bits::<16>(513));
        // The lookup's first half and the comparisons choose between the retry register and the
        // FIFO's head by `r_valid` (a register; an empty `r_*` takes the head if there is one),
        // not by the pop, so the choice is not behind the pop's gate. The second half reads the
        // group for `r_addr` a cycle later: `r_busy` is current two cycles after a pop.
        self.r_sel.next = self.retry_head_addr.val();
        if self.r_valid.q.val() {
            self.r_sel.next = self.r_addr.q.val();
        }
        self.r_sel_group.next = self.r_sel.val() & self.group_mask.val();
        self.r_group.d.next = bit_cast::<64, CAP>(self.busy.q.val() >> self.r_sel_group.val());
        self.r_hit_i.d.next = self.i_valid.q.val() & (self.i_addr.q.val() == self.r_sel.val());
        self.r_hits_c.d.next = self.r_sel.val() == self.c_addr.q.val();
        self.r_low.next = bit_cast::<6, L>(self.r_addr.q.val());
        self.r_busy.d.next = self.r_group.q.val().get_bit(self.r_low.val().index())
            | self.r_hit_i.q.val()
            | (self.i_valid.q.val() & (self.i_addr.q.val() == self.r_addr.q.val()));
        self.r_seen.d.next = self.r_valid.q.val();
        if self.r_pop.val() {
            self.r_seen.d.next = false;
            self.r_x.d.next = self.retries.data_out.val().get_bits::<256>(0);
            self.r_y.d.next = self.retries.data_out.val().get_bits::<256>(256);
            self.r_negate.d.next = self.retries.data_out.val().get_bit(512);
            self.r_addr.d.next = self.retry_head_addr.val();
            self.r_valid.d.next = true;
        } else if self.r_issue.val() {
            self.r_valid.d.next = false;
            self.r_seen.d.next = false;
        }
        self.popped.d.next = self.r_pop.val();
        if self.pk_valid.q.val() & !self.popped.q.val() {
            self.parked.d.next = self.parked.q.val() + bits::<6>(1);
        }
        if !self.pk_valid.q.val() & self.popped.q.val() {
            self.parked.d.next = self.parked.q.val() - bits::<6>(1);
        }
        self.room.d.next = self.parked.q.val() <= self.retry_room.val();

        // ---- Busy bits: set a cycle after the issue, cleared at write-back.
        self.set_mask.next = bits::<CAP>(0);
        if self.i_valid.q.val() {
            self.set_mask.next = self.one_hot.val() << self.i_addr.q.val();
        }
        self.clear_mask.next = bits::<CAP>(0);
        if self.written.val() {
            self.clear_mask.next = self.one_hot.val() << self.written_addr.val();
        }
        self.busy.d.next = (self.busy.q.val() & !self.clear_mask.val()) | self.set_mask.val();

        self.done.next = !self.more_to_load.q.val()
            & !self.held.q.val().any()
            & !self.loaded.q.val()
            & !self.p_valid.q.val()
            & !self.c_valid.q.val()
            & !self.pk_valid.q.val()
            & !self.parked.q.val().any()
            & !self.r_valid.q.val()
            & !self.i_valid.q.val();

        // A new run starts with nothing loaded; the busy bits stay (its slots may still be in
        // the adder), and the previous run left nothing parked or pending.
        if self.start.val() {
            self.to_load.d.next = self.num_points.val();
            self.more_to_load.d.next = self.num_points.val().any();
            self.held.d.next = bits::<5>(0);
            self.loaded.d.next = false;
            self.consumed.d.next = false;
            self.entries_left.d.next = bits::<5>(0);
            self.has_entry.d.next = false;
            self.head_valid.d.next = false;
        }
        self.points.clear.next = self.reset.val();
        self.retries.clear.next = self.reset.val();
        if self.reset.val() {
            self.more_to_load.d.next = false;
            self.held.d.next = bits::<5>(0);
            self.loaded.d.next = false;
            self.consumed.d.next = false;
            self.head_valid.d.next = false;
            self.entries_left.d.next = bits::<5>(0);
            self.has_entry.d.next = false;
            self.p_valid.d.next = false;
            self.c_valid.d.next = false;
            self.pk_valid.d.next = false;
            self.parked.d.next = bits::<6>(0);
            self.popped.d.next = false;
            self.r_valid.d.next = false;
            self.r_seen.d.next = false;
            self.i_valid.d.next = false;
            self.i_from_c.d.next = false;
            self.i_from_r.d.next = false;
            self.busy.d.next = bits::<CAP>(0);
        }
    }
}
