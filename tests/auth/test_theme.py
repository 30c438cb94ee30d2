"""Each person chooses Goldfish's colours on the account page: as the device
is set (the default), light or dark. The choice is written into <html> on
every page by the server, so the first paint is already in it."""

from app.auth.models import Theme
from tests.helpers import soup


def _html_theme(response) -> str:
    return soup(response).select_one("html")["data-theme"]


def _checked(response) -> list[str]:
    return [r["value"] for r in soup(response).select("#theme input[name=theme][checked]")]


def test_a_new_account_follows_the_device(logged_in, user):
    page = logged_in.get("/account")
    assert _html_theme(page) == "system"
    assert _checked(page) == ["system"]
    labels = [" ".join(lb.get_text().split()) for lb in soup(page).select("#theme label.choice")]
    assert labels == ["As my device is set (light or dark)", "Light", "Dark"]


def test_choosing_dark_colours_every_page(logged_in, db, user):
    r = logged_in.submit("/account/theme", {"theme": "dark"})
    assert r.status_code == 303 and r.headers["location"] == "/account"
    db.refresh(user)
    assert user.theme is Theme.dark
    account = logged_in.get("/account")
    assert "Colours saved: dark." in account.text
    assert _checked(account) == ["dark"]
    for url in ("/", "/journal", "/releases", "/inbox"):
        assert _html_theme(logged_in.get(url)) == "dark", url


def test_back_to_the_device_setting(logged_in, db, user):
    logged_in.submit("/account/theme", {"theme": "light"})
    assert _html_theme(logged_in.get("/")) == "light"
    logged_in.submit("/account/theme", {"theme": "system"})
    db.refresh(user)
    assert user.theme is Theme.system
    assert _html_theme(logged_in.get("/")) == "system"


def test_an_unknown_choice_is_refused_beside_the_choices(logged_in, db, user):
    logged_in.submit("/account/theme", {"theme": "dark"})
    for bad in ("purple", "", "DARK", "x" * 10_000):
        r = logged_in.submit("/account/theme", {"theme": bad})
        assert r.status_code == 422, bad
        error = soup(r).select_one("#theme fieldset.has-error #e-theme")
        assert error is not None and "Choose one of the three" in error.get_text()
    db.refresh(user)
    assert user.theme is Theme.dark


def test_the_choice_needs_the_csrf_token(logged_in, db, user):
    r = logged_in.post("/account/theme", data={"theme": "dark"})
    assert r.status_code == 403
    db.refresh(user)
    assert user.theme is Theme.system


def test_the_choice_is_one_persons(logged_in, client, db, user, other_user):
    logged_in.submit("/account/theme", {"theme": "dark"})
    db.refresh(other_user)
    assert other_user.theme is Theme.system


def test_visitors_who_are_not_logged_in_follow_their_device(client):
    assert _html_theme(client.get("/signup")) == "system"
