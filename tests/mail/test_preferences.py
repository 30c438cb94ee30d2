"""Choosing what reaches you by e-mail, on the account page; the digest's
hour stays on the wall clock across daylight-saving changes."""

from datetime import UTC, datetime

import pytest
from fastapi.routing import APIRoute

from app.mail.models import MailPreference, ScoopMail
from app.mail.preferences import next_digest_at
from app.mailings.links import PATHS
from tests.helpers import soup


def test_everything_is_off_and_the_page_says_the_instance_sends_no_mail(logged_in, db, user):
    page = soup(logged_in.get("/account"))
    section = page.select_one("#mail")
    assert "sends no e-mail" in section.select_one("#mail-off").get_text()
    assert section.select_one("input[name=scoops][value=off]").has_attr("checked")
    assert not section.select_one("#f-reviews").has_attr("checked")
    assert not section.select_one("#f-digest").has_attr("checked")
    assert db.get(MailPreference, user.id) is None


def test_choices_are_saved_and_shown_again(logged_in, db, user, app):
    app.state.settings.smtp_url = "smtp://127.0.0.1:2525"
    r = logged_in.submit(
        "/account/mail",
        {
            "scoops": "hourly",
            "reviews": "on",
            "digest": "on",
            "digest_weekday": "4",
            "digest_hour": "17",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/account#mail"
    db.expire_all()
    pref = db.get(MailPreference, user.id)
    assert (pref.scoops, pref.reviews, pref.digest) == (ScoopMail.hourly, True, True)
    assert pref.digest_next_at.weekday() == 4 and pref.digest_next_at.hour == 17  # UTC user
    page = soup(logged_in.get("/account"))
    assert not page.select_one("#mail-off")
    assert page.select_one("input[name=scoops][value=hourly]").has_attr("checked")
    assert page.select_one("#f-reviews").has_attr("checked")
    assert page.select_one("#f-digest_weekday option[selected]")["value"] == "4"
    assert page.select_one("#f-digest_hour option[selected]")["value"] == "17"
    # Unticked boxes are absent from the form: off.
    logged_in.submit("/account/mail", {"scoops": "off"})
    db.expire_all()
    pref = db.get(MailPreference, user.id)
    assert (pref.scoops, pref.reviews, pref.digest, pref.digest_next_at) == (
        "off",
        False,
        False,
        None,
    )


def test_a_bad_choice_is_refused_beside_its_field_keeping_the_rest(logged_in, db, user):
    r = logged_in.submit("/account/mail", {"scoops": "daily", "reviews": "on", "digest_hour": "25"})
    assert r.status_code == 422
    page = soup(r)
    assert page.select_one("#e-scoops") and page.select_one("#e-digest_hour")
    assert page.select_one("#f-reviews").has_attr("checked"), "what was typed is kept"
    assert db.get(MailPreference, user.id) is None


def test_the_form_needs_the_csrf_token(logged_in, db, user):
    r = logged_in.post("/account/mail", data={"reviews": "on"})
    assert r.status_code == 403
    assert db.get(MailPreference, user.id) is None


def test_changing_time_zone_moves_the_digest_to_the_same_local_hour(logged_in, db, user):
    logged_in.submit("/account/mail", {"digest": "on", "digest_weekday": "0", "digest_hour": "8"})
    logged_in.submit("/account/timezone", {"timezone": "Asia/Tokyo"})
    db.expire_all()
    next_at = db.get(MailPreference, user.id).digest_next_at
    assert next_at.hour == 23 and next_at.weekday() == 6, (
        "Monday 08:00 in Tokyo is Sunday 23:00 UTC"
    )


BERLIN = "Europe/Berlin"


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Monday 08:00 in Berlin: 07:00 UTC in winter time (CET) ...
        (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 3, 23, 7, tzinfo=UTC)),
        # ... and 06:00 UTC the Monday after the change of 29 March (CEST).
        (datetime(2026, 3, 23, 7, tzinfo=UTC), datetime(2026, 3, 30, 6, tzinfo=UTC)),
        # Back in October (the change of 25 October): 06:00 UTC, then 07:00.
        (datetime(2026, 10, 18, tzinfo=UTC), datetime(2026, 10, 19, 6, tzinfo=UTC)),
        (datetime(2026, 10, 19, 6, tzinfo=UTC), datetime(2026, 10, 26, 7, tzinfo=UTC)),
    ],
)
def test_the_digest_keeps_its_berlin_hour_across_daylight_saving(after, expected):
    assert next_digest_at(weekday=0, hour=8, zone=BERLIN, after=after) == expected


def test_a_digest_on_the_night_of_the_changes_goes_out_once_each_week():
    # Sunday 02:00 does not exist on 29 March (clocks jump to 03:00): sent at 03:00 CEST.
    march = next_digest_at(weekday=6, hour=2, zone=BERLIN, after=datetime(2026, 3, 28, tzinfo=UTC))
    assert march == datetime(2026, 3, 29, 1, tzinfo=UTC)
    # Sunday 02:00 happens twice on 25 October: sent at the first one.
    october = next_digest_at(
        weekday=6, hour=2, zone=BERLIN, after=datetime(2026, 10, 24, tzinfo=UTC)
    )
    assert october == datetime(2026, 10, 25, 0, tzinfo=UTC)
    after = next_digest_at(weekday=6, hour=2, zone=BERLIN, after=october)
    assert after == datetime(2026, 11, 1, 1, tzinfo=UTC), "not again an hour later"


def _routes(routes):
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _routes(route.original_router.routes)


def test_the_paths_mail_links_to_are_the_apps_routes(app):
    paths = {route.name: route.path for route in _routes(app.routes)}
    assert {name: paths.get(name) for name in PATHS} == PATHS
