"""Look and feel (issue 17), in real Chromium against a real server holding
the demo portfolio: every page (bench.screens.SCREENS, the list `make
screenshots` photographs) has its own title and an icon, and logs no console
error or CSP violation, HTMX swaps included; each person's colours are
applied before the first paint, and "as my device is set" follows the
device."""

import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from bench.screens import EMAILS, SCHEMES, SCREENS, SIZES, Demo, demo_instance, log_in
from tests.browser.conftest import TIMEOUT_MS, LiveServer

pytestmark = pytest.mark.browser

LIGHT_BG = "rgb(251, 250, 247)"  # --color-bg, light
DARK_BG = "rgb(15, 17, 21)"  # --color-bg, dark
WHO = ("researcher", "manager", "visitor")
# axe-core, vendored and pinned (tests/browser/vendor/README.md); never served.
AXE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3)
      .map((n) => n.target.join(" ") + " :: " + n.failureSummary)}));
}"""


@pytest.fixture(scope="module")
def demo(live_server: LiveServer) -> Demo:
    return demo_instance(live_server.database_url)


class Problems:
    """Console errors, uncaught exceptions and failed requests of one page."""

    def __init__(self, page: Page) -> None:
        self.seen: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.seen.append(f"{page.url}: uncaught {exc}"))
        page.on(
            "response",
            lambda r: r.status >= 400 and self.seen.append(f"{page.url}: {r.status} {r.url}"),
        )
        self.page = page

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.seen.append(f"{self.page.url}: console {message.type}: {message.text}")


@contextmanager
def visitor(
    browser: Browser, live_server: LiveServer, demo: Demo, who: str, **context
) -> Iterator[tuple[Page, Problems]]:
    ctx = browser.new_context(base_url=live_server.url, **context)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    problems = Problems(page)
    try:
        if who != "visitor":
            log_in(page, EMAILS[who], demo.passwords[who])
        yield page, problems
    finally:
        ctx.close()


def body_background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_every_page_has_its_own_title_an_icon_and_no_console_error(
    browser: Browser, live_server: LiveServer, demo: Demo
):
    titles: dict[str, set[str]] = defaultdict(set)
    seen: list[str] = []
    for who in WHO:
        with visitor(browser, live_server, demo, who) as (page, problems):
            for screen in (s for s in SCREENS if s.who == who):
                response = page.goto(demo.url(screen))
                assert response is not None and response.ok, (screen, response and response.status)
                page.wait_for_load_state("load")
                titles[page.title()].add(screen.path)
                icon = page.locator("link[rel=icon][type='image/svg+xml']")
                assert icon.count() == 1, screen
            if who == "researcher":
                _swap_with_htmx(page, demo)
            seen += problems.seen
    assert seen == []
    assert all(re.fullmatch(r".+ · Goldfish", title) for title in titles), titles
    assert "Goldfish · Goldfish" not in titles
    shared = {title: paths for title, paths in titles.items() if len(paths) > 1}
    assert shared == {}
    # The icons and the manifest are there, as PNGs at their sizes.
    with visitor(browser, live_server, demo, "visitor") as (page, _):
        manifest = page.request.get("/static/manifest.webmanifest").json()
        for icon in manifest["icons"]:
            assert page.request.get(icon["src"]).ok, icon
        for size in (32, 180, 192, 512):
            png = page.request.get(f"/static/icons/goldfish-{size}.png")
            assert png.headers["content-type"] == "image/png"
            body = png.body()
            width, height = int.from_bytes(body[16:20]), int.from_bytes(body[20:24])
            assert (width, height) == (size, size)


def _swap_with_htmx(page: Page, demo: Demo) -> None:
    """A few HTMX swaps: their console must stay as clean as a page load."""
    page.goto(f"/journal/entries/{demo.ids['entry']}")
    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#entry-view form")).to_be_visible()
    page.goto("/inbox")
    page.locator("#quick-entry summary").click()
    page.locator("#q-body").fill("Checked the look of every page")
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator("#quick-saved")).to_contain_text("Saved to your journal")


def test_each_persons_colours_apply_before_the_first_paint(
    browser: Browser, live_server: LiveServer, demo: Demo
):
    # As the device is set (the default): the device decides.
    for scheme, background in (("light", LIGHT_BG), ("dark", DARK_BG)):
        with visitor(browser, live_server, demo, "manager", color_scheme=scheme) as (page, _):
            page.goto("/")
            assert page.locator("html").get_attribute("data-theme") == "system"
            assert body_background(page) == background, scheme
    # Chosen on the account page: whatever the device says.
    with visitor(browser, live_server, demo, "researcher", color_scheme="light") as (page, _):
        page.goto("/account")
        page.get_by_label("Dark", exact=True).check()
        page.get_by_role("button", name="Save colours").click()
        expect(page.locator("#flash")).to_have_text("Colours saved: dark.")
        assert body_background(page) == DARK_BG
        # The first paint of the next page is dark already: no script sets it.
        with page.expect_response(lambda r: r.url.endswith("/journal")) as answer:
            page.goto("/journal")
        assert 'data-theme="dark"' in answer.value.text()
        assert body_background(page) == DARK_BG
    with visitor(browser, live_server, demo, "researcher", color_scheme="dark") as (page, _):
        page.goto("/account")
        page.get_by_label("Light", exact=True).check()
        page.get_by_role("button", name="Save colours").click()
        expect(page.locator("#flash")).to_have_text("Colours saved: light.")
        assert body_background(page) == LIGHT_BG
        page.get_by_label("As my device is set (light or dark)").check()
        page.get_by_role("button", name="Save colours").click()
        expect(page.locator("#flash")).to_have_text("Colours saved: as my device is set.")
        assert body_background(page) == DARK_BG


FOCUS_RING = """() => { const s = getComputedStyle(document.activeElement);
  return {tag: document.activeElement.tagName, style: s.outlineStyle, color: s.outlineColor,
          width: parseFloat(s.outlineWidth)}; }"""
ACTIVE = "() => document.activeElement.id || document.activeElement.className"


def test_the_keyboard_reaches_everything_and_is_told_what_changed(
    browser: Browser, live_server: LiveServer, demo: Demo
):
    with visitor(browser, live_server, demo, "researcher", color_scheme="light") as (page, seen):
        page.goto("/")
        # The skip link comes first, shows when focused, and lands in <main>.
        page.keyboard.press("Tab")
        skip = page.locator("a.skip-link")
        expect(skip).to_be_focused()
        assert skip.bounding_box()["y"] >= 0
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE) == "main"
        # Every stop of the first screen has a visible ring in the focus colour.
        for _ in range(25):
            page.keyboard.press("Tab")
            ring = page.evaluate(FOCUS_RING)
            assert ring["style"] != "none" and ring["width"] >= 2, ring
            assert ring["color"] == "rgb(37, 99, 235)", ring

        # Shortcuts: ? opens the help, Esc closes it.
        page.locator("h1").click()
        page.keyboard.press("?")
        help_dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
        expect(help_dialog).to_be_visible()
        page.keyboard.press("Escape")
        expect(help_dialog).to_be_hidden()
        # j / k walk the table's rows, focusing each row's first link.
        first_rows = page.locator("main table tbody tr")
        page.keyboard.press("j")
        expect(first_rows.nth(0)).to_have_class(re.compile("kb-current"))
        page.keyboard.press("j")
        page.keyboard.press("j")
        page.keyboard.press("k")
        expect(first_rows.nth(1)).to_have_class(re.compile("kb-current"))
        expect(first_rows.nth(1).locator("a[href]").first).to_be_focused()
        # / goes to the page's filter box; typed letters stay there.
        here = page.url
        page.keyboard.press("/")
        keyword = page.locator("main input[name=keyword]")
        expect(keyword).to_be_focused()
        page.keyboard.type("ng")
        expect(keyword).to_have_value("ng")
        assert page.url == here
        page.locator("h1").click()
        page.keyboard.press("g")
        page.keyboard.press("i")
        expect(page).to_have_url(f"{live_server.url}/inbox")
        page.keyboard.press("g")
        page.keyboard.press("j")
        expect(page).to_have_url(f"{live_server.url}/journal")
        page.keyboard.press("n")
        expect(page).to_have_url(f"{live_server.url}/projects/new")
        title = page.locator("main input[name=title]")
        title.focus()
        page.keyboard.press("n")  # inside the title field: a letter, not a shortcut
        expect(title).to_have_value("n")
        assert page.url == f"{live_server.url}/projects/new"

        # After an HTMX swap: focus on what it says, and the live region says it.
        page.goto("/journal")
        page.locator("#quick-entry summary").click()
        page.locator("#q-body").fill("   ")
        page.get_by_role("button", name="Save entry").click()
        error = page.locator("#qe-body")
        expect(error).to_be_focused()
        expect(page.locator("#live")).to_have_text(error.inner_text())
        page.locator("#q-body").fill("Tried every page with the keyboard")
        page.get_by_role("button", name="Save entry").click()
        expect(page.locator("#quick-saved")).to_be_focused()
        expect(page.locator("#live")).to_contain_text("Saved to your journal")
        # A swap that replaces the region around the button: its heading or message.
        page.goto(f"/journal/entries/{demo.ids['entry']}")
        page.get_by_role("link", name="Edit").click()
        expect(page.locator("#entry-view form")).to_be_visible()
        # Focus moves when htmx settles, a moment after the form shows: wait for it.
        page.wait_for_function("document.activeElement !== document.body", timeout=5000)
        # Only the refused empty entry (422, as meant) shows in the console.
        assert [p for p in seen.seen if "422" not in p] == []


def test_without_javascript_the_skip_link_and_pages_still_work(
    browser: Browser, live_server: LiveServer, demo: Demo
):
    with visitor(browser, live_server, demo, "researcher", java_script_enabled=False) as (
        page,
        _,
    ):
        page.goto("/")
        page.keyboard.press("Tab")
        expect(page.locator("a.skip-link")).to_be_focused()
        page.keyboard.press("Enter")
        assert page.url.endswith("/#main")
        # The help exists only as a closed dialog; shortcuts do nothing.
        expect(page.locator("dialog#shortcuts")).to_be_hidden()
        page.keyboard.press("n")
        assert page.url.endswith("/#main")


@pytest.mark.parametrize("size", list(SIZES))
def test_axe_finds_nothing_serious_on_any_page_in_either_theme(
    browser: Browser, live_server: LiveServer, demo: Demo, size: str
):
    width, height = SIZES[size]
    found: list[str] = []
    for scheme in SCHEMES:
        for who in WHO:
            context = {"viewport": {"width": width, "height": height}, "color_scheme": scheme}
            with visitor(browser, live_server, demo, who, bypass_csp=True, **context) as (page, _):
                for screen in (s for s in SCREENS if s.who == who):
                    page.goto(demo.url(screen))
                    page.add_script_tag(content=AXE)
                    found += [
                        f"{scheme} {screen.name}: {v['impact']} {v['id']} {v['help']}: {v['nodes']}"
                        for v in page.evaluate(AXE_RUN)
                    ]
    assert found == [], "\n".join(found)
