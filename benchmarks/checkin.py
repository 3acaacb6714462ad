"""Check-in throughput and latency under gunicorn, against the bare SQL route (benchapp.py);
and the scale test: p50 latency with 1,000,000 registrations vs 1,000."""

from __future__ import annotations

import sys

from benchmarks import common, loadgen

API = "/api/v1/checkins"
BARE = "/bench/bare-checkin"
FIXED_RATE = 200.0


def _prepare(bench: common.BenchDatabase, registrations: int) -> tuple[list[str], str]:
    app = common.make_app(bench.url, bench.instance)
    with app.app_context():
        from expo_crm.auth.services import create_device_token
        from expo_crm.db import db

        show_id = common.open_show()
        codes = common.seed_registrations(show_id, registrations)
        _, token = create_device_token(show_id, "Bench gate W1", "gate")
        db.session.commit()
        common.analyse()
        db.session.remove()
        db.engine.dispose()
    return codes, token


def _slices(codes: list[str], parts: list[float]) -> list[list[str]]:
    out, start = [], 0
    for share in parts:
        size = int(len(codes) * share)
        out.append(codes[start : start + size])
        start += size
    return out


def throughput(kind: str, quick: bool) -> dict:
    registrations = 10_000 if quick else 100_000
    seconds = 4.0 if quick else 10.0
    with common.database(kind) as bench:
        print(f"check-in on {kind}: seeding {registrations:,} registrations", file=sys.stderr)
        codes, token = _prepare(bench, registrations)
        warm_app, warm_bare, thr_app, thr_bare, lat_app, lat_bare = _slices(
            codes, [0.04, 0.04, 0.38, 0.38, 0.08, 0.08]
        )
        with common.gunicorn(bench) as url:
            loadgen.run(url, API, warm_app, token=token, seconds=2)
            loadgen.run(url, BARE, warm_bare, seconds=2)
            ours = loadgen.run(url, API, thr_app, token=token, seconds=seconds)
            bare = loadgen.run(url, BARE, thr_bare, seconds=seconds)
            ours_fixed = loadgen.run(
                url, API, lat_app, token=token, mode="open", rate=FIXED_RATE, seconds=seconds
            )
            bare_fixed = loadgen.run(
                url, BARE, lat_bare, mode="open", rate=FIXED_RATE, seconds=seconds
            )
    ratio = ours.rate / bare.rate if bare.rate else 0.0
    p99_fixed = common.percentile(ours_fixed.latencies, 0.99) * 1000
    return {
        "name": f"checkin-{kind}",
        "registrations": registrations,
        "ours": round(ours.rate, 1),
        "baseline": round(bare.rate, 1),
        "unit": "scans/s",
        "ratio": round(ratio, 3),
        "ours_p50_ms": round(common.percentile(ours.latencies, 0.5) * 1000, 2),
        "ours_p99_ms": round(common.percentile(ours.latencies, 0.99) * 1000, 2),
        "baseline_p50_ms": round(common.percentile(bare.latencies, 0.5) * 1000, 2),
        "baseline_p99_ms": round(common.percentile(bare.latencies, 0.99) * 1000, 2),
        "fixed_rate": FIXED_RATE,
        "ours_fixed_p50_ms": round(common.percentile(ours_fixed.latencies, 0.5) * 1000, 2),
        "ours_fixed_p99_ms": round(p99_fixed, 2),
        "baseline_fixed_p99_ms": round(common.percentile(bare_fixed.latencies, 0.99) * 1000, 2),
        "statuses": {
            "ours": dict(ours.statuses),
            "baseline": dict(bare.statuses),
            "ours_fixed": dict(ours_fixed.statuses),
        },
        "target": "ratio >= 0.6 and p99 < 50 ms at 200 scans/s",
        "met": ratio >= 0.6 and p99_fixed < 50,
    }


def _p50_at(kind: str, registrations: int, seconds: float) -> tuple[float, dict]:
    with common.database(kind) as bench:
        print(f"scale on {kind}: seeding {registrations:,} registrations", file=sys.stderr)
        codes, token = _prepare(bench, registrations)
        warm, measured = codes[: len(codes) // 4], codes[len(codes) // 4 :]
        # One connection, one scan at a time: the latency of the path itself, with no queueing.
        with common.gunicorn(bench) as url:
            loadgen.run(url, API, warm, token=token, processes=1, threads=1, seconds=2)
            result = loadgen.run(
                url, API, measured, token=token, processes=1, threads=1, seconds=seconds
            )
    return common.percentile(result.latencies, 0.5) * 1000, dict(result.statuses)


def scale(kind: str, quick: bool) -> dict:
    small, large = (1_000, 100_000) if quick else (1_000, 1_000_000)
    seconds = 4.0 if quick else 6.0
    p50_small, s_small = _p50_at(kind, small, seconds)
    p50_large, s_large = _p50_at(kind, large, seconds)
    ratio = p50_large / p50_small if p50_small else 0.0
    return {
        "name": f"scale-{kind}",
        "ours": round(p50_large, 2),
        "baseline": round(p50_small, 2),
        "unit": "p50 ms",
        "ratio": round(ratio, 3),
        "registrations": [small, large],
        "connections": 1,
        "statuses": {"small": s_small, "large": s_large},
        "target": f"p50 at {large:,} within 1.3x of p50 at {small:,}",
        "met": ratio <= 1.3,
    }
