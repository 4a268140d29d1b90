"""Executes bench/notebook.ipynb headless (nbclient) so it cannot rot: scripts/test runs it on small
sizes. The executed copy goes to target/bench/notebook.executed.ipynb (the figure and raw results
too, via ZKACCEL_BENCH_OUT); the committed notebook is left as it is. Exits nonzero if a cell fails.

    target/venv/bin/python bench/notebook_run.py            # the notebook's default sizes
    ZKACCEL_BENCH_MSM_LOG=4:8 ZKACCEL_BENCH_NTT_LOG=4:10 target/venv/bin/python bench/notebook_run.py
"""
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient

root = Path(__file__).resolve().parent.parent
out_dir = root / "target" / "bench"
out_dir.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("ZKACCEL_BENCH_OUT", str(out_dir))
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

notebook = nbformat.read(root / "bench" / "notebook.ipynb", as_version=4)
start = time.monotonic()
# The kernel talks to us over IPC sockets in a temporary directory, not TCP.
ipc_dir = tempfile.TemporaryDirectory(prefix="zkaccel-kernel-")
km = KernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(ipc_dir.name, "kernel"))
try:
    NotebookClient(notebook, km=km, timeout=1800, resources={"metadata": {"path": str(root / "bench")}}).execute()
finally:
    if km.has_kernel:
        km.shutdown_kernel()
    ipc_dir.cleanup()
    nbformat.write(notebook, out_dir / "notebook.executed.ipynb")
errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
if errors:
    sys.exit(f"notebook failed: {errors[0].get('ename')}: {errors[0].get('evalue')}")
print(f"notebook executed in {time.monotonic() - start:.1f} s: {out_dir / 'notebook.executed.ipynb'}")
