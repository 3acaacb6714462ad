"""Run the benchmarks of issues 8 and 21, each beside its floor in the same run; print a table,
write benchmarks/results/run-<stamp>.json and latest.json. Exit status 1 when a target is missed.

    bin/bench [--quick] [checkin opening scale badges lifecycle mail pages matchmaking churn value canton]
    .venv/bin/python -m benchmarks.run [--quick] [names...]

sizes            full                                   --quick
  checkin        150,000 registrations, 10 s a phase    40,000, 5 s a phase
  opening        30,000 scans, 40 gates, hour x10       6,000 scans, hour x30
  scale          1,000 vs 1,000,000 registrations       1,000 vs 100,000
  badges         10,000 badges (and 1,000 for memory)    1,000 (and 200)
  lifecycle      100,000 relationships, 1,000,000 int.  5,000 / 50,000
  mail           10,000 emails                          2,000
  pages          10,000 exh. / 100,000 vis. / 1M int.   1,000 / 10,000 / 100,000
  matchmaking    10,000 visitors × 2,000 exhibitors      2,000 × 400
  churn          20,000 exhibitors x 5 editions         2,000 x 5
  value          100,000 customers, 1,000,000 int.      5,000 / 50,000
  canton         30,000 exh. / 300,000 vis. / 3M int.   1,000 / 10,000 / 100,000
                 (every staff page, then the nightly life cycle; the database is built
                 once by benchmarks/canton.py and cached in benchmarks/results/canton/)

Everything runs on 127.0.0.1: a temporary SQLite file and, when a PostgreSQL server answers
on 127.0.0.1:5432, a database of our own there (created and dropped by the run).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime

from benchmarks import common

NAMES = (
    "checkin",
    "opening",
    "scale",
    "badges",
    "lifecycle",
    "mail",
    "pages",
    "matchmaking",
    "churn",
    "value",
    "canton",
)


def machine() -> dict:
    memory = ""
    try:
        with open("/proc/meminfo") as meminfo:
            memory = f"{int(meminfo.readline().split()[1]) // 1024} MiB"
    except OSError:
        pass
    cpu = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(
                (
                    line.split(":", 1)[1].strip()
                    for line in cpuinfo
                    if line.startswith("model name")
                ),
                "",
            )
    except OSError:
        pass
    facts = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }
    if common.postgres_available():
        import sqlalchemy as sa

        engine = sa.create_engine(
            sa.make_url(common.POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg")
        )
        with engine.connect() as connection:
            facts["postgresql"] = connection.exec_driver_sql("SHOW server_version").scalar()
        engine.dispose()
    return facts


def _dialects() -> list[str]:
    return ["sqlite"] + (["postgresql"] if common.postgres_available() else [])


def run_one(name: str, quick: bool) -> list[dict]:
    if name == "checkin":
        from benchmarks import checkin

        return [checkin.throughput(kind, quick) for kind in _dialects()]
    if name == "opening":
        from benchmarks import checkin

        return [checkin.opening_hour(kind, quick) for kind in _dialects()]
    if name == "scale":
        from benchmarks import checkin

        return [checkin.scale("sqlite", quick)]
    if name == "badges":
        from benchmarks import badges

        return [badges.run(quick)]
    if name == "lifecycle":
        return [lifecycle(quick)]
    if name == "mail":
        from benchmarks import mail

        return [mail.run(quick)]
    if name == "pages":
        from benchmarks import pages

        return pages.run(quick)
    if name == "matchmaking":
        from benchmarks import matchmaking

        return [matchmaking.run(kind, quick) for kind in _dialects()]
    if name == "churn":
        from benchmarks import churn

        return [churn.run(quick)]
    if name == "value":
        from benchmarks import value

        return value.run(quick)
    if name == "canton":
        from benchmarks import pages

        return pages.run_canton(quick) + [lifecycle(quick, canton=True)]
    raise SystemExit(f"unknown benchmark {name!r}; choose from {', '.join(NAMES)}")


def lifecycle(quick: bool, canton: bool = False) -> dict:
    """The relationships area's own benchmark (benchmarks/lifecycle.py), run as it documents;
    `canton`: on the Canton-Fair database."""
    name = "canton-lifecycle" if canton else "lifecycle"
    script = common.ROOT / "benchmarks" / "lifecycle.py"
    if not script.exists():
        return {"name": name, "skipped": "benchmarks/lifecycle.py is not there"}
    if canton:
        size = ["--canton"] + (["--quick"] if quick else [])
    else:
        size = ["--relationships", "5000", "--interactions", "50000"] if quick else []
    completed = subprocess.run(
        [sys.executable, str(script), *size],
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if completed.returncode != 0:
        return {"name": name, "error": completed.stderr[-2000:]}
    figures = json.loads(
        (common.RESULTS / ("lifecycle-canton.json" if canton else "lifecycle.json")).read_text()
    )
    ratio = figures.get("ratio_nightly_to_raw") or 0.0
    return {
        "name": name,
        "ours": figures.get("evaluate_all_nightly_seconds"),
        "baseline": figures.get("raw_aggregate_seconds"),
        "unit": "s",
        "ratio": ratio,
        "first_run_ratio": figures.get("ratio_first_run_to_raw"),
        "relationships": figures.get("relationships"),
        "interactions": figures.get("interactions"),
        "target": "evaluate_all within 3x of the raw SQL aggregate",
        "met": ratio <= 3,
    }


def table(rows: list[dict]) -> str:
    lines = [
        f"{'benchmark':<26}{'ours':>12}{'baseline':>12}  {'unit':<10}{'ratio':>7}  {'extra':<58}{'target':>7}"
    ]
    for row in rows:
        if "ours" not in row:
            lines.append(
                f"{row['name']:<26}{row.get('skipped') or 'error: ' + row.get('error', '')[-200:]}"
            )
            continue
        extra = ""
        if "ours_fixed_p99_ms" in row:
            extra = (
                f"p50/p99 {row['ours_p50_ms']:.0f}/{row['ours_p99_ms']:.0f} ms (floor {row['baseline_p50_ms']:.0f}/"
                f"{row['baseline_p99_ms']:.0f}); at {row['fixed_rate']:.0f}/s p99 {row['ours_fixed_p99_ms']:.0f} ms "
                f"(floor {row['baseline_fixed_p99_ms']:.0f}, target < 50)"
            )
        elif "gates" in row:
            extra = (
                f"{row['scans']:,} scans, {row['gates']} gates, x{row['speedup']:.0f} (peak {row['peak_scans_per_s']}/s); "
                f"stored {row['stored_scans']:,}; dashboard p95 {row['dashboard_p95_ms']:.0f} ms"
            )
        elif "p50_ms" in row:
            extra = f"p50 {row['p50_ms']} ms, {row['requests']} requests"
        elif "ours_send_seconds" in row:
            extra = f"queue {row['ours_queue_seconds']} s + send {row['ours_send_seconds']} s"
        elif "pdf_bytes" in row:
            memory = "; ".join(
                f"{size} {m['job_mib']}+{m['worker_mib']} MiB"
                for size, m in row.get("peak_memory_mib", {}).items()
                if size != "floor"
            )
            extra = (
                f"{row['badges']} badges, {row['pages']['ours']} pages; peak job+worker {memory}"
            )
        elif "first_run_ratio" in row:
            extra = f"{row['relationships']:,} rel., {row['interactions']:,} int.; first run x{row['first_run_ratio']}"
        elif "recommendations" in row:
            extra = f"{row['visitors']:,} vis. × {row['exhibitors']:,} exh., {row['recommendations']:,} stored"
        elif "editions" in row and "companies" in row:
            extra = (
                f"{row['companies']:,} exhibitors x {row['editions']} editions, AUC {row['auc']}"
            )
        elif "connections" in row:
            extra = f"{row['registrations'][1]:,} vs {row['registrations'][0]:,} registrations"
        lines.append(
            f"{row['name']:<26}{row['ours']:>12}{row['baseline']:>12}  {row['unit']:<10}{row['ratio']:>7}  "
            f"{extra:<58}{'met' if row['met'] else 'MISSED':>7}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(NAMES)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter runs")
    args = parser.parse_args(argv)
    names = args.names or list(NAMES)
    started = time.perf_counter()
    facts = machine()
    rows: list[dict] = []
    for name in names:
        began = time.perf_counter()
        try:
            produced = run_one(name, args.quick)
        except Exception as failure:
            print(traceback.format_exc(limit=-6)[:4000], file=sys.stderr)
            produced = [{"name": name, "error": f"{type(failure).__name__}: {str(failure)[:300]}"}]
        for row in produced:
            row["seconds"] = round(time.perf_counter() - began, 1)
        rows.extend(produced)
        print("\n".join(table(produced).splitlines()[1:]), file=sys.stderr)
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": facts,
        "results": rows,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    text = json.dumps(report, indent=2, ensure_ascii=False, default=str)
    (common.RESULTS / f"run-{stamp}{'-quick' if args.quick else ''}.json").write_text(text)
    (common.RESULTS / "latest.json").write_text(text)
    print(
        f"machine: {facts['nproc']} cores ({facts['cpu'] or 'unknown CPU'}), {facts['memory']}, "
        f"load {' '.join(f'{x:.1f}' for x in facts['load_average_at_start'])} at start, Python {facts['python']}, "
        f"SQLite {facts['sqlite']}, PostgreSQL {facts.get('postgresql', 'not reachable')}"
    )
    print(table(rows))
    print(f"total {report['total_seconds']} s; JSON in benchmarks/results/latest.json")
    return 0 if all(row.get("met", True) and "error" not in row for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
