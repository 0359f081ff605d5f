"""Bulletins and date/number formatting in en, nb and nn (Babel CLDR data + gettext catalogs)."""

from flyvakt.i18n.bulletins import bulletin, fleet_bulletin, timeline_text

__all__ = ["bulletin", "fleet_bulletin", "timeline_text"]
