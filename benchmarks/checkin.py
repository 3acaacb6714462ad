"""Check-in under gunicorn against its true floor (benchmarks/floor.py), load from wrk; the
opening-hour simulation (40 gates, arrivals ramping up to a peak 30 minutes after opening, the
attendance dashboard polled meanwhile); and the scale test (p50 at 1,000,000 registrations vs
1,000).

Ours and the floor run on the same database, one server at a time, back to back, with the same
gunicorn settings (gthread, 4 workers x 4 threads). Throughput: `wrk -t2 -c16`, closed loop.
Latency at a fixed rate: benchmarks/openloop.py (wrk has no fixed-rate mode).
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks import common

API = "/api/v1/checkins"
FLOOR_APP = "benchmarks.floor:app"
OUR_APP = "expo_crm:create_app()"
FIXED_RATE = 500.0
SCRIPT = common.ROOT / "benchmarks" / "scans.lua"


def _prepare(bench: common.BenchDatabase, registrations: int, gates: int = 1):
    """Seed an open show with `registrations` badges; one gate token per gate."""
    app = common.make_app(bench.url, bench.instance)
    with app.app_context():
        from expo_crm.auth.services import create_device_token
        from expo_crm.db import db

        show_id = common.open_show()
        codes = common.seed_registrations(show_id, registrations)
        tokens = [
            create_device_token(show_id, f"Bench gate W{n + 1}", "gate")[1] for n in range(gates)
        ]
        db.session.commit()
        common.analyse()
        db.session.remove()
        db.engine.dispose()
    return show_id, codes, tokens


def _slices(codes: list[str], parts: list[float]) -> list[list[str]]:
    out, start = [], 0
    for share in parts:
        size = int(len(codes) * share)
        out.append(codes[start : start + size])
        start += size
    return out


def _codes_file(bench: common.BenchDatabase, name: str, codes: list[str]) -> Path:
    path = bench.instance / f"codes-{name}.txt"
    path.write_text("\n".join(codes) + "\n")
    return path


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError(
            "wrk is not installed (Debian package `wrk`; bin/bench installs it as root)"
        )
    return found


def wrk(
    url: str,
    codes: Path,
    *,
    seconds: float,
    token: str = "",
    tag: str,
    threads: int = 2,
    connections: int = 16,
) -> dict:
    """One wrk run posting scans (benchmarks/scans.lua); its summary as a dict."""
    completed = subprocess.run(
        [
            wrk_binary(),
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            str(SCRIPT),
            url,
            "--",
            str(codes),
            str(threads),
            token,
            tag,
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 120,
        check=True,
    )
    found = re.search(r"^WRK-JSON (\{.*\})$", completed.stdout, re.M)
    if found is None:
        raise RuntimeError(f"wrk said: {completed.stdout[-500:]} {completed.stderr[-500:]}")
    summary = json.loads(found.group(1))
    summary["rate"] = summary["requests"] / (summary["duration_us"] / 1e6)
    return summary


def open_loop(
    url: str, requests: list, connections: int = 32, spec_dir: Path | None = None
) -> dict:
    """benchmarks/openloop.py in a process of its own; requests are [due_s, tag, path, headers, body]."""
    spec_path = (spec_dir or Path("/tmp")) / "openloop-spec.json"
    spec_path.write_text(json.dumps({"url": url, "connections": connections, "requests": requests}))
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.openloop", str(spec_path)],
        cwd=common.ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=7200,
    )
    return json.loads(completed.stdout)


def _scan_body(code: str, gate: str, nonce: str) -> str:
    return json.dumps({"code": code, "gate": gate, "direction": "in", "nonce": nonce})


def _fixed_rate(
    url: str, path: str, codes: list[str], token: str, seconds: float, tag: str, spec_dir
):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    total = int(seconds * FIXED_RATE)
    requests = [
        [
            k / FIXED_RATE,
            "scan",
            path,
            headers,
            _scan_body(codes[k % len(codes)], "W1", f"{tag}-{k}"),
        ]
        for k in range(total)
    ]
    result = open_loop(url, requests, spec_dir=spec_dir)
    latencies = result["latencies"].get("scan", [])
    return {
        "p50_ms": round(common.percentile(latencies, 0.5) * 1000, 1),
        "p99_ms": round(common.percentile(latencies, 0.99) * 1000, 1),
        "statuses": result["statuses"].get("scan", {}),
    }


def throughput(kind: str, quick: bool) -> dict:
    # Enough badges that no phase runs out of fresh ones at the floor's rate on an idle machine.
    registrations = 40_000 if quick else 150_000
    seconds = 5.0 if quick else 10.0
    fixed_seconds = 4.0 if quick else 10.0
    with common.database(kind) as bench:
        print(f"check-in on {kind}: seeding {registrations:,} registrations", file=sys.stderr)
        _show, codes, (token,) = _prepare(bench, registrations)
        warm_f, warm_o, thr_f, thr_o, lat_f, lat_o = _slices(codes, [0.1, 0.1, 0.3, 0.3, 0.1, 0.1])
        files = {
            name: _codes_file(bench, name, part)
            for name, part in {
                "warm-f": warm_f,
                "warm-o": warm_o,
                "thr-f": thr_f,
                "thr-o": thr_o,
            }.items()
        }
        with common.gunicorn(bench, app=FLOOR_APP) as url:
            wrk(url + "/", files["warm-f"], seconds=2, tag="fw")
            floor = wrk(url + "/", files["thr-f"], seconds=seconds, tag="ft")
            floor_fixed = _fixed_rate(url, "/", lat_f, "", fixed_seconds, "ff", bench.instance)
        with common.gunicorn(bench, app=OUR_APP) as url:
            wrk(url + API, files["warm-o"], seconds=2, token=token, tag="ow")
            ours = wrk(url + API, files["thr-o"], seconds=seconds, token=token, tag="ot")
            ours_fixed = _fixed_rate(url, API, lat_o, token, fixed_seconds, "of", bench.instance)
    ratio = ours["rate"] / floor["rate"] if floor["rate"] else 0.0
    return {
        "name": f"checkin-{kind}",
        "registrations": registrations,
        "ours": round(ours["rate"], 1),
        "baseline": round(floor["rate"], 1),
        "unit": "scans/s",
        "ratio": round(ratio, 3),
        "ours_p50_ms": round(ours["p50_us"] / 1000, 1),
        "ours_p99_ms": round(ours["p99_us"] / 1000, 1),
        "baseline_p50_ms": round(floor["p50_us"] / 1000, 1),
        "baseline_p99_ms": round(floor["p99_us"] / 1000, 1),
        "fixed_rate": FIXED_RATE,
        "ours_fixed_p50_ms": ours_fixed["p50_ms"],
        "ours_fixed_p99_ms": ours_fixed["p99_ms"],
        "baseline_fixed_p99_ms": floor_fixed["p99_ms"],
        "wrk": {"ours": ours, "floor": floor},
        "statuses": {"ours_fixed": ours_fixed["statuses"], "floor_fixed": floor_fixed["statuses"]},
        "target": f"ratio >= 0.6 and p99 < 50 ms at {FIXED_RATE:.0f} scans/s",
        "met": ratio >= 0.6 and ours_fixed["p99_ms"] < 50,
    }


def arrival_times(count: int, minutes: float, seed: int = 21) -> list[float]:
    """`count` arrival moments (minutes after opening) over the first `minutes`, drawn from a
    density t * exp(-t / 30): nothing at the opening, a peak 30 minutes in, tailing off."""
    rng = random.Random(seed)
    out: list[float] = []
    while len(out) < count:
        moment = rng.gammavariate(2.0, 30.0)  # shape 2, scale 30: mode at 30 minutes
        if moment < minutes:
            out.append(moment)
    return sorted(out)


def opening_hour(kind: str, quick: bool) -> dict:
    """40 gates, 30,000 scans (quick: 6,000) spread as arrivals come over the first hour, played
    `speedup` times faster than real time, while 5 staff clients poll the attendance JSON."""
    scans = 6_000 if quick else 30_000
    speedup = 30.0 if quick else 10.0  # the hour in 2 minutes (quick) or 6 minutes
    gates, pollers, poll_every = 40, 5, 15.0
    with common.database(kind) as bench:
        print(f"opening hour on {kind}: seeding {scans:,} registrations", file=sys.stderr)
        show_id, codes, tokens = _prepare(bench, scans, gates=gates)
        cookie = _staff_cookie(bench)
        moments = arrival_times(scans, 60.0)
        requests = []
        for n, (moment, code) in enumerate(zip(moments, codes, strict=True)):
            gate = n % gates
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {tokens[gate]}",
            }
            body = _scan_body(code, f"W{gate + 1}", f"oh-{n}")
            requests.append([moment * 60 / speedup, "scan", API, headers, body])
        # The dashboard refreshes every 15 s of real time, so `speedup` times as often here.
        polls = int(3600 / poll_every)
        for client in range(pollers):
            for k in range(polls):
                due = (k * poll_every + client * poll_every / pollers) / speedup
                requests.append(
                    [
                        due,
                        "dashboard",
                        f"/visitors/attendance/{show_id}.json",
                        {"Cookie": cookie},
                        None,
                    ]
                )
        requests.sort(key=lambda item: item[0])
        with common.gunicorn(bench, app=OUR_APP) as url:
            result = open_loop(url, requests, connections=gates + pollers, spec_dir=bench.instance)
        stored = _count_scans(bench)
    scan_latencies = result["latencies"].get("scan", [])
    dash = result["latencies"].get("dashboard", [])
    p99 = common.percentile(scan_latencies, 0.99) * 1000
    peak = max(
        sum(1 for m in moments if start <= m < start + 1) for start in range(60)
    )  # scans in the busiest minute
    answered = sum(
        count for status, count in result["statuses"].get("scan", {}).items() if status in ("201",)
    )
    return {
        "name": f"opening-hour-{kind}",
        "ours": round(p99, 1),
        "baseline": 100.0,
        "unit": "p99 ms",
        "ratio": round(p99 / 100.0, 3),
        "scans": scans,
        "gates": gates,
        "speedup": speedup,
        "peak_scans_per_s": round(peak * speedup / 60, 1),
        "scan_p50_ms": round(common.percentile(scan_latencies, 0.5) * 1000, 1),
        "dashboard_polls": len(dash),
        "dashboard_p95_ms": round(common.percentile(dash, 0.95) * 1000, 1),
        "admitted": answered,
        "stored_scans": stored,
        "statuses": result["statuses"],
        "target": "scan p99 < 100 ms; every scan admitted and stored",
        "met": p99 < 100 and answered == scans and stored == scans,
    }


def _staff_cookie(bench: common.BenchDatabase) -> str:
    app = common.make_app(bench.url, bench.instance)
    client = common.staff_client(app, "admin")
    cookie = client.get_cookie("session")
    with app.app_context():
        from expo_crm.db import db

        db.session.remove()
        db.engine.dispose()
    return f"session={cookie.value}"


def _count_scans(bench: common.BenchDatabase) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(bench.url)
    with engine.connect() as connection:
        count = connection.execute(sa.text("SELECT count(*) FROM scans")).scalar_one()
    engine.dispose()
    return count


def _p50_at(kind: str, registrations: int, seconds: float) -> float:
    with common.database(kind) as bench:
        print(f"scale on {kind}: seeding {registrations:,} registrations", file=sys.stderr)
        _show, codes, (token,) = _prepare(bench, registrations)
        warm = _codes_file(bench, "warm", codes[: len(codes) // 4])
        measured = _codes_file(bench, "measured", codes[len(codes) // 4 :])
        # One connection, one scan at a time: the latency of the path itself, with no queueing.
        with common.gunicorn(bench, app=OUR_APP) as url:
            wrk(url + API, warm, seconds=2, token=token, tag="w", threads=1, connections=1)
            result = wrk(
                url + API, measured, seconds=seconds, token=token, tag="m", threads=1, connections=1
            )
    return result["p50_us"] / 1000


def scale(kind: str, quick: bool) -> dict:
    small, large = (1_000, 100_000) if quick else (1_000, 1_000_000)
    seconds = 4.0 if quick else 6.0
    p50_small = _p50_at(kind, small, seconds)
    p50_large = _p50_at(kind, large, seconds)
    ratio = p50_large / p50_small if p50_small else 0.0
    return {
        "name": f"scale-{kind}",
        "ours": round(p50_large, 2),
        "baseline": round(p50_small, 2),
        "unit": "p50 ms",
        "ratio": round(ratio, 3),
        "registrations": [small, large],
        "connections": 1,
        "target": f"p50 at {large:,} within 1.3x of p50 at {small:,}",
        "met": ratio <= 1.3,
    }
