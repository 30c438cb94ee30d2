"""The import pages, from upload to the finished import, as a person uses them."""

import io

import openpyxl
import pytest
from bs4 import BeautifulSoup
from sqlmodel import func, select

from app.projects.models import Assessment, Project
from app.spreadsheets.models import ImportStatus, ProjectImport
from app.spreadsheets.sheet import MAX_UPLOAD_BYTES
from app.spreadsheets.worker import run_import
from tests import factories
from tests.conftest import RolledBackDatabase

GOOD = (
    "Title,Research question,Keywords,Impact (0-10),Scoop risk,Feasibility,Success,Status,"
    "Why impact\n"
    "Distil a 7B,Can a 7B match GPT-3.5?,distillation,8,30%,4,open,active,Everyone asks\n"
    'Eval harness,"=HYPERLINK(""http://x.example"")",evaluation,5,10%,5,best,idea,\n'
    'Eval harness,"=HYPERLINK(""http://x.example"")",evaluation,5,10%,5,best,idea,\n'
)


def upload(client, text: str | bytes, name: str = "plans.csv", team_id: str = ""):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        "/imports/projects",
        data={"csrftoken": client.csrf(), "team_id": team_id},
        files={"file": (name, content, "text/csv")},
    )


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def projects_of(db, user) -> list[Project]:
    db.expire_all()
    return list(db.exec(select(Project).where(Project.owner_id == user.id).order_by(Project.id)))


def mapping_of(client, import_id: int) -> dict[str, str]:
    page = soup(client.get(f"/imports/{import_id}/mapping"))
    out = {}
    for select_ in page.select("select"):
        chosen = select_.select_one("option[selected]")
        out[select_["name"]] = chosen["value"] if chosen else ""
    return out


def import_id_of(response) -> int:
    return int(response.headers["location"].split("/")[2])


def test_upload_map_preview_import_and_watch_it_finish(logged_in, db, user, connection):
    factories.make_project(db, user, "Distil a 7B")  # already there: skipped, never overwritten
    r = upload(logged_in, GOOD)
    assert r.status_code == 303
    import_id = import_id_of(r)

    chosen = mapping_of(logged_in, import_id)
    assert chosen["col_0"] == "title" and chosen["col_3"] == "impact"
    assert chosen["scale_impact"] == "0-10" and chosen["scale_scoop_risk"] == "percent"
    r = logged_in.submit(f"/imports/{import_id}/mapping", chosen)
    assert r.status_code == 303 and r.headers["location"].endswith("/preview")

    preview = soup(logged_in.get(f"/imports/{import_id}/preview"))
    assert preview.select_one("#count-create").text.startswith("1 project")
    assert preview.select_one("#count-skip").text.startswith("2 skipped")
    rules = preview.select_one("#score-mapping").text
    assert "Impact given as 0 to 10: 0–1.9→1, 2–3.9→2" in rules
    assert "Scoop risk given as percentages" in rules
    assert "8 → 5" in preview.select_one("#row-2").text
    assert "Skipped: The same as row 3" in preview.select_one("#row-4").text
    assert projects_of(db, user)[1:] == []  # nothing written by a preview

    r = logged_in.submit(f"/imports/{import_id}/start")
    assert r.status_code == 303 and r.headers["location"] == f"/imports/{import_id}"
    waiting = soup(logged_in.get(f"/imports/{import_id}"))
    assert "Waiting for a worker" in waiting.select_one("#import-state").text
    assert waiting.select_one("noscript meta[http-equiv=refresh]") is not None
    assert waiting.select_one("#import-progress")["hx-trigger"] == "every 1s"

    assert run_import(RolledBackDatabase(connection), import_id) is ImportStatus.done

    fragment = logged_in.get(f"/imports/{import_id}", headers={"HX-Request": "true"})
    done = soup(fragment)
    assert "<html" not in fragment.text  # only the block that replaces itself
    assert done.select_one("#created").text == "1" and done.select_one("#skipped").text == "2"
    assert not done.select_one("#import-progress").has_attr("hx-trigger")  # polling stops
    assert soup(logged_in.get(f"/imports/{import_id}")).select_one("noscript") is None
    titles = [p.title for p in projects_of(db, user)]
    assert titles == ["Distil a 7B", "Eval harness"]
    new = projects_of(db, user)[1]
    assert new.summary == '=HYPERLINK("http://x.example")'  # stored as text
    assessment = db.exec(select(Assessment).where(Assessment.project_id == new.id)).one()
    assert (assessment.impact, assessment.scoop_risk, assessment.attainability) == (3, 1, 5)
    assert db.get(ProjectImport, import_id).content == b""  # the file is not kept


def test_unknown_columns_are_asked_about_beside_the_column(logged_in, db, user):
    import_id = import_id_of(upload(logged_in, "Title,Owner,Impact\nA,me,3\n"))
    chosen = mapping_of(logged_in, import_id)
    assert chosen["col_1"] == ""
    r = logged_in.submit(f"/imports/{import_id}/mapping", chosen)
    assert r.status_code == 422
    error = soup(r).select_one("#e-col_1")
    assert "no field called “Owner”" in error.text
    assert soup(r).select_one("#column-1")["class"] == ["has-error"]
    # Starting anyway is refused, with nothing queued.
    r = logged_in.submit(f"/imports/{import_id}/start")
    assert r.status_code == 422
    assert db.get(ProjectImport, import_id).status is ImportStatus.uploaded
    r = logged_in.submit(f"/imports/{import_id}/mapping", {**chosen, "col_1": "-"})
    assert r.status_code == 303


def test_row_errors_stand_beside_their_row_and_nothing_is_imported(logged_in, db, user):
    text = (
        "Title,Impact,Status\nFine,3,idea\nBroken,3,dreaming\n"
        + "".join(f"Row {n},3,idea\n" for n in range(30))
        + "Late,3,nope\n"
    )
    import_id = import_id_of(upload(logged_in, text))
    logged_in.submit(f"/imports/{import_id}/mapping", mapping_of(logged_in, import_id))
    preview = soup(logged_in.get(f"/imports/{import_id}/preview"))
    assert "Status: Write one of idea" in preview.select_one("#row-3 .result").text
    assert preview.select_one("#row-2 .result").text.strip() == "Will be created"
    assert "Row 34" in preview.select_one("#later-errors").text
    assert preview.select_one("#start-import").has_attr("disabled")
    r = logged_in.submit(f"/imports/{import_id}/start")
    assert r.status_code == 422
    assert "2 rows have errors" in soup(r).select_one(".notice").text
    assert projects_of(db, user) == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        ("Title,Impact\nÉté,3\n".encode("latin-1"), "plans.csv", "not UTF-8"),
        (b"Title:Impact\nA:3\n", "plans.csv", "Only one column"),
        (b"Title,Impact\n", "plans.csv", "no projects"),
        (b"not a zip", "plans.xlsx", "not a zip"),
        (b"Title\nA\n", "plans.pdf", "Choose a .csv or .xlsx file"),
    ],
)
def test_bad_files_are_refused_beside_the_field(logged_in, db, user, content, name, message):
    r = upload(logged_in, content, name)
    assert r.status_code == 422
    assert message in soup(r).select_one("#e-file").text
    assert db.exec(select(func.count()).select_from(ProjectImport)).one() == 0


def test_a_50_mb_csv_is_sent_back_unread(logged_in, db):
    big = b"Title,Impact\n" + b"A project title that repeats,3\n" * (50 * 1024 * 1024 // 31)
    r = upload(logged_in, big)
    assert r.status_code == 303 and r.headers["location"] == "/imports/projects?too_large=1"
    page = logged_in.get(r.headers["location"])
    assert page.status_code == 413
    assert "larger than 5 MB" in soup(page).select_one("#e-file").text
    assert db.exec(select(func.count()).select_from(ProjectImport)).one() == 0


def test_a_file_just_over_the_limit_is_refused_by_the_form(logged_in, db):
    r = upload(logged_in, b"Title\n" + b"a" * MAX_UPLOAD_BYTES)
    assert r.status_code == 413
    assert "larger than 5 MB" in soup(r).select_one("#e-file").text


def test_xlsx_goes_through_the_same_steps(logged_in, db, user, connection):
    workbook = openpyxl.Workbook()
    workbook.active.append(["Title", "Impact", "Scoop risk", "Attainability"])
    workbook.active.append(["From Excel", 4, 2, 3])
    buffer = io.BytesIO()
    workbook.save(buffer)
    import_id = import_id_of(upload(logged_in, buffer.getvalue(), "plans.xlsx"))
    logged_in.submit(f"/imports/{import_id}/mapping", mapping_of(logged_in, import_id))
    assert logged_in.submit(f"/imports/{import_id}/start").status_code == 303
    run_import(RolledBackDatabase(connection), import_id)
    assert [p.title for p in projects_of(db, user)] == ["From Excel"]


def test_into_a_team_only_if_one_may_share_with_it(logged_in, db, user, other_user, connection):
    theirs = factories.make_team(db, other_user, "Not mine")
    r = upload(logged_in, "Title\nA\n", team_id=str(theirs.id))
    assert r.status_code == 422
    assert "Choose one of your teams" in soup(r).select_one("#e-team_id").text

    mine = factories.make_team(db, other_user, "Mine too")
    member = factories.add_member(db, mine, user)
    import_id = import_id_of(upload(logged_in, "Title\nShared\n", team_id=str(mine.id)))
    logged_in.submit(f"/imports/{import_id}/mapping", mapping_of(logged_in, import_id))
    logged_in.submit(f"/imports/{import_id}/start")
    db.delete(member)  # left the team before the worker got to it
    db.commit()
    assert run_import(RolledBackDatabase(connection), import_id) is ImportStatus.failed
    job = db.get(ProjectImport, import_id)
    db.refresh(job)
    assert job.error == "Nothing was imported: Choose one of your teams."
    assert projects_of(db, user) == []
    failed = soup(logged_in.get(f"/imports/{import_id}"))
    assert "Nothing was imported" in failed.select_one("#import-state").text


def test_someone_elses_import_is_not_found(logged_in, client, db, user, other_user):
    import_id = import_id_of(upload(logged_in, "Title\nMine\n"))
    factories.log_in(client, db, other_user)
    for path in ("", "/mapping", "/preview"):
        assert client.get(f"/imports/{import_id}{path}").status_code == 404
    assert client.submit(f"/imports/{import_id}/start").status_code == 404
    assert client.submit(f"/imports/{import_id}/mapping", {"col_0": "title"}).status_code == 404
