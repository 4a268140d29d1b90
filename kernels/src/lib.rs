//! zkaccel's kernels, composed from the `hdl` blocks and controlled through the register map of
//! `zkaccel_core::regmap`:
//!
//! - [`ntt`]: the NTT kernel (transforms of up to `2^K` values on chip, batched);
//! - [`msm`]: the MSM kernel (bucket accumulation around one pipelined G1 adder);
//! - [`vitis`]: a kernel build as the Vitis RTL-kernel flow sees it (`kernel.xml`, a top with
//!   the flow's port names).
//!
//! Each kernel is a rust-hdl block with the flat port list of a Vitis RTL kernel (so Verilator
//! and a platform's wrapper see plain ports): `ap_clk`, `ap_rst_n`, the AXI4-Lite slave
//! `s_axi_control` and `interrupt` ([`control`], shared by both), and AXI4 memory masters
//! ([`axi`]). See docs/kernels/ for the specs, docs/kernels/interfaces.md for the ports.

pub mod axi;
pub mod bitrev;
pub mod control;
pub mod msm;
pub mod ntt;
pub mod vitis;
