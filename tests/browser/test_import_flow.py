"""A researcher brings their spreadsheet of projects: uploads it, fixes the
column Goldfish did not know, reads the preview (scores on 0–10 mapped onto
1–5, a row already in the portfolio skipped), imports, and watches the
progress page poll until the worker has written them all. Chromium against a
real uvicorn and a real `goldfish worker`."""

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bench.server import GOLDFISH, server_env
from tests.browser.conftest import LiveServer
from tests.browser.test_portfolio_flow import sign_up

pytestmark = pytest.mark.browser

SHEET = (
    "Project,Research question,Tags,Impact (0-10),Scoop risk,Feasibility,Owner\n"
    "Curated instruction data,Do 1000 curated examples align a 7B model?,data quality,9,4,3,Ada\n"
    "Open evaluation harness,Can we evaluate chat models reproducibly?,evaluation,6,2,5,Ada\n"
    "Open evaluation harness,Can we evaluate chat models reproducibly?,evaluation,6,2,5,Ada\n"
)


@pytest.fixture
def worker(live_server: LiveServer, tmp_path: Path) -> Iterator[subprocess.Popen]:
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [str(GOLDFISH), "worker"],
            env=server_env(live_server.database_url, {"GOLDFISH_WORKER_IDLE_SECONDS": "0.5"}),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    yield process
    process.terminate()
    process.wait(timeout=30)


def test_upload_map_preview_import(page: Page, live_server: LiveServer, tmp_path: Path, worker):
    sign_up(page, live_server)
    sheet = tmp_path / "projects.csv"
    sheet.write_text(SHEET, encoding="utf-8")

    page.goto("/imports/projects")
    page.get_by_label("Spreadsheet").set_input_files(str(sheet))
    page.get_by_role("button", name="Upload and map the columns").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Which column holds what?")
    expect(page.get_by_label("Project", exact=True)).to_have_value("title")
    expect(page.get_by_label("Impact (0-10)", exact=True)).to_have_value("impact")
    expect(page.get_by_label("Scale of Impact (0-10)")).to_have_value("0-10")
    page.get_by_role("button", name="Preview the projects").click()
    # The column it did not know is asked about, beside it.
    expect(page.locator("#e-col_6")).to_contain_text("no field called “Owner”")
    page.get_by_label("Owner").select_option("-")
    page.get_by_role("button", name="Preview the projects").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Preview: projects.csv")
    expect(page.locator("#score-mapping")).to_contain_text(
        "Impact given as 0 to 10: 0–1.9→1, 2–3.9→2, 4–5.9→3, 6–7.9→4, 8–10→5"
    )
    expect(page.locator("#row-2")).to_contain_text("9 → 5")
    expect(page.locator("#row-4")).to_contain_text("Skipped: The same as row 3")
    page.get_by_role("button", name="Import 2 projects").click()

    # The page polls (HTMX) until the worker is done, then stops.
    expect(page.locator("#import-state")).to_contain_text(
        "Done: 2 projects created, 1 skipped.", timeout=20_000
    )
    expect(page.locator("#import-progress")).not_to_have_attribute("hx-trigger", "every 1s")
    page.get_by_role("link", name="Open your portfolio").click()
    expect(page.get_by_role("link", name="Curated instruction data", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Open evaluation harness", exact=True)).to_be_visible()
