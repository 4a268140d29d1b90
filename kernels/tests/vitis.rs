//! The Vitis view of the kernel builds (`zkaccel_kernels::vitis`) agrees with the register map
//! and with the generated Verilog: every argument at its `regmap` offset, every address
//! argument on its own master whose data width is the core's, every port named as the
//! RTL-kernel flow requires. (The wrapper's elaboration is checked by Verilator in
//! sim/tests/lint.rs.)

use zkaccel_core::regmap::{ArgKind, KernelKind, MsmBuild};
use zkaccel_kernels::vitis::{VitisKernel, AXI_SIGNALS};

fn builds() -> Vec<VitisKernel> {
    vec![VitisKernel::ntt(6).unwrap(), VitisKernel::msm(MsmBuild::parse("6x2").unwrap()).unwrap()]
}

/// The value of attribute `key` in the `<arg>` or `<port>` element named `name`.
fn attribute(xml: &str, element: &str, name: &str, key: &str) -> String {
    let open = format!("<{element} name=\"{name}\"");
    let start = xml.find(&open).unwrap_or_else(|| panic!("no {element} {name} in:\n{xml}"));
    let tag = &xml[start..start + xml[start..].find("/>").expect("element closed")];
    let at = tag.find(&format!(" {key}=\"")).unwrap_or_else(|| panic!("{element} {name} has no {key}")) + key.len() + 3;
    tag[at..at + tag[at..].find('"').unwrap()].to_string()
}

#[test]
fn kernel_xml_follows_the_register_map() {
    for k in builds() {
        let xml = k.kernel_xml();
        assert!(xml.contains(&format!("<kernel name=\"{}\"", k.kind.name())));
        assert_eq!(attribute(&xml, "port", "s_axi_control", "range"), "0x1000");
        for (id, a) in k.args.iter().enumerate() {
            assert_eq!(attribute(&xml, "arg", a.name, "offset"), format!("{:#x}", a.offset), "{}", a.name);
            assert_eq!(attribute(&xml, "arg", a.name, "id"), id.to_string());
            let (port, size) = match a.kind {
                ArgKind::Scalar32 => ("s_axi_control".to_string(), "0x4"),
                ArgKind::Address64 => (format!("m_axi_{}", a.name), "0x8"),
            };
            assert_eq!(attribute(&xml, "arg", a.name, "port"), port);
            assert_eq!(attribute(&xml, "arg", a.name, "size"), size);
        }
        for m in &k.masters {
            assert_eq!(attribute(&xml, "port", &m.name, "dataWidth"), m.data_width.to_string());
            assert_eq!(m.data_width, 512, "{}: the memory masters are 512 bits wide", m.name);
        }
        // The read-only registers follow the arguments: no argument may reach them.
        let last = k.args.iter().map(|a| a.offset).max().unwrap();
        assert!(last < k.kind.cycles_offset());
    }
}

#[test]
fn the_msm_build_lists_its_lanes_only() {
    let k = VitisKernel::msm(MsmBuild::parse("6x2").unwrap()).unwrap();
    assert_eq!(k.args.len(), 12);
    assert_eq!(k.masters.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().len(), 6);
    assert!(k.kernel_xml().contains("name=\"m_axi_slots_1\""));
    assert!(!k.kernel_xml().contains("points_2"));
    assert_eq!(KernelKind::Msm.args()[12].name, "num_points_2", "lane 2's block exists in the map, not in this build");
}

#[test]
fn ports_carry_the_rtl_kernel_names() {
    for k in builds() {
        let masters: Vec<&str> = k.masters.iter().map(|m| m.name.as_str()).collect();
        for p in &k.ports {
            let ok = ["ap_clk", "ap_rst_n", "interrupt"].contains(&p.name.as_str())
                || p.name.strip_prefix("s_axi_control_").is_some_and(|s| AXI_SIGNALS.contains(&s))
                || masters
                    .iter()
                    .any(|m| p.name.strip_prefix(m).and_then(|s| s.strip_prefix('_')).is_some_and(|s| AXI_SIGNALS.contains(&s)));
            assert!(ok, "{}: port {} (core {}) is not an RTL-kernel name", k.kind.name(), p.name, p.core_name);
        }
        let control_addr = k.ports.iter().find(|p| p.name == "s_axi_control_awaddr").expect("control address");
        assert_eq!(1u32 << control_addr.width, 0x1000, "the control range is the slave's address space");
        let verilog = k.verilog();
        assert!(verilog.contains(&format!("module {}(", k.kind.name())));
        assert!(verilog.contains(&format!("module {}_core(", k.kind.name())));
        assert!(!verilog.contains("module top"), "the core keeps no module named top");
    }
}
