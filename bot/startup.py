"""Start-up of a long-running server process without the garbage collector's passes.

Starting `cdsbot serve` creates a few million objects that live as long as the process (modules,
the catalog, the knowledge base's index, the word segmenter's model), and none of them is garbage.
With the collector on, Python walks all of them again in each full pass it makes while they are
being created: a fifth of the start-up's time (about half a second on this project's 2-core
machine, measured in bench/bench_channels.py's launch). So `serve` holds the collector while it
starts, then moves everything made so far into the permanent generation (`gc.freeze`, as
CPython's documentation suggests for long-lived start-up state) and turns it back on: the later
passes no longer walk the start-up objects either. A cycle of garbage made during start-up stays
in memory; start-up makes few and only once.
"""

from __future__ import annotations

import gc

_held = False


def hold_collection() -> None:
    """Turn the cyclic collector off until `release_collection` (only if it was on)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collection() -> None:
    """Freeze what start-up made and turn the collector back on, if `hold_collection` held it.
    Safe to call in any process (tests build apps without holding: then nothing happens)."""
    global _held
    if _held:
        gc.freeze()
        gc.enable()
        _held = False
