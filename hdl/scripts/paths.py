#!/usr/bin/env python3
"""Register-to-register path depth of a yosys `synth_xilinx` netlist (JSON from `write_json`).

    hdl/scripts/paths.py <netlist.json> [--weight-carry BITS_PER_LUT]

Vivado is not available here, so this measures what the netlist shows: for every path that starts
at a register, a RAM, a DSP48E2 or a top-level input and ends at one of them, the number of LUT
levels (LUT1..LUT6; MUXF7/F8, which widen a LUT inside its slice, are not counted) and carry-chain bits (4 per CARRY4, 8 per CARRY8) it crosses.
Inverters are not counted (Vivado folds them into the LUT or the register they feed).

Prints one line: the worst path by `LUT levels + carry bits / BITS_PER_LUT` (default 32, i.e. a
32-bit stretch of carry chain counted like one LUT level and its net) with both of its counts, the
deepest LUT path and the longest carry path anywhere, and how many DSP48E2 lack their input (A/B),
multiplier (M) or output (P) register.
"""
import json
import sys


def bits_per_lut(argv):
    if "--weight-carry" in argv:
        return float(argv[argv.index("--weight-carry") + 1])
    return 32.0


def is_sequential(t):
    # A black-box cell (a module kept out of the synthesis by synth_hier.sh, e.g. a MontMul, whose
    # operands and product are registered inside it) bounds paths like a register.
    black_box = "$" in t and not t.startswith("$_")
    return black_box or t.startswith(("FD", "SRL", "RAMB", "RAM32", "RAM64", "RAM128", "RAM256", "URAM", "DSP48E2", "LDCE", "LDPE"))


def cost(t):
    """(LUT levels, carry bits) a combinational cell adds."""
    if t.startswith("LUT"):
        return 1, 0
    if t == "CARRY4":
        return 0, 4
    if t == "CARRY8":
        return 0, 8
    return 0, 0


def main():
    path = sys.argv[1]
    w = bits_per_lut(sys.argv)
    design = json.load(open(path))
    (top,) = [m for m in design["modules"].values() if m.get("attributes", {}).get("top")] or list(design["modules"].values())[:1]
    cells = top["cells"]
    driver = {}  # bit -> cell name (combinational cells only)
    for name, c in cells.items():
        if is_sequential(c["type"]):
            continue
        for port, bits in c["connections"].items():
            if c["port_directions"].get(port) == "output":
                for b in bits:
                    if isinstance(b, int):
                        driver[b] = name
    # cell name -> (weighted, luts, carry, max_luts, max_carry, via, max_luts_with_carry): the worst
    # path into the cell by weight, the deepest LUT path and longest carry path into it, the
    # predecessor on the worst path, and the most LUT levels on any path that crosses a carry
    # chain (-1: none does), for the budget check.
    arrival = {}

    def inputs(c):
        for port, bits in c["connections"].items():
            if c["port_directions"].get(port) == "input":
                for b in bits:
                    if isinstance(b, int):
                        yield b

    def resolve(start):
        stack = [(start, False)]
        while stack:
            name, ready = stack.pop()
            if name in arrival:
                continue
            c = cells[name]
            preds = [driver[b] for b in inputs(c) if b in driver]
            if not ready:
                stack.append((name, True))
                stack.extend((p, False) for p in preds if p not in arrival)
                continue
            best = (0.0, 0, 0)
            ml = mc = 0
            mlc = -1
            via = via_ml = via_mlc = None
            for p in preds:
                a = arrival[p]
                if a[0] > best[0] or via is None:
                    best, via = a[:3], p
                if a[3] > ml or via_ml is None:
                    ml, via_ml = a[3], p
                if a[6] > mlc:
                    mlc, via_mlc = a[6], p
                mc = max(mc, a[4])
            dl, dc = cost(c["type"])
            luts, carry = best[1] + dl, best[2] + dc
            if dc:
                mlc, via_mlc = ml, via_ml
            elif mlc >= 0:
                mlc += dl
            arrival[name] = (luts + carry / w, luts, carry, ml + dl, mc + dc, via, mlc, via_ml, via_mlc)

    worst = (0.0, 0, 0)
    worst_end = worst_sink = None
    max_luts = max_carry = 0
    max_luts_with_carry = -1
    carry_end = carry_sink = None
    dsp_missing = {"AB": 0, "M": 0, "P": 0}
    dsps = 0
    for name, c in cells.items():
        t = c["type"]
        if t == "DSP48E2":
            dsps += 1
            p = c.get("parameters", {})
            reg = lambda k: int(str(p.get(k, "1")), 2) if set(str(p.get(k, "1"))) <= {"0", "1"} else int(p.get(k, 1))
            if reg("AREG") == 0 and reg("BREG") == 0:
                dsp_missing["AB"] += 1
            if reg("MREG") == 0:
                dsp_missing["M"] += 1
            if reg("PREG") == 0:
                dsp_missing["P"] += 1
        if not is_sequential(t):
            continue
        for b in inputs(c):
            d = driver.get(b)
            if d is None:
                continue
            resolve(d)
            a = arrival[d]
            if a[0] > worst[0]:
                worst, worst_end, worst_sink = a[:3], d, c
            if a[6] > max_luts_with_carry:
                carry_end, carry_sink = d, c
            max_luts, max_carry, max_luts_with_carry = max(max_luts, a[3]), max(max_carry, a[4]), max(max_luts_with_carry, a[6])
    # Paths ending at top-level outputs.
    for port in top["ports"].values():
        if port["direction"] == "output":
            for b in port["bits"]:
                d = driver.get(b) if isinstance(b, int) else None
                if d is not None:
                    resolve(d)
                    a = arrival[d]
                    if a[0] > worst[0]:
                        worst, worst_end, worst_sink = a[:3], d, None
                    max_luts, max_carry, max_luts_with_carry = max(max_luts, a[3]), max(max_carry, a[4]), max(max_luts_with_carry, a[6])
    # DSP48E2 whose operands all come straight from registers and whose product goes straight
    # into registers: yosys 0.23 leaves such registers beside the DSP, Vivado packs them.
    fanout = {}
    for name, c in cells.items():
        for b in inputs(c):
            fanout.setdefault(b, []).append(c["type"])
    seq_driven = set()
    for name, c in cells.items():
        if is_sequential(c["type"]) and not c["type"].startswith("DSP"):
            for port, bits in c["connections"].items():
                if c["port_directions"].get(port) == "output":
                    seq_driven.update(b for b in bits if isinstance(b, int))
    wrapped = 0
    for name, c in cells.items():
        if c["type"] != "DSP48E2":
            continue
        ins = [b for port in ("A", "B") for b in c["connections"][port] if isinstance(b, int)]
        outs = [b for b in c["connections"]["P"] if isinstance(b, int) and b in fanout]
        if all(b in seq_driven for b in ins) and all(all(t.startswith(("FD", "SRL")) for t in fanout[b]) for b in outs):
            wrapped += 1
    if "--trace" in sys.argv and worst_end:
        names = {}  # bit -> a design net name, from the netlist's visible names
        for net, info in top["netnames"].items():
            if not info.get("hide_name"):
                for b in info["bits"]:
                    if isinstance(b, int):
                        names.setdefault(b, net)

        def net_name(c):
            outs = [b for port, bits in c["connections"].items() if c["port_directions"].get(port) == "output" for b in bits]
            named = [names[b] for b in outs if b in names]
            if named:
                return f"({named[0]})"
            # An unnamed net: the Verilog line the cell came from says where it is.
            src = c.get("attributes", {}).get("src", "")
            return f"[{src.split('|')[0].rsplit('/', 1)[-1]}]" if src else ""

        def trace(title, end, sink, step):
            n, chain = end, []
            while n is not None:
                chain.append(f"{cells[n]['type']}{net_name(cells[n])}")
                n_first, n = n, step(n)
            starts = sorted({names[b] for b in inputs(cells[n_first]) if b in names})
            into = f"{sink['type']}{net_name(sink)} <- " if sink else "an output <- "
            print(f"{title} (end first; a net each cell drives):", into + " <- ".join(chain), "<- from", ", ".join(starts[:4]) or "?")

        trace("worst path", worst_end, worst_sink, lambda n: arrival[n][5])
        if carry_end is not None and max_luts_with_carry > 2:
            # Back along the LUT-deepest path through a chain: by `via_mlc` down to the chain,
            # then by `via_ml`.
            def step(n):
                a = arrival[n]
                return a[7] if cost(cells[n]["type"])[1] or a[6] < 0 else a[8]

            trace("most LUT levels around a carry chain", carry_end, carry_sink, step)
    # docs/hardware.md, "Timing budget for 250 MHz": at most 4 LUT levels on a path without a
    # carry chain, at most 2 on one with a chain, and at most 132 carry bits (33 CARRY4).
    budget = max_luts <= 4 and max_luts_with_carry <= 2 and max_carry <= 132
    print(
        f"{path}: budget {'met' if budget else 'NOT met'} (deepest LUT path {max_luts} levels, "
        f"most LUT levels on a path with a carry chain {max(max_luts_with_carry, 0)}, longest carry path {max_carry} bits)"
    )
    print(
        f"{path}: worst path {worst[1]} LUT levels + {worst[2]} carry bits; "
        f"deepest LUT path {max_luts} levels; longest carry path {max_carry} bits; "
        f"DSP48E2 {dsps} (packed registers missing: A/B {dsp_missing['AB']}, M {dsp_missing['M']}, P {dsp_missing['P']}; "
        f"with registers straight before and after in the netlist: {wrapped})"
    )


if __name__ == "__main__":
    main()
