//! [`LaneArgs`]: one MSM lane's argument registers (`regmap::msm_args::lane(index)`), written and
//! read back over the control block's register bus.
//!
//! Latency: a write is visible at the outputs on the next cycle; a read answers in the same
//! cycle (the control block registers the answer). Resources: nine 32-bit registers and an
//! 8-bit address compare per register.

use rust_hdl::prelude::*;
use zkaccel_core::regmap::msm_args;

/// The 32-bit argument words of a lane, in this order: the number of points, of entries, the
/// config word, then the low and high words of the points, entries and slots addresses.
const WORDS: usize = 9;

/// A lane's argument registers. The outputs hold the last value written; the lane reads them
/// from its start on, so the host may write the next run's arguments only while the kernel is
/// idle (as `run_kernel` does).
#[derive(LogicBlock)]
pub struct LaneArgs {
    pub clock: Signal<In, Clock>,
    pub reg_addr: Signal<In, Bits<8>>,
    pub reg_wdata: Signal<In, Bits<32>>,
    pub reg_write: Signal<In, Bit>,
    /// The value of the addressed register if it is one of this lane's, else 0 (the kernel ORs
    /// the lanes' answers).
    pub reg_rdata: Signal<Out, Bits<32>>,
    pub num_points: Signal<Out, Bits<32>>,
    pub num_entries: Signal<Out, Bits<32>>,
    pub run_config: Signal<Out, Bits<32>>,
    pub points: Signal<Out, Bits<64>>,
    pub entries: Signal<Out, Bits<64>>,
    pub slots: Signal<Out, Bits<64>>,
    words: [DFF<Bits<32>>; WORDS],
    offsets: [Constant<Bits<8>>; WORDS],
}

impl LaneArgs {
    /// The registers of lane `index`.
    pub fn new(index: usize) -> Self {
        let lane = msm_args::lane(index);
        let offsets = [
            lane.num_points.offset,
            lane.num_entries.offset,
            lane.config.offset,
            lane.points.offset,
            lane.points.offset + 4,
            lane.entries.offset,
            lane.entries.offset + 4,
            lane.slots.offset,
            lane.slots.offset + 4,
        ];
        Self {
            clock: Default::default(),
            reg_addr: Default::default(),
            reg_wdata: Default::default(),
            reg_write: Default::default(),
            reg_rdata: Default::default(),
            num_points: Default::default(),
            num_entries: Default::default(),
            run_config: Default::default(),
            points: Default::default(),
            entries: Default::default(),
            slots: Default::default(),
            words: std::array::from_fn(|_| Default::default()),
            offsets: offsets.map(|offset| Constant::new(Bits::<8>::from(offset as u64))),
        }
    }
}

impl Logic for LaneArgs {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        self.reg_rdata.next = bits::<32>(0);
        for i in 0..WORDS {
            self.words[i].clock.next = self.clock.val();
            self.words[i].d.next = self.words[i].q.val();
            if self.reg_addr.val() == self.offsets[i].val() {
                self.reg_rdata.next = self.words[i].q.val();
                if self.reg_write.val() {
                    self.words[i].d.next = self.reg_wdata.val();
                }
            }
        }
        self.num_points.next = self.words[0].q.val();
        self.num_entries.next = self.words[1].q.val();
        self.run_config.next = self.words[2].q.val();
        self.points.next = (bit_cast::<64, 32>(self.words[4].q.val()) << 32) | bit_cast::<64, 32>(self.words[3].q.val());
        self.entries.next = (bit_cast::<64, 32>(self.words[6].q.val()) << 32) | bit_cast::<64, 32>(self.words[5].q.val());
        self.slots.next = (bit_cast::<64, 32>(self.words[8].q.val()) << 32) | bit_cast::<64, 32>(self.words[7].q.val());
    }
}
