"""Steps shared by the browser journeys."""

from playwright.sync_api import expect

from tests.factories import PASSWORD


def log_in(page, username, password=PASSWORD):
    """Log in as someone else. The page first leaves for a blank one so that no request still in
    flight from the previous user (a poll, a redirect) sets its session cookie again after the
    cookies are cleared; the step ends only when the header names the new user."""
    page.goto("about:blank")
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit].primary")
    expect(page.locator(".who")).to_contain_text(username)
