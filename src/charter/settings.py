"""Settings: each one has an environment variable ``CHARTER_<NAME>`` and a CLI flag."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # An empty variable counts as unset (CHARTER_REDIS_URL= means embedded jobs).
    model_config = SettingsConfigDict(
        env_prefix="CHARTER_", extra="ignore", frozen=True, env_ignore_empty=True
    )

    data_dir: Path = Field(
        Path("./charter-data"),
        description="where the SQLite store, the key file, job queue and exports live",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default: SQLite file "
        "charter.db in the data dir. PostgreSQL: "
        "postgresql://user@host/db",
    )
    policy: Path = Field(Path("./charter.yaml"), description="the policy file")
    redis_url: str | None = Field(
        None,
        description="Redis for background jobs run by "
        "`charter worker`; unset: jobs run inside `charter serve`",
    )
    key: SecretStr | None = Field(
        None, description="key material (the key file's content) instead of DATA_DIR/charter.key"
    )
    host: str = Field("127.0.0.1", description="address `serve` and `demo` listen on")
    port: int = Field(8000, ge=1, le=65535, description="port `serve` and `demo` listen on")
    base_url: str | None = Field(
        None,
        description="public URL of the Portal, used in links "
        "sent by mail; default http://HOST:PORT",
    )
    session_idle_minutes: int = Field(
        30, ge=1, le=1440, description="staff sessions end after this much inactivity"
    )
    secure_cookies: bool = Field(
        False, description="always mark cookies Secure and send HSTS (without it: when the "
        "request came over https or names the host of an https base URL)"
    )
    smtp_host: str | None = Field(
        None, description="SMTP server for outgoing mail; unset: mail stays in the outbox"
    )
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port (587 for STARTTLS, 465 TLS)")
    smtp_user: str | None = Field(None, description="SMTP login, if the server wants one")
    smtp_password: SecretStr | None = Field(None, description="SMTP password")
    smtp_tls: Literal["none", "starttls", "tls"] = Field(
        "starttls", description="none, starttls (upgrade the connection) or tls (from the start)"
    )
    mail_from: str | None = Field(
        None, description="sender of every mail; default: the policy's privacy e-mail"
    )
    unsubscribe_mailto: str | None = Field(
        None, description="address that takes unsubscribe mails; default: the sender"
    )
    embed_origins: str = Field(
        "",
        description="sites (https://www.example.org, space-separated) that may frame the forms "
        "and post cookie choices from the banner",
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="server log level; logs never carry personal data"
    )

    @model_validator(mode="after")
    def _login_whole(self) -> Settings:
        if (self.smtp_user is None) != (self.smtp_password is None):
            raise ValueError("smtp_user and smtp_password go together: give both or neither")
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://") :]
            return url
        return f"sqlite:///{(self.data_dir / 'charter.db').resolve()}"

    @property
    def embed_origin_list(self) -> list[str]:
        return [o.rstrip("/") for o in self.embed_origins.replace(",", " ").split() if o]

    @property
    def key_file(self) -> Path:
        return self.data_dir / "charter.key"

    @property
    def public_url(self) -> str:
        return (self.base_url or f"http://{self.host}:{self.port}").rstrip("/")


SERVER_SETTINGS = ("host", "port")
"""Settings given as flags to `serve` and `demo`; every other one is a flag of `charter`."""
