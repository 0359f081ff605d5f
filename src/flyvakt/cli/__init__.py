"""Command-line interface: ``flyvakt run | replay | events | verify | fleets | export | ...``."""

import os

# One BLAS thread for every command. Why: no command calls BLAS (no matmul or linalg on any
# pipeline path), yet NumPy's OpenBLAS starts a thread per further core when NumPy is imported,
# and those threads spin before they sleep: measured 0.04 CPU s of every command on a 2-core
# machine (tiny replay 0.215 -> 0.175 CPU s, median of 6 alternating, load ~1.6), more with
# more cores. It must be set before NumPy is imported: this package is imported first by the
# `flyvakt` command and `python -m flyvakt`. A value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
