"""``python -m flyvakt.i18n``: compile the .po catalogs to the committed .mo files."""

from flyvakt.i18n.catalog import compile_catalogs

for path in compile_catalogs():
    print(path)
