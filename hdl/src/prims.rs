//! Small primitives every other block is built from.
//!
//! * [`MulPrim`]: an unsigned `A × B → P` multiplier written as one line of
//!   hand-written Verilog (`assign p = a * b`, zero-extended to `P` bits and
//!   truncated to `P` bits) with a Rust model for rust-hdl's simulator. rust-hdl
//!   itself only multiplies `Bits<16> × Bits<16>`.
//! * [`PipeMul`]: a `MulPrim` followed by [`MUL_REGS`] pipeline registers — the
//!   form in which vendor tools (Vivado) and yosys' `synth_xilinx` absorb the
//!   registers into the DSP48E2 cascade (`MREG`/`PREG`).
//! * [`Delay`]: an `N`-cycle shift register (one rust-hdl `DFF` per stage).

use num_bigint::BigUint;
use rust_hdl::prelude::*;

/// Register stages after each 64×64 multiplier primitive. A 64×64 product maps
/// onto a cascade of DSP48E2 slices; two output registers let synthesis retime
/// them into the slices' `MREG`/`PREG`. (For a 250 MHz target on UltraScale+ a
/// deeper cascade pipeline, 3–4, would be used; the latency figures in the doc
/// comments of the composed blocks follow this constant.)
pub const MUL_REGS: usize = 2;

/// Combinational unsigned multiplier primitive: `p = (a · b) mod 2^P`.
///
/// Latency 0 (combinational), throughput 1/cycle. Resource cost: one `A×B`
/// multiplier; for `A = B = 64` yosys `synth_xilinx -family xcup` maps it to a
/// cascade of DSP48E2 slices (see docs/PERFORMANCE.md, "Hardware blocks", for
/// the measured count). `P < A + B` gives a truncated (low-half) product, which
/// synthesis trims (partial products above bit `P` are never built).
#[derive(LogicBlock)]
pub struct MulPrim<const A: usize, const B: usize, const P: usize> {
    pub a: Signal<In, Bits<A>>,
    pub b: Signal<In, Bits<B>>,
    pub p: Signal<Out, Bits<P>>,
}

impl<const A: usize, const B: usize, const P: usize> Default for MulPrim<A, B, P> {
    fn default() -> Self {
        assert!(P <= A + B && P >= A && P >= B, "MulPrim: need max(A,B) <= P <= A+B");
        Self { a: Default::default(), b: Default::default(), p: Default::default() }
    }
}

fn zext(name: &str, from: usize, to: usize) -> String {
    if from == to {
        name.to_string()
    } else {
        format!("{{{{{}{{1'b0}}}}, {}}}", to - from, name)
    }
}

impl<const A: usize, const B: usize, const P: usize> Logic for MulPrim<A, B, P> {
    fn update(&mut self) {
        let a: BigUint = self.a.val().into();
        let b: BigUint = self.b.val().into();
        let mask = (BigUint::from(1u8) << P) - 1u8;
        self.p.next = Bits::<P>::from((a * b) & mask);
    }
    fn connect(&mut self) {
        self.p.connect();
    }
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "// {A}x{B} -> {P} unsigned product, mapped to DSP slices by synthesis.\n\
             always @(*) p = {} * {};\n",
            zext("a", A, P),
            zext("b", B, P)
        ))
    }
}

/// `MulPrim` + [`MUL_REGS`] output registers.
///
/// Latency [`MUL_REGS`] cycles, throughput 1/cycle. Cost: one `A×B` multiplier and
/// `MUL_REGS·P` flip-flops (absorbed into DSP pipeline registers when mapped).
#[derive(LogicBlock)]
pub struct PipeMul<const A: usize, const B: usize, const P: usize> {
    pub clock: Signal<In, Clock>,
    pub a: Signal<In, Bits<A>>,
    pub b: Signal<In, Bits<B>>,
    pub p: Signal<Out, Bits<P>>,
    prim: MulPrim<A, B, P>,
    regs: Delay<Bits<P>, MUL_REGS>,
}

impl<const A: usize, const B: usize, const P: usize> PipeMul<A, B, P> {
    /// Latency in cycles.
    pub const LATENCY: usize = MUL_REGS;
}

impl<const A: usize, const B: usize, const P: usize> Default for PipeMul<A, B, P> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            a: Default::default(),
            b: Default::default(),
            p: Default::default(),
            prim: Default::default(),
            regs: Default::default(),
        }
    }
}

impl<const A: usize, const B: usize, const P: usize> Logic for PipeMul<A, B, P> {
    #[hdl_gen]
    fn update(&mut self) {
        self.prim.a.next = self.a.val();
        self.prim.b.next = self.b.val();
        self.regs.clock.next = self.clock.val();
        self.regs.d.next = self.prim.p.val();
        self.p.next = self.regs.q.val();
    }
}

/// `N`-stage shift register: `q(t) = d(t − N)`. `N ≥ 1`.
///
/// Latency `N`, throughput 1/cycle, cost `N·width(T)` flip-flops (SRL-mappable:
/// no reset, no enable).
#[derive(LogicBlock)]
pub struct Delay<T: Synth, const N: usize> {
    pub clock: Signal<In, Clock>,
    pub d: Signal<In, T>,
    pub q: Signal<Out, T>,
    line: [DFF<T>; N],
}

impl<T: Synth, const N: usize> Default for Delay<T, N> {
    fn default() -> Self {
        assert!(N >= 1, "Delay needs N >= 1");
        Self {
            clock: Default::default(),
            d: Default::default(),
            q: Default::default(),
            line: std::array::from_fn(|_| Default::default()),
        }
    }
}

impl<T: Synth, const N: usize> Logic for Delay<T, N> {
    #[hdl_gen]
    fn update(&mut self) {
        for i in 0..N {
            self.line[i].clock.next = self.clock.val();
        }
        self.line[0].d.next = self.d.val();
        for i in 1..N {
            self.line[i].d.next = self.line[i - 1].q.val();
        }
        // The last iteration (i = N-1) wins: q = line[N-1].q.
        self.q.next = self.line[0].q.val();
        for i in 1..N {
            self.q.next = self.line[i].q.val();
        }
    }
}
