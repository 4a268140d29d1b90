#!/usr/bin/env bash
# Hierarchical resource estimate of a block that contains Montgomery multipliers, with yosys 0.23.
#   hdl/scripts/synth_hier.sh <verilog file> <out dir>
#
# A flattened run of the ten-multiplier `g1_add` would take well over an hour on the 2-core machine,
# so this script measures the block *without* its multipliers: every `MontMul` instance becomes a
# black box, the rest (add/sub units, delay lines, muxes, control) is synthesised flattened, and the
# black-box cells left in the netlist are the multiplier instance count. Total of the block =
# this remainder + N x the flattened multiplier (`synth.sh fq_mul.v` / `fr_mul.v`).
#
# rust-hdl emits every sub-block instance as its own module named after its path (`top$m1`, ...).
# A MontMul instance is the module whose body starts with the marker `// zkaccel-hdl MontMul`
# (hdl/src/montmul.rs). The script also checks that each such module is, up to its name, line for
# line the Verilog of a stand-alone multiplier block (`fq_mul`, `fr_mul`, `fq_mul_d243`,
# `fq_mul_d81`, next to <verilog file>), so the composition adds exactly what `synth.sh` measured
# for that block.
#
# Writes <out>/<block>.hier.{xcup,generic}.{log,stat}, <out>/<block>.hier.muls (the instances and the
# stand-alone block each matches) and <out>/<block>.hier.time (wall seconds of each flow).
set -euo pipefail
v="$1"; out="$2"; mkdir -p "$out"
b="$(basename "$v" .v)"; dir="$(dirname "$v")"
command -v yosys >/dev/null || { echo "yosys not found: apt-get install -y yosys" >&2; exit 1; }

muls=$(awk '/^module /{m=$2; sub(/\(.*/, "", m)} /^[ \t]*\/\/ zkaccel-hdl MontMul/{print m}' "$v" | sort -uV)
[ -n "$muls" ] || { echo "no MontMul instance in $v" >&2; exit 1; }
echo "$muls" | grep -qx top && { echo "$v is itself a multiplier: use synth.sh" >&2; exit 1; }

# Module tree of instance $1 in file $2, renamed so that $1 becomes `top`, lines sorted.
tree() {
  python3 - "$2" "$1" <<'EOF'
import re, sys
src, pre = open(sys.argv[1]).read(), sys.argv[2]
for m in re.split(r'(?m)^(?=module )', src):
    n = re.match(r'module ([^\s(]+)', m)
    if n and (n.group(1) == pre or n.group(1).startswith(pre + '$')):
        sys.stdout.write(m.replace(pre, 'top'))
EOF
}
: > "$out/$b.hier.muls"
for m in $muls; do
  match=none
  for ref in fq_mul fr_mul fq_mul_d243 fq_mul_d81; do
    [ -f "$dir/$ref.v" ] || continue
    if cmp -s <(tree "$m" "$v" | grep -v '^\s*$' | sort) <(grep -v '^\s*$' "$dir/$ref.v" | sort); then match=$ref; fi
  done
  echo "$m $match" >> "$out/$b.hier.muls"
done
cat "$out/$b.hier.muls"

# Black-box every multiplier, then drop the now-unused sub-modules of the multipliers.
bb=$(echo $muls)
prep="read_verilog $v; hierarchy -top top; blackbox $bb; hierarchy -top top"
t0=$(date +%s)
yosys -q -l "$out/$b.hier.xcup.log" -p "$prep; synth_xilinx -family xcup -top top -flatten; tee -o $out/$b.hier.xcup.stat stat; write_json $out/$b.hier.xcup.json" >/dev/null
t1=$(date +%s)
yosys -q -l "$out/$b.hier.generic.log" -p "$prep; synth -top top -flatten; tee -o $out/$b.hier.generic.stat stat" >/dev/null
t2=$(date +%s)
echo "$b.hier multipliers=$(echo "$muls" | wc -l) xcup_seconds=$((t1-t0)) generic_seconds=$((t2-t1))" | tee "$out/$b.hier.time"

# Remainder, and remainder + the multipliers (each instance counted with its own block's
# flattened stat), when every multiplier block's stat exists.
here="$(dirname "$0")"
for flow in xcup generic; do
  rem=$("$here/stat_row.sh" "$out/$b.hier.$flow.stat")
  echo "$rem" | tee -a "$out/$b.hier.time"
  refs=$(awk '{print $2}' "$out/$b.hier.muls" | sort -u)
  missing=""
  for ref in $refs; do
    [ "$ref" = none ] && { echo "warning: a multiplier matches no stand-alone multiplier block in $dir: no total" >&2; missing=1; continue; }
    [ -f "$out/$ref.$flow.stat" ] || { echo "(for the total, run: hdl/scripts/synth.sh $dir/$ref.v $out)"; missing=1; }
  done
  [ -n "$missing" ] && continue
  args=()
  for ref in $refs; do
    args+=("$(awk -v r="$ref" '$2 == r' "$out/$b.hier.muls" | wc -l)" "$("$here/stat_row.sh" "$out/$ref.$flow.stat")")
  done
  python3 - "$rem" "$b" "$flow" "${args[@]}" <<'PY' | tee -a "$out/$b.hier.time"
import sys
kv = lambda line: {k: int(v) for k, v in (f.split('=') for f in line.split()[1:])}
rem, b, flow, rest = kv(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
tot = {k: v for k, v in rem.items() if k != 'blackbox'}
parts = []
for n, line in zip(rest[0::2], rest[1::2]):
    n, one = int(n), kv(line)
    parts.append(f"{n} x {line.split()[0].split('/')[-1].split('.')[0]}")
    for k in tot:
        # the remainder's cell count includes its black-box cells, which the multipliers replace
        tot[k] += n * one[k] - (n if k == 'cells' else 0)
print(f"{b} total ({b} remainder + {' + '.join(parts)}, {flow}):", *(f"{k}={v}" for k, v in tot.items()))
PY
done
