"""gettext catalogs for nb and nn (English is the msgid) and their compilation.

Sources: ``locale/{nb,nn}/LC_MESSAGES/flyvakt.po``; the compiled ``.mo`` beside each is committed
too, and a test checks that it matches its ``.po``. After editing a ``.po``, recompile with::

    .venv/bin/python -m flyvakt.i18n

Catalogs are read lazily on first use (never at import).
"""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

DOMAIN = "flyvakt"
LANGS: tuple[str, ...] = ("en", "nb", "nn")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def check_lang(lang: str) -> str:
    """``lang`` if supported (``no`` is taken as ``nb``), else ValueError naming the choices."""
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code == "no":
        code = "nb"
    if code not in LANGS:
        raise ValueError(f"unsupported language {lang!r}; choose one of {', '.join(LANGS)}")
    return code


@lru_cache(maxsize=8)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang``; English (the msgids) gets a pass-through."""
    code = check_lang(lang)
    if code == "en":
        return gettext.NullTranslations()
    mo = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def compile_po(po_path: Path) -> bytes:
    """The ``.mo`` bytes for one ``.po`` file (Babel's reader and writer; deterministic)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=po_path.parent.parent.name, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Compile every ``*/LC_MESSAGES/flyvakt.po`` under ``locale_dir``; return the ``.mo`` paths."""
    written: list[Path] = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_po(po))
        written.append(mo)
    translations.cache_clear()
    return written
