"""The benchmark suite: tinyloop against asyncio (with and without its C accelerator), uvloop and
the floor, and the generator of the site's performance page.

``python -m bench [--quick|--full] [--out FILE.json]`` measures; ``python -m bench.page FILE.json``
draws the plots into ``images/`` and writes ``docs/performance.md``; ``make bench`` does both.

The modules, in the order a measurement flows through them:

- ``contenders``: the loops measured and how a child process sets one up;
- ``micro``, ``network``, ``floor``, ``scaling``: the workloads, coroutines that time themselves;
- ``catalogue``: every benchmark by name, with its sizes in each mode;
- ``child``: the child process, which runs one workload on one contender and prints JSON;
- ``runner``: the parent, which starts the children interleaved and collects what they print;
- ``stats``, ``growth``: medians, spreads, ratios, and the flat/log/linear verdict of a curve;
- ``machine``: the description of the machine recorded with the results;
- ``results``: the JSON document, built from what the runner collected;
- ``table``, ``plots``, ``page``: the ratio table, the SVG plots and the page;
- ``profile``: tinyloop under a profiler, to see where its time goes.
"""
