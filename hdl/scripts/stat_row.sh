#!/usr/bin/env bash
# One-line summary of yosys `stat` outputs written by synth.sh / synth_hier.sh.
#   hdl/scripts/stat_row.sh <file.xcup.stat | file.generic.stat>...
# xcup:    LUT (LUT1..LUT6; INV cells listed apart, as in docs/PERFORMANCE.md), FF (FD*), SRL, DSP48E2,
#          CARRY4, and black-box cells (type names containing `$`, i.e. the multiplier instances).
# generic: all cells, DFF cells, black-box cells.
set -euo pipefail
for f in "$@"; do
  awk -v f="$f" '
    $1 == "Number" && $3 == "cells:" { cells = $4 }
    NF == 2 && $2 ~ /^[0-9]+$/ {
      t = $1; n = $2
      if (t ~ /^LUT[1-6]$/) lut += n
      else if (t ~ /^FD/) ff += n
      else if (t ~ /^SRL/) srl += n
      else if (t == "DSP48E2") dsp += n
      else if (t == "CARRY4") carry += n
      else if (t == "INV") inv += n
      else if (t ~ /^\$_(S?DFF|DFFE|ADFF|SDFF|DLATCH)/) dff += n
      else if (t ~ /\$/ && t !~ /^\$_/) bb += n
    }
    END {
      if (f ~ /xcup/)
        printf "%s LUT=%d FF=%d SRL=%d DSP48E2=%d CARRY4=%d INV=%d blackbox=%d\n", f, lut, ff, srl, dsp, carry, inv, bb
      else
        printf "%s cells=%d DFF=%d blackbox=%d\n", f, cells, dff, bb
    }' "$f"
done
