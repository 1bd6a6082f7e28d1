"""The benchmark suite works end to end: ``python -m bench --quick`` writes a results file with
every contender and every benchmark, and ``python -m bench.page`` turns it into the page and its
plots. No timing is asserted: the numbers of a quick run on a test machine mean nothing.

The quick run takes tens of seconds, so it happens once, in a single test (a module-scoped
fixture would run again on each pytest-xdist worker that picks up a test of this module).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from bench import contenders
from bench.catalogue import BENCHMARKS
from bench.results import PAIRS

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
NOT_MEASURED = {"not installed", "not applicable"}


def _run(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stderr[-5000:]}"


def _check_points(where: str, result: dict[str, Any]) -> None:
    assert result["points"], f"{where}: no points"
    for point in result["points"]:
        assert point["rounds"], f"{where} n={point['n']}: no rounds"
        assert point["median"] > 0, f"{where} n={point['n']}: no median"
        assert point["min"] <= point["median"] <= point["max"], where


def _check_results(document: dict[str, Any]) -> None:
    assert document["mode"] == "quick"
    assert set(document["contenders"]) == set(contenders.CONTENDERS)
    uvloop = document["contenders"][contenders.UVLOOP]
    assert uvloop["status"] in ("measured", "not installed"), uvloop
    if uvloop["status"] == "not installed":
        assert uvloop["reason"], "uvloop is not installed, and the results do not say why"
    assert document["machine"]["cpu_model"] and document["machine"]["python_version"]
    assert set(document["benchmarks"]) == set(BENCHMARKS)
    for name, entry in document["benchmarks"].items():
        assert set(entry["results"]) == set(contenders.CONTENDERS), name
        for contender, result in entry["results"].items():
            where = f"{name} on {contender}"
            if result["status"] == "measured":
                _check_points(where, result)
            else:
                assert result["status"] in NOT_MEASURED and result["reason"], where
        measured = {c for c, r in entry["results"].items() if r["status"] == "measured"}
        assert {contenders.TINYLOOP, contenders.ASYNCIO} <= measured, name
        if entry["kind"] == "micro" and uvloop["status"] == "measured":
            assert contenders.UVLOOP in measured, name
        assert (contenders.FLOOR in measured) == BENCHMARKS[name].has_floor, name
        for top, bottom in PAIRS:
            ratio = entry["ratios"][f"{top}/{bottom}"]
            if top in measured and bottom in measured:
                _check_points(f"{name}: {top}/{bottom}", ratio)
            else:
                assert ratio["status"] in NOT_MEASURED, name
        if entry["kind"] != "micro":
            for contender in measured:
                assert entry["growth"][contender]["verdict"] in (
                    "flat",
                    "sublinear",
                    "linear",
                ), name


def _check_svg(path: Path) -> None:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg", path.name
    assert len(root.get("viewBox", "").split()) == 4, f"{path.name}: no viewBox"
    assert root.get("height") is None, f"{path.name}: a fixed height"
    tags = [child.tag for child in list(root)[:2]]
    assert tags == [f"{SVG}title", f"{SVG}desc"], f"{path.name}: <title>, <desc> must come first"
    assert all((child.text or "").strip() for child in list(root)[:2]), path.name
    assert "<text" in path.read_text(encoding="utf-8"), f"{path.name}: text drawn as paths"


def _check_page(page: str, images: Path) -> None:
    assert "$" not in page, "a placeholder of the template was left unfilled"
    assert page.count("**The question:**") == 1
    assert "make bench" in page
    tail = page[page.index("## Check yourself") :]
    assert tail.count('??? question "') == 3, "## Check yourself needs three folded questions"
    assert not re.search(r"^## ", tail[3:], re.MULTILINE), "## Check yourself must end the page"
    links = re.findall(r"!\[([^\]]+)\]\(images/(bench_[\w-]+)\.svg#only-(light|dark)\)", page)
    names = {name for _, name, _ in links}
    assert names, "the page shows no plot"
    for alt, name, scheme in links:
        assert len(alt) > 40, f"{name}: the text alternative says too little"
        assert name.endswith("-dark") == (scheme == "dark"), name
    for path in sorted(images.glob("*.svg")):
        _check_svg(path)
    assert {path.stem for path in images.glob("*.svg")} == names


def test_quick_run_and_page(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    _run("-m", "bench", "--quick", "--quiet", "--out", str(results))
    document = json.loads(results.read_text(encoding="utf-8"))
    _check_results(document)

    images, page = tmp_path / "images", tmp_path / "performance.md"
    _run("-m", "bench.page", str(results), "--images", str(images), "--page", str(page))
    _check_page(page.read_text(encoding="utf-8"), images)
