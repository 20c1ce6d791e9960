"""Configuration from the environment (SPEC section 6), read once through ``get_settings()``."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ITAM_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./itam.db"
    currency: str = Field(default="USD", min_length=3, max_length=3)
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    log_level: str = "INFO"
    # Beyond the SPEC: how often an idle /events/stream sends a keep-alive comment.
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()
