"""Every source string of the results slice has its Simplified Chinese, compiled."""

import gettext
import re
from pathlib import Path

import results

LOCALE = Path(results.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _entries():
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)  # a plural's one form
        context = re.search(r'^msgctxt "(.*)"', block, re.M)
        if msgid:
            join = lambda m: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1)))  # noqa: E731
            yield block, (context.group(1) if context else None), join(msgid), join(msgstr) if msgstr else ""


def test_no_string_is_untranslated_or_fuzzy():
    bad = [msgid for block, _ctx, msgid, msgstr in _entries() if not msgstr or "#, fuzzy" in block]
    assert bad == []


def _compiled(catalogue, block, ctx, msgid):
    plural = re.search(r'^msgid_plural "(.*)"', block, re.M)
    if plural:
        return catalogue.ngettext(msgid, plural.group(1), 1)
    return catalogue.pgettext(ctx, msgid) if ctx else catalogue.gettext(msgid)


def test_the_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations((LOCALE / "django.mo").open("rb"))
    stale = [msgid for block, ctx, msgid, msgstr in _entries() if "\\" not in msgid and _compiled(catalogue, block, ctx, msgid) != msgstr]
    assert stale == []
