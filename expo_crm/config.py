"""Configuration read from the environment (docs/contracts.md, environment)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: str) -> str:
    """A secret key kept in the instance folder, so a demo keeps its sessions across restarts."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


def from_environment(instance_path: str) -> dict:
    database_url = os.environ.get("EXPO_CRM_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "expo_crm.sqlite3")
    )
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    base_url = os.environ.get("EXPO_CRM_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    secure_cookies = base_url.startswith("https://")
    return {
        "SECRET_KEY": os.environ.get("EXPO_CRM_SECRET_KEY") or _instance_secret(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": _engine_options(database_url),
        "SMTP_URL": os.environ.get("EXPO_CRM_SMTP_URL", "smtp://127.0.0.1:1025"),
        "MAIL_FROM": os.environ.get("EXPO_CRM_MAIL_FROM", "expo-crm <noreply@expo-crm.local>"),
        "BASE_URL": base_url,
        # By default the counters are in the database, shared by every worker (ratelimits.py).
        "RATELIMIT_STORAGE_URI": os.environ.get("EXPO_CRM_RATELIMIT_STORAGE_URL")
        or "expo-crm-database://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Installations (or test runs) sharing one Redis keep their counters apart.
        "RATELIMIT_KEY_PREFIX": os.environ.get("EXPO_CRM_RATELIMIT_KEY_PREFIX", "expo-crm"),
        # Reverse proxies in front of the app: their X-Forwarded-For is believed for this many
        # hops, so rate limits and sign-in throttling see the client's address. 0: not believed.
        "TRUSTED_PROXIES": int(os.environ.get("EXPO_CRM_TRUSTED_PROXIES", "0") or 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": 12 * 3600,
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # An offline scan's scanned_at is trusted this far back and ahead of the server's clock
        # (seconds); outside it the scan is a 400 (docs/contracts.md, offline scans).
        "OFFLINE_SCAN_MAX_AGE": 24 * 3600,
        "OFFLINE_SCAN_MAX_AHEAD": 120,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh": "简体中文", "en": "English"},
    }


def sqlite_busy_seconds() -> float:
    """How long a SQLite writer waits for the single write lock before the request gets a 503."""
    return float(os.environ.get("EXPO_CRM_SQLITE_BUSY_SECONDS", "15"))


def database_wait_seconds() -> float:
    """PostgreSQL: how long a request waits for a row or table lock (lock_timeout), and on both
    databases for a pooled connection, before the answer is a 503 with Retry-After."""
    return float(os.environ.get("EXPO_CRM_DATABASE_WAIT_SECONDS", "15"))


def scheduler_tick_seconds() -> float:
    """How often the scheduler runs its every-minute jobs (the due plan steps, the outbox, lapsed
    booth holds): mail held back by an unreachable server goes out within this long of its return."""
    return float(os.environ.get("EXPO_CRM_SCHEDULER_TICK_SECONDS", "60"))


def _json(value) -> str:
    # Chinese names inside event parameters stay readable, and searchable with LIKE.
    return json.dumps(value, ensure_ascii=False)


def _engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        # Generous busy timeout: writers queue behind each other instead of failing at once.
        return {
            "connect_args": {"timeout": sqlite_busy_seconds()},
            "pool_timeout": database_wait_seconds(),
            "json_serializer": _json,
        }
    wait_ms = int(database_wait_seconds() * 1000)
    return {
        "pool_pre_ping": True,
        "pool_size": 10,
        "max_overflow": 10,
        "pool_timeout": database_wait_seconds(),
        # A bounded wait for a lock, then a 503 (errors.py), instead of queueing without end.
        "connect_args": {"options": f"-c lock_timeout={wait_ms}"},
        "json_serializer": _json,
    }
