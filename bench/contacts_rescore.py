"""Benchmark: a full rescore (`scoring.service.rescore_all`) against one hand-written statement.

The baseline is bench/rescore_baseline_<database>.sql: one UPDATE computing and writing the
same scores for the benchmark's rules. Before each timed run the stored scores are reset (not
timed), so that both write every contact; the service also writes a history row per changed
score, as it does for real. Median of 3 runs each, in the same process; target: the service
within 1.2x of the baseline. Both must store the same figures: the rows are compared.

Run: `.venv/bin/python bench/contacts_rescore.py [--scale 0.01] [--database sqlite|postgresql]`
"""

from __future__ import annotations

import hashlib
import statistics
from pathlib import Path

from contacts_common import header, markdown_row, options, scratch_database, timed
from contacts_data import NOW, build_database
from sqlalchemy import text
from sqlalchemy.orm import Session

from propulse.db import make_engine
from propulse.scoring import arithmetic
from propulse.scoring import service as scoring

RUNS = 3
TARGET_RATIO = 1.2
HERE = Path(__file__).resolve().parent


def _reset(session: Session) -> None:
    """Forget every stored score, so that the next run writes them all (not timed)."""
    session.execute(
        text(
            "UPDATE contacts SET score = 0, fit_score = 0, engagement_score = 0, grade = NULL, "
            "score_updated_at = NULL"
        )
    )
    session.execute(text("DELETE FROM score_history"))
    session.commit()


def _checksum(session: Session) -> str:
    digest = hashlib.sha256()
    rows = session.execute(
        text("SELECT id, score, fit_score, engagement_score, grade FROM contacts ORDER BY id")
    )
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()[:16]


def _keep(session: Session) -> None:
    session.execute(text("DROP TABLE IF EXISTS bench_expected"))
    session.execute(
        text(
            "CREATE TABLE bench_expected AS "
            "SELECT id, score, fit_score, engagement_score, grade FROM contacts"
        )
    )
    session.commit()


def _differences(session: Session) -> int:
    return int(
        session.scalar(
            text(
                "SELECT count(*) FROM contacts c JOIN bench_expected e ON e.id = c.id "
                "WHERE c.score <> e.score OR c.fit_score <> e.fit_score "
                "OR c.engagement_score <> e.engagement_score OR c.grade <> e.grade "
                "OR (c.grade IS NULL) <> (e.grade IS NULL)"
            )
        )
        or 0
    )


def main() -> None:
    args = options(__doc__)
    header("Full rescore against one hand-written SQL statement", args)
    with scratch_database(args.database) as url:
        build_database(url, args.scale, args.seed)
        engine = make_engine(url)
        sql = (HERE / f"rescore_baseline_{args.database}.sql").read_text(encoding="utf-8")
        parameters = {"now_epoch": arithmetic.epoch_seconds(NOW), "now": NOW}
        if args.database == "sqlite":
            parameters["now"] = NOW.isoformat(" ", "microseconds")[:26]
        baseline: list[float] = []
        service: list[float] = []
        checks: list[tuple[str, str, int]] = []
        with Session(engine) as session:
            for run in range(RUNS):
                _reset(session)

                def statement(session: Session = session) -> None:
                    session.execute(text(sql), parameters)
                    session.commit()

                seconds, _ = timed(statement)
                baseline.append(seconds)
                expected = _checksum(session)
                _keep(session)
                _reset(session)

                def rescore(session: Session = session) -> int:
                    changed = scoring.rescore_all(session, now=NOW)
                    session.commit()
                    return changed

                seconds, changed = timed(rescore)
                service.append(seconds)
                checks.append((expected, _checksum(session), _differences(session)))
                print(
                    f"  run {run + 1}: baseline {baseline[-1]:.2f} s, rescore_all {seconds:.2f} s "
                    f"({changed:,} scores changed)"
                )
        engine.dispose()
    base, ours = statistics.median(baseline), statistics.median(service)
    ratio = ours / base
    same = all(expected == got and not differing for expected, got, differing in checks)
    print(f"  baseline (one SQL statement), median of {RUNS}: {base:.2f} s")
    print(f"  scoring.service.rescore_all, median of {RUNS}: {ours:.2f} s")
    verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
    print(f"  ratio {ratio:.2f}; target <= {TARGET_RATIO}: {verdict}")
    expected, got, differing = checks[-1]
    print(
        f"  same scores: {'yes' if same else 'NO'} (checksum {expected} vs {got}, "
        f"{differing} contacts differ)"
    )
    print(
        markdown_row(
            [
                args.database,
                f"{args.scale:g}",
                f"{base:.2f} s",
                f"**{ours:.2f} s**",
                f"{ratio:.2f}",
                "yes" if same else "no",
            ]
        )
    )


if __name__ == "__main__":
    main()
