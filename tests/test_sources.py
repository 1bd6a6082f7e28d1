"""References to CPython's source (tools/sources.py): found in a page, checked against a
version's ``Lib/``, and made links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tools import pythons, sources

ASYNCIO = '''\
import heapq

MAXIMUM_SELECT_TIMEOUT = 24 * 3600

if hasattr(heapq, "heappush"):
    class Selector:
        def select(self, timeout=None):
            return []


class BaseEventLoop:
    def time(self):
        return 0.0

    @staticmethod
    def _run_once(self):
        """Run one full iteration of the event loop.

        Longer text.
        """
        ntodo = len(self._ready)
        for i in range(ntodo):
            handle = self._ready.popleft()
'''


@pytest.fixture
def found(tmp_path: Path) -> dict[str, sources.Python]:
    """A ``Lib/`` of one version, 3.12, holding ``asyncio/base_events.py`` as above."""
    (tmp_path / "asyncio").mkdir()
    (tmp_path / "asyncio" / "base_events.py").write_text(ASYNCIO)
    return {"3.12": sources.Python("3.12.1", tmp_path)}


def one(text: str) -> sources.Reference:
    (reference,) = sources.find_references(text, "docs/page.md")
    return reference


def test_a_reference_names_its_file_definition_versions_and_line() -> None:
    text = "Intro.\n\nSee [`asyncio/base_events.py::BaseEventLoop.time`](cpython:3.11-3.13).\n"
    reference = one(text)
    assert (reference.where, reference.path, reference.name) == (
        "docs/page.md:3",
        "asyncio/base_events.py",
        "BaseEventLoop.time",
    )
    assert reference.versions == ("3.11", "3.12", "3.13")


def test_a_reference_inside_a_code_block_is_code_not_a_reference() -> None:
    text = "```python\n# [`asyncio/x.py::f`](cpython:3.12)\n```\n"
    assert list(sources.find_references(text, "docs/page.md")) == []


def test_a_quote_is_a_text_fence_titled_with_version_file_and_definition() -> None:
    title = 'title="CPython 3.12, Lib/asyncio/base_events.py, BaseEventLoop.time (quoted)"'
    text = f"A.\n\n```text {title}\ndef time(self):\n```\n"
    reference = one(text)
    assert (reference.line, reference.name, reference.quoted) == (
        3,
        "BaseEventLoop.time",
        ("def time(self):",),
    )


def test_a_reference_to_a_definition_that_exists_has_no_problem(
    found: dict[str, sources.Python],
) -> None:
    assert (
        sources.problems(
            one("[`asyncio/base_events.py::BaseEventLoop._run_once`](cpython:3.12)"), found
        )
        == []
    )


def test_a_definition_under_an_if_block_is_found(found: dict[str, sources.Python]) -> None:
    assert (
        sources.problems(one("[`asyncio/base_events.py::Selector.select`](cpython:3.12)"), found)
        == []
    )


def test_a_module_constant_is_a_definition(found: dict[str, sources.Python]) -> None:
    assert (
        sources.problems(
            one("[`asyncio/base_events.py::MAXIMUM_SELECT_TIMEOUT`](cpython:3.12)"), found
        )
        == []
    )


def test_a_missing_definition_is_a_problem_naming_page_line_and_version(
    found: dict[str, sources.Python],
) -> None:
    reference = one("\n[`asyncio/base_events.py::BaseEventLoop._no_such`](cpython:3.12)")
    assert sources.problems(reference, found) == [
        "docs/page.md:2: asyncio/base_events.py::BaseEventLoop._no_such (3.12): "
        "Lib/asyncio/base_events.py defines no BaseEventLoop._no_such"
    ]


def test_a_missing_file_is_a_problem(found: dict[str, sources.Python]) -> None:
    (problem,) = sources.problems(one("[`asyncio/no_such.py::f`](cpython:3.12)"), found)
    assert problem.endswith("no file Lib/asyncio/no_such.py")


def test_versions_in_another_form_are_a_problem(found: dict[str, sources.Python]) -> None:
    (problem,) = sources.problems(one("[`asyncio/base_events.py`](cpython:3.12+)"), found)
    assert "versions '3.12+' are not one minor (3.12) or a range (3.11-3.15)" in problem


def test_a_version_this_machine_lacks_is_not_checked(found: dict[str, sources.Python]) -> None:
    assert sources.problems(one("[`asyncio/base_events.py::gone`](cpython:3.14)"), found) == []


def quote(*lines: str) -> sources.Reference:
    title = 'title="CPython 3.12, Lib/asyncio/base_events.py, BaseEventLoop._run_once (quoted)"'
    return one("\n".join([f"```text {title}", *lines, "```"]))


def test_a_quote_that_reads_as_the_source_has_no_problem(found: dict[str, sources.Python]) -> None:
    reference = quote("ntodo = len(self._ready)", "for i in range(ntodo):")
    assert sources.problems(reference, found) == []


def test_a_quote_may_cut_a_line_short_and_leave_out_lines(found: dict[str, sources.Python]) -> None:
    reference = quote('"""Run one full iteration ...', "...", "handle = self._ready.popleft()")
    assert sources.problems(reference, found) == []


def test_a_quoted_line_the_source_no_longer_has_is_a_problem_naming_it(
    found: dict[str, sources.Python],
) -> None:
    (problem,) = sources.problems(quote("ntodo = len(self._ready)", "for i in range(n):"), found)
    assert problem.startswith(
        "docs/page.md:1: asyncio/base_events.py::BaseEventLoop._run_once (3.12)"
    )
    assert (
        "'for i in range(n):' does not read that way in Lib/asyncio/base_events.py 3.12.1"
        in problem
    )


def test_quoted_lines_out_of_order_are_a_problem(found: dict[str, sources.Python]) -> None:
    assert (
        sources.problems(quote("for i in range(ntodo):", "ntodo = len(self._ready)"), found) != []
    )


def test_a_reference_becomes_a_link_to_its_line_at_the_versions_tag(
    found: dict[str, sources.Python],
) -> None:
    text, problems = sources.render(
        "[`asyncio/base_events.py::BaseEventLoop.time`](cpython:3.11-3.12)\n",
        "docs/page.md",
        found,
    )
    assert problems == []
    assert text == (
        "[`asyncio/base_events.py::BaseEventLoop.time`]"
        "(https://github.com/python/cpython/blob/v3.12.1/Lib/asyncio/base_events.py#L12"
        ' "CPython 3.11 to 3.12")\n'
    )


def test_a_reference_to_versions_this_machine_lacks_links_to_the_branch(
    found: dict[str, sources.Python],
) -> None:
    text, _ = sources.render("[`asyncio/tasks.py::sleep`](cpython:3.15)\n", "docs/page.md", found)
    assert "(https://github.com/python/cpython/blob/3.15/Lib/asyncio/tasks.py " in text


def test_every_reference_to_cpython_source_on_the_site_matches_its_versions(
    record_property: Callable[[str, object], None],
) -> None:
    references = sources.references_in(sources.pages())
    problems = [problem for reference in references for problem in sources.problems(reference)]
    record_property("summary: references to CPython's source", sources.summary(references))
    assert references, "no reference to CPython's source found on the site"
    assert not problems, "references that no longer match:\n" + "\n".join(problems)


def test_every_supported_version_can_be_named() -> None:
    assert (
        sources.parse_versions(f"{pythons.SUPPORTED[0]}-{pythons.SUPPORTED[-1]}")
        == pythons.SUPPORTED
    )


# --- C source: said where it is named, and listed in one place ---------------------------------


def test_a_c_file_named_without_saying_c_source_is_a_problem_naming_page_and_line() -> None:
    text = "# Page\n\nThe step is `task_step_impl`\nin `Modules/_asynciomodule.c`.\n"
    assert sources.c_problems(list(sources.c_mentions(text, "docs/page.md"))) == [
        "docs/page.md:4: Modules/_asynciomodule.c is named without saying, in its paragraph, "
        "that it is C source"
    ]


def test_a_c_file_whose_paragraph_says_c_source_is_no_problem() -> None:
    text = "The step is `task_step_impl`\n(C source: `Modules/_asynciomodule.c`).\n"
    assert sources.c_problems(list(sources.c_mentions(text, "docs/page.md"))) == []


def test_c_source_said_in_another_list_item_does_not_count() -> None:
    text = "- C source: `Modules/selectmodule.c`;\n- the accelerator: `Modules/_asynciomodule.c`.\n"
    (problem,) = sources.c_problems(list(sources.c_mentions(text, "docs/page.md")))
    assert problem.startswith("docs/page.md:2: Modules/_asynciomodule.c ")


def test_a_c_file_inside_a_code_block_is_not_named_in_prose() -> None:
    text = "```text\nModules/_asynciomodule.c\n```\n"
    assert list(sources.c_mentions(text, "docs/page.md")) == []


def test_the_c_source_list_links_each_file_to_the_sections_that_name_it() -> None:
    mentions = [
        *sources.c_mentions(
            "## Steps {#steps}\n\nC source: `Modules/_asynciomodule.c`.\n", "docs/tasks.md"
        ),
        *sources.c_mentions("C source: `Objects/genobject.c`.\n", "docs/build/part.md"),
    ]
    assert sources.c_source_list(mentions, "docs/real-loop.md").splitlines() == [
        "- `Modules/_asynciomodule.c` (C source), named in [tasks.md#steps](tasks.md#steps)",
        "- `Objects/genobject.c` (C source), named in [build/part.md](build/part.md)",
    ]


def test_every_c_file_named_on_the_site_is_said_to_be_c_source() -> None:
    problems = sources.c_problems(sources.c_mentions_in(sources.pages()))
    assert not problems, "C source named as if it were checked:\n" + "\n".join(problems)


def test_the_site_lists_the_c_source_it_names_on_one_page() -> None:
    holding = [p for p in sources.pages() if sources.C_LIST in p.read_text(encoding="utf-8")]
    assert len(holding) == 1, f"{sources.C_LIST} should be on exactly one page, is on {holding}"
