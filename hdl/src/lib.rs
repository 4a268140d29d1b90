//! BN254 arithmetic blocks in rust-hdl, emitted as Verilog. See README.md and docs/hardware.md.
pub mod blocks;
pub mod bucket_add;
pub mod butterfly;
pub mod field;
pub mod karatsuba;
pub mod modarith;
pub mod montmul;
pub mod netlist;
pub mod point_add;
pub mod prims;
pub mod rhdl_sim;

/// Run `f` on a thread with a 1 GiB stack (virtual; only touched pages are
/// committed). rust-hdl stores wide `Bits` inline (`[bool; N]`), so the large
/// blocks (the point adder) are several megabytes and overflow the default
/// 2–8 MiB stacks while being constructed or moved.
pub fn on_big_stack<F, R>(f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("spawn big-stack thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}
