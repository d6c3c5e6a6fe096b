"""API of content recycling: sources and packages with their pieces."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request, UploadFile
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from propulse.config import get_settings
from propulse.content import rewriting, service
from propulse.content.models import PieceStatus
from propulse.kit.pagination import Page
from propulse.web import get_db

router = APIRouter(prefix="/content", tags=["content"])


class SourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    format: str
    title: str
    language: str
    detected_language: str
    word_count: int
    has_timecodes: bool
    created_at: datetime


class PieceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    index: int
    title: str
    body: str
    meta: dict[str, Any]
    status: PieceStatus
    revision: int
    version: int


class PackageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_id: int
    status: str
    progress: int
    step: str
    error: str | None
    start_on: date
    country: str
    created_at: datetime


class PackageDetail(PackageOut):
    quality: dict[str, Any] | None
    calendar: list[dict[str, Any]]
    pieces: list[PieceOut]


class PackageIn(BaseModel):
    source_id: int
    start_on: date
    country: str = "FR"


class PieceIn(BaseModel):
    title: str
    body: str
    meta: dict[str, Any] | None = None
    status: PieceStatus | None = None
    version: int | None = None


@router.get("/sources", response_model=Page[SourceOut])
def list_sources(session: Session = Depends(get_db)) -> Page[SourceOut]:
    return Page(
        items=[SourceOut.model_validate(s) for s in service.list_sources(session)], next_cursor=None
    )


@router.post("/sources", response_model=SourceOut, status_code=201)
async def upload_source(
    request: Request,
    file: UploadFile,
    language: str | None = None,
    session: Session = Depends(get_db),
) -> Any:
    """Upload a script (multipart field `file`); a bad file is a 422 naming the problem."""
    limit = get_settings().max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise service.file_too_large(limit)
    source = service.add_source(
        session,
        actor=request.state.user,
        data=data,
        filename=file.filename or "source.txt",
        language=language,
    )
    session.commit()
    return source


@router.get("/packages", response_model=Page[PackageOut])
def list_packages(session: Session = Depends(get_db)) -> Page[PackageOut]:
    return Page(
        items=[PackageOut.model_validate(p) for p in service.list_packages(session)],
        next_cursor=None,
    )


@router.post("/packages", response_model=PackageOut, status_code=202)
def create_package(request: Request, data: PackageIn, session: Session = Depends(get_db)) -> Any:
    """Start recycling a source; poll the package until its status is ready."""
    package = service.start_package(
        session,
        actor=request.state.user,
        source_id=data.source_id,
        start_on=data.start_on,
        country=data.country,
    )
    session.commit()
    return package


@router.get("/packages/{package_id}", response_model=PackageDetail)
def read_package(package_id: int, session: Session = Depends(get_db)) -> Any:
    package = service.get_package(session, package_id=package_id)
    return PackageDetail(
        **PackageOut.model_validate(package).model_dump(),
        quality=package.quality,
        calendar=package.calendar,
        pieces=[PieceOut.model_validate(piece) for piece in package.pieces],
    )


@router.put("/pieces/{piece_id}", response_model=PieceOut)
def update_piece(
    request: Request, piece_id: int, data: PieceIn, session: Session = Depends(get_db)
) -> Any:
    piece = service.edit_piece(
        session,
        actor=request.state.user,
        piece_id=piece_id,
        title=data.title,
        body=data.body,
        meta=data.meta,
        status=data.status,
        version=data.version,
    )
    session.commit()
    return piece


@router.post("/pieces/{piece_id}/regenerate", response_model=PieceOut)
def regenerate_piece(request: Request, piece_id: int, session: Session = Depends(get_db)) -> Any:
    piece = service.regenerate_piece(session, actor=request.state.user, piece_id=piece_id)
    session.commit()
    return piece


@router.post("/pieces/{piece_id}/rewrite", response_model=PieceOut)
def rewrite_piece(request: Request, piece_id: int, session: Session = Depends(get_db)) -> Any:
    """Rewrite a piece in the brand's tone with the configured language model.

    409 when no model is configured (nothing is sent), 502 when the model fails, 422 listing
    the invented numbers or quotations when its answer is refused; nothing changes then.
    """
    piece = rewriting.rewrite_piece(session, actor=request.state.user, piece_id=piece_id)
    session.commit()
    return piece
