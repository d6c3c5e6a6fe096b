"""Segments that test membership of other segments: the order to compute them, and cycles.

Pure: a graph maps a segment id to the ids whose membership its definition tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set


def dependency_order(graph: Mapping[int, Set[int]]) -> list[int]:
    """Return the graph's segments so that each comes after the segments it depends on.

    Ties keep id order; a cycle (refused on save, so only in hand-edited data) cannot stop the
    list: its members follow in id order.
    """
    remaining = {
        node: {dep for dep in deps if dep in graph and dep != node} for node, deps in graph.items()
    }
    ordered: list[int] = []
    while remaining:
        ready = sorted(node for node, deps in remaining.items() if not deps)
        if not ready:
            ready = sorted(remaining)
        for node in ready:
            del remaining[node]
            ordered.append(node)
        for deps in remaining.values():
            deps.difference_update(ready)
    return ordered


def path_back(
    graph: Mapping[int, Set[int]], *, start: Iterable[int], target: int
) -> list[int] | None:
    """Return a chain of dependencies from one of ``start`` to ``target``, or None.

    Used before saving ``target`` with a definition that tests ``start``: a chain means the
    segment would depend on itself.
    """
    for first in sorted(set(start)):
        stack: list[tuple[int, list[int]]] = [(first, [first])]
        seen: set[int] = set()
        while stack:
            node, chain = stack.pop()
            if node == target:
                return chain
            if node in seen:
                continue
            seen.add(node)
            for dep in sorted(graph.get(node, ()), reverse=True):
                stack.append((dep, [*chain, dep]))
    return None


def dependents(graph: Mapping[int, Set[int]], roots: Iterable[int]) -> set[int]:
    """Return every segment depending on one of ``roots``, directly or through others."""
    reverse: dict[int, set[int]] = {}
    for node, deps in graph.items():
        for dep in deps:
            reverse.setdefault(dep, set()).add(node)
    found: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        for child in reverse.get(node, ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found
