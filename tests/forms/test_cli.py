"""`propulse forms list`, as a table and as JSON."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from tests.forms.conftest import make_form


def test_list_forms(run: Any, cast: Any, session: Session) -> None:
    make_form(session, cast.intern)
    make_form(session, cast.intern, name="Livre blanc", slug="livre-blanc", language="fr")
    code, out, err = run("forms", "list", "--json")
    assert code == 0, err
    rows = json.loads(out)
    assert [row["slug"] for row in rows] == ["cold-chain-ebook", "livre-blanc"]
    assert rows[1]["language"] == "fr" and rows[0]["pending"] == 0
    assert rows[0]["hosted_url"].endswith("/f/cold-chain-ebook")

    code, out, err = run("forms", "list")
    assert code == 0, err
    assert "livre-blanc" in out

    code, _out, err = run("--as", "nobody@alpinea.example", "forms", "list")
    assert code == 2 and "nobody@alpinea.example" in err
