"""The account page's "Download all my data": one person's own rows, in the
archive format, and nobody else's."""

import io
import json
import zipfile

from bs4 import BeautifulSoup

from tests import factories


def _tables(response) -> tuple[dict, dict[str, list[dict]]]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        manifest = json.loads(z.read("manifest.json"))
        rows = {
            t["name"]: [json.loads(line) for line in z.read(t["file"]).splitlines()]
            for t in manifest["tables"]
        }
    return manifest, rows


def test_the_account_page_offers_the_download(logged_in):
    page = BeautifulSoup(logged_in.get("/account").text, "html.parser")
    link = page.select_one("#your-data a[download]")
    assert link is not None and link["href"].endswith("/account/export")
    assert link.get_text(strip=True) == "Download all my data"


def test_a_download_holds_ones_own_data_only(logged_in, db, user, other_user):
    team = factories.make_team(db, other_user, "Vision")
    factories.add_member(db, team, user)
    mine = factories.make_project(db, user, "Ada's shared project", team_id=team.id)
    factories.make_project(db, user, "Ada's private project")
    theirs = factories.make_project(db, other_user, "Grace's project")
    factories.make_release(db, user, "Ada's release")
    factories.make_release(db, other_user, "Grace's release")
    factories.make_entry(db, user, body="Ada's diary")
    factories.make_entry(db, other_user, body="Grace's diary")
    request = factories.make_request(db, mine, user, other_user)
    factories.make_review(db, request, other_user, note="Grace's review note")
    factories.make_token(db, user)

    response = logged_in.get("/account/export")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-disposition"].startswith('attachment; filename="goldfish-')
    manifest, rows = _tables(response)
    assert manifest["format"] == "goldfish-export" and manifest["scope"] == "user"
    assert manifest["include_secrets"] is False
    assert [u["email"] for u in rows["user"]] == ["ada@example.org"]
    assert "password_hash" not in rows["user"][0]
    assert {p["title"] for p in rows["project"]} == {
        "Ada's shared project",
        "Ada's private project",
    }
    assert {r["title"] for r in rows["release"]} == {"Ada's release"}
    assert [e["body"] for e in rows["journal_entry"]] == ["Ada's diary"]
    assert {a["project_id"] for a in rows["assessment"]} == {p["id"] for p in rows["project"]}
    assert rows["review"] == []  # Grace wrote it; Ada's download has her request
    assert [r["project_id"] for r in rows["review_request"]] == [mine.id]
    assert not {"api_token", "user_session", "team", "invite"} & set(rows)
    assert theirs.id not in {p["id"] for p in rows["project"]}

    factories.log_in(logged_in, db, other_user)
    _, grace = _tables(logged_in.get("/account/export"))
    assert [r["note"] for r in grace["review"]] == ["Grace's review note"]
    assert {p["title"] for p in grace["project"]} == {"Grace's project"}
    assert [e["body"] for e in grace["journal_entry"]] == ["Grace's diary"]


def test_the_download_needs_a_login(client):
    response = client.get("/account/export")
    assert response.status_code in (303, 401)
