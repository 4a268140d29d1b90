#!/usr/bin/env bash
# Resource estimate of one generated block with yosys 0.23.
#   hdl/scripts/synth.sh <verilog file> <out dir>
# Runs (1) `synth_xilinx -family xcup` (UltraScale+, the VU9P on AWS F1) and
# (2) generic `synth` (an ASIC-style cell count), each followed by `stat`, and
# writes <out>/<block>.xcup.{log,stat,json} (the JSON netlist is what hdl/scripts/paths.py reads)
# and <out>/<block>.generic.{log,stat}, with wall times.
set -euo pipefail
v="$1"; out="$2"; mkdir -p "$out"
b="$(basename "$v" .v)"
command -v yosys >/dev/null || { echo "yosys not found: apt-get install -y yosys" >&2; exit 1; }
t0=$(date +%s)
yosys -q -l "$out/$b.xcup.log" -p "read_verilog $v; synth_xilinx -family xcup -top top -flatten; tee -o $out/$b.xcup.stat stat; write_json $out/$b.xcup.json" >/dev/null
t1=$(date +%s)
yosys -q -l "$out/$b.generic.log" -p "read_verilog $v; synth -top top -flatten; tee -o $out/$b.generic.stat stat" >/dev/null
t2=$(date +%s)
echo "$b xcup_seconds=$((t1-t0)) generic_seconds=$((t2-t1))" | tee "$out/$b.time"
