"""/api/docs in Chromium: Swagger UI renders the API's operations under the
strict CSP, with no inline script and nothing from another site."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer


def test_the_api_documentation_renders_under_the_csp(page: Page, live_server: LiveServer):
    violations: list[str] = []
    outside: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    response = page.goto(f"{live_server.url}/api/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    assert page.locator(".opblock").count() > 20
    expect(page.locator(".info .title")).to_contain_text("Goldfish")
    page.locator(".opblock-summary", has_text="/api/v1/projects").first.click()
    expect(page.locator(".opblock.is-open").first).to_be_visible()
    assert violations == []
    assert outside == []
