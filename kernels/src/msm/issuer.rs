//! [`SlotIssuer`]: turns a lane's point and entry streams into bucket additions, at most one per
//! cycle, never two in flight on one slot.
//!
//! Pipeline in words:
//! - **Loader**: one point per cycle from the `in` stream into the 16-deep point FIFO, while the
//!   FIFO has room for every point not yet consumed (the head included). It runs from the
//!   lane's start on, also during the clear pass, so the first point waits at the head when the
//!   accumulation begins.
//! - **Head**: the head point (x, y) and the current entry word (16 entries of 16 bits). An entry
//!   names slot `a` and a sign; the point (with `y` negated, `q − y`, for a negative entry) is an
//!   addition to slot `a`. The entry with the `LAST` bit moves on to the next point with no
//!   bubble; an identity point (`y = 0`) has its entries skipped, one per cycle.
//! - **Hazards**: one busy bit per slot, set at issue and cleared when the lane writes the sum
//!   back (`written`). An addition is only ever issued to a slot whose bit is clear, so every
//!   addition is applied exactly once, to the latest value of its slot. The bits survive from
//!   run to run: additions still in the adder when a run ends keep their slots busy.
//! - **Scheduling**, priority each cycle: (a) the head of the 16-deep *retry FIFO* issues if its
//!   slot is free; (b) else the head entry issues if its slot is free. A head entry whose slot is
//!   busy is *parked* in the retry FIFO (in any cycle, also while (a) issues) if the FIFO has
//!   room, and only stalls the head when it is full; an entry whose slot is free waits while (a)
//!   issues. The retry head cannot starve: while it waits its slot is busy, so every newer entry
//!   for that slot is parked behind it.
//!
//! The issue (`issue`, `issue_x`, `issue_y`, `issue_addr`) is combinational from registers: the
//! lane gives `issue_addr` to the slot RAM's read port in the same cycle. Resources: the busy
//! register (`2^L` bits, a decoder and a `2^L`-wide AND-reduce per lookup), the point FIFO
//! (16 × 512 bits), the retry FIFO (16 × 528 bits) and a 256-bit subtractor for `q − y`.

use rust_hdl::prelude::*;
use zkaccel_core::regmap::msm_entry;
use zkaccel_hdl::field::{big_to_bits, Field};
use zkaccel_hdl::prims::{Fifo, SimCheck};

/// Depth of the point FIFO between the loader and the head.
pub const POINT_FIFO_DEPTH: usize = 16;
/// Depth of the retry FIFO holding additions parked because their slot was busy.
pub const RETRY_FIFO_DEPTH: usize = 16;

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
    /// An addition of (`issue_x`, `issue_y`) to slot `issue_addr` is issued this cycle.
    pub issue: Signal<Out, Bit>,
    pub issue_x: Signal<Out, Bits<256>>,
    pub issue_y: Signal<Out, Bits<256>>,
    pub issue_addr: Signal<Out, Bits<L>>,
    /// Every point of the run consumed and nothing parked: the run has issued all it will.
    pub done: Signal<Out, Bit>,
    /// Simulation: an entry names a slot outside the run's `slots`.
    slot_range: SimCheck,

    ent_negate: Constant<Bits<16>>,
    ent_last: Constant<Bits<16>>,
    ent_slot: Constant<Bits<16>>,
    modulus: Constant<Bits<256>>,
    point_room: Constant<Bits<32>>,
    retry_room: Constant<Bits<6>>,
    one_hot: Constant<Bits<CAP>>,
    one_entry: Constant<Bits<5>>,

    loaded: DFF<Bits<32>>,
    consumed: DFF<Bits<32>>,
    head_x: DFF<Bits<256>>,
    head_y: DFF<Bits<256>>,
    head_valid: DFF<Bit>,
    entries: DFF<Bits<256>>,
    entries_left: DFF<Bits<5>>,
    r_x: DFF<Bits<256>>,
    r_y: DFF<Bits<256>>,
    r_addr: DFF<Bits<L>>,
    r_valid: DFF<Bit>,
    parked: DFF<Bits<6>>,
    busy: DFF<Bits<CAP>>,
    points: Fifo<Bits<512>, 4, 5>,
    retries: Fifo<Bits<528>, 4, 5>,

    load_fire: Signal<Local, Bit>,
    entry: Signal<Local, Bits<16>>,
    negative: Signal<Local, Bit>,
    last: Signal<Local, Bit>,
    bucket: Signal<Local, Bits<L>>,
    skip: Signal<Local, Bit>,
    bucket_mask: Signal<Local, Bits<CAP>>,
    conflict: Signal<Local, Bit>,
    signed_y: Signal<Local, Bits<256>>,
    r_mask: Signal<Local, Bits<CAP>>,
    r_ready: Signal<Local, Bit>,
    can_head: Signal<Local, Bit>,
    issue_head: Signal<Local, Bit>,
    park: Signal<Local, Bit>,
    fire: Signal<Local, Bit>,
    r_pop: Signal<Local, Bit>,
    set_mask: Signal<Local, Bits<CAP>>,
    clear_mask: Signal<Local, Bits<CAP>>,
}

impl<const L: usize, const CAP: usize> Default for SlotIssuer<L, CAP> {
    fn default() -> Self {
        assert!(CAP == 1 << L, "CAP must be 2^L");
        assert!(L as u32 <= msm_entry::SLOT_BITS, "an entry addresses at most 2^SLOT_BITS slots");
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
            issue_addr: Default::default(),
            done: Default::default(),
            slot_range: Default::default(),
            ent_negate: Constant::new(Bits::from(msm_entry::NEGATE as u64)),
            ent_last: Constant::new(Bits::from(msm_entry::LAST as u64)),
            ent_slot: Constant::new(Bits::from((1u64 << msm_entry::SLOT_BITS) - 1)),
            modulus: Constant::new(big_to_bits(&Field::Fq.params().modulus)),
            point_room: Constant::new(Bits::from(POINT_FIFO_DEPTH as u64)),
            retry_room: Constant::new(Bits::from((RETRY_FIFO_DEPTH - 1) as u64)),
            one_hot: Constant::new(Bits::from(1u64)),
            one_entry: Constant::new(Bits::from(1u64)),
            loaded: Default::default(),
            consumed: Default::default(),
            head_x: Default::default(),
            head_y: Default::default(),
            head_valid: Default::default(),
            entries: Default::default(),
            entries_left: Default::default(),
            r_x: Default::default(),
            r_y: Default::default(),
            r_addr: Default::default(),
            r_valid: Default::default(),
            parked: Default::default(),
            busy: Default::default(),
            points: Default::default(),
            retries: Default::default(),
            load_fire: Default::default(),
            entry: Default::default(),
            negative: Default::default(),
            last: Default::default(),
            bucket: Default::default(),
            skip: Default::default(),
            bucket_mask: Default::default(),
            conflict: Default::default(),
            signed_y: Default::default(),
            r_mask: Default::default(),
            r_ready: Default::default(),
            can_head: Default::default(),
            issue_head: Default::default(),
            park: Default::default(),
            fire: Default::default(),
            r_pop: Default::default(),
            set_mask: Default::default(),
            clear_mask: Default::default(),
        }
    }
}

impl<const L: usize, const CAP: usize> Logic for SlotIssuer<L, CAP> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            loaded,
            consumed,
            head_x,
            head_y,
            head_valid,
            entries,
            entries_left,
            r_x,
            r_y,
            r_addr,
            r_valid,
            parked,
            busy
        );
        clock!(self, clock, points, retries, slot_range);

        // ---- Loader.
        self.in_ready.next = self.load.val()
            & (self.loaded.q.val() < self.num_points.val())
            & ((self.loaded.q.val() - self.consumed.q.val()) < self.point_room.val());
        self.load_fire.next = self.in_ready.val() & self.in_valid.val();
        if self.load_fire.val() {
            self.loaded.d.next = self.loaded.q.val() + bits::<32>(1);
        }
        self.points.write.next = self.load_fire.val();
        self.points.data_in.next = self.in_data.val();

        // ---- The head entry and its slot.
        self.entry.next = self.entries.q.val().get_bits::<16>(0);
        self.negative.next = (self.entry.val() & self.ent_negate.val()).any();
        self.last.next = (self.entry.val() & self.ent_last.val()).any();
        self.bucket.next = bit_cast::<L, 16>(self.entry.val() & self.ent_slot.val());
        self.skip.next = !self.head_y.q.val().any();
        self.bucket_mask.next = self.one_hot.val() << self.bucket.val();
        self.conflict.next = (self.busy.q.val() & self.bucket_mask.val()).any();
        if self.negative.val() {
            self.signed_y.next = self.modulus.val() - self.head_y.q.val();
        } else {
            self.signed_y.next = self.head_y.q.val();
        }
        // The parked addition at the head of the retry FIFO goes first once its slot is free.
        self.r_mask.next = self.one_hot.val() << self.r_addr.q.val();
        self.r_ready.next = self.r_valid.q.val() & !(self.busy.q.val() & self.r_mask.val()).any();
        // The head entry: skipped, issued (adder and slot free), parked (slot busy, room in the
        // retry FIFO) or held.
        self.can_head.next = self.accumulate.val() & self.head_valid.q.val() & self.entries_left.q.val().any();
        self.issue_head.next = self.can_head.val() & !self.skip.val() & !self.conflict.val() & !self.r_ready.val();
        self.park.next = self.can_head.val() & !self.skip.val() & self.conflict.val() & (self.parked.q.val() < self.retry_room.val());
        self.fire.next = self.can_head.val() & (self.skip.val() | self.issue_head.val() | self.park.val());
        self.slot_range.fail.next =
            (self.issue_head.val() | self.park.val()) & (bit_cast::<32, 16>(self.entry.val() & self.ent_slot.val()) >= self.slots.val());

        // ---- The issue.
        self.issue.next = self.issue_head.val() | self.r_ready.val();
        if self.r_ready.val() {
            self.issue_x.next = self.r_x.q.val();
            self.issue_y.next = self.r_y.q.val();
            self.issue_addr.next = self.r_addr.q.val();
        } else {
            self.issue_x.next = self.head_x.q.val();
            self.issue_y.next = self.signed_y.val();
            self.issue_addr.next = self.bucket.val();
        }

        // ---- Retry FIFO: parked additions {slot, ±y, x}; its head register reloads when empty
        // or issued.
        self.retries.write.next = self.park.val();
        self.retries.data_in.next = (bit_cast::<528, L>(self.bucket.val()) << 512)
            | (bit_cast::<528, 256>(self.signed_y.val()) << 256)
            | bit_cast::<528, 256>(self.head_x.q.val());
        self.r_pop.next = !self.retries.empty.val() & (!self.r_valid.q.val() | self.r_ready.val());
        self.retries.read.next = self.r_pop.val();
        if self.r_pop.val() {
            self.r_x.d.next = self.retries.data_out.val().get_bits::<256>(0);
            self.r_y.d.next = self.retries.data_out.val().get_bits::<256>(256);
            self.r_addr.d.next = bit_cast::<L, 16>(self.retries.data_out.val().get_bits::<16>(512));
            self.r_valid.d.next = true;
        } else if self.r_ready.val() {
            self.r_valid.d.next = false;
        }
        if self.park.val() & !self.r_pop.val() {
            self.parked.d.next = self.parked.q.val() + bits::<6>(1);
        }
        if !self.park.val() & self.r_pop.val() {
            self.parked.d.next = self.parked.q.val() - bits::<6>(1);
        }

        // ---- Head point: the next one from the FIFO when the head is empty or its last entry
        // goes this cycle (so a point follows a point with no bubble).
        if self.fire.val() & self.last.val() {
            self.head_valid.d.next = false;
            self.consumed.d.next = self.consumed.q.val() + bits::<32>(1);
        }
        self.points.read.next = !self.points.empty.val() & (!self.head_valid.q.val() | (self.fire.val() & self.last.val()));
        if self.points.read.val() {
            self.head_x.d.next = self.points.data_out.val().get_bits::<256>(0);
            self.head_y.d.next = self.points.data_out.val().get_bits::<256>(256);
            self.head_valid.d.next = true;
        }
        // Entry words: refill when the word is used up (or its last entry goes this cycle).
        self.in2_ready.next =
            self.accumulate.val() & (!self.entries_left.q.val().any() | ((self.entries_left.q.val() == self.one_entry.val()) & self.fire.val()));
        if self.in2_ready.val() & self.in2_valid.val() {
            self.entries.d.next = self.in2_data.val();
            self.entries_left.d.next = bits::<5>(16);
        } else if self.fire.val() {
            self.entries.d.next = self.entries.q.val() >> 16;
            self.entries_left.d.next = self.entries_left.q.val() - bits::<5>(1);
        }

        // ---- Busy bits: set at issue, cleared at write-back.
        self.set_mask.next = bits::<CAP>(0);
        if self.r_ready.val() {
            self.set_mask.next = self.r_mask.val();
        } else if self.issue_head.val() {
            self.set_mask.next = self.bucket_mask.val();
        }
        self.clear_mask.next = bits::<CAP>(0);
        if self.written.val() {
            self.clear_mask.next = self.one_hot.val() << self.written_addr.val();
        }
        self.busy.d.next = (self.busy.q.val() & !self.clear_mask.val()) | self.set_mask.val();

        self.done.next = (self.consumed.q.val() == self.num_points.val()) & !self.r_valid.q.val() & !self.parked.q.val().any();

        // A new run starts with nothing loaded; the busy bits stay (its slots may still be in
        // the adder).
        if self.start.val() {
            self.loaded.d.next = bits::<32>(0);
            self.consumed.d.next = bits::<32>(0);
            self.entries_left.d.next = bits::<5>(0);
            self.head_valid.d.next = false;
            self.r_valid.d.next = false;
            self.parked.d.next = bits::<6>(0);
        }
        self.points.clear.next = self.reset.val();
        self.retries.clear.next = self.reset.val();
        if self.reset.val() {
            self.head_valid.d.next = false;
            self.r_valid.d.next = false;
            self.parked.d.next = bits::<6>(0);
            self.entries_left.d.next = bits::<5>(0);
            self.busy.d.next = bits::<CAP>(0);
        }
    }
}
