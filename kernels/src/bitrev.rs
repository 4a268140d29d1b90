//! Bit reversal of a 16-bit index: a wiring-only primitive.

use rust_hdl::prelude::*;

/// `q = reverse_bits(d)` over 16 bits. Pure wiring: latency 0, no logic cells.
///
/// Written as one line of hand Verilog (a concatenation) because rust-hdl's HDL subset has no
/// local variables to build the reversed word bit by bit; the Rust `update` is its model.
#[derive(LogicBlock, Default)]
pub struct BitReverse16 {
    pub d: Signal<In, Bits<16>>,
    pub q: Signal<Out, Bits<16>>,
}

impl Logic for BitReverse16 {
    fn update(&mut self) {
        self.q.next = Bits::<16>::from(self.d.val().to_u16().reverse_bits() as u64);
    }
    fn connect(&mut self) {
        self.q.connect();
    }
    fn hdl(&self) -> Verilog {
        let bits: Vec<String> = (0..16).map(|i| format!("d[{i}]")).collect();
        Verilog::Custom(format!("assign q = {{{}}};\n", bits.join(", ")))
    }
}
