//! [`PackedPointAdd`]: the G1 adder ([`PointAdd`]) with its points packed as the lanes' RAMs
//! hold them, one 1,024-bit word `x | y << 256 | zz << 512 | zzz << 768` each (Montgomery
//! residues below q, the identity with `zz = 0`), so that the lane's accumulation and the
//! bucket reducer drive one adder through the same few wide ports. Wires only: the adder's
//! latency ([`PointAdd::LATENCY`]), throughput and resources.

use rust_hdl::prelude::*;
use zkaccel_hdl::point_add::PointAdd;

#[derive(LogicBlock, Default)]
pub struct PackedPointAdd {
    pub clock: Signal<In, Clock>,
    pub valid_in: Signal<In, Bit>,
    /// The XYZZ + XYZZ mode's first issue, and its second (see [`PointAdd`]).
    pub rescale: Signal<In, Bit>,
    pub rescaled: Signal<In, Bit>,
    pub inf2: Signal<In, Bit>,
    /// The bucket, and the point added to it (`zz = zzz = 0` for an affine point in the mixed
    /// mode; `u2 | s2 << 256 | zz_v << 512` in a second issue).
    pub p1: Signal<In, Bits<1024>>,
    pub p2: Signal<In, Bits<1024>>,
    pub valid_out: Signal<Out, Bit>,
    /// `x3 | y3 << 256 | zz3 << 512 | zzz3 << 768`.
    pub sum: Signal<Out, Bits<1024>>,
    /// A first issue's `u2 | s2 << 256 | zz_v << 512`, and `settled`.
    pub rescale_out: Signal<Out, Bits<768>>,
    pub settled: Signal<Out, Bit>,
    adder: PointAdd,
}

impl Logic for PackedPointAdd {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, adder);
        self.adder.valid_in.next = self.valid_in.val();
        self.adder.rescale.next = self.rescale.val();
        self.adder.rescaled.next = self.rescaled.val();
        self.adder.inf2.next = self.inf2.val();
        self.adder.x1.next = self.p1.val().get_bits::<256>(0);
        self.adder.y1.next = self.p1.val().get_bits::<256>(256);
        self.adder.zz1.next = self.p1.val().get_bits::<256>(512);
        self.adder.zzz1.next = self.p1.val().get_bits::<256>(768);
        self.adder.x2.next = self.p2.val().get_bits::<256>(0);
        self.adder.y2.next = self.p2.val().get_bits::<256>(256);
        self.adder.zz2.next = self.p2.val().get_bits::<256>(512);
        self.adder.zzz2.next = self.p2.val().get_bits::<256>(768);
        self.valid_out.next = self.adder.valid_out.val();
        self.sum.next = (bit_cast::<1024, 256>(self.adder.zzz3.val()) << 768)
            | (bit_cast::<1024, 256>(self.adder.zz3.val()) << 512)
            | (bit_cast::<1024, 256>(self.adder.y3.val()) << 256)
            | bit_cast::<1024, 256>(self.adder.x3.val());
        self.rescale_out.next = (bit_cast::<768, 256>(self.adder.zz_v.val()) << 512)
            | (bit_cast::<768, 256>(self.adder.s2.val()) << 256)
            | bit_cast::<768, 256>(self.adder.u2.val());
        self.settled.next = self.adder.settled.val();
    }
}
