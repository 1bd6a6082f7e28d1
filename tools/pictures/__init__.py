"""The site's pictures, drawn with drawsvg: ``python -m tools.pictures OUTDIR`` (``make images``).

Each picture comes in two files, ``NAME.svg`` for mkdocs-material's light scheme and
``NAME-dark.svg`` for its dark (slate) one; pages show them with ``images/NAME.svg#only-light``
and ``images/NAME-dark.svg#only-dark``. The modules, in reading order:

- ``theme``: the two colour schemes; ``canvas``: drawing helpers (text alternative, arrows,
  deterministic output); ``lanes``: stacking labels that would overlap;
- ``event_loop``: one turn of the loop, as a cycle; ``await_sequence``: one ``await`` on a
  future, as a sequence of calls;
- the timelines, drawn from what tinyloop really did: ``programs`` (the programs, and a note on
  how each picture was made), ``clocks`` (the virtual clocks they run on), ``annotations`` and
  ``recording`` (running one under tinyloop's ``Tracer``), ``timeline`` (the recording read as
  rows), ``axis`` (left to right), ``timeline_draw`` (the picture);
- ``catalogue``: every picture by file name, and writing them.
"""
