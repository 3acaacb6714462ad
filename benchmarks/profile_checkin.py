"""Where a check-in's time goes: N scans through `POST /api/v1/checkins` and through the floor
(benchmarks/floor.py), both called as WSGI apps in this process one request at a time (no
server, no HTTP, no lock contention; the WSGI environ of each request is built beforehand and
only the app's call is timed), with cProfile on ours. Prints ms per scan for both and the
functions with the most cumulative time.

    PYTHONPATH=. .venv/bin/python -m benchmarks.profile_checkin [--kind postgresql] [-n 2000]
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import json
import os
import pstats
import time

from werkzeug.test import EnvironBuilder

from benchmarks import checkin, common


def _environ(path: str, code: str, nonce: str, token: str = "") -> dict:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return EnvironBuilder(
        path=path,
        method="POST",
        data=json.dumps({"code": code, "gate": "W1", "direction": "in", "nonce": nonce}),
        headers=headers,
        content_type="application/json",
    ).get_environ()


def _calls(app, environs: list[dict]) -> tuple[float, list[str]]:
    """Seconds spent calling the app on each environ; the status lines."""
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    started = time.perf_counter()
    for environ in environs:
        for _chunk in app(environ, start_response):
            pass
    return time.perf_counter() - started, statuses


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", default="sqlite", choices=("sqlite", "postgresql"))
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    n = args.n
    with common.database(args.kind) as bench:
        _show, codes, (token,) = checkin._prepare(bench, 3 * n + 200)
        os.environ["EXPO_CRM_DATABASE_URL"] = bench.url
        from benchmarks import floor

        importlib.reload(floor)  # reads the URL when imported
        app = common.make_app(bench.url, bench.instance)
        _calls(floor.app, [_environ("/", codes[k], f"fw{k}") for k in range(100)])
        _calls(app, [_environ(checkin.API, codes[100 + k], f"ow{k}", token) for k in range(100)])
        seconds, _ = _calls(floor.app, [_environ("/", codes[200 + k], f"f{k}") for k in range(n)])
        floor_ms = seconds * 1000 / n
        batch = [_environ(checkin.API, codes[200 + n + k], f"o{k}", token) for k in range(n)]
        seconds, statuses = _calls(app, batch)
        ours_ms = seconds * 1000 / n
        batch = [_environ(checkin.API, codes[200 + 2 * n + k], f"p{k}", token) for k in range(n)]
        profiler = cProfile.Profile()
        profiler.enable()
        _calls(app, batch)
        profiler.disable()
        with app.app_context():
            from expo_crm.db import db

            db.session.remove()
            db.engine.dispose()
    print(
        f"{args.kind}: ours {ours_ms:.2f} ms/scan, floor {floor_ms:.2f} ms/scan "
        f"(ratio {floor_ms / ours_ms:.2f}), statuses {sorted(set(statuses))}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())


if __name__ == "__main__":
    main()
