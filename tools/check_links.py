"""``python -m tools.check_links docs/PAGE.md ...``: the broken links, anchors and pictures of
these pages, each named by page and line (part of ``make test PAGE=…``).

It builds the whole site (``mkdocs build --strict``, a few seconds: a link's target may be on
any page) into a temporary folder and reports mkdocs' warnings about the pages given. Other
pages' warnings are left to the full ``make test``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests.site_build import ROOT, build_site, link_problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.check_links", description=__doc__)
    parser.add_argument("pages", nargs="+", type=Path, help="pages to check")
    options = parser.parse_args(argv)
    try:
        problems = check(options.pages)
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    for problem in problems:
        print(problem)
    summary = f"links, anchors and pictures: {len(options.pages)} pages, {len(problems)} broken"
    print(summary, file=sys.stderr)
    return 1 if problems else 0


def check(pages: list[Path], project: Path = ROOT) -> list[str]:
    """``docs/PAGE.md:LINE: …`` for each broken link of ``pages`` in the site of ``project``.
    A build that fails for another reason is a RuntimeError with mkdocs' output."""
    wanted = {page.resolve().relative_to(project).as_posix() for page in pages}
    with tempfile.TemporaryDirectory() as site:
        build = build_site(project, Path(site))
    found = link_problems(build.output, project)
    if not build.ok and not found:
        raise RuntimeError(f"mkdocs build --strict failed:\n{build.output}")
    return [problem for problem in found if problem.split(":", 1)[0] in wanted]


if __name__ == "__main__":
    sys.exit(main())
