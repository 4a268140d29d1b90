//! The shared control block on the NTT kernel's Verilator model, driven at its AXI4-Lite port:
//! byte strobes, SLVERR outside the map, AW before W and W before AW, ap_done cleared exactly
//! once per read, and the Vitis interrupt registers with the `interrupt` output.

use zkaccel_core::regmap::{ctrl, irq, ntt_args, KernelKind, CTRL, GIE, IER, ISR};
use zkaccel_sim::card::SimCard;
use zkaccel_sim::Model;

const OKAY: u32 = 0;
const SLVERR: u32 = 2;

/// A kernel model out of reset, driven one AXI4-Lite channel at a time.
struct Lite(Model);

impl Lite {
    fn new() -> Self {
        let k = SimCard::ntt_builds()[0];
        let mut m = Model::new(&format!("ntt_k{k}")).unwrap();
        m.set_bit("ap_rst_n", false);
        for _ in 0..4 {
            m.tick();
        }
        m.set_bit("ap_rst_n", true);
        // Out of the flush, and every handshake input low.
        for _ in 0..200 {
            m.tick();
        }
        Lite(m)
    }

    fn bit(&self, port: &str) -> bool {
        self.0.get_bit(port)
    }

    /// Clocks until `port` is high (evaluated before the edge), then one more edge: the handshake.
    fn handshake(&mut self, port: &str) {
        for _ in 0..100 {
            self.0.eval();
            if self.bit(port) {
                self.0.tick();
                return;
            }
            self.0.tick();
        }
        panic!("{port} never rose");
    }

    /// A write with `strb`, address first or data first; returns BRESP.
    fn write(&mut self, addr: u32, data: u32, strb: u32, data_first: bool) -> u32 {
        let m = &mut self.0;
        m.set("s_axi_control_awaddr", &addr.into());
        m.set("s_axi_control_wdata", &data.into());
        m.set("s_axi_control_wstrb", &strb.into());
        let (first, second) = if data_first { ("w", "aw") } else { ("aw", "w") };
        for ch in [first, second] {
            self.0.set_bit(&format!("s_axi_control_{ch}valid"), true);
            self.handshake(&format!("s_axi_control_{ch}ready"));
            self.0.set_bit(&format!("s_axi_control_{ch}valid"), false);
            // A few idle cycles between the two: they are accepted independently.
            for _ in 0..3 {
                self.0.tick();
            }
        }
        self.0.set_bit("s_axi_control_bready", true);
        self.0.eval();
        let mut resp = None;
        for _ in 0..100 {
            self.0.eval();
            if self.bit("s_axi_control_bvalid") {
                resp = Some(self.0.get("s_axi_control_bresp").to_u32_digits().first().copied().unwrap_or(0));
                self.0.tick();
                break;
            }
            self.0.tick();
        }
        self.0.set_bit("s_axi_control_bready", false);
        resp.expect("a write response")
    }

    /// A read; returns (RDATA, RRESP).
    fn read(&mut self, addr: u32) -> (u32, u32) {
        self.0.set("s_axi_control_araddr", &addr.into());
        self.0.set_bit("s_axi_control_arvalid", true);
        self.handshake("s_axi_control_arready");
        self.0.set_bit("s_axi_control_arvalid", false);
        self.0.set_bit("s_axi_control_rready", true);
        for _ in 0..100 {
            self.0.eval();
            if self.bit("s_axi_control_rvalid") {
                let word = |p: &str| self.0.get(p).to_u32_digits().first().copied().unwrap_or(0);
                let out = (word("s_axi_control_rdata"), word("s_axi_control_rresp"));
                self.0.tick();
                self.0.set_bit("s_axi_control_rready", false);
                return out;
            }
            self.0.tick();
        }
        panic!("no read response");
    }
}

#[test]
fn byte_strobes_and_either_channel_first() {
    let mut lite = Lite::new();
    let at = ntt_args::FLAGS.offset;
    assert_eq!(lite.write(at, 0x1122_3344, 0xf, false), OKAY);
    assert_eq!(lite.write(at, 0xaabb_ccdd, 0b0101, true), OKAY);
    assert_eq!(lite.read(at), (0x11bb_33dd, OKAY));
    assert_eq!(lite.write(at, 0xeeee_eeee, 0b1000, false), OKAY);
    assert_eq!(lite.read(at), (0xeebb_33dd, OKAY));
}

#[test]
fn outside_the_map_is_slverr_and_changes_nothing() {
    let mut lite = Lite::new();
    let at = ntt_args::BATCH.offset;
    assert_eq!(lite.write(at, 7, 0xf, false), OKAY);
    for bad in [0x100 + at, 0x800, at + 2] {
        assert_eq!(lite.write(bad, 9, 0xf, false), SLVERR, "write 0x{bad:x}");
        assert_eq!(lite.read(bad).1, SLVERR, "read 0x{bad:x}");
    }
    assert_eq!(lite.read(at), (7, OKAY));
    // An unused offset inside the map reads 0.
    assert_eq!(lite.read(0xfc), (0, OKAY));
    let caps = KernelKind::Ntt.caps_offset();
    assert_eq!(lite.read(caps).0, zkaccel_core::regmap::ntt_caps::encode(SimCard::ntt_builds()[0]));
}

#[test]
fn done_clears_once_per_read_and_raises_the_interrupt_when_enabled() {
    let mut lite = Lite::new();
    assert_eq!(lite.read(CTRL).0 & (ctrl::AP_IDLE | ctrl::AP_READY), ctrl::AP_IDLE | ctrl::AP_READY);
    assert_eq!(lite.write(GIE, irq::ENABLE, 0xf, false), OKAY);
    assert_eq!(lite.write(IER, irq::DONE, 0xf, false), OKAY);
    // A zero batch finishes at once.
    assert_eq!(lite.write(ntt_args::BATCH.offset, 0, 0xf, false), OKAY);
    assert!(!lite.bit("interrupt"));
    assert_eq!(lite.write(CTRL, ctrl::AP_START, 0xf, false), OKAY);
    for _ in 0..20 {
        lite.0.tick();
    }
    lite.0.eval();
    assert!(lite.bit("interrupt"), "done with GIE and IER.done set");
    assert_eq!(lite.read(ISR).0, irq::DONE, "only the enabled event is latched");
    assert_ne!(lite.read(CTRL).0 & ctrl::AP_DONE, 0, "ap_done after the run");
    assert_eq!(lite.read(CTRL).0 & ctrl::AP_DONE, 0, "cleared by the first read");
    // ISR bits toggle on write; the interrupt follows.
    assert_eq!(lite.write(ISR, irq::DONE, 0xf, false), OKAY);
    lite.0.eval();
    assert!(!lite.bit("interrupt"));
    assert_eq!(lite.read(ISR).0, 0);
}
