"""verify/around.py judges and words "around" claims with the verdict's and the summary's
helpers: it uses them through their public names, not through another module's private ones
(session 12 left it importing ``verdict._around``, ``summary._bare`` and seven more)."""

from __future__ import annotations

import ast
from pathlib import Path

import flyvakt.verify.around as around


def test_around_imports_no_private_names_of_other_modules() -> None:
    tree = ast.parse(Path(around.__file__).read_text(encoding="utf-8"))
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flyvakt")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []
