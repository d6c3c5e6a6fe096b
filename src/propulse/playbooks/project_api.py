"""API of projects and tasks."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["projects"])
