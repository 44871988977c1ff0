"""The benchmark command at its reduced size, load test included: every benchmark runs to the
end, the one table names every workload, and nothing failed or was lost. Speed is not asserted
here (no timed tests): the figures and their goals are for people to read (README, Performance)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]  # the test database is the template

WORKLOADS = [
    "sampling: PPS school draws",
    "sampling: roster upload",
    "logistics: readiness dashboard",
    "questionnaires: ",
    "results: import of",
    "results: estimates",
    "reports: the demo county's diagnostic report",
    "rectification: overview",
    "load: ",
    "province: roll-up",
]
ROLES = ["county staff", "leader", "inspector", "school coordinator", "monitor", "department"]


def table_rows(output: str) -> list[list[str]]:
    """The cells of the one table run_all.py prints last (header and rule left out)."""
    lines = output.splitlines()
    start = max(n for n, line in enumerate(lines) if line.startswith("workload ") and "| figure" in line)
    rows = []
    for line in lines[start + 2 :]:
        if "|" not in line:
            break
        rows.append([cell.strip() for cell in line.split("|")])
    return rows


@pytest.fixture
def migrated_template(require_services, transactional_db):
    """The test database, migrated and (outside any test's transaction) empty, to copy from:
    saves the benchmarks migrating a database of their own."""
    require_services("DATABASE_URL")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        pytest.skip("the load test and the questionnaire benchmark need PostgreSQL")
    from django.db import connection, connections

    from rounds.models import County

    empty = not County.objects.exists()
    name = connection.settings_dict["NAME"]
    connections.close_all()  # a template must have no one connected
    return name if empty else None


def test_the_benchmark_command_runs_every_benchmark_at_the_reduced_size(migrated_template, tmp_path):
    command = [sys.executable, str(ROOT / "benchmarks/run_all.py"), "--small"]
    if migrated_template:
        command += ["--template-db", migrated_template]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}  # the reduced size queues nothing
    if os.environ.get("REDIS_URL"):  # …but its servers share a cache in Redis as production does,
        env.setdefault("CACHE_URL", os.environ["REDIS_URL"])  # this process's cache database, not its queue
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    rows = table_rows(output)
    table = "\n".join(" | ".join(row) for row in rows)
    assert all(len(row) == 5 for row in rows), table
    for workload in WORKLOADS:
        assert any(row[0].startswith(workload) for row in rows), f"{workload!r} missing from\n{table}"
    assert not any("FAILED" in row[1] or "skipped" in row[1] for row in rows), table
    counted = [row for row in rows if "error" in row[1] or "lost" in row[1]]
    assert len(counted) >= 3 and all(row[2] == "0" and row[4] == "yes" for row in counted), table
    for role in ROLES:  # every role's pages were loaded
        assert any(row[0].startswith("load: ") and row[0].endswith(f": {role}") for row in rows), f"{role!r} missing from\n{table}"
