"""Instance settings, read from the environment (and a `.env` file if present).

Outside `dev`, the settings refuse the conveniences that are only safe on a
developer's laptop: a generated secret key, an SQLite file in the checkout.
"""

import ipaddress
import math
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from zxcvbn import zxcvbn

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'goldfish.db'}"


# A production secret must be this hard to guess, in bits, as zxcvbn
# estimates it. zxcvbn under-rates random strings that happen to hold a
# pattern: 32 random hex digits (128 real bits) score 84 to 130, never below
# 80 in 100,000 tries; a `secrets.token_urlsafe(32)` scores 136 or more.
# What people type scores far lower: 32 × "a" gives 9, "changeme" × 4 gives 27.
MIN_SECRET_BITS = 80


def estimated_bits(secret: str) -> float:
    """log2 of the guesses zxcvbn needs (repeats, sequences, words, dates);
    the first 100 characters are enough to tell."""
    return zxcvbn(secret[:100])["guesses_log10"] * math.log2(10)


def create_private(path: Path, text: str = "") -> None:
    """Create `path` readable by its owner only from the first byte (no window
    between writing and chmod). An existing file is left alone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as out:
        out.write(text)


def _dev_secret_key() -> str:
    """A per-checkout secret kept in var/, so restarts keep CSRF cookies valid."""
    path = VAR_DIR / "secret_key"
    create_private(path, secrets.token_urlsafe(48))
    return path.read_text().strip()


class Settings(BaseSettings):
    # hide_input_in_errors: a refused setting (a weak secret key) is never
    # printed back in the error.
    model_config = SettingsConfigDict(
        env_prefix="GOLDFISH_", env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["dev", "test", "production"] = "dev"
    database_url: str = Field(
        DEFAULT_DATABASE_URL, validation_alias=AliasChoices("DATABASE_URL", "GOLDFISH_DATABASE_URL")
    )
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("HOST", "GOLDFISH_HOST"))
    port: int = Field(8000, validation_alias=AliasChoices("PORT", "GOLDFISH_PORT"))
    secret_key: str = ""

    # Where people reach this instance, e.g. https://goldfish.example.org:
    # links in e-mails and on the command line, redirects and invite links
    # are built on it, whatever Host header a request brings. Required in
    # production; in development, links point at HOST:PORT.
    base_url: str = ""
    # The SMTP server that sends password-reset links and the e-mail people ask for, e.g.
    # smtp://user:password@mail.example.org:587 (STARTTLS when the server
    # offers it; smtps:// for TLS from the start). Unset: no mail is sent,
    # and "Forgot password" tells people to ask their administrator.
    smtp_url: str = ""
    mail_from: str = "Goldfish <goldfish@localhost>"
    # How long the worker waits on the SMTP server (connecting, each reply)
    # before the message is retried later.
    smtp_timeout_seconds: float = Field(15, gt=0, le=300)

    # Anyone may create an account while this is on; the first account can
    # always be created so that an empty instance can be set up.
    signup_open: bool = True

    # Requests handled at once per worker process: the threads that run
    # handlers, and as many pooled database connections, so that a request
    # holding a thread never waits for a connection. More requests wait
    # their turn without holding either. Handlers are CPU-bound (a few ms of
    # ORM work each), so more threads than this only add GIL contention and
    # longer tails (measured with `make soak`).
    threads: int = Field(8, ge=1, le=256)
    # Request bodies above this many bytes are refused with 413 before they
    # are read; nothing Goldfish accepts comes near it.
    max_body_bytes: int = Field(1_048_576, ge=1024)
    # Worker processes of `goldfish serve` (each with its own threads and pool).
    workers: int = Field(1, ge=1, le=64)
    # Move what start-up made (modules, routes, templates) out of the
    # collector's reach with gc.freeze(), so that the collections a request
    # triggers scan only that request's objects: fewer long pauses on small
    # pages. Off only to measure the difference (bench/floor_bench.py).
    gc_freeze: bool = True
    # How long `goldfish serve` lets in-flight requests finish on SIGTERM.
    shutdown_seconds: int = Field(10, ge=1, le=300)

    # Feeds: polling addresses on this machine or its private network is
    # refused unless this is on (a feed served on 127.0.0.1 by a test, a
    # lab's intranet). Redirects are checked against it hop by hop.
    feeds_allow_private: bool = False
    # A poll's whole fetch (connect, redirects, body) must end within this;
    # a feed's document may be at most this large.
    feeds_timeout_seconds: float = Field(15, gt=0, le=300)
    feeds_max_bytes: int = Field(5 * 1024 * 1024, ge=1024)
    # arXiv's API, where `goldfish import releases ids.txt` looks ids up (a
    # test points it at a server of its own; addresses on this machine also
    # need GOLDFISH_FEEDS_ALLOW_PRIVATE).
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    # The score at which a release matched to a project becomes a
    # suggestion; unset, matching's measured default (app.matching.engine).
    match_threshold: float | None = Field(None, ge=0, le=1)
    # How often an idle `goldfish worker` looks for due feeds.
    worker_idle_seconds: float = Field(30, ge=0.1, le=3600)

    # A browser session ends after a week unused, and a month after the
    # log-in however much it is used (ASVS 3.3.2 at level 2: 30 days). A
    # week because the planner's rhythm is the weekly review: someone who
    # comes back each week is not asked to log in each time, while a
    # forgotten laptop's session does not outlive a fortnight's absence.
    session_idle_days: int = Field(7, ge=1, le=365)
    session_max_days: int = Field(30, ge=1, le=365)
    # Guessing passwords. Per account, failures beyond the free ones make
    # the next try wait, doubling from 1 s up to the cap: a person who
    # mistyped waits seconds, a guesser gets about one try a minute, and
    # since the wait is capped nobody can keep the owner out for long. A
    # browser that has logged in to the account before (its device cookie)
    # skips the account's wait. Per address, a hard limit over the window.
    login_free_failures: int = Field(3, ge=1, le=100)
    login_max_delay_seconds: int = Field(60, ge=1, le=3600)
    login_ip_max_failures: int = Field(20, ge=1, le=10_000)
    login_window_minutes: int = Field(15, ge=1, le=1440)
    # Addresses of reverse proxies whose X-Forwarded-For / -Proto headers are
    # believed (comma-separated IPs or CIDR networks, "*" for any). Empty:
    # none, and the client is the address that connected.
    trusted_proxies: str = ""

    # A project whose scores are this many days old or more is flagged in
    # the portfolios as not revisited in a while.
    scores_stale_days: int = Field(90, ge=1, le=3650)

    # The priority formula's knobs (see app/projects/scoring.py).
    score_mapping: tuple[float, float, float, float, float] = (0.1, 0.3, 0.5, 0.7, 0.9)
    residual_first: float = 0.1
    residual_best: float = 0.6
    residual_open: float = 0.5

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            if part != "*":
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError:
                    raise ValueError(f"not an IP address or network: {part!r}") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url_is_an_origin(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("GOLDFISH_BASE_URL must look like https://goldfish.example.org")
        if parts.path.strip("/") or parts.query or parts.fragment:
            raise ValueError("GOLDFISH_BASE_URL must be an origin, without a path")
        return f"{parts.scheme}://{parts.netloc}"

    @field_validator("arxiv_api_url")
    @classmethod
    def _arxiv_api_is_web(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
            raise ValueError(
                "GOLDFISH_ARXIV_API_URL must look like https://export.arxiv.org/api/query"
            )
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url_is_smtp(cls, value: str) -> str:
        if value and urlsplit(value).scheme not in ("smtp", "smtps"):
            raise ValueError("GOLDFISH_SMTP_URL must start with smtp:// or smtps://")
        return value

    @field_validator("score_mapping", mode="before")
    @classmethod
    def _parse_mapping(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(float(part) for part in value.split(","))
        return value

    @field_validator("score_mapping")
    @classmethod
    def _mapping_rises(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 <= v <= 1 for v in value) or list(value) != sorted(value):
            raise ValueError("score mapping must be five rising values between 0 and 1")
        return value

    @field_validator("residual_first", "residual_best", "residual_open")
    @classmethod
    def _residual_range(cls, value: float) -> float:
        if not 0 <= value <= 1:
            raise ValueError("a residual is a share of value, between 0 and 1")
        return value

    @model_validator(mode="after")
    def _refuse_insecure_defaults(self) -> "Settings":
        if self.env == "production":
            if len(self.secret_key) < 32 or estimated_bits(self.secret_key) < MIN_SECRET_BITS:
                raise ValueError(
                    "GOLDFISH_SECRET_KEY must be set to a random value of 32+ characters in "
                    "production (it is missing, too short or too regular); make one with "
                    "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
                )
            if not self.base_url:
                raise ValueError(
                    "GOLDFISH_BASE_URL must be set in production (e.g. https://goldfish.example.org)"
                )
        elif not self.secret_key:
            self.secret_key = _dev_secret_key()
        return self

    @property
    def public_url(self) -> str:
        """Where links point: GOLDFISH_BASE_URL, or this server in development."""
        return self.base_url or f"http://{self.host}:{self.port}"

    @cached_property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def get_settings() -> Settings:
    return Settings()
