"""Open the served site in Chromium and record everything that goes wrong, page by page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    WebError,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never one downloaded by `playwright install`
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Each <img>: did it load, and is it drawn with a size? One inside a container that is hidden
# (a closed <details>, a tab not shown) has no size by design, but it must still load; so has
# the variant of a picture for the other colour scheme (`NAME.svg#only-light` in the dark one).
# Returns the problems, and the address of every picture drawn with a size.
CHECK_PICTURES = """async () => {
  const problems = [], drawn = [];
  const scheme = document.body.getAttribute("data-md-color-scheme");
  const otherScheme = scheme === "slate" ? "#only-light" : "#only-dark";
  for (const img of Array.from(document.images)) {
    img.loading = "eager";
    try { await img.decode(); } catch (e) {}
    const name = img.currentSrc || img.getAttribute("src");
    const box = img.getBoundingClientRect();
    const forOtherScheme = (img.getAttribute("src") || "").endsWith(otherScheme);
    const shown = !forOtherScheme && (!img.parentElement || img.parentElement.checkVisibility());
    if (!img.complete || img.naturalWidth === 0) problems.push(`picture ${name} did not load`);
    else if (shown && (box.width === 0 || box.height === 0))
      problems.push(`picture ${name} is drawn ${box.width}x${box.height} in the ${scheme} scheme`);
    else if (shown) drawn.push(new URL(name, document.baseURI).pathname);
  }
  return {problems, drawn};
}"""


class WatchedBrowser:
    """Tabs of one browser context, watched: every problem is recorded with its page's address.

    Recorded: console errors, uncaught errors, failed requests, HTTP errors, and requests to any
    host but the site's own, which are aborted before they leave the machine.
    """

    def __init__(self, context: BrowserContext, origin: str) -> None:
        self.context = context
        self.origin = origin
        self.problems: list[str] = []
        self._addresses: dict[Page, str] = {}
        self._elsewhere: set[str] = set()  # URLs of requests to another host, recorded
        # Only requests elsewhere come to Python (the driver matches the pattern), which keeps
        # the site's own requests fast. Any that the route does not see, the request event does.
        self._local = re.compile(rf"{re.escape(origin)}/|data:|blob:")
        context.route(re.compile(rf"^(?!{self._local.pattern})"), self._route)
        context.on("request", self._request)
        context.on("console", self._console)
        context.on("weberror", self._uncaught)
        context.on("requestfailed", self._request_failed)
        context.on("response", self._response)

    def open(self, url: str) -> Page:
        """Open ``url`` in a new tab, up to its load event."""
        page = self.context.new_page()
        self._addresses[page] = url
        if page.goto(url, wait_until="load") is None:
            self._record(page, "no response")
        return page

    def settle(self) -> None:
        """Wait until no tab has fetched anything for half a second: the theme fetches the
        search index after the load event, and closing a tab earlier would abort that."""
        for page in self.context.pages:
            page.wait_for_load_state("networkidle")

    def check_pictures(self, page: Page) -> list[str]:
        """Record the page's broken pictures; return the paths of those drawn with a size."""
        found = page.evaluate(CHECK_PICTURES)
        for problem in found["problems"]:
            self._record(page, problem)
        return list(found["drawn"])

    def assert_nothing_went_wrong(self) -> None:
        assert not self.problems, "in the browser:\n" + "\n".join(self.problems)

    def _where(self, page: Page | None) -> str:
        if page is None:
            return "(a worker)"
        return self._addresses.get(page, page.url)

    def _record(self, page: Page | None, problem: str) -> None:
        self.problems.append(f"{self._where(page)}: {problem}")

    def _page_of(self, request: Request) -> Page | None:
        try:
            return request.frame.page
        except PlaywrightError:  # a request of a service worker, which has no frame
            return None

    def _request(self, request: Request) -> None:
        if not self._local.match(request.url) and request.url not in self._elsewhere:
            self._elsewhere.add(request.url)
            self._record(self._page_of(request), f"request to another host: {request.url}")

    def _route(self, route: Route) -> None:
        self._request(route.request)
        route.abort("blockedbyclient")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            at = message.location
            where = f"{at['url']}:{at['lineNumber']}" if at.get("url") else "?"
            self._record(message.page, f"console error: {message.text} (at {where})")

    def _uncaught(self, error: WebError) -> None:
        self._record(error.page, f"uncaught error: {error.error}")

    def _request_failed(self, request: Request) -> None:
        if request.url not in self._elsewhere:
            failure = request.failure or "no reason given"
            self._record(self._page_of(request), f"request failed ({failure}): {request.url}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self._record(self._page_of(response.request), f"HTTP {response.status}: {response.url}")
