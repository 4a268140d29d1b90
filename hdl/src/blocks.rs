//! The catalogue of top-level blocks that get emitted as Verilog (used by the
//! Verilator harness in `zkaccel-sim`, the lint test and the synthesis scripts).

use crate::bucket_add::BucketAdd;
use crate::butterfly::Butterfly;
use crate::field::Field;
use crate::modarith::{ModAdd, ModSub};
use crate::montmul::{MontMul, Reduction};
use crate::point_add::PointAdd;
use rust_hdl::prelude::*;

/// A top-level block: its name (also the Verilator model name) and latency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockInfo {
    pub name: &'static str,
    /// Clock edges from sampling an input to the matching output.
    pub latency: usize,
    pub description: &'static str,
}

/// Every block the harness builds.
pub const BLOCKS: &[BlockInfo] = &[
    BlockInfo { name: "fq_add", latency: ModAdd::LATENCY, description: "modular adder over Fq" },
    BlockInfo { name: "fq_sub", latency: ModSub::LATENCY, description: "modular subtractor over Fq" },
    BlockInfo { name: "fr_add", latency: ModAdd::LATENCY, description: "modular adder over Fr" },
    BlockInfo { name: "fr_sub", latency: ModSub::LATENCY, description: "modular subtractor over Fr" },
    BlockInfo {
        name: "fq_mul",
        latency: Reduction::M_IN_LUTS.latency(),
        description: "Montgomery multiplier over Fq, T_lo*q' in LUTs (162 DSP48E2), as in g1_add",
    },
    BlockInfo {
        name: "fr_mul",
        latency: Reduction::M_IN_LUTS.latency(),
        description: "Montgomery multiplier over Fr, T_lo*r' in LUTs (162 DSP48E2), as in butterfly",
    },
    BlockInfo {
        name: "fq_mul_d243",
        latency: Reduction::ALL_DSP.latency(),
        description: "Montgomery multiplier over Fq, all three products in DSPs (243 DSP48E2)",
    },
    BlockInfo {
        name: "fq_mul_d81",
        latency: Reduction::M_IN_LUTS.latency(),
        description: "Montgomery multiplier over Fq, both products by constants in LUTs (81 DSP48E2), padded to fq_mul's latency as in g1_add",
    },
    BlockInfo { name: "butterfly", latency: Butterfly::LATENCY, description: "Cooley-Tukey NTT butterfly over Fr" },
    BlockInfo { name: "g1_add", latency: PointAdd::LATENCY, description: "BN254 G1 XYZZ += affine point adder, and XYZZ + XYZZ in two issues" },
    BlockInfo { name: "g1_add_xyzz", latency: BucketAdd::LATENCY, description: "BN254 G1 XYZZ + XYZZ point adder (bucket + bucket)" },
];

/// The multipliers of the catalogue: name, field and reduction.
pub const MULTIPLIERS: &[(&str, Field, Reduction)] = &[
    ("fq_mul", Field::Fq, Reduction::M_IN_LUTS),
    ("fr_mul", Field::Fr, Reduction::M_IN_LUTS),
    ("fq_mul_d243", Field::Fq, Reduction::ALL_DSP),
    ("fq_mul_d81", Field::Fq, Reduction::BOTH_IN_LUTS),
];

/// Look a block up by name.
pub fn info(name: &str) -> Option<BlockInfo> {
    BLOCKS.iter().copied().find(|b| b.name == name)
}

// The blocks stay on the heap while rust-hdl connects and walks them: a kernel's block tree is
// far larger than a thread's stack is comfortable with.
#[allow(clippy::boxed_local)]
fn emit<B: Block>(mut uut: Box<B>) -> String {
    uut.connect_all();
    generate_verilog(&*uut)
}

/// Generate the Verilog of block `name` (top module `top`). Runs on a big stack.
pub fn verilog(name: &str) -> String {
    let name = name.to_string();
    crate::on_big_stack(move || {
        if let Some(&(_, field, reduction)) = MULTIPLIERS.iter().find(|m| m.0 == name) {
            return emit(Box::new(MontMul::padded(field, reduction, info(&name).unwrap().latency)));
        }
        match name.as_str() {
            "fq_add" => emit(Box::new(ModAdd::new(Field::Fq))),
            "fq_sub" => emit(Box::new(ModSub::new(Field::Fq))),
            "fr_add" => emit(Box::new(ModAdd::new(Field::Fr))),
            "fr_sub" => emit(Box::new(ModSub::new(Field::Fr))),
            "butterfly" => emit(Box::new(Butterfly::new())),
            "g1_add" => emit(Box::new(PointAdd::new())),
            "g1_add_xyzz" => emit(Box::new(BucketAdd::new())),
            other => panic!("unknown block {other}"),
        }
    })
}

/// A port of a generated top module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    pub name: String,
    pub width: usize,
    pub is_input: bool,
}

/// Parse the port declarations of module `top` from generated Verilog.
pub fn top_ports(verilog: &str) -> Vec<Port> {
    let start = verilog.find("module top(").expect("no module top");
    let body = &verilog[start..];
    let end = body.find("endmodule").unwrap_or(body.len());
    let mut ports = Vec::new();
    for line in body[..end].lines() {
        let l = line.trim();
        let (is_input, rest) = if let Some(r) = l.strip_prefix("input ") {
            (true, r)
        } else if let Some(r) = l.strip_prefix("output ") {
            (false, r)
        } else {
            continue;
        };
        let rest = rest.trim_end_matches(';');
        let mut width = 1;
        let mut name = rest.split_whitespace().last().unwrap().to_string();
        if let (Some(a), Some(b)) = (rest.find('['), rest.find(']')) {
            let hi: usize = rest[a + 1..b].split(':').next().unwrap().trim().parse().unwrap();
            width = hi + 1;
            name = rest[b + 1..].trim().to_string();
        }
        ports.push(Port { name, width, is_input });
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplier_latencies_match_the_generator() {
        for &(name, field, reduction) in MULTIPLIERS {
            let latency = info(name).unwrap().latency;
            assert!(latency >= reduction.latency(), "{name}");
            assert_eq!(MontMul::padded(field, reduction, latency).latency(), latency, "{name}");
        }
    }
}
