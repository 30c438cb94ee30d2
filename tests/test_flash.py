"""One confirmation mechanism (app.web.flash): after a form's redirect, the
page it lands on says what was done, once, as a status message; a forged
or someone else's message is never shown."""

from sqlmodel import select

from app.projects.models import Project
from app.web import FLASH_COOKIE
from tests import factories
from tests.helpers import as_user, soup
from tests.projects.test_pages import NEW_PROJECT


def flash_of(response) -> str | None:
    tag = soup(response).select_one("#flash")
    if tag is None:
        return None
    assert tag["role"] == "status"
    return tag.get_text(strip=True)


def test_creating_a_project_says_so_once(logged_in, db):
    r = logged_in.submit("/projects", NEW_PROJECT)
    assert r.status_code == 303
    landed = logged_in.get(r.headers["location"])
    assert flash_of(landed) == f"Project “{NEW_PROJECT['title']}” created."
    assert flash_of(logged_in.get(r.headers["location"])) is None, "said once, not on reload"


def test_logging_a_release_says_so(logged_in):
    data = {"title": "Tülu 4", "kind": "model", "released_on": "2026-11-30", "url": ""}
    r = logged_in.submit("/releases", data)
    assert r.status_code == 303
    # With no projects to link it to, the touches page passes on to the release.
    landed = logged_in.get(r.headers["location"], follow_redirects=True)
    assert flash_of(landed) == "Release “Tülu 4” logged."


def test_saving_the_time_zone_says_so_with_an_example(logged_in):
    r = logged_in.submit("/account/timezone", {"timezone": "Europe/Paris"})
    message = flash_of(logged_in.get(r.headers["location"]))
    assert message.startswith("Time zone saved: Europe/Paris. Times now read like ")
    assert message.endswith((" CET.", " CEST."))


def test_rescoring_says_which_scores_moved(logged_in, db, user):
    project = factories.make_project(
        db, user, "Reward model robustness", attainability=5, scoop_risk=2, impact=4
    )
    page = soup(logged_in.get(f"/projects/{project.id}/edit"))
    form = page.select_one(f'form[action$="/projects/{project.id}/edit"]')
    data = {
        field["name"]: field.get("value", "")
        for field in form.select("input[name]")
        if field.get("type") != "hidden" or field["name"] != "csrftoken"
    }
    data |= {t["name"]: t.get_text() for t in form.select("textarea[name]")}
    data |= {
        s["name"]: (s.select_one("option[selected]") or s.select_one("option"))["value"]
        for s in form.select("select[name]")
    }
    data |= {"attainability": "4", "scoop_risk": "3"}
    r = logged_in.submit(f"/projects/{project.id}/edit", data)
    assert r.status_code == 303
    assert flash_of(logged_in.get(r.headers["location"])) == (
        "Saved “Reward model robustness”: attainability 5→4, scoop risk 2→3."
    )


def test_a_forged_message_is_not_shown(logged_in):
    factories.set_cookie(logged_in, FLASH_COOKIE, "WyJZb3UgaGF2ZSB3b24iXQ.forged.sig")
    page = logged_in.get("/")
    assert page.status_code == 200 and flash_of(page) is None


def test_a_message_for_one_person_is_not_shown_to_the_next(client, db, user, other_user):
    as_user(client, db, user)
    r = client.submit("/projects", NEW_PROJECT)
    value = client.cookies[FLASH_COOKIE]
    assert db.exec(select(Project)).one().owner_id == user.id
    as_user(client, db, other_user)
    factories.set_cookie(client, FLASH_COOKIE, value)
    assert flash_of(client.get("/")) is None
    assert r.status_code == 303
