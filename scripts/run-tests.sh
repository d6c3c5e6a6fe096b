#!/usr/bin/env bash
# The test suites of `make test`: SQLite (with the browser tests), then PostgreSQL.
# PROPULSE_TEST_REQUIRE_ALL=1 turns a skipped suite into a failure (CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
require_all="${PROPULSE_TEST_REQUIRE_ALL:-0}"

echo "== pytest on SQLite (and the browser tests)"
PROPULSE_TEST_DATABASE_URL= "$BIN/pytest" -n 2 --dist loadfile "$@"

if [ -n "${PROPULSE_TEST_DATABASE_URL:-}" ]; then
  echo "== pytest on PostgreSQL"
  "$BIN/pytest" -n 2 --dist loadfile -m "not browser" "$@"
elif [ "$require_all" = "1" ]; then
  echo "FAILED: the PostgreSQL suite is required (PROPULSE_TEST_REQUIRE_ALL=1) but PROPULSE_TEST_DATABASE_URL is not set" >&2
  exit 1
else
  echo "SKIPPED: the PostgreSQL suite (set PROPULSE_TEST_DATABASE_URL=postgresql://user@host:5432/db to run it)"
fi
