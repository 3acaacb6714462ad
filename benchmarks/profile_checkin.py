"""Where a check-in's time goes: N scans through `POST /api/v1/checkins` and through the floor
(benchmarks/floor.py), both called as WSGI apps in this process one request at a time (no
server, no lock contention), with cProfile on ours. Prints ms per scan for both and the
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

from werkzeug.test import Client

from benchmarks import checkin, common


def _post(client: Client, path: str, code: str, nonce: str, token: str = "") -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        path,
        data=json.dumps({"code": code, "gate": "W1", "direction": "in", "nonce": nonce}),
        headers=headers,
        content_type="application/json",
    )
    return response.status_code


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
        floor_client = Client(floor.app)
        app = common.make_app(bench.url, bench.instance)
        ours_client = Client(app)
        for k in range(100):  # warm-up
            _post(floor_client, "/", codes[k], f"fw{k}")
            _post(ours_client, checkin.API, codes[100 + k], f"ow{k}", token)
        started = time.perf_counter()
        for k in range(n):
            _post(floor_client, "/", codes[200 + k], f"f{k}")
        floor_ms = (time.perf_counter() - started) * 1000 / n
        started = time.perf_counter()
        statuses = [
            _post(ours_client, checkin.API, codes[200 + n + k], f"o{k}", token) for k in range(n)
        ]
        ours_ms = (time.perf_counter() - started) * 1000 / n
        profiler = cProfile.Profile()
        profiler.enable()
        for k in range(n):
            _post(ours_client, checkin.API, codes[200 + 2 * n + k], f"p{k}", token)
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
