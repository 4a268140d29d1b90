#!/usr/bin/env bash
# Control-path estimate of a kernel (MSM or NTT top) with yosys 0.23.
#   hdl/scripts/synth_kernel.sh <kernel verilog> <out dir>
#
# The kernels' arithmetic blocks (the MSM lanes' point adders `top$lanes$<j>$adder`, the NTT
# butterfly `top$core$butterfly`) are measured on their own (synth.sh, synth_hier.sh), and a
# flattened run with them inside would take hours on the 2-core machine. So they become black
# boxes here; paths end at a black box as at a register (both blocks register their inputs at the
# first stage and drive their outputs from registers). What is left is the kernel's control:
# AXI4-Lite, the AXI masters, FIFOs, the MSM issuer, slot RAMs and write-back, the NTT schedule and
# its buffers. Writes <out>/<kernel>.ctl.xcup.{log,stat,json} and the `paths.py` line
# (<out>/<kernel>.ctl.paths).
set -euo pipefail
v="$1"; out="$2"; mkdir -p "$out"
b="$(basename "$v" .v)"
command -v yosys >/dev/null || { echo "yosys not found: apt-get install -y yosys" >&2; exit 1; }
boxes=$(awk '/^module /{m=$2; sub(/\(.*/, "", m); if (m ~ /^top\$lanes\$[0-9]+\$adder$/ || m == "top$core$butterfly") print m}' "$v")
[ -n "$boxes" ] || { echo "no adder or butterfly module in $v: is it a kernel?" >&2; exit 1; }
echo "black boxes: $(echo $boxes)"
t0=$(date +%s)
yosys -q -l "$out/$b.ctl.xcup.log" -p "read_verilog $v; hierarchy -top top; blackbox $(echo $boxes); hierarchy -top top; synth_xilinx -family xcup -top top -flatten; tee -o $out/$b.ctl.xcup.stat stat; write_json $out/$b.ctl.xcup.json" >/dev/null
t1=$(date +%s)
echo "$b.ctl xcup_seconds=$((t1-t0))" | tee "$out/$b.ctl.time"
python3 "$(dirname "$0")/paths.py" "$out/$b.ctl.xcup.json" --trace | tee "$out/$b.ctl.paths"
