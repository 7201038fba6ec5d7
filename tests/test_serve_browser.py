"""The pages in a real browser: Debian's headless Chromium driven through its
WebDriver (``/usr/bin/chromium``, ``/usr/bin/chromedriver``; selenium is told
both paths, so it never looks for or downloads a browser of its own), against
the server on a loopback port (the ``live_server`` fixture).

Screenshots of the pages visited are written to a temporary folder; their
paths are printed.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from conftest import LiveServer, unavailable

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
LA27 = "id/organisation/la-27e-region"

if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    unavailable(
        "Chromium and its WebDriver are not installed (Debian chromium, chromium-driver)",
        module=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless Chromium for the module, French first in its languages."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "fr-FR,fr"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    previous = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # selenium-manager, were it ever asked, stays offline
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        if previous is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = previous


def visit(browser: WebDriver, url: str) -> None:
    browser.get(url)
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def errors(browser: WebDriver) -> list[dict[str, object]]:
    """The browser console's errors since the last call."""
    return [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]


def screenshot(
    browser: WebDriver, shots: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> Path:
    """The whole page as a PNG in ``shots``; its path is printed."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(max(int(height), 600), 6000))
    path = shots / f"{name}.png"
    browser.save_screenshot(str(path))
    browser.set_window_size(1280, 1000)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


def status_of(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": "text/html"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_organisation_page_shows_its_partners_and_resources(
    browser: WebDriver, live_server: LiveServer, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors(browser)
    visit(browser, live_server.url + LA27)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert browser.find_element(By.TAG_NAME, "h1").text == "La 27e Région"
    partners = browser.find_elements(By.CSS_SELECTOR, "li.partner a.partner-link")
    assert len({a.get_attribute("href") for a in partners}) == 13
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.resource")) == 46
    assert len(browser.find_elements(By.CSS_SELECTOR, "tr.resource span.truncated")) > 0
    # the neighbourhood picture, where Graphviz is there to draw it
    pictures = browser.find_elements(By.CSS_SELECTOR, "#network img")
    if shutil.which("sfdp"):
        assert pictures
        browser.execute_script("arguments[0].scrollIntoView()", pictures[0])
        WebDriverWait(browser, 30).until(
            lambda d: d.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", pictures[0]
            )
        )
    screenshot(browser, shots, "organisation-la-27e-region", capsys)
    assert errors(browser) == []


def test_every_link_of_the_organisation_page_resolves(
    browser: WebDriver, live_server: LiveServer
) -> None:
    visit(browser, live_server.url + LA27)
    origin = urlsplit(live_server.url).netloc
    hrefs = {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}
    hrefs |= {
        link.get_attribute("href") for link in browser.find_elements(By.CSS_SELECTOR, "link[href]")
    }
    hrefs |= {
        img.get_attribute("src") for img in browser.find_elements(By.CSS_SELECTOR, "img[src]")
    }
    local = sorted({urldefrag(h)[0] for h in hrefs if urlsplit(h).netloc == origin})
    others = sorted(h for h in hrefs if urlsplit(h).netloc != origin)
    assert len(local) > 60
    broken = [(url, code) for url in local if (code := status_of(url)) >= 400]
    assert broken == []
    # links to other sites (registers, Wikidata, the actor's site, mail) are not
    # followed: the tests reach no address beyond 127.0.0.1
    assert all(urlsplit(h).scheme in ("https", "http", "mailto") for h in others), others
    assert "mailto:nguiraud@la27eregion.fr" in others


def test_search_form(
    browser: WebDriver, live_server: LiveServer, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors(browser)
    visit(browser, live_server.url + "search")
    box = browser.find_element(By.ID, "q")
    label = browser.find_element(By.CSS_SELECTOR, "label[for=q]")
    assert label.text
    box.send_keys("la 27e region")
    box.send_keys(Keys.RETURN)
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.CSS_SELECTOR, "li.result")))
    first = browser.find_element(By.CSS_SELECTOR, "li.result a")
    assert first.text == "La 27e Région"
    screenshot(browser, shots, "search", capsys)
    first.click()
    WebDriverWait(browser, 20).until(ec.url_contains(LA27))
    assert browser.find_element(By.TAG_NAME, "h1").text == "La 27e Région"
    assert errors(browser) == []


def test_catalogue_form(
    browser: WebDriver, live_server: LiveServer, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors(browser)
    visit(browser, live_server.url + "queries")
    browser.find_element(By.XPATH, "//a[code='partners-of']").click()
    WebDriverWait(browser, 20).until(ec.presence_of_element_located((By.ID, "p-org")))
    field = browser.find_element(By.ID, "p-org")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=p-org]").text.startswith("?org")
    field.send_keys("la-27e-region")
    browser.find_element(By.CSS_SELECTOR, "form.query-form button[type=submit]").click()
    WebDriverWait(browser, 20).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, "table.results tbody tr"))
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "table.results tbody tr")
    assert len(rows) == 16
    # the page's language picked the names of the roles
    assert "Partenaire de projet" in browser.find_element(By.CSS_SELECTOR, "table.results").text
    screenshot(browser, shots, "catalogue-partners-of", capsys)
    href = browser.find_element(By.CSS_SELECTOR, "a.download-csv").get_attribute("href")
    with urllib.request.urlopen(href, timeout=30) as response:
        table = list(csv.DictReader(io.StringIO(response.read().decode())))
    assert len(table) == 16
    # a missing parameter: the browser itself refuses to send the form
    visit(browser, live_server.url + "queries/partners-of")
    browser.find_element(By.CSS_SELECTOR, "form.query-form button[type=submit]").click()
    assert browser.find_element(By.ID, "p-org").get_attribute("validationMessage")
    assert not browser.find_elements(By.CSS_SELECTOR, "table.results")
    assert errors(browser) == []


def test_language_switch(
    browser: WebDriver, live_server: LiveServer, shots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors(browser)
    visit(browser, live_server.url + LA27)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert browser.find_element(By.ID, "h-partners").text == "Partenaires"
    browser.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    )
    assert browser.find_element(By.ID, "h-partners").text == "Partners"
    screenshot(browser, shots, "organisation-english", capsys)
    # remembered on the next page
    browser.find_element(By.CSS_SELECTOR, "header nav a[href$='/network']").click()
    WebDriverWait(browser, 20).until(ec.url_contains("/network"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Partnership network"
    screenshot(browser, shots, "network-english", capsys)
    # and back to French
    browser.find_element(By.CSS_SELECTOR, "a.lang-switch").click()
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    )
    assert errors(browser) == []


def test_keyboard_reaches_the_skip_link_first(browser: WebDriver, live_server: LiveServer) -> None:
    visit(browser, live_server.url)
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = browser.switch_to.active_element
    assert active.get_attribute("class") == "skip"
    assert active.is_displayed()
    active.send_keys(Keys.RETURN)
    assert browser.current_url.endswith("#content")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "ontology",
        "territory",
        "id/concept/commune-68224",
        "id/project/la-transfo",
        "id/concept/themes",
        "network",
    ],
)
def test_pages_load_without_console_errors(
    browser: WebDriver,
    live_server: LiveServer,
    shots: Path,
    capsys: pytest.CaptureFixture[str],
    path: str,
) -> None:
    errors(browser)
    visit(browser, live_server.url + path)
    assert browser.find_elements(By.TAG_NAME, "h1")
    screenshot(browser, shots, path.replace("/", "-") or "home", capsys)
    assert errors(browser) == []
