//! [`NegateY`]: an affine point's `y`, or `q − y` for a negative digit (`−(x, y) = (x, q − y)`),
//! on its way from a lane's issue to its adder.
//!
//! Two stages, one 128-bit subtraction each, so that no carry chain is longer than 129 bits:
//! the first forms `q_low − y_low` and its borrow, the second `q_high − y_high − borrow`.
//! Latency 2 cycles (the lanes' RAM read and its output register, which the point waits out
//! beside the bucket anyway), one value a cycle; two 256-bit registers, a 129-bit and a 128-bit
//! subtractor. For `0 < y < q`, which every affine point of BN254 G1 but the identity has (no
//! point of order 2); the lanes never negate the identity.

use num_bigint::BigUint;
use rust_hdl::prelude::*;
use zkaccel_hdl::field::{big_to_bits, Field};

#[derive(LogicBlock)]
pub struct NegateY {
    pub clock: Signal<In, Clock>,
    pub negate: Signal<In, Bit>,
    /// A residue `0 < y < q` (any value when `negate` is low).
    pub y: Signal<In, Bits<256>>,
    /// `q − y` if `negate` was set two cycles before, else that cycle's `y` (from a register).
    pub y_out: Signal<Out, Bits<256>>,

    modulus_low: Constant<Bits<129>>,
    modulus_high: Constant<Bits<128>>,
    modulus_high_less_one: Constant<Bits<128>>,
    /// After the first stage: the high half of `y` and the low half of the result.
    d1_y: DFF<Bits<256>>,
    d1_negate: DFF<Bit>,
    d1_borrow: DFF<Bit>,
    d2_y: DFF<Bits<256>>,
    y_low_diff: Signal<Local, Bits<129>>,
    /// `q_high − y_high − borrow`, never negative as `0 < y < q`.
    y_high_diff: Signal<Local, Bits<128>>,
}

impl Default for NegateY {
    fn default() -> Self {
        let q = Field::Fq.params().modulus;
        let low_mask = (BigUint::from(1u32) << 128) - 1u32;
        Self {
            clock: Default::default(),
            negate: Default::default(),
            y: Default::default(),
            y_out: Default::default(),
            modulus_low: Constant::new(big_to_bits(&(&q & &low_mask))),
            modulus_high: Constant::new(big_to_bits(&(&q >> 128))),
            modulus_high_less_one: Constant::new(big_to_bits(&((&q >> 128) - 1u32))),
            d1_y: Default::default(),
            d1_negate: Default::default(),
            d1_borrow: Default::default(),
            d2_y: Default::default(),
            y_low_diff: Default::default(),
            y_high_diff: Default::default(),
        }
    }
}

impl Logic for NegateY {
    #[rustfmt::skip]
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, d1_y, d1_negate, d1_borrow, d2_y);
        self.y_low_diff.next = self.modulus_low.val() - bit_cast::<129, 128>(self.y.val().get_bits::<128>(0));
        self.d1_y.d.next = self.y.val();
        self.d1_negate.d.next = self.negate.val();
        self.d1_borrow.d.next = false;
        if self.negate.val() {
            self.d1_y.d.next = ((self.y.val() >> 128) << 128) | bit_cast::<256, 128>(self.y_low_diff.val().get_bits::<128>(0));
            self.d1_borrow.d.next = self.y_low_diff.val().get_bit(128);
        }
        if self.d1_borrow.q.val() {
            self.y_high_diff.next = self.modulus_high_less_one.val() - self.d1_y.q.val().get_bits::<128>(128);
        } else {
            self.y_high_diff.next = self.modulus_high.val() - self.d1_y.q.val().get_bits::<128>(128);
        }
        self.d2_y.d.next = self.d1_y.q.val();
        if self.d1_negate.q.val() {
            self.d2_y.d.next = (bit_cast::<256, 128>(self.y_high_diff.val()) << 128)
                | bit_cast::<256, 128>(self.d1_y.q.val().get_bits::<128>(0));
        }
        self.y_out.next = self.d2_y.q.val();
    }
}
