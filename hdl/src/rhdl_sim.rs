//! A tiny clocked driver for rust-hdl's own (event-settling) simulator, used to
//! cross-check blocks against the Verilator models on a few cases.

use rust_hdl::prelude::*;

/// Settle the combinational logic of `uut` (panics if it does not converge).
pub fn settle<B: Block>(uut: &mut B) {
    assert!(simulate(uut, 10_000), "rust-hdl simulation failed to converge");
}

/// One full clock cycle: falling edge then rising edge, settling after each.
pub fn tick<B: Block>(uut: &mut B, clock: impl Fn(&mut B) -> &mut Signal<In, Clock>) {
    clock(uut).next = Clock { clk: false };
    settle(uut);
    clock(uut).next = Clock { clk: true };
    settle(uut);
}
