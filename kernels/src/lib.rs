//! zkaccel's kernels, composed from the `hdl` blocks and controlled through the register map of
//! `zkaccel_core::regmap`:
//!
//! - [`ntt`]: the NTT kernel (transforms of up to `2^K` values on chip, batched);
//! - [`msm`]: the MSM kernel (bucket accumulation around one pipelined G1 adder).
//!
//! Each kernel is a rust-hdl block with a flat port list (so Verilator and the F1 wrapper see
//! plain ports): a small synchronous register bus, DMA command outputs and valid/ready data
//! streams. See docs/kernels/ for the specs.

pub mod axi;
pub mod bitrev;
pub mod control;
pub mod msm;
pub mod ntt;
