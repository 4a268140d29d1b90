//! The protocol checker: the AXI4 rules a master must keep, judged cycle by cycle.
//!
//! Checked: a VALID the master raised stays high with its payload unchanged until READY (AR,
//! AW, W); every accepted burst is 64-byte aligned and stays within a 4 KiB boundary (AR, AW);
//! WLAST is high exactly on a burst's last beat and no W beat has an empty strobe. RREADY and
//! BREADY may take any value, so they are not checked.

use crate::write::BeatPosition;
use crate::{MasterOut, SlaveOut, BEAT_BYTES, BOUNDARY};

/// One address channel's view of a cycle, so AR and AW share their rules.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Request {
    valid: bool,
    ready: bool,
    addr: u64,
    len: u8,
}

impl Request {
    fn ar(m: &MasterOut, s: &SlaveOut) -> Self {
        Self { valid: m.ar_valid, ready: s.ar_ready, addr: m.ar_addr, len: m.ar_len }
    }

    fn aw(m: &MasterOut, s: &SlaveOut) -> Self {
        Self { valid: m.aw_valid, ready: s.aw_ready, addr: m.aw_addr, len: m.aw_len }
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Checker {
    /// The previous cycle's signals; `None` after creation or a reset, when nothing is pending.
    previous: Option<(MasterOut, SlaveOut)>,
    violations: Vec<String>,
}

impl Checker {
    pub(crate) fn violations(&self) -> &[String] {
        &self.violations
    }

    /// Forgets the previous cycle: the master is reset with the slave, so a VALID it had
    /// pending is legally gone.
    pub(crate) fn reset(&mut self) {
        self.previous = None;
    }

    /// The rules that relate cycle `cycle` to the one before: a VALID left waiting for READY
    /// stays high, its payload unchanged.
    pub(crate) fn cycle(&mut self, cycle: u64, m: &MasterOut, s: &SlaveOut) {
        if let Some((pm, ps)) = self.previous.replace((*m, *s)) {
            self.request_held(cycle, "AR", Request::ar(&pm, &ps), Request::ar(m, s));
            self.request_held(cycle, "AW", Request::aw(&pm, &ps), Request::aw(m, s));
            if pm.w_valid && !ps.w_ready {
                if !m.w_valid {
                    self.report(cycle, "W", "WVALID dropped before WREADY".into());
                } else if (pm.w_data, pm.w_strb, pm.w_last) != (m.w_data, m.w_strb, m.w_last) {
                    self.report(cycle, "W", "WDATA/WSTRB/WLAST changed while waiting for WREADY".into());
                }
            }
        }
    }

    fn request_held(&mut self, cycle: u64, channel: &str, was: Request, now: Request) {
        if !was.valid || was.ready {
            return;
        }
        if !now.valid {
            self.report(cycle, channel, format!("{channel}VALID dropped before {channel}READY"));
        } else if (was.addr, was.len) != (now.addr, now.len) {
            self.report(
                cycle,
                channel,
                format!(
                    "{channel}ADDR/{channel}LEN changed while waiting for {channel}READY \
                     ({:#x}/{} -> {:#x}/{})",
                    was.addr, was.len, now.addr, now.len
                ),
            );
        }
    }

    /// The rules of a burst accepted on `channel` ("AR" or "AW") in cycle `cycle`.
    pub(crate) fn burst(&mut self, cycle: u64, channel: &str, addr: u64, len: u8) {
        if !addr.is_multiple_of(BEAT_BYTES as u64) {
            self.report(cycle, channel, format!("address {addr:#x} is not {BEAT_BYTES}-byte aligned"));
        }
        let beats = u64::from(len) + 1;
        let end = addr.checked_add(beats * BEAT_BYTES as u64 - 1);
        if end.is_none_or(|end| end / BOUNDARY != addr / BOUNDARY) {
            self.report(cycle, channel, format!("{beats}-beat burst at {addr:#x} crosses a {} KiB boundary", BOUNDARY / 1024));
        }
    }

    /// The rules of a W beat accepted in cycle `cycle` at `position` in its burst.
    pub(crate) fn w_beat(&mut self, cycle: u64, m: &MasterOut, position: BeatPosition) {
        let BeatPosition { index, beats } = position;
        let last = index + 1 == beats;
        if m.w_last && !last {
            self.report(cycle, "W", format!("WLAST on beat {} of a {beats}-beat burst", index + 1));
        } else if !m.w_last && last {
            self.report(cycle, "W", format!("WLAST missing on the last beat of a {beats}-beat burst"));
        }
        if m.w_strb == 0 {
            self.report(cycle, "W", "empty write beat (WSTRB = 0)".into());
        }
    }

    fn report(&mut self, cycle: u64, channel: &str, what: String) {
        self.violations.push(format!("cycle {cycle}: {channel}: {what}"));
    }
}
