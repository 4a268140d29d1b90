#!/usr/bin/env python3
"""LUT sites a yosys `synth_xilinx` netlist would need if pairs of small LUTs shared a site.

    hdl/scripts/lut_sites.py <netlist.json>

An UltraScale+ LUT6 site has two outputs (LUT6_2): it holds one function of up to 6 inputs, or
two functions of up to 5 inputs that together use at most 5 distinct inputs. Vivado's synthesis
combines such pairs ("LUT combining"), and its utilisation report counts sites; yosys 0.23 never
does, so its LUT count is one site per function. A carry-save adder is the extreme case: a full
adder's sum and carry are two 3-input functions of the same three bits, two yosys LUTs and one
site.

This script estimates the sites by pairing, greedily, LUTs whose inputs together are at most 5
nets: first LUTs with identical input sets, then a LUT with one whose inputs contain its own.
A LUT that feeds a carry chain's select input (S) stays alone, as its site's second output is
the chain's generate input. It is an estimate of what LUT combining could do, not of what Vivado
will do (it may also combine across distances that hurt timing, or not combine at all); the raw
yosys count stays the reported figure, this one stands beside it.

Prints: LUTs, LUTs with at most 5 inputs, pairs formed, and the sites (LUTs − pairs).
"""
import json
import sys
from collections import defaultdict


def main():
    path = sys.argv[1]
    design = json.load(open(path))
    (top,) = [m for m in design["modules"].values() if m.get("attributes", {}).get("top")] or list(design["modules"].values())[:1]
    cells = top["cells"]
    carry_select = set()
    for c in cells.values():
        if c["type"] in ("CARRY4", "CARRY8"):
            carry_select.update(b for b in c["connections"].get("S", []) if isinstance(b, int))
    luts = []
    for name, c in cells.items():
        if not c["type"].startswith("LUT"):
            continue
        ins = frozenset(b for port, bits in c["connections"].items() if c["port_directions"].get(port) == "input" for b in bits if isinstance(b, int))
        out = [b for port, bits in c["connections"].items() if c["port_directions"].get(port) == "output" for b in bits]
        alone = len(ins) > 5 or any(b in carry_select for b in out)
        luts.append((ins, alone))
    small = [ins for ins, alone in luts if not alone]
    # 1. identical input sets pair up.
    by_set = defaultdict(int)
    for ins in small:
        by_set[ins] += 1
    pairs = 0
    singles = []
    for ins, n in by_set.items():
        pairs += n // 2
        if n % 2:
            singles.append(ins)
    # 2. a single whose inputs lie within another single's (both ≤ 5 inputs): pair them,
    # largest sets first.
    singles.sort(key=len, reverse=True)
    by_net = defaultdict(list)
    used = [False] * len(singles)
    for i, ins in enumerate(singles):
        for b in ins:
            by_net[b].append(i)
    for i, ins in enumerate(singles):
        if used[i] or not ins:
            continue
        for j in by_net[next(iter(ins))]:
            if j != i and not used[j] and len(singles[j] | ins) <= 5:
                used[i] = used[j] = True
                pairs += 1
                break
    print(f"{path}: LUTs {len(luts)}; with at most 5 inputs and no carry select {len(small)}; pairs {pairs}; sites {len(luts) - pairs}")


if __name__ == "__main__":
    main()
