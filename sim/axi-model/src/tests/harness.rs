//! What the tests drive the slave with: a flat memory and a small AXI4 master that keeps the
//! protocol, with random gaps of its own, and checks the slave's side of it.

use std::collections::VecDeque;

use crate::stall::Rng;
use crate::{AxiSlave, Backing, MasterOut, SlaveOut, BEAT_BYTES, BEAT_WORDS};

/// `bytes.len()` bytes of memory at `base`; everything else is unbacked.
pub(super) struct Memory {
    pub(super) base: u64,
    pub(super) bytes: Vec<u8>,
}

impl Memory {
    pub(super) fn new(base: u64, len: usize) -> Self {
        Self { base, bytes: vec![0; len] }
    }

    pub(super) fn beat(&self, addr: u64) -> &[u8] {
        let at = (addr - self.base) as usize;
        &self.bytes[at..at + BEAT_BYTES]
    }
}

impl Backing for Memory {
    fn bytes(&mut self, addr: u64, len: usize) -> Option<&mut [u8]> {
        let at = usize::try_from(addr.checked_sub(self.base)?).ok()?;
        self.bytes.get_mut(at..at.checked_add(len)?)
    }
}

/// One W beat as the master will send it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct WBeat {
    pub(super) data: [u32; BEAT_WORDS],
    pub(super) strb: u64,
    pub(super) last: bool,
}

/// An R beat the master took, and the cycle it took it in.
#[derive(Clone, Copy, Debug)]
pub(super) struct RBeat {
    pub(super) cycle: u64,
    pub(super) data: [u32; BEAT_WORDS],
    pub(super) resp: u8,
    pub(super) last: bool,
}

/// A master that issues queued read and write bursts in order. With `gap_percent` > 0 it
/// holds back each new VALID and drops RREADY/BREADY at random, but it never withdraws a VALID
/// or changes its payload before READY.
pub(super) struct Master {
    rng: Rng,
    gap_percent: u32,
    ar_queue: VecDeque<(u64, u8)>,
    aw_queue: VecDeque<(u64, u8)>,
    w_queue: VecDeque<WBeat>,
    out: MasterOut,
    expected_r_beats: usize,
    expected_b: usize,
    /// The slave's outputs and the master's readies in the previous cycle.
    previous: Option<(SlaveOut, MasterOut)>,
    pub(super) ar_cycles: Vec<u64>,
    /// Cycle and WLAST of every W handshake.
    pub(super) w_beats: Vec<(u64, bool)>,
    pub(super) r_beats: Vec<RBeat>,
    pub(super) b: Vec<(u64, u8)>,
    /// Cycles in which R was valid and the master not ready.
    pub(super) r_waits: u64,
}

impl Master {
    pub(super) fn new(seed: u64, gap_percent: u32) -> Self {
        Self {
            rng: Rng::new(seed),
            gap_percent,
            ar_queue: VecDeque::new(),
            aw_queue: VecDeque::new(),
            w_queue: VecDeque::new(),
            out: MasterOut::default(),
            expected_r_beats: 0,
            expected_b: 0,
            previous: None,
            ar_cycles: Vec::new(),
            w_beats: Vec::new(),
            r_beats: Vec::new(),
            b: Vec::new(),
            r_waits: 0,
        }
    }

    pub(super) fn read(&mut self, addr: u64, beats: usize) {
        self.ar_queue.push_back((addr, (beats - 1) as u8));
        self.expected_r_beats += beats;
    }

    /// A write burst of `(data, strobe)` beats, WLAST on the last.
    pub(super) fn write(&mut self, addr: u64, beats: &[([u32; BEAT_WORDS], u64)]) {
        let n = beats.len();
        let beats = beats.iter().enumerate();
        self.write_raw(addr, n, beats.map(|(i, &(data, strb))| WBeat { data, strb, last: i + 1 == n }));
    }

    /// A write burst whose AWLEN says `len_beats` and whose beats are sent as given.
    pub(super) fn write_raw(&mut self, addr: u64, len_beats: usize, beats: impl IntoIterator<Item = WBeat>) {
        self.aw_queue.push_back((addr, (len_beats - 1) as u8));
        self.w_queue.extend(beats);
        self.expected_b += 1;
    }

    /// The cycles of the W handshakes with WLAST.
    pub(super) fn w_last_cycles(&self) -> Vec<u64> {
        self.w_beats.iter().filter(|w| w.1).map(|w| w.0).collect()
    }

    /// Everything issued has been answered.
    pub(super) fn done(&self) -> bool {
        self.r_beats.len() == self.expected_r_beats && self.b.len() == self.expected_b
    }

    fn gap(&mut self) -> bool {
        self.gap_percent > 0 && self.rng.chance(self.gap_percent)
    }

    /// This cycle's outputs: a VALID already raised is held; a new one may wait for a gap.
    pub(super) fn drive(&mut self) -> MasterOut {
        if !self.out.ar_valid && !self.ar_queue.is_empty() && !self.gap() {
            let (addr, len) = self.ar_queue.pop_front().unwrap();
            (self.out.ar_valid, self.out.ar_addr, self.out.ar_len) = (true, addr, len);
        }
        if !self.out.aw_valid && !self.aw_queue.is_empty() && !self.gap() {
            let (addr, len) = self.aw_queue.pop_front().unwrap();
            (self.out.aw_valid, self.out.aw_addr, self.out.aw_len) = (true, addr, len);
        }
        if !self.out.w_valid && !self.w_queue.is_empty() && !self.gap() {
            let beat = self.w_queue.pop_front().unwrap();
            self.out.w_valid = true;
            (self.out.w_data, self.out.w_strb, self.out.w_last) = (beat.data, beat.strb, beat.last);
        }
        self.out.r_ready = !self.gap();
        self.out.b_ready = !self.gap();
        self.out
    }

    /// The clock edge on the master's side: records handshakes with `s` in cycle `cycle`, after
    /// checking that the slave held any R or B VALID it raised until READY.
    pub(super) fn edge(&mut self, cycle: u64, s: &SlaveOut) {
        if let Some((ps, pm)) = self.previous.replace((*s, self.out)) {
            if ps.r_valid && !pm.r_ready {
                assert!(s.r_valid, "cycle {cycle}: slave dropped RVALID before RREADY");
                let (was, now) = ((ps.r_data, ps.r_resp, ps.r_last), (s.r_data, s.r_resp, s.r_last));
                assert_eq!(was, now, "cycle {cycle}: slave changed R while waiting for RREADY");
            }
            if ps.b_valid && !pm.b_ready {
                assert!(s.b_valid, "cycle {cycle}: slave dropped BVALID before BREADY");
                assert_eq!(ps.b_resp, s.b_resp, "cycle {cycle}: slave changed BRESP");
            }
        }
        let m = &mut self.out;
        if m.ar_valid && s.ar_ready {
            m.ar_valid = false;
            self.ar_cycles.push(cycle);
        }
        if m.aw_valid && s.aw_ready {
            m.aw_valid = false;
        }
        if m.w_valid && s.w_ready {
            m.w_valid = false;
            self.w_beats.push((cycle, m.w_last));
        }
        self.r_waits += u64::from(s.r_valid && !m.r_ready);
        if s.r_valid && m.r_ready {
            self.r_beats.push(RBeat { cycle, data: s.r_data, resp: s.r_resp, last: s.r_last });
        }
        if s.b_valid && m.b_ready {
            self.b.push((cycle, s.b_resp));
        }
    }
}

/// Clocks `slave` and `master` until everything the master issued is answered and the slave is
/// idle, calling `each_cycle` with the slave and its outputs before every edge. Fails on a
/// protocol violation or after `limit` cycles. Returns the cycles it took.
pub(super) fn run_with(
    slave: &mut AxiSlave,
    master: &mut Master,
    memory: &mut Memory,
    limit: u64,
    mut each_cycle: impl FnMut(&AxiSlave, &SlaveOut),
) -> u64 {
    let start = slave.cycle();
    while !(master.done() && slave.idle()) {
        let cycle = slave.cycle();
        assert!(cycle - start < limit, "no progress after {limit} cycles ({})", slave.config());
        let s = slave.drive();
        each_cycle(slave, &s);
        let m = master.drive();
        slave.edge(&m, memory);
        master.edge(cycle, &s);
    }
    assert_eq!(slave.violations(), &[] as &[String], "the good master broke a rule");
    slave.cycle() - start
}

pub(super) fn run(slave: &mut AxiSlave, master: &mut Master, memory: &mut Memory) -> u64 {
    run_with(slave, master, memory, 1_000_000, |_, _| {})
}

/// Random beat data.
pub(super) fn random_data(rng: &mut Rng) -> [u32; BEAT_WORDS] {
    std::array::from_fn(|_| rng.next_u64() as u32)
}

/// Clocks `slave` with the fixed master outputs `cycles`, one per cycle.
pub(super) fn replay(slave: &mut AxiSlave, memory: &mut Memory, cycles: &[MasterOut]) {
    for m in cycles {
        slave.edge(m, memory);
    }
}
