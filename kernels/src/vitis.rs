//! The Vitis RTL-kernel view of a kernel build (issue #14): the `kernel.xml` that `package_xo`
//! reads, derived from [`zkaccel_core::regmap`] (the one source of the register map), and a
//! Verilog top under the kernel's name with the port names the RTL-kernel flow requires
//! (`ap_clk`, `ap_rst_n`, `interrupt`, `s_axi_control_<signal>`, `m_axi_<port>_<signal>`)
//! around the generated core.
//!
//! Conventions: every address argument `a` is served by the master `m_axi_a` (the NTT's `src`
//! and `dst`, lane `j`'s `points_j`, `entries_j` and `slots_j`), so a `v++` connectivity file can
//! place each buffer in its own memory bank. rust-hdl names a lane's port `m_axi_points_arvalid$j`;
//! the wrapper renames it `m_axi_points_j_arvalid`. The core's modules are renamed from `top…`
//! to `<kernel>_core…` so that both kernels can sit in one design. Not yet done (#14): the
//! `package_xo` Tcl, the `v++` link configuration and any run of the AMD tools.

use zkaccel_core::regmap::{msm_args, ArgKind, ArgSpec, KernelKind, MsmBuild};

/// The control slave's address range: its whole address space (the register map answers SLVERR
/// above 0x100, docs/kernels/interfaces.md).
const CONTROL_RANGE: u32 = 1 << crate::control::ADDR_BITS;

/// The AXI4 channel signals a port name can end in (matched whole, after a `_`).
pub const AXI_SIGNALS: [&str; 21] = [
    "arvalid", "arready", "awvalid", "awready", "araddr", "awaddr", "rvalid", "rready", "wvalid", "wready", "bvalid", "bready",
    "arlen", "awlen", "rdata", "wdata", "wstrb", "wlast", "rresp", "bresp", "rlast",
];

/// One port of the generated core's top module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Port {
    /// The core's name (rust-hdl's, `$j` for a lane's array element).
    pub core_name: String,
    /// The name on the Vitis kernel.
    pub name: String,
    pub output: bool,
    pub width: u32,
}

/// An AXI4 master of the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Master {
    /// `m_axi_<argument>`.
    pub name: String,
    /// Data bits (of `rdata` or `wdata`).
    pub data_width: u32,
}

/// A kernel build as the Vitis RTL-kernel flow sees it.
#[derive(Clone, Debug)]
pub struct VitisKernel {
    pub kind: KernelKind,
    /// Its arguments, in slot order (for the MSM, only the build's lanes').
    pub args: Vec<ArgSpec>,
    pub ports: Vec<Port>,
    pub masters: Vec<Master>,
    core: String,
}

impl VitisKernel {
    /// The NTT kernel holding `2^log_size` values on chip.
    pub fn ntt(log_size: usize) -> Result<Self, String> {
        Self::new(KernelKind::Ntt, KernelKind::Ntt.args().to_vec(), &crate::ntt::verilog_for_log_size(log_size)?)
    }

    /// The MSM kernel build `build`.
    pub fn msm(build: MsmBuild) -> Result<Self, String> {
        let args = (0..build.lanes as usize).flat_map(|lane| msm_args::lane(lane).all()).collect();
        Self::new(KernelKind::Msm, args, &crate::msm::verilog_for(build)?)
    }

    fn new(kind: KernelKind, args: Vec<ArgSpec>, verilog: &str) -> Result<Self, String> {
        let core_name = format!("{}_core", kind.name());
        let ports = top_ports(verilog)?;
        let mut masters: Vec<Master> = Vec::new();
        for p in &ports {
            let Some(stem) = p.name.strip_suffix("_rdata").or_else(|| p.name.strip_suffix("_wdata")) else { continue };
            if stem.starts_with("m_axi_") && !masters.iter().any(|m| m.name == stem) {
                masters.push(Master { name: stem.to_string(), data_width: p.width });
            }
        }
        let addresses: Vec<&ArgSpec> = args.iter().filter(|a| a.kind == ArgKind::Address64).collect();
        for a in &addresses {
            let master = master_of(a);
            if !masters.iter().any(|m| m.name == master) {
                return Err(format!("{}: argument {} has no master {master} in the core", kind.name(), a.name));
            }
        }
        if masters.len() != addresses.len() {
            return Err(format!("{}: a master with no address argument", kind.name()));
        }
        // The core's modules are `top` and `top$<path>`: rename both forms.
        let core = verilog.replace("module top(", &format!("module {core_name}(")).replace("top$", &format!("{core_name}$"));
        Ok(VitisKernel { kind, args, ports, masters, core })
    }

    /// The `kernel.xml` of this build.
    pub fn kernel_xml(&self) -> String {
        let name = self.kind.name();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<root versionMajor=\"1\" versionMinor=\"6\">\n");
        xml += &format!(
            "  <kernel name=\"{name}\" language=\"ip_c\" vlnv=\"zkaccel:kernel:{name}:1.0\" attributes=\"\" preferredWorkGroupSizeMultiple=\"0\" workGroupSize=\"1\" interrupt=\"true\" hwControlProtocol=\"ap_ctrl_hs\">\n    <ports>\n"
        );
        xml += &format!(
            "      <port name=\"s_axi_control\" mode=\"slave\" range=\"{CONTROL_RANGE:#x}\" dataWidth=\"32\" portType=\"addressable\" base=\"0x0\"/>\n"
        );
        for m in &self.masters {
            xml += &format!(
                "      <port name=\"{}\" mode=\"master\" range=\"0xFFFFFFFFFFFFFFFF\" dataWidth=\"{}\" portType=\"addressable\" base=\"0x0\"/>\n",
                m.name, m.data_width
            );
        }
        xml += "    </ports>\n    <args>\n";
        for (id, a) in self.args.iter().enumerate() {
            let (qualifier, port, size, ty) = match a.kind {
                ArgKind::Scalar32 => (0, "s_axi_control".to_string(), 4, "uint"),
                ArgKind::Address64 => (1, master_of(a), 8, "void*"),
            };
            xml += &format!(
                "      <arg name=\"{}\" addressQualifier=\"{qualifier}\" id=\"{id}\" port=\"{port}\" size=\"{size:#x}\" offset=\"{:#x}\" type=\"{ty}\" hostOffset=\"0x0\" hostSize=\"{size:#x}\"/>\n",
                a.name, a.offset
            );
        }
        xml += "    </args>\n  </kernel>\n</root>\n";
        xml
    }

    /// The kernel's Verilog: the renamed core and a top module `<kernel>` with the Vitis names.
    pub fn verilog(&self) -> String {
        let name = self.kind.name();
        let decl = |p: &Port| {
            let range = if p.width > 1 { format!("[{}:0] ", p.width - 1) } else { String::new() };
            format!("    {} wire {range}{}", if p.output { "output" } else { "input" }, p.name)
        };
        let ports: Vec<String> = self.ports.iter().map(decl).collect();
        let connections: Vec<String> = self.ports.iter().map(|p| format!("        .{}({})", p.core_name, p.name)).collect();
        format!(
            "{}\n// The Vitis RTL kernel {name}: the generated core under the port names of the RTL-kernel flow\n// (kernels/src/vitis.rs).\nmodule {name}(\n{}\n);\n    {name}_core core(\n{}\n    );\nendmodule\n",
            self.core,
            ports.join(",\n"),
            connections.join(",\n")
        )
    }
}

/// The master serving address argument `a`: `m_axi_<a>`.
fn master_of(a: &ArgSpec) -> String {
    format!("m_axi_{}", a.name)
}

/// The ports of the generated Verilog's `top` module, with their Vitis names.
fn top_ports(verilog: &str) -> Result<Vec<Port>, String> {
    let start = verilog.find("module top(").ok_or("no module top in the generated Verilog")?;
    let body = &verilog[start..];
    let body = &body[..body.find("endmodule").ok_or("module top has no end")?];
    let mut ports = Vec::new();
    for line in body.lines().map(str::trim) {
        let (output, rest) = if let Some(r) = line.strip_prefix("input wire ") {
            (false, r)
        } else if let Some(r) = line.strip_prefix("output reg ").or_else(|| line.strip_prefix("output wire ")) {
            (true, r)
        } else {
            continue;
        };
        let rest = rest.trim().trim_end_matches(';');
        let (width, core_name) = match rest.strip_prefix('[') {
            Some(r) => {
                let (msb, name) = r.split_once(":0]").ok_or_else(|| format!("port range in '{line}'"))?;
                (msb.parse::<u32>().map_err(|e| format!("'{line}': {e}"))? + 1, name.trim())
            }
            None => (1, rest),
        };
        ports.push(Port { core_name: core_name.to_string(), name: vitis_name(core_name), output, width });
    }
    if ports.is_empty() {
        return Err("module top declares no ports".into());
    }
    Ok(ports)
}

/// `m_axi_points_arvalid$1` → `m_axi_points_1_arvalid`; other names unchanged.
fn vitis_name(core: &str) -> String {
    let Some((stem, lane)) = core.split_once('$') else { return core.to_string() };
    match AXI_SIGNALS.iter().find_map(|s| stem.strip_suffix(s).and_then(|p| p.strip_suffix('_')).map(|p| (p, s))) {
        Some((port, signal)) => format!("{port}_{lane}_{signal}"),
        None => format!("{stem}_{lane}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lane_ports_take_the_vitis_form() {
        assert_eq!(vitis_name("m_axi_points_arvalid$1"), "m_axi_points_1_arvalid");
        assert_eq!(vitis_name("m_axi_slots_wlast$0"), "m_axi_slots_0_wlast");
        assert_eq!(vitis_name("m_axi_src_rdata"), "m_axi_src_rdata");
    }
}
