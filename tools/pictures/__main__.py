"""``python -m tools.pictures OUTDIR``: draw every picture of the site into OUTDIR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.pictures.catalogue import write_all


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.pictures", description=__doc__)
    parser.add_argument("outdir", type=Path, help="the folder to write the SVG files into")
    options = parser.parse_args(argv)
    for path in write_all(options.outdir):
        print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
