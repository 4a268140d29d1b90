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
    arrival = {}  # cell name -> (weighted, luts, carry, max_luts, max_carry)

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
            via = None
            for p in preds:
                a = arrival[p]
                if a[0] > best[0] or via is None:
                    best, via = a[:3], p
                ml, mc = max(ml, a[3]), max(mc, a[4])
            dl, dc = cost(c["type"])
            luts, carry = best[1] + dl, best[2] + dc
            arrival[name] = (luts + carry / w, luts, carry, ml + dl, mc + dc, via)

    worst = (0.0, 0, 0)
    worst_end = None
    max_luts = max_carry = 0
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
                worst, worst_end = a[:3], d
            max_luts, max_carry = max(max_luts, a[3]), max(max_carry, a[4])
    # Paths ending at top-level outputs.
    for port in top["ports"].values():
        if port["direction"] == "output":
            for b in port["bits"]:
                d = driver.get(b) if isinstance(b, int) else None
                if d is not None:
                    resolve(d)
                    a = arrival[d]
                    if a[0] > worst[0]:
                        worst, worst_end = a[:3], d
                    max_luts, max_carry = max(max_luts, a[3]), max(max_carry, a[4])
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
            return f"({named[0]})" if named else ""

        n, chain = worst_end, []
        while n is not None:
            chain.append(f"{cells[n]['type']}{net_name(cells[n])}")
            n_first, n = n, arrival[n][5]
        first = cells[n_first]
        starts = sorted({names[b] for b in inputs(first) if b in names})
        print("worst path (end first; a net each cell drives):", " <- ".join(chain), "<- from", ", ".join(starts[:4]) or "?")
    print(
        f"{path}: worst path {worst[1]} LUT levels + {worst[2]} carry bits; "
        f"deepest LUT path {max_luts} levels; longest carry path {max_carry} bits; "
        f"DSP48E2 {dsps} (packed registers missing: A/B {dsp_missing['AB']}, M {dsp_missing['M']}, P {dsp_missing['P']}; "
        f"with registers straight before and after in the netlist: {wrapped})"
    )


if __name__ == "__main__":
    main()
