//! A small builder of pipelined Verilog datapaths with automatic stage alignment.
//!
//! rust-hdl's `#[hdl_gen]` blocks need a Rust type per bit width and cannot recurse, which makes a
//! Karatsuba tree down to DSP-sized leaves, chunked carry chains and compressor trees over a
//! constant's digits impractical to write as rust-hdl structs. [`Netlist`] builds such datapaths
//! as plain Verilog text (the body of one rust-hdl `Verilog::Custom` block, see
//! [`crate::montmul::MontMul`]).
//!
//! Every [`Wire`] knows the pipeline **stage** at which it is valid (0 = the block's inputs, +1 per
//! register). An operation on wires of different stages first delays the earlier ones (shared delay
//! lines, cached per signal and stage), so a datapath is written as dataflow and its latency
//! follows from the registers placed in it. Constants have no stage and are folded where an
//! operation allows.
//!
//! **Timing rule of the builder** (the budget of docs/hardware.md, "Timing"): a carry chain never
//! spans more than [`CARRY_CHUNK`] bits between registers ([`Netlist::add`] splits wider additions
//! into chunks with registered carries), and a register follows at most [`CSA_LEVELS`] levels of a
//! carry-save tree.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Longest carry chain (bits) between two registers.
pub const CARRY_CHUNK: usize = 128;
/// Levels of 3:2 compressors (one LUT level each) between two registers.
pub const CSA_LEVELS: usize = 2;
/// Widest unsigned operands of one DSP48E2 multiplier (27×18 signed = 26×17 unsigned).
pub const DSP_MAX: (usize, usize) = (26, 17);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Val {
    Const(BigUint),
    Sig { name: String, stage: usize },
}

/// A value of `width` bits in the datapath: a named signal valid at a stage, or a constant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wire {
    val: Val,
    pub width: usize,
}

impl Wire {
    pub fn stage(&self) -> Option<usize> {
        match &self.val {
            Val::Sig { stage, .. } => Some(*stage),
            Val::Const(_) => None,
        }
    }
    /// The Verilog name of a signal (`None` for a constant).
    pub fn name(&self) -> Option<&str> {
        match &self.val {
            Val::Sig { name, .. } => Some(name),
            Val::Const(_) => None,
        }
    }
    pub fn constant(&self) -> Option<&BigUint> {
        match &self.val {
            Val::Const(c) => Some(c),
            Val::Sig { .. } => None,
        }
    }
}

fn mask(width: usize) -> BigUint {
    (BigUint::one() << width) - 1u8
}

/// The Verilog under construction. `clock` is the name of the clock port.
pub struct Netlist {
    text: String,
    next_id: usize,
    delays: HashMap<(String, usize), String>,
    /// Leaf multipliers placed (one DSP48E2 each).
    pub dsps: usize,
}

impl Default for Netlist {
    fn default() -> Self {
        Self::new()
    }
}

impl Netlist {
    pub fn new() -> Self {
        Self { text: String::new(), next_id: 0, delays: HashMap::new(), dsps: 0 }
    }

    /// The module body: the generated declarations and logic, and the output port `port` driven
    /// by `result` (a registered signal).
    pub fn into_module_body(self, port: &str, result: &Wire) -> String {
        let name = result.name().expect("the result is a register, not a constant");
        format!("{}always @(*) {port} = {name};\n", self.text)
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{}", self.next_id)
    }

    /// An input port of the enclosing module, valid at stage 0.
    pub fn input(&self, name: &str, width: usize) -> Wire {
        Wire { val: Val::Sig { name: name.to_string(), stage: 0 }, width }
    }

    pub fn konst(&self, value: &BigUint, width: usize) -> Wire {
        Wire { val: Val::Const(value & mask(width)), width }
    }

    /// The constant 0 of `width` bits.
    pub fn zero(&self, width: usize) -> Wire {
        self.konst(&BigUint::zero(), width)
    }

    fn literal(value: &BigUint, width: usize) -> String {
        format!("{width}'h{value:x}")
    }

    fn expr(w: &Wire) -> String {
        match &w.val {
            Val::Const(c) => Self::literal(c, w.width),
            Val::Sig { name, .. } => name.clone(),
        }
    }

    fn wire(&mut self, prefix: &str, width: usize, stage: usize, rhs: &str) -> Wire {
        let name = self.fresh(prefix);
        writeln!(self.text, "wire [{}:0] {name} = {rhs};", width - 1).unwrap();
        Wire { val: Val::Sig { name, stage }, width }
    }

    /// A register after `x`: valid one stage later.
    pub fn reg(&mut self, x: &Wire) -> Wire {
        match &x.val {
            Val::Const(_) => x.clone(),
            Val::Sig { stage, .. } => {
                let name = self.fresh("r");
                let e = Self::expr(x);
                writeln!(self.text, "reg [{}:0] {name};\nalways @(posedge clock) {name} <= {e};", x.width - 1).unwrap();
                Wire { val: Val::Sig { name, stage: stage + 1 }, width: x.width }
            }
        }
    }

    /// `x` delayed to `stage` (≥ its own); delay lines are shared between users.
    pub fn at(&mut self, x: &Wire, stage: usize) -> Wire {
        let (name, s) = match &x.val {
            Val::Const(_) => return x.clone(),
            Val::Sig { name, stage } => (name.clone(), *stage),
        };
        assert!(stage >= s, "cannot move {name} back from stage {s} to {stage}");
        let mut cur = x.clone();
        for t in s + 1..=stage {
            let key = (name.clone(), t);
            cur = match self.delays.get(&key) {
                Some(n) => Wire { val: Val::Sig { name: n.clone(), stage: t }, width: x.width },
                None => {
                    let r = self.reg(&cur);
                    if let Val::Sig { name: n, .. } = &r.val {
                        self.delays.insert(key, n.clone());
                    }
                    r
                }
            };
        }
        cur
    }

    /// Align signals to the latest stage among them.
    fn align(&mut self, xs: &[&Wire]) -> (Vec<Wire>, usize) {
        let stage = xs.iter().filter_map(|x| x.stage()).max().unwrap_or(0);
        (xs.iter().map(|x| self.at(x, stage)).collect(), stage)
    }

    /// Bits `[lo, lo + width)` of `x` (zero above its width).
    pub fn slice(&mut self, x: &Wire, lo: usize, width: usize) -> Wire {
        if let Some(c) = x.constant() {
            return self.konst(&(c >> lo), width);
        }
        if lo == 0 && width == x.width {
            return x.clone();
        }
        if lo >= x.width {
            return self.zero(width);
        }
        let avail = (x.width - lo).min(width);
        let e = Self::expr(x);
        let body = if avail == width {
            format!("{e}[{}:{lo}]", lo + width - 1)
        } else {
            format!("{{{}'b0, {e}[{}:{lo}]}}", width - avail, lo + avail - 1)
        };
        self.wire("s", width, x.stage().unwrap(), &body)
    }

    /// `x` zero-extended or truncated to `width` bits.
    pub fn resize(&mut self, x: &Wire, width: usize) -> Wire {
        self.slice(x, 0, width)
    }

    /// `{hi, lo}`.
    pub fn concat(&mut self, hi: &Wire, lo: &Wire) -> Wire {
        let width = hi.width + lo.width;
        if let (Some(h), Some(l)) = (hi.constant(), lo.constant()) {
            return self.konst(&((h << lo.width) | l), width);
        }
        let (v, stage) = self.align(&[hi, lo]);
        let body = format!("{{{}, {}}}", Self::expr(&v[0]), Self::expr(&v[1]));
        self.wire("c", width, stage, &body)
    }

    /// `x · 2^k`, `width` bits.
    pub fn shl(&mut self, x: &Wire, k: usize, width: usize) -> Wire {
        if k == 0 {
            return self.resize(x, width);
        }
        if k >= width {
            return self.zero(width);
        }
        let low = self.zero(k);
        let body = self.resize(x, width - k);
        self.concat(&body, &low)
    }

    /// Bitwise complement.
    pub fn not(&mut self, x: &Wire) -> Wire {
        if let Some(c) = x.constant() {
            return self.konst(&(c ^ mask(x.width)), x.width);
        }
        let body = format!("~{}", Self::expr(x));
        self.wire("n", x.width, x.stage().unwrap(), &body)
    }

    /// `x` with every bit XORed with the one-bit `s` (a conditional complement).
    pub fn xor_all(&mut self, x: &Wire, s: &Wire) -> Wire {
        if let Some(c) = s.constant() {
            return if c.is_zero() { x.clone() } else { self.not(x) };
        }
        let (v, stage) = self.align(&[x, s]);
        let body = format!("{} ^ {{{}{{{}}}}}", Self::expr(&v[0]), x.width, Self::expr(&v[1]));
        self.wire("x", x.width, stage, &body)
    }

    /// `sel ? t : f` (one-bit `sel`).
    pub fn mux(&mut self, sel: &Wire, t: &Wire, f: &Wire) -> Wire {
        assert_eq!(t.width, f.width);
        if let Some(c) = sel.constant() {
            return if c.is_zero() { f.clone() } else { t.clone() };
        }
        let (v, stage) = self.align(&[sel, t, f]);
        let body = format!("{} ? {} : {}", Self::expr(&v[0]), Self::expr(&v[1]), Self::expr(&v[2]));
        self.wire("m", t.width, stage, &body)
    }

    /// Declare `x` deliberately unused (`why` says why): Verilator's lint ignores signals named
    /// `unused*`, and synthesis removes logic without loads.
    pub fn unused(&mut self, x: &Wire, why: &str) {
        if x.constant().is_none() {
            let name = self.fresh("unused");
            writeln!(self.text, "// {why}\nwire {name} = |{};", Self::expr(x)).unwrap();
        }
    }

    /// `x ≠ 0` (a reduction OR: a LUT tree, log6 of the width deep).
    pub fn any(&mut self, x: &Wire) -> Wire {
        if let Some(c) = x.constant() {
            return self.konst(&BigUint::from(!c.is_zero() as u8), 1);
        }
        let body = format!("|{}", Self::expr(x));
        self.wire("o", 1, x.stage().unwrap(), &body)
    }

    /// `x + y + cin` mod 2^width, as a chain of at most [`CARRY_CHUNK`]-bit adders with a register
    /// after each: chunk `i` is added at stage `s + i` (operands delayed to meet it) and the result
    /// is valid ⌈width / CARRY_CHUNK⌉ stages after the operands.
    pub fn add(&mut self, x: &Wire, y: &Wire, cin: &Wire, width: usize) -> Wire {
        if let (Some(a), Some(b), Some(c)) = (x.constant(), y.constant(), cin.constant()) {
            return self.konst(&(a + b + c), width);
        }
        let chunks = width.div_ceil(CARRY_CHUNK);
        let start = [x, y, cin].iter().filter_map(|w| w.stage()).max().unwrap();
        let mut carry = cin.clone();
        let mut parts: Vec<Wire> = Vec::new();
        for i in 0..chunks {
            let lo = i * CARRY_CHUNK;
            let w = CARRY_CHUNK.min(width - lo);
            let xi = self.slice(x, lo, w);
            let yi = self.slice(y, lo, w);
            let xi = self.at(&xi, start + i);
            let yi = self.at(&yi, start + i);
            let ci = self.at(&carry, start + i);
            let (ex, ey, ec) = (Self::expr(&xi), Self::expr(&yi), Self::expr(&ci));
            if i + 1 < chunks {
                let body = format!("{{1'b0, {ex}}} + {{1'b0, {ey}}} + {{{w}'b0, {ec}}}");
                let sum = self.wire("a", w + 1, start + i, &body);
                let sum = self.reg(&sum);
                parts.push(self.slice(&sum, 0, w));
                carry = self.slice(&sum, w, 1);
            } else {
                // The last chunk's carry out is the bit beyond `width`: not built.
                let body = if w == 1 { format!("{ex} + {ey} + {ec}") } else { format!("{ex} + {ey} + {{{}'b0, {ec}}}", w - 1) };
                let sum = self.wire("a", w, start + i, &body);
                parts.push(self.reg(&sum));
            }
        }
        let mut acc = parts.pop().unwrap();
        while let Some(p) = parts.pop() {
            acc = self.concat(&acc, &p);
        }
        acc
    }

    /// `(|x − y|, x < y)` for `width`-bit `x`, `y`, combinational (one carry chain and a mux).
    pub fn abs_diff(&mut self, x: &Wire, y: &Wire) -> (Wire, Wire) {
        let w = x.width.max(y.width);
        if let (Some(a), Some(b)) = (x.constant(), y.constant()) {
            let neg = a < b;
            let d = if neg { b - a } else { a - b };
            return (self.konst(&d, w), self.konst(&BigUint::from(neg as u8), 1));
        }
        let (v, stage) = self.align(&[x, y]);
        let (ex, ey) = (Self::expr(&v[0]), Self::expr(&v[1]));
        let d = self.wire("d", w + 1, stage, &format!("{{1'b0, {ex}}} - {{1'b0, {ey}}}"));
        let e = self.wire("e", w, stage, &format!("{ey} - {ex}"));
        let neg = self.slice(&d, w, 1);
        let dl = self.slice(&d, 0, w);
        let abs = self.mux(&neg, &e, &dl);
        (abs, neg)
    }

    /// `a · b` in one DSP48E2 with its input, multiplier and output registers in use (latency 3).
    /// Operands must fit [`DSP_MAX`]; a zero constant folds to zero, a nonzero one stays in the DSP.
    pub fn dsp_mul(&mut self, a: &Wire, b: &Wire) -> Wire {
        self.dsp_mul_low(a, b, a.width + b.width)
    }

    /// `a · b mod 2^width` in one DSP48E2 (the product register holds only `width` bits).
    pub fn dsp_mul_low(&mut self, a: &Wire, b: &Wire, width: usize) -> Wire {
        let (wa, wb) = (a.width.max(b.width), a.width.min(b.width));
        assert!(wa <= DSP_MAX.0 && wb <= DSP_MAX.1, "{}x{} does not fit one DSP48E2", a.width, b.width);
        if let (Some(x), Some(y)) = (a.constant(), b.constant()) {
            return self.konst(&(x * y), width);
        }
        if a.constant().is_some_and(Zero::is_zero) || b.constant().is_some_and(Zero::is_zero) {
            return self.zero(width);
        }
        let (v, stage) = self.align(&[a, b]);
        let n = self.fresh("dsp");
        let mut t = String::new();
        // A constant operand sits on its port; a variable one gets the input register (AREG/BREG).
        let mut port = |w: &Wire, reg: &str| match w.constant() {
            Some(_) => Self::expr(w),
            None => {
                writeln!(t, "reg [{}:0] {n}_{reg}; always @(posedge clock) {n}_{reg} <= {};", w.width - 1, Self::expr(w))
                    .unwrap();
                format!("{n}_{reg}")
            }
        };
        let (ea, eb) = (port(&v[0], "a"), port(&v[1], "b"));
        // Then MREG and PREG: latency 3 either way.
        writeln!(t, "reg [{}:0] {n}_m, {n}_p;", width - 1).unwrap();
        writeln!(t, "always @(posedge clock) begin {n}_m <= {ea} * {eb}; {n}_p <= {n}_m; end").unwrap();
        self.text.push_str(&t);
        self.dsps += 1;
        Wire { val: Val::Sig { name: format!("{n}_p"), stage: stage + 3 }, width }
    }

    /// Reduce `rows` (all `width` bits, summed mod 2^width) to two rows with 3:2 compressors,
    /// a register after every [`CSA_LEVELS`] levels.
    pub fn compress(&mut self, rows: Vec<Wire>, width: usize) -> (Wire, Wire) {
        let mut constant = BigUint::zero();
        let mut rows: Vec<Wire> = rows
            .into_iter()
            .filter_map(|r| match r.constant() {
                Some(c) => {
                    constant += c;
                    None
                }
                None => Some(r),
            })
            .collect();
        constant &= mask(width);
        if !constant.is_zero() {
            rows.push(self.konst(&constant, width));
        }
        let mut level = 0;
        while rows.len() > 2 {
            let mut next = Vec::new();
            for c in rows.chunks(3) {
                if c.len() < 3 {
                    next.extend(c.iter().cloned());
                    continue;
                }
                let (v, stage) = self.align(&[&c[0], &c[1], &c[2]]);
                let (x, y, z) = (Self::expr(&v[0]), Self::expr(&v[1]), Self::expr(&v[2]));
                let s = self.wire("fs", width, stage, &format!("{x} ^ {y} ^ {z}"));
                // The carries move up one column; the top column's carry leaves the width.
                let low: Vec<Wire> = v.iter().map(|r| self.slice(r, 0, width - 1)).collect();
                let (x, y, z) = (Self::expr(&low[0]), Self::expr(&low[1]), Self::expr(&low[2]));
                let maj = self.wire("fm", width - 1, stage, &format!("({x} & {y}) | ({x} & {z}) | ({y} & {z})"));
                let cy = self.shl(&maj, 1, width);
                next.push(s);
                next.push(cy);
            }
            level += 1;
            if level % CSA_LEVELS == 0 {
                next = next.iter().map(|r| self.reg(r)).collect();
            }
            rows = next;
        }
        let zero = self.zero(width);
        match rows.len() {
            0 => (zero.clone(), zero),
            1 => (rows[0].clone(), zero),
            _ => (rows[0].clone(), rows[1].clone()),
        }
    }
}

/// Canonical signed-digit (non-adjacent) form of `k`: `(position, +1 | −1)` pairs, no two adjacent.
pub fn csd_digits(k: &BigUint) -> Vec<(usize, i8)> {
    let mut k = k.clone();
    let mut out = Vec::new();
    let mut pos = 0;
    while !k.is_zero() {
        if k.bit(0) {
            // k mod 4 == 3 -> digit -1 (k + 1 becomes divisible by 4), else +1.
            if k.bit(1) {
                out.push((pos, -1));
                k += 1u8;
            } else {
                out.push((pos, 1));
                k -= 1u8;
            }
        }
        k >>= 1;
        pos += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csd_is_exact_and_non_adjacent() {
        for k in [1u64, 3, 7, 0x5555, 0xdead_beef, u64::MAX] {
            let d = csd_digits(&BigUint::from(k));
            let mut v: i128 = 0;
            for &(p, s) in &d {
                v += s as i128 * (1i128 << p);
            }
            assert_eq!(v, k as i128);
            assert!(d.windows(2).all(|w| w[1].0 > w[0].0 + 1));
        }
    }
}
