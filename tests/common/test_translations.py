"""The English catalogue is complete and its compiled .mo matches the .po that is committed."""

import gettext
import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _po_entries() -> dict[str, str]:
    text = PO.read_text(encoding="utf-8")
    entries = {}
    for block in text.split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue  # obsolete entries
        match = re.search(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', block, re.M)
        if match:
            msgid = "".join(re.findall(r'"(.*)"', match.group(1)))
            msgstr = "".join(re.findall(r'"(.*)"', match.group(2)))
            if msgid:
                entries[msgid.encode().decode("unicode_escape").encode("latin-1").decode()] = msgstr
    return entries


def test_every_message_has_an_english_translation():
    untranslated = [msgid for msgid, msgstr in _po_entries().items() if not msgstr]
    assert untranslated == []


def test_the_compiled_catalogue_is_current():
    with MO.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    missing = [msgid for msgid in _po_entries() if catalogue.gettext(msgid) == msgid]
    assert missing == [], "run: msgfmt -o locale/en/LC_MESSAGES/django.mo …/django.po"
