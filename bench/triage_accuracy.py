"""Measure how often the objective suggestion is right on the labelled triage requests.

Usage: .venv/bin/python bench/triage_accuracy.py [--threshold X]

Prints top-1 accuracy (overall and per language) of the TF-IDF ranker and of a naive
word-overlap baseline (Jaccard on normalised tokens) measured in the same run, the misses,
a threshold sweep, and the time per request (median and p95).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from propulse.kit.text import STOP_WORDS_EN, STOP_WORDS_FR, normalise, tokenise
from propulse.triage.suggest import DEFAULT_THRESHOLD, ObjectiveText, rank_objectives

DATASET = Path(__file__).resolve().parent.parent / "tests" / "data" / "triage_requests.json"
LANGUAGES = ("en", "fr")
TIMING_ROUNDS = 20


@dataclass(frozen=True)
class Request:
    """A labelled request: its text and the objective it should be matched to (or None)."""

    language: str
    title: str
    text: str
    expected: int | None


@dataclass(frozen=True)
class Verdict:
    """What a ranker answered for one request: the best objective id, or None."""

    request: Request
    got: int | None


Ranker = Callable[[str, Sequence[ObjectiveText], float], int | None]


def load() -> tuple[dict[str, list[ObjectiveText]], list[Request]]:
    """Read the objectives per language and the labelled requests."""
    data = json.loads(DATASET.read_text(encoding="utf-8"))
    objectives = {
        language: [
            ObjectiveText(
                objective_id=item["id"],
                title=item["title"],
                text="\n".join([item["title"], item["description"], *item["key_results"]]),
            )
            for item in items
        ]
        for language, items in data["objectives"].items()
    }
    requests = [
        Request(
            language=item["language"],
            title=item["title"],
            text=f"{item['title']}\n{item['description']}",
            expected=item["expected"],
        )
        for item in data["requests"]
    ]
    return objectives, requests


def tfidf_best(text: str, objectives: Sequence[ObjectiveText], threshold: float) -> int | None:
    """Answer with the TF-IDF ranker: the best objective, or None when none is served."""
    result = rank_objectives(text, objectives, threshold=threshold)
    return None if result.serves_none else result.suggestions[0].objective_id


def _words(text: str) -> set[str]:
    stop_words = STOP_WORDS_EN | STOP_WORDS_FR
    return {word for word in map(normalise, tokenise(text)) if word not in stop_words}


def jaccard_best(text: str, objectives: Sequence[ObjectiveText], threshold: float) -> int | None:
    """Answer with the baseline: the largest word overlap (Jaccard), ties to the lower id."""
    request = _words(text)
    scored = []
    for objective in objectives:
        words = _words(objective.text)
        union = request | words
        score = len(request & words) / len(union) if union else 0.0
        scored.append((-score, objective.objective_id))
    best_score, best_id = min(scored)
    return best_id if -best_score >= threshold else None


def judge(
    ranker: Ranker,
    objectives: dict[str, list[ObjectiveText]],
    requests: Sequence[Request],
    threshold: float,
) -> list[Verdict]:
    """Run a ranker over every request against the objectives of its language."""
    return [
        Verdict(request, ranker(request.text, objectives[request.language], threshold))
        for request in requests
    ]


def accuracy(verdicts: Sequence[Verdict], language: str | None = None) -> float:
    """Share of right answers, for one language or for all."""
    chosen = [v for v in verdicts if language is None or v.request.language == language]
    return sum(v.got == v.request.expected for v in chosen) / len(chosen)


def ranking_accuracy(verdicts_at_zero: Sequence[Verdict]) -> float:
    """Share of requests that serve an objective whose best suggestion is that objective."""
    serving = [v for v in verdicts_at_zero if v.request.expected is not None]
    return sum(v.got == v.request.expected for v in serving) / len(serving)


def best_threshold(
    ranker: Ranker, objectives: dict[str, list[ObjectiveText]], requests: Sequence[Request]
) -> tuple[float, float]:
    """Find the threshold that gives a ranker its best accuracy (lowest one on ties)."""
    candidates = [step / 1000 for step in range(0, 301, 5)]
    scored = [(accuracy(judge(ranker, objectives, requests, t)), -t) for t in candidates]
    best, negative = max(scored)
    return -negative, best


def summary(name: str, verdicts: Sequence[Verdict], threshold: float) -> str:
    """Format one ranker's accuracy overall and per language."""
    parts = [f"overall {accuracy(verdicts):.3f}"]
    parts += [f"{language} {accuracy(verdicts, language):.3f}" for language in LANGUAGES]
    return f"{name:<28} threshold {threshold:.3f}  " + "  ".join(parts)


def timings(objectives: Sequence[ObjectiveText], requests: Sequence[Request]) -> list[float]:
    """Time rank_objectives on each request against the given objectives, in milliseconds."""
    durations = []
    for request in requests:
        started = time.perf_counter()
        for _ in range(TIMING_ROUNDS):
            rank_objectives(request.text, objectives)
        durations.append((time.perf_counter() - started) * 1000 / TIMING_ROUNDS)
    return durations


def percentile(values: Sequence[float], share: float) -> float:
    """Return the value below which the given share of values falls (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    """Print accuracy, misses, a threshold sweep and timings."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    threshold = parser.parse_args().threshold
    objectives, requests = load()
    print(f"machine: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    counts = {language: sum(r.language == language for r in requests) for language in LANGUAGES}
    nulls = sum(r.expected is None for r in requests)
    print(f"dataset: {len(requests)} requests {counts}, {nulls} serve no objective")

    verdicts = judge(tfidf_best, objectives, requests, threshold)
    print(summary("TF-IDF", verdicts, threshold))
    baseline_at_same = judge(jaccard_best, objectives, requests, threshold)
    print(summary("Jaccard (same threshold)", baseline_at_same, threshold))
    jaccard_threshold, _ = best_threshold(jaccard_best, objectives, requests)
    baseline = judge(jaccard_best, objectives, requests, jaccard_threshold)
    print(summary("Jaccard (its best threshold)", baseline, jaccard_threshold))
    print(
        "ranking alone (best suggestion right, threshold ignored): "
        f"TF-IDF {ranking_accuracy(judge(tfidf_best, objectives, requests, 0.0)):.3f}  "
        f"Jaccard {ranking_accuracy(judge(jaccard_best, objectives, requests, 0.0)):.3f}"
    )

    print("\nTF-IDF misses (request -> got / expected):")
    for verdict in verdicts:
        if verdict.got != verdict.request.expected:
            request = verdict.request
            print(f"  [{request.language}] {request.title} -> {verdict.got} / {request.expected}")

    print("\nTF-IDF threshold sweep (overall accuracy):")
    sweep = [step / 100 for step in range(0, 21)]
    print(
        "  "
        + "  ".join(
            f"{t:.2f}:{accuracy(judge(tfidf_best, objectives, requests, t)):.2f}" for t in sweep
        )
    )

    per_language = [
        duration
        for language in LANGUAGES
        for duration in timings(
            objectives[language], [r for r in requests if r.language == language]
        )
    ]
    ten = [
        ObjectiveText(objective_id=index, title=o.title, text=o.text)
        for index, o in enumerate((objectives["en"] + objectives["fr"]) * 2)
    ][:10]
    with_ten = timings(ten, requests)
    print("\ntime per request (ms):")
    for label, values in (("3 objectives", per_language), ("10 objectives", with_ten)):
        median = statistics.median(values)
        print(f"  {label:<14} median {median:.2f}  p95 {percentile(values, 0.95):.2f}")


if __name__ == "__main__":
    main()
