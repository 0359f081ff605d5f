"""Checkpoint files: the pipeline state (:mod:`flyvakt.checkpoint` bytes) written atomically."""

from __future__ import annotations

import os
from pathlib import Path

from flyvakt.checkpoint import CheckpointError, dumps, loads
from flyvakt.pipeline import PipelineState

__all__ = ["CheckpointError", "load_state", "save_state", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], data: bytes) -> int:
    """Write ``data`` to ``path`` (temporary file, fsync, rename: a crash leaves the old file
    or the new one, never half of one). Returns the size in bytes."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, target)
    return len(data)


def save_state(path: str | os.PathLike[str], state: PipelineState) -> int:
    """Write ``state`` to ``path`` atomically (:func:`write_atomic`). Returns the size."""
    return write_atomic(path, dumps(state))


def load_state(path: str | os.PathLike[str]) -> PipelineState:
    """The state saved at ``path``; :class:`CheckpointError` names the file if it is unusable."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CheckpointError(f"{path}: cannot read checkpoint: {exc.strerror}") from None
    try:
        return loads(data)
    except CheckpointError as exc:
        raise CheckpointError(f"{path}: {exc}") from None
