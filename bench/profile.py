"""``python -m bench.profile BENCHMARK [N] [--contender NAME] [--pyinstrument]``: where the time
of one benchmark goes, on tinyloop by default.

cProfile (the default) counts every call and times each function exactly, but its own cost per
call makes call-heavy code look slower than it is: read its ranking, not its totals.
``--pyinstrument`` samples the stack instead (low overhead, a call tree). The benchmark runs once
untimed first, as in the suite.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys

from bench import contenders


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("benchmark")
    parser.add_argument("n", nargs="?", type=int)
    parser.add_argument("--contender", default=contenders.TINYLOOP, choices=contenders.LOOPS)
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    flavour = contenders.set_up(args.contender)
    from bench.catalogue import BENCHMARKS

    benchmark = BENCHMARKS[args.benchmark]
    n = args.n if args.n is not None else benchmark.sizes["full"][0]

    def run(size: int) -> None:
        flavour.run(benchmark.workload, size)

    run(benchmark.warmup(n))
    if args.pyinstrument:
        profiler = importlib.import_module("pyinstrument").Profiler(interval=0.0001)
        profiler.start()
        run(n)
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0
    profile = cProfile.Profile()
    profile.enable()
    run(n)
    profile.disable()
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
