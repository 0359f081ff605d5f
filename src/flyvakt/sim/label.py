"""The "this is not a recording" label that travels with simulated frames (adapter: file I/O).

Beast and AVR files cannot carry a comment, so ``flyvakt simulate --out FILE`` writes the
scenario's label beside the frames, in ``FILE.label`` (one line of text). ``flyvakt replay``
reads the label of every input that has one and writes it into the store's ``meta``
``data_label``; the map then shows the "reconstruction / synthetic" notice and stamps it on
saved images. ``replay --data-label TEXT`` sets it by hand (e.g. for frames made elsewhere).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

__all__ = ["DATA_LABEL_KEY", "SIDECAR_SUFFIX", "label_path", "labels_of", "write_label"]

SIDECAR_SUFFIX = ".label"
DATA_LABEL_KEY = "data_label"  # the store's meta key the map reads
# Why 500 characters: a label is a notice, not a document; more is a wrong file, not a label.
MAX_LABEL_CHARS = 500


def label_path(frames_path: str | Path) -> Path:
    """Where the label of ``frames_path`` lives (``rec.bin`` -> ``rec.bin.label``)."""
    p = Path(frames_path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def write_label(frames_path: str | Path, label: str) -> Path:
    path = label_path(frames_path)
    path.write_text(" ".join(label.split()) + "\n", encoding="utf-8")
    return path


def labels_of(inputs: Iterable[str]) -> str | None:
    """The labels found beside ``inputs`` (plain paths or ``file:`` URLs), joined, or None."""
    found: list[str] = []
    for name in inputs:
        if name == "-" or ("://" in name and not name.startswith("file://")):
            continue
        plain = name.removeprefix("file://").removeprefix("file:")
        side = label_path(plain)
        try:
            text = side.read_text(encoding="utf-8", errors="replace")
        except OSError:  # no label (the usual case for a real recording)
            continue
        text = " ".join(text.split())[:MAX_LABEL_CHARS]
        if text and text not in found:
            found.append(text)
    return "; ".join(found) or None
