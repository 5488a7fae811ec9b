"""Interleaved timing, and the two kinds of result the harness reports.

A ``Comparison`` times our code against one or more baselines doing the same work.
Their runs alternate within one round (ours, then each baseline; the order is
reversed every other round), so a burst of load on a shared machine hits both sides
of a pair alike. Each baseline's speedup is the *median of the per-round ratios*
``baseline seconds / our seconds``: above 1, ours is faster.

A ``Budget`` is a single value (peak memory, wall time) held against a bound.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Target:
    """A bound on a score: ``score >= bound`` (``op=">="``) or ``score <= bound``."""

    op: str
    bound: float
    text: str  # the target as the issue states it

    def met(self, score: float) -> bool:
        return score >= self.bound if self.op == ">=" else score <= self.bound


def timed(work: Callable, *args) -> tuple[float, object]:
    """``(seconds, result)`` of one call ``work(*args)``, made after a garbage collection."""
    gc.collect()
    started = time.perf_counter()
    result = work(*args)
    return time.perf_counter() - started, result


def keeping(results: dict, key: str, work: Callable, *args) -> Callable[[], float]:
    """A run for ``interleave``: times ``work(*args)`` and keeps its result in ``results[key]``."""

    def run() -> float:
        seconds, results[key] = timed(work, *args)
        return seconds

    return run


def interleave(runs: dict[str, Callable[[], float]], repeat: int) -> dict[str, list[float]]:
    """Call every run once per round, for ``repeat`` rounds; each returns its own seconds.

    Rounds alternate the order (forwards, backwards) so neither side always goes first.
    """
    samples = {name: [] for name in runs}
    for round_ in range(repeat):
        order = list(runs) if round_ % 2 == 0 else list(runs)[::-1]
        for name in order:
            samples[name].append(runs[name]())
    return samples


@dataclass
class Comparison:
    """Our seconds per run against each baseline's, run for run."""

    name: str
    ours: list[float]
    baselines: dict[str, list[float]] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)
    unit: str = ""  # what one sample covers: "" a whole run, "/step", "/token"
    checks: dict = field(default_factory=dict)  # correctness checks and details, for the results file
    notes: list[str] = field(default_factory=list)  # what the table cannot show, one line each

    def speedups(self, baseline: str) -> list[float]:
        return [theirs / ours for ours, theirs in zip(self.ours, self.baselines[baseline], strict=True)]

    def to_json(self) -> dict:
        baselines = {}
        for name, samples in self.baselines.items():
            speedups = self.speedups(name)
            target = self.targets.get(name)
            baselines[name] = {
                "median_s": statistics.median(samples),
                "samples_s": samples,
                "speedup": statistics.median(speedups),
                "speedup_samples": speedups,
                "target": target and {"op": target.op, "bound": target.bound, "text": target.text},
                "met": target and target.met(statistics.median(speedups)),
            }
        ours = {"median_s": statistics.median(self.ours), "samples_s": self.ours}
        return {"name": self.name, "kind": "comparison", "unit": self.unit, "ours": ours,
                "baselines": baselines, "checks": self.checks, "notes": self.notes}

    def rows(self) -> list[tuple]:
        ours = seconds_text(statistics.median(self.ours)) + self.unit
        if not self.baselines:
            return [(self.name, ours, "-", "-", "-", "-", "-")]
        rows = []
        for name, entry in self.to_json()["baselines"].items():
            target = self.targets.get(name)
            rows.append((self.name, ours, name, seconds_text(entry["median_s"]) + self.unit, f"{entry['speedup']:.3g}x",
                         target.text if target else "-", verdict(entry["met"])))
        return rows


@dataclass
class Budget:
    """One measured ``score`` held against a ``target``; ``value`` says what was measured.

    ``ok`` False (e.g. the tests failed) means the target is not met, whatever the score.
    """

    name: str
    value: str
    against: str
    score: float
    score_text: str
    target: Target | None
    checks: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    def met(self) -> bool | None:
        return self.target and self.ok and self.target.met(self.score)

    def to_json(self) -> dict:
        target = self.target and {"op": self.target.op, "bound": self.target.bound, "text": self.target.text}
        return {"name": self.name, "kind": "budget", "value": self.value, "against": self.against,
                "score": self.score, "target": target, "met": self.met(), "checks": self.checks, "notes": self.notes}

    def rows(self) -> list[tuple]:
        return [(self.name, self.value, self.against, "-", self.score_text,
                 self.target.text if self.target else "-", verdict(self.met()))]


def verdict(met: bool | None) -> str:
    return "-" if met is None else "met" if met else "MISSED"


def seconds_text(seconds: float) -> str:
    """``seconds`` in s, ms or us, three significant digits."""
    for scale, unit in ((1, "s"), (1e-3, "ms")):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-6:.3g} us"
