//! The slave: one AXI4 port's memory, clocked by the card one cycle at a time.

use crate::checker::Checker;
use crate::read::ReadChannel;
use crate::stall::{Rng, Stalls};
use crate::write::WriteChannel;
use crate::{Backing, MasterOut, MemoryConfig, SlaveOut, Stats};

/// A cycle-level AXI4 memory slave behind one master port of a kernel.
///
/// Per cycle: [`drive`](Self::drive) gives the slave's outputs, the card evaluates the model,
/// and [`edge`](Self::edge) takes the master's outputs as the clock edge. The outputs are
/// registered: `edge` computes the next cycle's from the slave's state, never from the master's
/// outputs of the same cycle.
///
/// Invariants kept on the slave's side of the protocol: a raised R or B VALID stays high, with
/// its payload unchanged, until the master is ready; bursts complete in order; at most
/// `max_reads` read and `max_writes` write bursts are in flight; a W beat is taken only after
/// the AW of its burst.
#[derive(Clone, Debug)]
pub struct AxiSlave {
    config: MemoryConfig,
    rng: Rng,
    /// Number of the current cycle: edges since creation (a reset does not turn time back).
    cycle: u64,
    /// The outputs of the current cycle, computed at the previous edge.
    out: SlaveOut,
    reads: ReadChannel,
    writes: WriteChannel,
    checker: Checker,
    stats: Stats,
}

impl AxiSlave {
    /// An idle slave with `config`, or the reason `config` is out of range.
    pub fn new(config: MemoryConfig) -> Result<Self, String> {
        config.check()?;
        let mut slave = Self {
            config,
            rng: Rng::new(config.seed),
            cycle: 0,
            out: SlaveOut::default(),
            reads: ReadChannel::new(config.bytes_per_cycle),
            writes: WriteChannel::new(config.bytes_per_cycle),
            checker: Checker::default(),
            stats: Stats::default(),
        };
        slave.start();
        Ok(slave)
    }

    /// The slave's outputs for the current cycle, to be written into the model's inputs: the
    /// registered value `edge` will use, however often it is read.
    pub fn drive(&self) -> SlaveOut {
        self.out
    }

    /// The clock edge at the end of the current cycle, with the master's outputs `m` of that
    /// cycle: every channel with VALID and READY high transfers (W beats are written to
    /// `memory`, R beats for the next cycle read from it), the checker judges `m`, and the
    /// slave moves on to the next cycle.
    pub fn edge<B: Backing + ?Sized>(&mut self, m: &MasterOut, memory: &mut B) {
        let s = self.out;
        let now = self.cycle;
        self.checker.cycle(now, m, &s);

        if s.r_valid {
            if m.r_ready {
                self.reads.taken();
                self.stats.read_beats += 1;
            } else {
                self.stats.r_stall_cycles += 1;
            }
        }
        if m.ar_valid && s.ar_ready {
            self.checker.burst(now, "AR", m.ar_addr, m.ar_len);
            self.reads.accept(m.ar_addr, m.ar_len, now + u64::from(self.config.read_latency));
            self.stats.read_bursts += 1;
        }
        if s.b_valid && m.b_ready {
            self.writes.response_taken();
        }
        // W before AW: a beat belongs to a burst accepted in an earlier cycle.
        if m.w_valid && s.w_ready {
            let b_ready_at = now + u64::from(self.config.write_latency);
            let position = self.writes.take_beat(m, memory, b_ready_at);
            self.checker.w_beat(now, m, position);
            self.stats.write_beats += 1;
            self.stats.write_bytes += u64::from(m.w_strb.count_ones());
        }
        if m.aw_valid && s.aw_ready {
            self.checker.burst(now, "AW", m.aw_addr, m.aw_len);
            self.writes.accept(m.aw_addr, m.aw_len);
            self.stats.write_bursts += 1;
        }

        self.cycle += 1;
        self.stats.cycles += 1;
        let stalls = Stalls::roll(&mut self.rng, self.config.stall_percent);
        self.reads.advance(self.cycle, stalls.r, memory);
        self.writes.advance(self.cycle, stalls.b);
        self.out = self.outputs(stalls);
    }

    /// The registered outputs for the current cycle, from the channels' state.
    fn outputs(&self, stalls: Stalls) -> SlaveOut {
        let r = self.reads.on_bus();
        let b = self.writes.b_on_bus();
        SlaveOut {
            ar_ready: self.reads.in_flight() < self.config.max_reads && !stalls.ar,
            r_valid: r.is_some(),
            r_data: r.map_or_else(Default::default, |r| r.data),
            r_resp: r.map_or(0, |r| r.resp),
            r_last: r.is_some_and(|r| r.last),
            aw_ready: self.writes.in_flight() < self.config.max_writes && !stalls.aw,
            w_ready: self.writes.can_take_beat() && !stalls.w,
            b_valid: b.is_some(),
            b_resp: b.unwrap_or(0),
        }
    }

    /// Drops every transaction in flight and returns to the state of a new slave with the same
    /// config: the card resets the kernel and the memory interconnect together. Memory is left
    /// as it is; the cycle number, stats and violations carry on.
    pub fn reset(&mut self) {
        let config = self.config;
        self.rng = Rng::new(config.seed);
        self.reads = ReadChannel::new(config.bytes_per_cycle);
        self.writes = WriteChannel::new(config.bytes_per_cycle);
        self.checker.reset();
        self.start();
    }

    /// The outputs of the first cycle after creation or a reset, with nothing in flight.
    fn start(&mut self) {
        let stalls = Stalls::roll(&mut self.rng, self.config.stall_percent);
        self.out = self.outputs(stalls);
    }

    /// The knobs the slave was created with.
    pub fn config(&self) -> &MemoryConfig {
        &self.config
    }

    /// Number of the current cycle: clock edges since the slave was created.
    pub fn cycle(&self) -> u64 {
        self.cycle
    }

    /// Read bursts accepted whose last R beat has not been handshaken.
    pub fn reads_in_flight(&self) -> u32 {
        self.reads.in_flight()
    }

    /// Write bursts accepted whose B has not been handshaken.
    pub fn writes_in_flight(&self) -> u32 {
        self.writes.in_flight()
    }

    /// Nothing in flight in either direction.
    pub fn idle(&self) -> bool {
        self.reads_in_flight() == 0 && self.writes_in_flight() == 0
    }

    /// Traffic counters since creation.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Protocol violations by the master so far, each naming its cycle and channel, e.g.
    /// `cycle 123: AR: ARVALID dropped before ARREADY`.
    pub fn violations(&self) -> &[String] {
        self.checker.violations()
    }
}
