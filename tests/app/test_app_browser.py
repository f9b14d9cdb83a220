"""Real-browser tests: headless Chromium (Debian's package) driven by Playwright.

In CI (``CI=true``) a missing browser fails these tests instead of skipping them, so a
forgotten ``apt-get install chromium`` cannot hide.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_helpers import PASSWORDS, REPO, RunningApp

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000  # generous: CI machines have two loaded cores
ARTIFACTS = Path(os.environ.get("LOCREVIEW_TEST_ARTIFACTS", REPO / "test-artifacts"))
SAMPLE = REPO / "samples" / "pilot_episode.fountain"


def _missing(what: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{what} is missing in CI: install it (see the Makefile / README)")
    pytest.skip(f"{what} is not installed")


def _chromium() -> str:
    for cand in (os.environ.get("LOCREVIEW_CHROMIUM"), "/usr/bin/chromium",
                 shutil.which("chromium"), shutil.which("chromium-browser")):
        if cand and Path(cand).exists():
            return cand
    _missing("Debian's chromium package")
    raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright (pip)")
    path = _chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page (own cookies) with generous timeouts; records any JS dialog."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    pg = ctx.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    pg.dialogs = []  # type: ignore[attr-defined]

    def on_dialog(d: Any) -> None:
        pg.dialogs.append(d.message)  # type: ignore[attr-defined]
        d.dismiss()

    pg.on("dialog", on_dialog)
    try:
        yield pg
    finally:
        ctx.close()


def _sign_in(page: Any, app: RunningApp, user: str) -> None:
    from playwright.sync_api import expect

    page.goto(app.url)
    page.get_by_label("username").fill(user)
    page.get_by_label("password").fill(PASSWORDS[user][1])
    page.get_by_role("button", name="Login").click()
    expect(page.locator("#whoami textarea, #whoami input").first).to_have_value(
        re.compile(rf"^{user} \("))


def _upload(page: Any, path: Path, project: str) -> None:
    from playwright.sync_api import expect

    page.set_input_files("#upload input[type=file]", str(path))
    expect(page.locator(f'#upload a[href$="{path.name}"]')).to_have_count(1)
    page.locator("#project textarea, #project input").first.fill(project)
    # The flag table reloads on the revision change, a moment after the scan message: note
    # which flag heads it now, and wait until another (the new revision's) does.
    first_id = page.locator("#flags [role=gridcell][data-col='0']").first
    before = first_id.inner_text().strip() if first_id.count() else None
    page.click("#scan")
    expect(page.locator("#message textarea, #message input").first).to_have_value(
        re.compile(rf"^{re.escape(project)} / .* flags"))
    if before:
        expect(first_id).not_to_have_text(re.compile(rf"^\s*{re.escape(before)}\s*$"))
    else:
        expect(first_id).to_be_visible()


def _open_flag(page: Any, matched: str, line: int) -> None:
    """Open the flag whose text is ``matched`` on ``line`` of the uploaded draft."""
    from playwright.sync_api import expect

    # After a scan the table reloads on the revision change, a moment after the message:
    # wait for the uploaded draft's row (its line tells it from the pre-loaded sample's).
    row = (
        page.locator("#flags [role=row]")
        .filter(has=page.locator("[data-col='10']", has_text=matched))
        .filter(has=page.locator("[data-col='9']", has_text=re.compile(rf"^\s*{line}\s*$")))
        .first
    )
    expect(row).to_be_visible()
    flag_id = row.locator("[data-col='0']").inner_text().strip()
    row.locator("[data-col='10']").click()
    box = page.locator("#flag-id input")
    try:
        expect(box).to_have_value(flag_id, timeout=5_000)
    except AssertionError:
        # A re-render under the pointer can make the click land on a neighbouring row:
        # open the flag by number, as a keyboard user does.
        box.fill(flag_id)
        box.press("Enter")
    expect(box).to_have_value(flag_id)
    expect(page.locator("#passage .token.highlighted", has_text=matched).first).to_be_visible()


def test_browser_sign_in_upload_dismiss_persists(page: Any, running_app: RunningApp,
                                                 hostile_draft: Path) -> None:
    from playwright.sync_api import expect

    _sign_in(page, running_app, "cody")
    draft = SAMPLE if SAMPLE.exists() else hostile_draft
    takeshima_line = 13 if draft == SAMPLE else 6
    _upload(page, draft, "browser-test")
    _open_flag(page, "Takeshima", takeshima_line)
    details = page.locator("#details textarea")
    expect(details).to_have_value(re.compile("kr.dokdo-takeshima-name"))
    note = "Period drama set in 1905: the name is historical here"
    page.locator("#note textarea").fill(note)
    page.click("#dismiss")
    decision = page.locator("#decision textarea")
    expect(decision).to_have_value(re.compile(r"^Status: dismissed by cody"))
    expect(decision).to_have_value(re.compile(re.escape(note)))

    flag_id = page.locator("#flag-id input").input_value()

    page.reload()
    expect(page.locator("#whoami textarea, #whoami input").first).to_have_value(
        re.compile(r"^cody \("))
    # After a reload the reviewer may show another revision (the pre-loaded sample); flag ids
    # are global, so open the dismissed flag by its number, as a keyboard user would.
    box = page.locator("#flag-id input")
    box.fill(flag_id)
    box.press("Enter")
    expect(page.locator("#passage .token.highlighted", has_text="Takeshima").first).to_be_visible()
    expect(decision).to_have_value(re.compile(r"^Status: dismissed by cody"))
    expect(decision).to_have_value(re.compile(re.escape(note)))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "reviewer.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    docs = REPO / "docs" / "reviewer.png"
    if os.environ.get("LOCREVIEW_UPDATE_SCREENSHOT") == "1" or not docs.exists():
        docs.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, docs)
    assert not page.dialogs  # type: ignore[attr-defined]


def test_browser_script_markup_shows_as_text(page: Any, running_app: RunningApp,
                                             hostile_draft: Path) -> None:
    from playwright.sync_api import expect

    _sign_in(page, running_app, "erin")
    _upload(page, hostile_draft, "xss-test")
    _open_flag(page, "Takeshima", 6)
    passage = page.locator("#passage")
    expect(passage).to_contain_text("<script>alert(1)</script>")
    expect(passage).to_contain_text('<img src=x onerror="alert(2)">')
    expect(passage).to_contain_text("&amp; more")  # not decoded either
    _open_flag(page, "Sea of Japan", 9)
    expect(page.locator("#details textarea")).to_have_value(re.compile("kr.sea-of-japan-name"))
    # Nothing was parsed as markup: no injected elements, no script ran.
    assert page.locator("#passage script, #passage img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert page.evaluate("() => document.querySelectorAll('[onerror]').length") == 0
    assert not page.dialogs  # type: ignore[attr-defined]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reviewer-markup.png"), full_page=True)
