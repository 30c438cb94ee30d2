"""A project's story in one list: scores, plan versions, releases, re-plans."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from app.releases.models import LinkEffect
from app.web import LOCAL_DATE


@dataclass(frozen=True)
class Event:
    when: datetime
    kind: str  # assessment | plan | release | reinforces | replan
    title: str
    detail: str = ""
    release_id: int | None = None
    plan_number: int | None = None
    entry_id: int | None = None
    request_id: int | None = None
    # Beside a re-plan: the manager's acknowledgment of the risk, if any, and
    # its own record (what they did, what still stands, what we learned).
    acknowledged: str = ""
    record: tuple[tuple[str, str], ...] = ()
    round_id: int | None = None
    # Beside a re-plan: the scoop-risk estimates of the last round before it.
    estimated: tuple[str, ...] = ()
    # A round's record: who estimated what, and when.
    estimates: tuple[str, ...] = ()

    @property
    def day(self) -> date:
        return self.when.date()


def _at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def _acknowledgment(reviews: list, before: datetime, zone: tzinfo) -> str:
    """The newest review before `before` that accepted the scoop risk, dated
    in the reader's `zone` as every moment on a page is (app.web.local_date)."""
    accepted = [
        r for r in reviews if r.review.decision.accepts_risk and r.review.created_at < before
    ]
    if not accepted:
        return ""
    last = accepted[-1]
    return (
        f"scoop risk acknowledged by {last.reviewer_name} on "
        f"{last.review.created_at.astimezone(zone).strftime(LOCAL_DATE)} "
        f"(plan version {last.plan_number})"
    )


def _scoop_estimates(rounds: list, before: datetime, zone: tzinfo) -> tuple[str, ...]:
    """The scoop-risk estimates of the last round revealed before `before`,
    as the viewer may see them ("estimated 4 by Grace Manager on 3 Dec 2026")."""
    shown = [r for r in rounds if r.visible and (r.round.revealed_at or before) < before]
    if not shown:
        return ()
    last = shown[-1]
    return tuple(
        f"estimated {estimate.scoop_risk} by {p.name} on "
        f"{estimate.updated_at.astimezone(zone).strftime(LOCAL_DATE)}"
        + (" (has left the team)" if p.left_team else "")
        for p in last.people
        if (estimate := last.shown(p)) is not None
    )


def _round_events(rounds: list, zone: tzinfo) -> list[Event]:
    events = []
    for r in rounds:
        lines = []
        for p in r.people:
            estimate = r.shown(p)
            if estimate is None:
                lines.append(f"{p.name}: {'estimate given' if p.submitted else 'waiting'}")
                continue
            lines.append(
                f"{p.name}: attainability {estimate.attainability}, scoop risk "
                f"{estimate.scoop_risk}, impact {estimate.impact} "
                f"({estimate.updated_at.astimezone(zone).strftime(LOCAL_DATE)})"
                + (", has left the team" if p.left_team else "")
            )
        closed = r.round.status == "closed"
        events.append(
            Event(
                r.round.closed_at if closed else r.round.created_at,
                "round",
                "Scoring round closed" if closed else "Scoring round started",
                f"{len(r.people)} asked"
                + (
                    "; adopted as the next assessment"
                    if r.round.assessment_id
                    else f"; {r.round.decision_note}"
                    if closed
                    else ""
                ),
                round_id=r.round.id,
                estimates=tuple(lines),
            )
        )
    return events


def timeline(
    *,
    history: list,
    plans: list,
    links: list,
    replans: list,
    entries: list | None = None,
    reviews: list | None = None,
    rounds: list | None = None,
    zone: tzinfo = UTC,
) -> list[Event]:
    """Newest first. Releases sit at their release date, the rest when made.
    `reviews` are answered reviews, oldest first (reviews.queries.ReviewEvent)."""
    reviews = reviews or []
    rounds = rounds or []
    """Newest first. Releases sit at their release date, the rest when made."""
    events: list[Event] = [
        Event(
            a.created_at,
            "assessment",
            f"Scored attainability {a.attainability}, scoop risk {a.scoop_risk}, impact {a.impact}",
            f"aiming to be {a.success_axis}",
        )
        for a in history
    ]
    events += [
        Event(
            p.created_at,
            "plan",
            f"Plan version {p.number}",
            p.reason_note or str(p.reason),
            plan_number=p.number,
        )
        for p in plans
    ]
    for link, release in links:
        kind = "reinforces" if link.effect == LinkEffect.reinforces else "release"
        events.append(
            Event(
                _at(release.released_on),
                kind,
                f"{release.title}" + (f" ({release.organisation})" if release.organisation else ""),
                f"{release.kind}: {link.effect.label}" + (f" — {link.note}" if link.note else ""),
                release_id=release.id,
            )
        )
    events += [
        Event(
            r.created_at,
            "replan",
            f"Re-planned after {release.title}",
            r.decision.label,
            release_id=release.id,
            acknowledged=_acknowledgment(reviews, r.created_at, zone),
            estimated=_scoop_estimates(rounds, r.created_at, zone),
            record=tuple(
                (label, text)
                for label, text in (
                    ("What they did", r.what_they_did),
                    ("What of ours still stands", r.what_stands),
                    ("What we learned", r.learnings),
                )
                if text
            ),
        )
        for r, release in replans
    ]
    events += [
        Event(
            r.review.created_at,
            "review",
            f"Plan version {r.plan_number} reviewed by {r.reviewer_name}",
            r.review.decision.label,
            request_id=r.request_id,
            plan_number=r.plan_number,
        )
        for r in reviews
    ]
    events += _round_events(rounds, zone)
    events += [
        Event(
            _at(e.day),
            "journal",
            f"Journal: {e.kind.label}",
            (e.learned or e.body)[:140],
            entry_id=e.id,
        )
        for e in entries or []
        if e.kind != "replan"  # the re-plan itself is on the timeline already
    ]
    return sorted(events, key=lambda e: e.when, reverse=True)
