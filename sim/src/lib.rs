//! Verilator models of zkaccel's hardware blocks, driven from Rust through a
//! cxx bridge.
//!
//! `build.rs` turns every block of [`zkaccel_hdl::blocks::BLOCKS`] into Verilog
//! with rust-hdl, compiles it with Verilator (cached), and links it here. A
//! [`Model`] exposes a generic port table: ports are addressed by name and
//! passed as little-endian 32-bit words (Verilator's layout for ports wider than
//! 64 bits), or as `BigUint`/`bool` for convenience.
//!
//! Waveforms: set `ZKACCEL_TRACE=<dir>` and every model created afterwards
//! dumps a VCD to `<dir>/<block>-<pid>-<n>.vcd`, or call [`Model::trace`].

pub mod card;
// ffi.rs holds the cxx bridge, which cxx wants as a module of its own: `ffi::ffi`.
#[allow(clippy::module_inception)]
mod ffi;

use num_bigint::BigUint;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

include!(concat!(env!("OUT_DIR"), "/ports.rs"));

/// Directory holding the generated Verilog of every block (`<block>.v`).
pub const VERILOG_DIR: &str = env!("ZKACCEL_VERILOG_DIR");

/// Errors of the harness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimError {
    /// No model of that name was built.
    UnknownBlock(String),
    /// The block has no such port (or it has the wrong direction).
    UnknownPort(String),
    /// Could not open the VCD file.
    Trace(String),
}

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SimError::UnknownBlock(b) => write!(f, "no Verilator model for block `{b}`"),
            SimError::UnknownPort(p) => write!(f, "no such port `{p}`"),
            SimError::Trace(p) => write!(f, "cannot open trace file {p}"),
        }
    }
}
impl std::error::Error for SimError {}

#[derive(Clone, Copy, Debug)]
struct PortInfo {
    idx: i32,
    width: usize,
    is_input: bool,
}

/// A resolved port of a [`Model`] (see [`Model::port_ref`]).
#[derive(Clone, Copy, Debug)]
pub struct PortRef {
    idx: i32,
    words: usize,
    is_input: bool,
}

impl PortRef {
    /// Words (32-bit, at least 2) that carry this port.
    pub fn words(&self) -> usize {
        self.words
    }
}

/// One instance of a Verilator model.
pub struct Model {
    name: String,
    inner: cxx::UniquePtr<ffi::ffi::SimModel>,
    ports: HashMap<String, PortInfo>,
    cycles: u64,
}

// SAFETY: a Model exclusively owns its Verilator context and model (no sharing, no
// thread-local state is kept between calls), so moving it to another thread is sound; it is
// not Sync, so it is never used from two threads at once.
unsafe impl Send for Model {}

static TRACE_COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Model {
    /// Instantiate the model of block `name` (see [`zkaccel_hdl::blocks::BLOCKS`]).
    pub fn new(name: &str) -> Result<Model, SimError> {
        let table = PORT_TABLE.iter().find(|(b, _)| *b == name).ok_or_else(|| SimError::UnknownBlock(name.into()))?;
        let inner = ffi::ffi::new_model(name);
        if inner.is_null() {
            return Err(SimError::UnknownBlock(name.into()));
        }
        let mut ports = HashMap::new();
        for &(p, width, is_input) in table.1 {
            let idx = inner.port_index(p);
            assert!(idx >= 0, "port table out of sync for {name}.{p}");
            ports.insert(p.to_string(), PortInfo { idx, width, is_input });
        }
        let mut m = Model { name: name.into(), inner, ports, cycles: 0 };
        if let Ok(dir) = std::env::var("ZKACCEL_TRACE") {
            let n = TRACE_COUNTER.fetch_add(1, Ordering::Relaxed);
            let path = format!("{dir}/{name}-{}-{n}.vcd", std::process::id());
            m.trace(&path)?;
        }
        Ok(m)
    }

    /// Block name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Names and widths of all ports (`(name, width, is_input)`).
    pub fn ports(&self) -> Vec<(String, usize, bool)> {
        let mut v: Vec<_> = self.ports.iter().map(|(k, p)| (k.clone(), p.width, p.is_input)).collect();
        v.sort();
        v
    }

    fn port(&self, name: &str, input: bool) -> Result<PortInfo, SimError> {
        match self.ports.get(name) {
            Some(p) if !input || p.is_input => Ok(*p),
            _ => Err(SimError::UnknownPort(name.into())),
        }
    }

    /// Width of a port in bits.
    pub fn width(&self, port: &str) -> Result<usize, SimError> {
        Ok(self.port(port, false)?.width)
    }

    /// Drive an input with little-endian 32-bit words (missing words are zero,
    /// bits above the port width are dropped).
    pub fn set_input(&mut self, port: &str, words: &[u32]) -> Result<(), SimError> {
        let p = self.port(port, true)?;
        let mut w = words.to_vec();
        w.resize(p.width.div_ceil(32).max(2), 0);
        self.inner.pin_mut().set_port(p.idx, &w);
        Ok(())
    }

    /// Read any port as little-endian 32-bit words.
    pub fn get_output(&self, port: &str, words: &mut [u32]) -> Result<(), SimError> {
        let p = self.port(port, false)?;
        let mut w = vec![0u32; p.width.div_ceil(32).max(2)];
        self.inner.get_port(p.idx, &mut w);
        let n = words.len().min(w.len());
        words[..n].copy_from_slice(&w[..n]);
        words[n..].iter_mut().for_each(|x| *x = 0);
        Ok(())
    }

    /// A port's handle, for the fast accessors [`Model::set_words`] / [`Model::get_words`]
    /// used in per-cycle loops (no lookup, no allocation).
    pub fn port_ref(&self, name: &str) -> Result<PortRef, SimError> {
        let p = self.port(name, false)?;
        Ok(PortRef { idx: p.idx, words: p.width.div_ceil(32).max(2), is_input: p.is_input })
    }

    /// Drives an input port: `words` must hold at least `port.words()` little-endian words.
    pub fn set_words(&mut self, port: PortRef, words: &[u32]) {
        assert!(port.is_input && words.len() >= port.words, "set_words: not an input, or too few words");
        self.inner.pin_mut().set_port(port.idx, words);
    }

    /// Reads a port into `words` (at least `port.words()` long).
    pub fn get_words(&self, port: PortRef, words: &mut [u32]) {
        assert!(words.len() >= port.words, "get_words: too few words");
        self.inner.get_port(port.idx, words);
    }

    /// Drive an input with an integer (panics on unknown port or overflow).
    pub fn set(&mut self, port: &str, value: &BigUint) {
        let width = self.width(port).unwrap();
        assert!(value.bits() as usize <= width, "{port}: value wider than {width} bits");
        let mut w = value.to_u32_digits();
        w.resize(width.div_ceil(32), 0);
        self.set_input(port, &w).unwrap();
    }

    /// Drive a 1-bit input.
    pub fn set_bit(&mut self, port: &str, v: bool) {
        self.set_input(port, &[v as u32]).unwrap();
    }

    /// Read a port as an integer (panics on unknown port).
    pub fn get(&self, port: &str) -> BigUint {
        let width = self.width(port).unwrap();
        let mut w = vec![0u32; width.div_ceil(32)];
        self.get_output(port, &mut w).unwrap();
        BigUint::from_slice(&w)
    }

    /// Read a 1-bit port.
    pub fn get_bit(&self, port: &str) -> bool {
        let mut w = [0u32; 2];
        self.get_output(port, &mut w).unwrap();
        w[0] & 1 == 1
    }

    /// Settle combinational logic without a clock edge.
    pub fn eval(&mut self) {
        self.inner.pin_mut().eval();
    }

    /// One clock cycle (rising edge).
    pub fn tick(&mut self) {
        self.inner.pin_mut().tick();
        self.cycles += 1;
    }

    /// `n` clock cycles with the inputs held (fast loop in C++).
    pub fn run(&mut self, n: u64) {
        self.inner.pin_mut().run(n);
        self.cycles += n;
    }

    /// Cycles simulated so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Start dumping a VCD waveform to `path`.
    pub fn trace(&mut self, path: &str) -> Result<(), SimError> {
        if self.inner.pin_mut().open_trace(path) {
            Ok(())
        } else {
            Err(SimError::Trace(path.into()))
        }
    }

    /// Stop and flush the waveform.
    pub fn close_trace(&mut self) {
        self.inner.pin_mut().close_trace();
    }
}

/// Names of the blocks that have a model.
pub fn blocks() -> Vec<&'static str> {
    PORT_TABLE.iter().map(|(b, _)| *b).collect()
}
