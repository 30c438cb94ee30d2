"""X-Forwarded-For is believed only from GOLDFISH_TRUSTED_PROXIES: by
default a client cannot rotate the header to dodge the per-address limit."""


def _guesses(browser, count: int) -> list[int]:
    return [
        browser.post(
            "/login",
            {"email": f"nobody{n}@example.org", "password": "guess guess"},
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        ).status_code
        for n in range(count)
    ]


def test_forwarded_headers_are_ignored_by_default(serve, browser_for):
    server = serve(login_ip_max_failures=3, login_free_failures=100)
    statuses = _guesses(browser_for(server), 5)
    assert statuses == [401, 401, 401, 429, 429]


def test_a_trusted_proxy_forwards_the_client_address(serve, browser_for):
    server = serve(login_ip_max_failures=3, login_free_failures=100, trusted_proxies="127.0.0.1")
    assert _guesses(browser_for(server), 5) == [401] * 5
