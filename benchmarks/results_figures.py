"""``bench_results.py`` for run_all.py: runs it unchanged and turns the times it measures into figures.

    .venv/bin/python benchmarks/results_figures.py [--size ci] [--figures FILE]

``--size ci``: 5 counties (3,000 score rows) instead of 340.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_results  # noqa: E402
from figures import Figure, add_arguments, emit  # noqa: E402

COUNTIES = {"full": 340, "ci": 5}


def run(size: str = "full") -> list[Figure]:
    counties = COUNTIES[size]
    timings: dict[str, float] = {}
    timed = bench_results._timed

    def recording(label, fn):
        value, elapsed = timed(label, fn)
        timings[label] = elapsed
        return value, elapsed

    bench_results._timed = recording
    sys.argv = [sys.argv[0], "--counties", str(counties)]
    bench_results.main()

    def took(*words: str) -> float | None:
        return next((t for label, t in timings.items() if all(w in label for w in words)), None)

    total, read = took("end to end"), took("read only")
    single, every = took("one county"), took(f"all {counties} counties")
    imports = f"results: import of {counties * 600:,} score rows"
    estimates = f"results: estimates with jackknife SEs, {counties} counties"
    return [
        Figure(imports, "time, end to end", total and round(total, 2), "s", "< 30 s", total is not None and total < 30),
        Figure(imports, "rows per second", total and round(counties * 600 / total), "rows/s"),
        Figure(imports, "end to end ÷ reading the file", total and read and round(total / read, 2), "×"),
        Figure(estimates, "one county", single and round(single, 3), "s", "< 1 s", single is not None and single < 1),
        Figure(estimates, f"all {counties} counties", every and round(every, 2), "s", "< 60 s", every is not None and every < 60),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    emit(run(args.size), args.figures)
