"""The journal's forms as posted: every field is text until validated, and
each form shapes the data its model validates."""

from pydantic import BaseModel

from app.forms import as_decimal, as_int
from app.web import safe_next


def _optional_id(value: str) -> int | str | None:
    """A picker's id: a number, nothing chosen, or whatever was sent (to be refused)."""
    return int(value) if value.isdecimal() else value or None


class EntryForm(BaseModel):
    day: str = ""
    kind: str = ""
    project_id: str = ""
    body: str = ""
    learned: str = ""
    hours: str = ""
    energy: str = ""
    serves_purpose: str = ""
    shared_team_id: str = ""
    version: str = ""
    next: str = ""

    def entry_data(self) -> dict:
        """What a new entry is made from."""
        data = {
            "project_id": _optional_id(self.project_id),
            "shared_team_id": _optional_id(self.shared_team_id),
            "body": self.body,
            "learned": self.learned,
            "hours": as_decimal(self.hours),
            "energy": as_int(self.energy),
            "serves_purpose": self.serves_purpose in ("on", "1", "true"),
        }
        # Left empty, the day is today (new) or unchanged (edit), and a missing
        # kind reads as "required".
        if self.day:
            data["day"] = self.day
        if self.kind:
            data["kind"] = self.kind
        return data

    def update_data(self) -> dict:
        """What an edit is made from: the version it was opened at, and no day
        for a day left empty (unchanged)."""
        return {**self.entry_data(), "version": as_int(self.version) or 0, "day": self.day or None}

    def saved_url(self, entry_id: int) -> str:
        """Where a new entry sends the browser: from the full form, the journal,
        which shows it; from the quick box without JavaScript, back to the page
        it came from, which says "saved"."""
        if not self.next:
            return "/journal"
        back = safe_next(self.next, "/journal")
        return f"{back}{'&' if '?' in back else '?'}saved_entry={entry_id}"


class SettingsForm(BaseModel):
    purpose: str = ""
    weekly_hours_limit: str = "50"
    weeks_over_limit: str = "3"
    late_hour: str = "22"
