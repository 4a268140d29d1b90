//! Verilator harness for zkaccel hardware. Not yet built: see issue 3 (harness) and issue 4 (simulated card).
