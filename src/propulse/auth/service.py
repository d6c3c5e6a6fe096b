"""Sign-in with throttling, passwords, invitations and resets by signed link, API tokens."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from propulse.audit import service as audit
from propulse.auth.models import ApiToken, TokenScope
from propulse.config import get_settings
from propulse.db import utcnow
from propulse.kit.errors import Forbidden, InvalidInput, NotAuthenticated, NotFound, TooManyRequests
from propulse.kit.i18n import format_timedelta_seconds, use_locale
from propulse.kit.i18n import gettext as _
from propulse.kit.security import (
    MIN_PASSWORD_LENGTH,
    LinkSigner,
    hash_api_token,
    hash_password,
    new_api_token,
    verify_password,
)
from propulse.notifications import service as notifications
from propulse.workspace import service as workspace
from propulse.workspace.models import Role, User
from propulse.workspace.permissions import ensure_role

FREE_FAILED_SIGN_INS = 5
MAX_BLOCK_SECONDS = 15 * 60
INVITATION_MAX_AGE = 7 * 24 * 3600
RESET_MAX_AGE = 2 * 3600


def _signer() -> LinkSigner:
    return LinkSigner(get_settings().effective_secret_key())


def authenticate(session: Session, *, email: str, password: str) -> User:
    """Return the person for these credentials; repeated failures slow the next attempts."""
    user = workspace.find_user_by_email(session, email)
    now = utcnow()
    if user is not None and user.sign_in_blocked_until and user.sign_in_blocked_until > now:
        wait = int((user.sign_in_blocked_until - now).total_seconds()) + 1
        raise TooManyRequests(
            _(
                "Too many failed attempts. Try again in %(wait)s.",
                wait=format_timedelta_seconds(wait),
            ),
            retry_after_seconds=wait,
        )
    valid = verify_password(user.password_hash if user else None, password)
    if user is None or not valid or not user.is_active:
        if user is not None:
            user.failed_sign_ins += 1
            extra = user.failed_sign_ins - FREE_FAILED_SIGN_INS
            if extra >= 0:
                block = min(2**extra * 15, MAX_BLOCK_SECONDS)
                user.sign_in_blocked_until = now + timedelta(seconds=block)
        raise NotAuthenticated(_("This e-mail and password do not match an active account."))
    user.failed_sign_ins = 0
    user.sign_in_blocked_until = None
    user.last_sign_in_at = now
    return user


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput.on_field(
            field, _("Use at least %(n)s characters.", n=MIN_PASSWORD_LENGTH)
        )


def set_password(session: Session, *, user: User, password: str) -> None:
    """Set a new password; every other session of that person ends."""
    check_password_strength(password)
    user.password_hash = hash_password(password)
    user.session_epoch += 1
    user.failed_sign_ins = 0
    user.sign_in_blocked_until = None
    audit.record(
        session,
        actor=user,
        action="changed",
        object_type="user",
        object_id=user.id,
        summary=f"{user.email} set a new password",
    )
    session.flush()


def change_password(session: Session, *, user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise InvalidInput.on_field("current_password", _("The current password is wrong."))
    set_password(session, user=user, password=new)


def _link_fingerprint(user: User) -> str:
    """Change whenever the password does, so a used invitation or reset link dies."""
    material = f"{user.id}:{user.password_hash or '-'}:{user.session_epoch}"
    return hashlib.sha256(material.encode()).hexdigest()[:16]


def make_link_token(user: User, purpose: str) -> str:
    return _signer().sign(purpose, {"uid": user.id, "fp": _link_fingerprint(user)})


def user_for_link(session: Session, *, token: str, purpose: str) -> User:
    """Return the person a link was made for, refusing an altered, used or expired link."""
    max_age = INVITATION_MAX_AGE if purpose == "invitation" else RESET_MAX_AGE
    payload = _signer().load(purpose, token, max_age_seconds=max_age)
    if not isinstance(payload, dict):
        payload = {}
    user = session.get(User, payload.get("uid")) if payload.get("uid") else None
    if user is None or payload.get("fp") != _link_fingerprint(user) or not user.is_active:
        raise NotFound(
            _("This link is not valid any more: it was used already, or it has expired.")
        )
    return user


def invite(session: Session, *, actor: User, user: User) -> str:
    """E-mail an invitation to set a password; returns the link (shown to the admin too)."""
    ensure_role(actor, Role.admin, action=_("invite people"))
    link = f"{get_settings().base_url}/invitation/{make_link_token(user, 'invitation')}"
    with use_locale(user.ui_language or workspace.get_workspace(session).language):
        notifications.queue_email(
            session,
            kind="invitation",
            to_address=user.email,
            subject=_("%(name)s invites you to Propulse", name=actor.name),
            text_body=_(
                "Hello %(name)s,\n\n%(inviter)s invites you to the Propulse workspace. "
                "Choose your password here (the link works for 7 days):\n\n%(link)s\n",
                name=user.name,
                inviter=actor.name,
                link=link,
            ),
        )
    audit.record(
        session,
        actor=actor,
        action="invited",
        object_type="user",
        object_id=user.id,
        summary=f"invited {user.email}",
    )
    return link


def request_password_reset(session: Session, *, email: str) -> None:
    """E-mail a reset link if the account exists; says nothing either way (no enumeration)."""
    user = workspace.find_user_by_email(session, email)
    if user is None or not user.is_active:
        return
    link = f"{get_settings().base_url}/password/reset/{make_link_token(user, 'reset')}"
    with use_locale(user.ui_language or workspace.get_workspace(session).language):
        notifications.queue_email(
            session,
            kind="password_reset",
            to_address=user.email,
            subject=_("Reset your Propulse password"),
            text_body=_(
                "Hello %(name)s,\n\nSomeone (you, we hope) asked to reset your Propulse password. "
                "Choose a new one here (the link works for 2 hours):\n\n%(link)s\n\n"
                "If it was not you, ignore this message: your password stays as it is.\n",
                name=user.name,
                link=link,
            ),
        )


def create_token(
    session: Session, *, actor: User, owner: User, name: str, scope: TokenScope
) -> tuple[ApiToken, str]:
    """Create an API token; the secret is returned once and only its hash is kept."""
    if owner.id != actor.id:
        ensure_role(actor, Role.admin, action=_("create tokens for someone else"))
    if not name.strip():
        raise InvalidInput.on_field("name", _("Give the token a name."))
    secret = new_api_token()
    token = ApiToken(
        user_id=owner.id,
        name=name.strip()[:120],
        token_hash=hash_api_token(secret),
        hint=secret[:10],
        scope=scope,
    )
    session.add(token)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="created",
        object_type="api_token",
        object_id=token.id,
        summary=f"{scope} token {token.name!r} for {owner.email}",
    )
    return token, secret


def list_tokens(session: Session, *, actor: User, owner: User | None = None) -> list[ApiToken]:
    statement = select(ApiToken).order_by(ApiToken.id)
    if owner is not None:
        if owner.id != actor.id:
            ensure_role(actor, Role.admin, action=_("see someone else's tokens"))
        statement = statement.where(ApiToken.user_id == owner.id)
    else:
        ensure_role(actor, Role.admin, action=_("see everyone's tokens"))
    return list(session.scalars(statement))


def revoke_token(session: Session, *, actor: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(_("This token does not exist."))
    if token.user_id != actor.id:
        ensure_role(actor, Role.admin, action=_("revoke someone else's token"))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            actor=actor,
            action="revoked",
            object_type="api_token",
            object_id=token.id,
            summary=f"revoked token {token.name!r}",
        )
    session.flush()
    return token


def user_for_token(session: Session, *, secret: str) -> tuple[User, ApiToken]:
    """Return the person behind a Bearer token, refusing revoked tokens and inactive people."""
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_api_token(secret)))
    if token is None or token.revoked_at is not None:
        raise NotAuthenticated(_("This API token is not valid."))
    if not token.user.is_active:
        raise Forbidden(_("The account of this token is deactivated."))
    return token.user, token


def token_use_due(token: ApiToken, *, now: datetime) -> bool:
    """Tell whether a token's last use is worth writing (at most once a minute)."""
    return token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)


def record_token_use(session: Session, *, token_id: int, now: datetime) -> None:
    """Write when a token was last used (its own short transaction: the request may only read)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
