"""Benchmark: the contacts list, French contacts sorted by score, 50 a page (page and API).

Through the ASGI app (starlette's TestClient): GET /contacts?country=FR signed in, and
GET /api/v1/contacts?country=FR with a Bearer token; the first page, then the page that starts
after 100,000 rows (at smaller scales, halfway through the French contacts), reached with the
cursor the previous page would have given. Target: p95 under 150 ms for each. Baseline in
the same run: the bare SQL query of the same page (keyset), fetched with the driver.

Run: `.venv/bin/python bench/contacts_list.py [--scale 0.01] [--database sqlite|postgresql]`
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from contacts_common import (
    header,
    latency_summary,
    markdown_row,
    options,
    percentile,
    scratch_database,
    verdict,
)
from contacts_data import BENCH_EMAIL, build_database, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from propulse.auth import service as auth
from propulse.auth.models import TokenScope
from propulse.contacts.models import Contact
from propulse.db import make_engine
from propulse.kit.pagination import encode_cursor
from propulse.workspace.models import User

REQUESTS = 100
WARM_UP = 5
DEEP_ROWS = 100_000
PAGE = 50
TARGET_MS = 150.0

FIRST_SQL = (
    "SELECT * FROM contacts WHERE country = 'FR' ORDER BY score DESC, id DESC LIMIT 51"
)  # fmt: skip
DEEP_SQL = (
    "SELECT * FROM contacts WHERE country = 'FR' AND score <= :score "
    "AND (score < :score OR id < :id) ORDER BY score DESC, id DESC LIMIT 51"
)


def measure(call: Callable[[], Any]) -> list[float]:
    seconds: list[float] = []
    for number in range(WARM_UP + REQUESTS):
        started = time.perf_counter()
        call()
        if number >= WARM_UP:
            seconds.append(time.perf_counter() - started)
    return seconds


def _deep_start(engine: Engine) -> tuple[int, int, int, int]:
    """Return (rows skipped, score and id of the row before, id of the first row after)."""
    with Session(engine) as session:
        french = int(
            session.scalar(select(func.count()).select_from(Contact).where(Contact.country == "FR"))
            or 0
        )
        skipped = min(DEEP_ROWS, french // 2) // PAGE * PAGE
        ordered = (
            select(Contact.score, Contact.id)
            .where(Contact.country == "FR")
            .order_by(Contact.score.desc(), Contact.id.desc())
        )
        score, last_id = session.execute(ordered.offset(skipped - 1).limit(1)).one()
        _score, first_id = session.execute(ordered.offset(skipped).limit(1)).one()
    return skipped, score, last_id, first_id


def _token(engine: Engine) -> str:
    with Session(engine) as session:
        admin = session.scalars(select(User).where(User.email == BENCH_EMAIL)).one()
        _token_row, secret = auth.create_token(
            session, actor=admin, owner=admin, name="bench", scope=TokenScope.read
        )
        session.commit()
    return secret


def main() -> None:
    args = options(__doc__)
    header("Contacts list: French contacts by score, 50 a page", args)
    with scratch_database(args.database) as url:
        build_database(url, args.scale, args.seed)
        engine = make_engine(url)
        skipped, score, last_id, first_id = _deep_start(engine)
        # The listing's cursor: its sort's name, then the sort values of the page's last row.
        cursor = encode_cursor(["score", score, last_id])
        secret = _token(engine)
        from propulse.app import create_app

        results: dict[str, list[float]] = {}
        with TestClient(create_app(), follow_redirects=False) as client:
            sign_in(client)
            api = {"Authorization": f"Bearer {secret}"}
            deep = client.get(
                "/api/v1/contacts", params={"country": "FR", "cursor": cursor}, headers=api
            )
            assert deep.status_code == 200, deep.text[:500]
            assert deep.json()["items"][0]["id"] == first_id, "the deep cursor is not the listing's"
            page = client.get("/contacts", params={"country": "FR", "cursor": cursor})
            assert page.status_code == 200, page.text[:500]
            for name, path, params, headers in (
                ("page, first", "/contacts", {"country": "FR"}, {}),
                ("page, deep", "/contacts", {"country": "FR", "cursor": cursor}, {}),
                ("API, first", "/api/v1/contacts", {"country": "FR"}, api),
                ("API, deep", "/api/v1/contacts", {"country": "FR", "cursor": cursor}, api),
            ):

                def get(path: str = path, params: Any = params, headers: Any = headers) -> None:
                    response = client.get(path, params=params, headers=headers)
                    assert response.status_code == 200, response.text[:300]

                results[name] = measure(get)
        with engine.connect() as connection:
            first = text(FIRST_SQL)
            results["SQL, first"] = measure(lambda: connection.execute(first).fetchall())
            deep_sql = text(DEEP_SQL)
            bound = {"score": score, "id": last_id}
            results["SQL, deep"] = measure(lambda: connection.execute(deep_sql, bound).fetchall())
        engine.dispose()
    print(f"  the deep page starts after {skipped:,} rows")
    for name, seconds in results.items():
        print(f"  {name:<12} {latency_summary(seconds)}")
    p95 = {name: percentile(seconds, 0.95) * 1000 for name, seconds in results.items()}
    worst = max(p95[name] for name in ("page, first", "page, deep", "API, first", "API, deep"))
    print(f"  target p95 < {TARGET_MS:.0f} ms: {verdict(worst, TARGET_MS)}")
    print(
        markdown_row(
            [
                args.database,
                f"{args.scale:g}",
                f"{p95['page, first']:.0f} ms",
                f"{p95['page, deep']:.0f} ms",
                f"{p95['API, first']:.0f} ms",
                f"{p95['API, deep']:.0f} ms",
                f"{p95['SQL, first']:.1f} / {p95['SQL, deep']:.1f} ms",
            ]
        )
    )


if __name__ == "__main__":
    main()
