"""The built site: it builds with ``--strict``, loads nothing from another host, and every page
works in a real browser (Debian's Chromium, driven by Playwright), search and dark mode included.

Every test here uses one build of the site (see site_build.run_folder).
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from docblocks import find_blocks
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from site_browser import CHROMIUM, CHROMIUM_ARGS, WatchedBrowser
from site_build import ROOT, Build, build_once, copy_project, link_problems, run_folder
from site_scan import css_urls, is_another_host, scan_page, script_urls
from site_server import SiteServer

from tools import prose
from tools.programs import SITE_BUNDLE, bundle_name

SCREENSHOTS = ROOT / "build" / "screenshots"

# --- The strict build ----------------------------------------------------------------------


# One mistake each, appended to a copy of docs/index.md.
BREAKAGES = {
    "missing-picture": "![A picture that is not there](images/missing.svg)",
    "missing-anchor": "[A section that is not there](tinyloop/run.md#no-such-section)",
    "stale-source-reference": (
        "[`asyncio/base_events.py::BaseEventLoop._no_such`](cpython:3.11-3.15)"
    ),
}


def broken_project(line: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        project = copy_project(folder / "project")
        with (project / "docs" / "index.md").open("a", encoding="utf-8") as page:
            page.write(f"\n{line}\n")
        return project

    return make


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Build]:
    """The site's build, and a build of each breakage, side by side: seconds saved."""
    projects = {"site": lambda folder: ROOT}
    projects |= {name: broken_project(line) for name, line in BREAKAGES.items()}
    shared = run_folder(tmp_path_factory)
    with ThreadPoolExecutor(len(projects)) as pool:
        futures = {
            name: pool.submit(build_once, shared, name, project)
            for name, project in projects.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="session")
def site(builds: dict[str, Build]) -> Path:
    """The built site's folder; a test that needs it fails if the site did not build."""
    if not builds["site"].ok:
        pytest.fail("the site did not build; test_site_builds_strictly shows mkdocs' output")
    return builds["site"].site_dir


def test_site_builds_strictly(builds: dict[str, Build]) -> None:
    build = builds["site"]
    where = "".join(f"{problem}\n" for problem in link_problems(build.output))
    assert build.ok, f"mkdocs build --strict failed:\n{where}{build.output}"


def test_missing_image_fails_the_strict_build(builds: dict[str, Build]) -> None:
    build = builds["missing-picture"]
    assert not build.ok, f"the build passed despite a missing picture:\n{build.output}"
    assert "images/missing.svg" in build.output, (
        f"the failed build does not name the missing picture:\n{build.output}"
    )


def test_link_to_a_missing_anchor_fails_the_strict_build(builds: dict[str, Build]) -> None:
    build = builds["missing-anchor"]
    assert not build.ok, f"the build passed despite a link to a missing anchor:\n{build.output}"
    assert "#no-such-section" in build.output, (
        f"the failed build does not name the missing anchor:\n{build.output}"
    )


def test_reference_to_cpython_source_that_no_longer_matches_fails_the_strict_build_at_its_line(
    builds: dict[str, Build],
) -> None:
    build = builds["stale-source-reference"]
    line = len((ROOT / "docs" / "index.md").read_text(encoding="utf-8").splitlines()) + 2
    assert not build.ok, f"the build passed despite a stale source reference:\n{build.output}"
    assert (
        f"docs/index.md:{line}: asyncio/base_events.py::BaseEventLoop._no_such" in build.output
    ), f"the failed build does not name the reference's page and line ({line}):\n{build.output}"


# --- Nothing from another host, read from the files -----------------------------------------


def site_files(site: Path, suffix: str) -> list[Path]:
    return sorted(p for p in site.rglob(f"*{suffix}") if p.is_file())


def test_built_site_loads_nothing_from_another_host(site: Path) -> None:
    """What pages load (scripts, stylesheets, icons, pictures, frames, media, inline styles)
    and what stylesheets load (url(), @import). A link to another site is fine: following it
    is the reader's choice. Scripts are the next test's."""
    found: list[str] = []
    for path in site_files(site, ".html"):
        for url in scan_page(path.read_text(encoding="utf-8")).loads:
            if is_another_host(url):
                found.append(f"{path.relative_to(site)}: {url}")
    for path in site_files(site, ".css"):
        for url in css_urls(path.read_text(encoding="utf-8")):
            if is_another_host(url):
                found.append(f"{path.relative_to(site)}: {url}")
    assert not found, "the built site loads from another host:\n" + "\n".join(found)


@dataclass(frozen=True)
class SiteFeatures:
    """Theme features the built pages turn on, told by the classes and components they hold."""

    classes: frozenset[str]
    components: frozenset[str]  # mkdocs-material's data-md-component values


@dataclass(frozen=True)
class ThemeURL:
    pattern: str  # a regular expression matched at the start of the URL
    when: str  # when the theme fetches it
    fetched_here: Callable[[SiteFeatures], bool]


def _never(features: SiteFeatures) -> bool:
    return False


def _with_a_repository(features: SiteFeatures) -> bool:
    return "source" in features.components


# Every absolute URL in the code (not the comments) of the scripts the site ships, and when the
# theme fetches it. Whether minified code fetches a URL cannot be decided by reading it, so each
# one is classified here by hand, with a check of the built pages that its condition is not met;
# the browser test catches any request to another host when the pages run. A URL missing here
# (from a new release of mkdocs-material, say) fails the test until it is classified.
THEME_SCRIPT_URLS = [
    ThemeURL(
        r"https://unpkg\.com/mermaid@",
        "the theme loads Mermaid from unpkg.com on a page with a Mermaid diagram",
        lambda features: "mermaid" in features.classes,
    ),
    ThemeURL(
        r"https://unpkg\.com/resize-observer-polyfill",
        "loaded only by a browser without ResizeObserver (every browser has it since 2020)",
        _never,
    ),
    ThemeURL(
        r"https://api\.github\.com/",
        "the repository's stars and forks, fetched on every page when repo_url is set",
        _with_a_repository,
    ),
    ThemeURL(
        r"https://\$\{\w+\}/api/v4/projects/",
        "GitLab's API, fetched on every page when repo_url is a GitLab repository",
        _with_a_repository,
    ),
    ThemeURL(
        r"https://bit\.ly/",
        "a link in the search worker's warning about an invalid query, printed, never fetched",
        _never,
    ),
    ThemeURL(
        r"https://github\.com/isaacs/node-glob/issues/",
        "a link in an error message of wordcut.js (Thai search), never fetched",
        _never,
    ),
]


def test_theme_scripts_fetch_from_another_host_only_for_features_the_site_leaves_off(
    site: Path,
) -> None:
    classes: set[str] = set()
    components: set[str] = set()
    scripts: list[tuple[str, str]] = []
    for path in site_files(site, ".html"):
        page = scan_page(path.read_text(encoding="utf-8"))
        classes |= page.classes
        components |= page.components
        scripts += [(f"{path.relative_to(site)} (inline script)", s) for s in page.inline_scripts]
    for path in site_files(site, ".js"):
        scripts.append((str(path.relative_to(site)), path.read_text(encoding="utf-8")))
    features = SiteFeatures(frozenset(classes), frozenset(components))

    found: list[str] = []
    for where, source in scripts:
        for url in script_urls(source):
            known = next((k for k in THEME_SCRIPT_URLS if re.match(k.pattern, url)), None)
            if known is None:
                found.append(f"{where}: {url} (unknown: find out when the theme fetches it)")
            elif known.fetched_here(features):
                found.append(f"{where}: {url} ({known.when}, and this site does)")
    assert not found, "scripts of the built site fetch from another host:\n" + "\n".join(found)


# --- In the browser ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing; `apt-get install chromium` installs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Module scope, not session: while Playwright runs, its event loop counts as running in
    # this thread, so it must stop before another module's tests (asyncio.run) run here.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[SiteServer]:
    with SiteServer(site) as served:
        yield served


@pytest.fixture
def browser(
    chromium: Browser, server: SiteServer, request: pytest.FixtureRequest
) -> Iterator[WatchedBrowser]:
    """A fresh browser context for a reader whose system prefers light colours (or the scheme
    a test parametrizes it with, indirectly)."""
    preference = getattr(request, "param", "light")
    context = chromium.new_context(
        color_scheme=preference, viewport={"width": 1280, "height": 800}, service_workers="block"
    )
    try:
        yield WatchedBrowser(context, server.origin)
    finally:
        context.close()
        # Closing the context closed its connections; the server's threads end with them.
        still_running = server.wait_until_idle()
        assert not still_running, f"the site's server is still answering: {still_running}"


def page_urls(site: Path, origin: str) -> list[str]:
    """The address of every page of the built site (a folder's index.html by the folder)."""
    paths = (p.relative_to(site).as_posix() for p in site_files(site, ".html"))
    return [f"{origin}/{path.removesuffix('index.html')}" for path in paths]


@pytest.mark.browser
@pytest.mark.parametrize("browser", ["light", "dark"], indirect=True)
def test_every_page_loads_in_chromium_without_errors_or_broken_pictures(
    browser: WatchedBrowser, site: Path, server: SiteServer, request: pytest.FixtureRequest
) -> None:
    """A console error, an uncaught error, a failed request, a request to another host, a
    picture that did not load or is drawn without a size: each fails, named with its page.
    Every picture of images/ for the reader's scheme must be drawn on at least one page."""
    urls = page_urls(site, server.origin)
    drawn: set[str] = set()
    for batch in (urls[i : i + 8] for i in range(0, len(urls), 8)):  # eight tabs at a time
        pages = [browser.open(url) for url in batch]
        browser.settle()  # the idle waits of the tabs overlap
        for page in pages:
            drawn.update(browser.check_pictures(page))
            page.close()
    browser.assert_nothing_went_wrong()
    dark = request.node.callspec.params["browser"] == "dark"
    expected = {f"/images/{path.name}" for path in (site / "images").glob("*.svg")}
    expected = {name for name in expected if name.endswith("-dark.svg") == dark}
    assert expected <= drawn, f"pictures no page draws: {sorted(expected - drawn)}"


# Words the search leaves out (lunr's English stop words of six letters or more).
SEARCH_STOP_WORDS = {"across", "almost", "because", "cannot", "either", "however", "likely"}
SEARCH_STOP_WORDS |= {"neither", "rather", "should"}


def word_of_the_home_page(site: Path) -> str:
    """A word from the home page's entries in the built search index, preferably a word of no
    other page: the most frequent such word of six letters or more."""

    def words(entry: dict[str, str]) -> list[str]:
        text = html.unescape(re.sub(r"<[^>]+>", " ", f"{entry['title']} {entry['text']}"))
        return [w for w in re.findall(r"[a-z]{6,}", text.lower()) if w not in SEARCH_STOP_WORDS]

    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    home: Counter[str] = Counter()
    elsewhere: set[str] = set()
    for entry in index["docs"]:
        if entry["location"] == "" or entry["location"].startswith("#"):
            home.update(words(entry))
        else:
            elsewhere.update(words(entry))
    assert home, "the search index holds no word of six letters or more from the home page"
    candidates = [w for w in home if w not in elsewhere] or list(home)
    return min(candidates, key=lambda w: (-home[w], w))


# True once a search result links to the page given, whatever its query (the highlighted
# words) or fragment (the section).
A_RESULT_LINKS_TO = """page => Array.from(document.querySelectorAll(".md-search-result__link"))
  .some(a => { const u = new URL(a.href); u.search = ""; u.hash = ""; return u.href === page; })"""


@pytest.mark.browser
def test_search_finds_the_home_page_by_a_word_on_it(
    browser: WatchedBrowser, site: Path, server: SiteServer
) -> None:
    word = word_of_the_home_page(site)
    home = f"{server.origin}/"
    page = browser.open(home)

    search = page.locator(".md-search__input")
    search.click()
    search.press_sequentially(word)
    try:
        page.wait_for_function(A_RESULT_LINKS_TO, arg=home, timeout=5000)
    except PlaywrightTimeoutError:
        results = page.locator(".md-search-result__link").evaluate_all("l => l.map(a => a.href)")
        pytest.fail(f"{home}: searching for {word!r} found no link to the page, only {results}")
    browser.assert_nothing_went_wrong()


def color_scheme(page: Page) -> str:
    return str(page.evaluate("document.body.getAttribute('data-md-color-scheme')"))


def click_palette_toggle(page: Page) -> None:
    """Click the toggle shown (the theme has one per palette option and hides the others), and
    wait until the theme has applied the option it selects."""
    shown = page.locator("form[data-md-component=palette] label:not([hidden])")
    option = shown.get_attribute("for")
    shown.click()
    page.wait_for_function(
        """id => { const input = document.getElementById(id);
          return input.checked &&
            document.body.getAttribute("data-md-color-media") === input.dataset.mdColorMedia; }""",
        arg=option,
        timeout=2000,
    )


def save_screenshot(page: Page, name: str) -> None:
    # Written here: given a path, Playwright writes from a thread pool that outlives the test.
    picture = page.screenshot(full_page=True, animations="disabled")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / name).write_bytes(picture)


@pytest.mark.browser
def test_palette_toggle_switches_the_home_page_to_the_dark_scheme(
    browser: WatchedBrowser, server: SiteServer
) -> None:
    """Also saves screenshots of the home page, light and dark, to build/screenshots/."""
    home = f"{server.origin}/"
    page = browser.open(home)

    seen = [color_scheme(page)]
    assert seen == ["default"], f"{home}: a reader who prefers light sees the {seen[0]!r} scheme"
    save_screenshot(page, "home-light.png")
    # The options go round: automatic, light, dark. With the system preferring light, the
    # first click (automatic to light) leaves the scheme as it was.
    for _ in range(3):
        click_palette_toggle(page)
        seen.append(color_scheme(page))
        if seen[-1] == "slate":
            break
    assert seen[-1] == "slate", f"{home}: the toggle went through the schemes {seen}, not 'slate'"
    save_screenshot(page, "home-dark.png")
    browser.assert_nothing_went_wrong()


# --- The downloads of the programs ----------------------------------------------------------


def test_every_page_with_programs_links_a_download_of_them_that_the_site_serves(
    site: Path,
) -> None:
    pages = sorted({block.path for block in find_blocks()})
    assert pages, "no page with programs: is the extraction broken?"
    missing = []
    for page in pages:
        slug = Path(page).relative_to("docs").with_suffix("")
        html_file = site / ("index.html" if slug.name == "index" else f"{slug}/index.html")
        name = bundle_name(page)
        if f'downloads/{name}"' not in html_file.read_text(encoding="utf-8"):
            missing.append(f"{page}: no link to downloads/{name}")
        elif not (site / "downloads" / name).is_file():
            missing.append(f"{page}: links downloads/{name}, which the site lacks")
    assert not missing, "\n".join(missing)
    assert (site / "downloads" / SITE_BUNDLE).is_file()


def test_prose_counter_counts_text_and_inline_code_but_not_code_blocks_or_alt_text() -> None:
    page = (
        '<nav>menu words</nav><article class="md-content__inner md-typeset">'
        '<h1>A title<a class="headerlink" href="#t">¶</a></h1>'
        "<p>Call <code>loop.call_soon()</code> once &mdash; then wait.</p>"
        '<img alt="a long description of a picture"><pre><code>print("no")</code></pre>'
        "</article><footer>footer words</footer>"
    )
    assert prose.words_of_prose(page) == 7  # A title Call loop.call_soon() once then wait.


def test_words_of_prose_are_counted_on_every_page(
    site: Path, record_property: Callable[[str, object], None]
) -> None:
    counts = prose.count_site(site)
    record_property(
        "summary: words of prose per page", prose.table(counts)
    )  # printed at the end of the run
    empty = [count.page for count in counts if count.words == 0]
    assert len(counts) >= 20 and not empty, f"pages with no prose found: {empty}"


def test_home_page_has_at_most_2000_words_of_prose(site: Path) -> None:
    words = prose.home(prose.count_site(site))
    assert words <= prose.HOME_BUDGET, f"the home page has {words:,} words of prose"


def test_site_has_at_most_32000_words_of_prose_without_the_api_reference(site: Path) -> None:
    words = prose.site_total(prose.count_site(site))
    assert words <= prose.SITE_BUDGET, f"the site has {words:,} words of prose"


def test_the_api_reference_has_every_module_of_tinyloop() -> None:
    reference = (ROOT / "docs" / "tinyloop" / "api.md").read_text()
    documented = set(re.findall(r"^::: tinyloop\.(\w+)$", reference, re.MULTILINE))
    modules = {path.stem for path in (ROOT / "tinyloop").glob("*.py")} - {"__init__", "__main__"}
    assert sorted(modules - documented) == [], "modules missing from docs/tinyloop/api.md"
