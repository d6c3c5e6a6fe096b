"""Walk the application's routes, through FastAPI's included routers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute


@dataclass(frozen=True)
class FoundRoute:
    path: str
    methods: frozenset[str]
    dependency_calls: frozenset[Any]


def _calls(dependencies: Iterable[Any]) -> set[Any]:
    return {dependency.dependency for dependency in dependencies or ()}


def walk(routes: Iterable[Any], inherited: frozenset[Any] = frozenset()) -> Iterator[FoundRoute]:
    """Yield every endpoint with the dependencies its routers give it."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            extra = _calls(getattr(context, "dependencies", ()) or ())
            extra |= _calls(getattr(original, "dependencies", ()))
            yield from walk(original.routes, inherited | extra)
        elif isinstance(route, APIRoute):
            calls = inherited | _calls(route.dependencies)
            calls |= {dependency.call for dependency in route.dependant.dependencies}
            yield FoundRoute(route.path, frozenset(route.methods or ()), frozenset(calls))
        elif hasattr(route, "path") and hasattr(route, "methods") and route.methods:
            yield FoundRoute(route.path, frozenset(route.methods), inherited)
