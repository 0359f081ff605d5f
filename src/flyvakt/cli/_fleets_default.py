"""One fleets default for every command: the bundled example unless ``--fleets`` is given."""

from __future__ import annotations

FLEETS_HELP = "fleets file (TOML; default: the bundled example fleets)"


def fleets_or_bundled(path: str | None) -> str:
    """``path``, or the bundled example fleets file when none was given."""
    if path:
        return path
    from flyvakt.fleets import example_fleets_path

    return str(example_fleets_path())
