#!/usr/bin/env bash
# Extract the translatable messages and bring the French catalog up to date.
#
#   scripts/messages.sh
#
# Writes src/propulse/locale/messages.pot, then updates (or creates)
# src/propulse/locale/fr/LC_MESSAGES/messages.po. Fuzzy matching is off so a
# new message is never silently given a neighbour's translation: new entries
# arrive empty and must be translated (tests/kit/test_i18n.py checks this).
# No .mo file is compiled: propulse.kit.i18n compiles the .po in memory.
#
# Keywords: _, gettext, ngettext (singular, plural), and lazy_gettext (marks a
# message translated later, e.g. the action given to web.require_role).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYBABEL=.venv/bin/pybabel
LOCALE_DIR=src/propulse/locale
POT="$LOCALE_DIR/messages.pot"
LANGUAGES=(fr)

"$PYBABEL" extract \
    --mapping-file=babel.cfg \
    --output-file="$POT" \
    --keywords=_ \
    --keywords=gettext \
    --keywords=ngettext:1,2 \
    --keywords=lazy_gettext \
    --sort-by-file \
    --no-wrap \
    --project=Propulse \
    --copyright-holder=Propulse \
    .

for language in "${LANGUAGES[@]}"; do
    po="$LOCALE_DIR/$language/LC_MESSAGES/messages.po"
    if [[ ! -f "$po" ]]; then
        "$PYBABEL" init \
            --input-file="$POT" \
            --output-dir="$LOCALE_DIR" \
            --locale="$language" \
            --no-wrap
        if [[ "$language" == fr ]]; then
            # Babel's CLDR data gives French a third plural form ("many", for millions);
            # keep the usual gettext rule so each plural entry has two forms to translate.
            .venv/bin/python - "$po" <<'PY'
import re
import sys

path = sys.argv[1]
with open(path, encoding="utf-8") as handle:
    text = handle.read()
text = re.sub(r'"Plural-Forms: [^"]*"', r'"Plural-Forms: nplurals=2; plural=(n > 1);\\n"', text, count=1)
with open(path, "w", encoding="utf-8") as handle:
    handle.write(text)
PY
        fi
    else
        "$PYBABEL" update \
            --input-file="$POT" \
            --output-dir="$LOCALE_DIR" \
            --locale="$language" \
            --no-fuzzy-matching \
            --ignore-obsolete \
            --no-wrap
    fi
done
