"""verify/around.py and ordinal.py judge and word "around" and "the last plane" claims with
the verdict's and the summary's helpers: through their public names, not another module's
private ones (session 12 left around.py importing ``verdict._around``, ``summary._bare`` and
seven more)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import flyvakt.verify.around as around
import flyvakt.verify.ordinal as ordinal


@pytest.mark.parametrize("module", [around, ordinal], ids=["around", "ordinal"])
def test_imports_no_private_names_of_other_modules(module: object) -> None:
    tree = ast.parse(Path(str(getattr(module, "__file__", ""))).read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flyvakt")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []
