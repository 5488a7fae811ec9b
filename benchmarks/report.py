"""The printed table and the results file."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from workbook.authoring.stubs import write_atomic

HEADER = ("measurement", "ours", "baseline", "baseline time", "speedup", "target", "met")
LEGEND = ("speedup: median over rounds of baseline time / our time (above 1, ours is faster); a row without a"
          " baseline time shows its measured value instead")
LIBRARIES = ("numpy", "regex", "tokenizers", "tiktoken", "torch", "threadpoolctl")


def machine() -> dict:
    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    return {"platform": platform.platform(), "processor": cpu_model() or platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "python": sys.version.split()[0],
            "versions": {name: version(name) for name in LIBRARIES}}


def cpu_model() -> str | None:
    """The CPU's model name, where Linux tells it (``/proc/cpuinfo``)."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), None)


def table(results: list, judged: bool = True) -> str:
    """One row per (measurement, baseline), columns padded to fit, then the notes.

    ``judged=False`` (quick mode) leaves the "met" column empty: tiny sizes say nothing of a target.
    """
    rows = [HEADER] + [row if judged else (*row[:-1], "-") for result in results for row in result.rows()]
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(HEADER))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    notes = [f"- {result.name}: {note}" for result in results for note in result.notes]
    return "\n".join([*lines, LEGEND, "", *notes])


def payload(results: list, corpora: dict, mode: str, repeat: int) -> dict:
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "mode": mode, "repeat": repeat,
            "speedup": LEGEND,
            "machine": machine(), "corpora": corpora, "measurements": [result.to_json() for result in results]}


def write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (never half a results file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, indent=1) + "\n")
