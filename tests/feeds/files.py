"""The feed documents the feed tests serve (tests/feeds/fixtures)."""

from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> bytes:
    """The bytes of a file in tests/feeds/fixtures/."""
    return (FIXTURES / name).read_bytes()
