"""Settings: the one place that reads the environment (``PROPULSE_*`` or a ``.env`` file)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name


class Settings(BaseSettings):
    """Every setting of an installation; documented in docs/getting-started.md."""

    model_config = SettingsConfigDict(env_prefix="PROPULSE_", env_file=".env", extra="ignore")

    data_dir: Path = Path("propulse-data")
    database_url: str | None = None
    redis_url: str | None = None
    secret_key: str | None = None
    base_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    mail_from: str = "Propulse <propulse@localhost>"
    # Marketing e-mail delivery (docs/delivery.md).
    reply_address: str | None = None
    dkim_domain: str | None = None
    dkim_selector: str | None = None
    dkim_private_key_path: Path | None = None
    # The key itself (PEM), as the sending settings page stores it; wins over the path.
    dkim_private_key: str | None = Field(default=None, repr=False)
    delivery_connections: int = Field(default=4, ge=1, le=64)
    delivery_max_per_second: float = Field(default=0.0, ge=0)
    delivery_max_per_window: int = Field(default=0, ge=0)
    delivery_window_seconds: int = Field(default=3600, ge=1)
    delivery_max_attempts: int = Field(default=8, ge=1)
    delivery_retry_seconds: int = Field(default=60, ge=1)
    delivery_lease_seconds: int = Field(default=120, ge=2)
    delivery_pause_after_failures: int = Field(default=20, ge=1)
    # Open pixel and click redirects in marketing e-mail (the admin page can turn them on).
    delivery_tracking: bool = False
    # The reply and bounce mailbox polled by IMAP: imap[s]://user:password@host:port/FOLDER.
    imap_url: str | None = None
    # VERP return paths bounces+<token>@<bounce_domain>, received by that mailbox.
    bounce_domain: str | None = None
    user: str | None = Field(default=None, description="E-mail of the CLI's acting user")
    secure_cookies: bool = False
    max_upload_bytes: int = 50 * 1024 * 1024
    backups_kept: int = 7
    jobs_backend: Literal["auto", "memory"] = "auto"
    debug: bool = False

    @property
    def effective_database_url(self) -> str:
        """Return the configured database, or the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'propulse.db').resolve()}"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def sqlite_path(self) -> Path | None:
        """Return the SQLite database file, or None on another database."""
        url = self.effective_database_url
        if not url.startswith("sqlite:///"):
            return None
        return Path(url.removeprefix("sqlite:///"))

    def effective_secret_key(self) -> str:
        """Return the secret key, generating and keeping one in the data directory on first use."""
        if self.secret_key:
            return self.secret_key
        key_file = self.data_dir / SECRET_KEY_FILE
        if key_file.exists():
            return key_file.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        key_file.write_text(key)
        key_file.chmod(0o600)
        self.secret_key = key
        return key


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings (cleared by tests that change the environment)."""
    return Settings()
