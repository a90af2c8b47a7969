"""The environment every sandboxed child starts with, fresh or forked from the template (``forks``)."""

from __future__ import annotations

import os
from pathlib import Path


def child_environment() -> dict[str, str]:
    """The whole environment of a sandboxed child: the kit importable, one BLAS thread, nothing of the TA's."""
    kit_root = str(Path(__file__).resolve().parents[2])
    env = {"PYTHONPATH": kit_root, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # some machines' BLAS needs them to run safely
        if key in os.environ:
            env[key] = os.environ[key]
    return env
