"""``python -m tinyloop script.py [args…]``: run an asyncio program on tinyloop."""

from __future__ import annotations

import argparse
import runpy
import sys

from tinyloop import standin


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tinyloop",
        description="Run an asyncio program with tinyloop standing in for asyncio.",
    )
    parser.add_argument("script", help="the program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="its arguments")
    options = parser.parse_args(argv)
    sys.argv = [options.script, *options.args]
    standin.install()
    runpy.run_path(options.script, run_name="__main__")


if __name__ == "__main__":
    main()
