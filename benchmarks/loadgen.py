"""A small HTTP load generator: processes of threads, one keep-alive http.client connection each.

Closed loop (`closed`): every connection sends its next scan as soon as the answer arrives;
the throughput is what the server sustains. Open loop (`open`): scans are scheduled at a fixed
rate and each latency is measured from its scheduled moment, so a stalled server shows up in
the percentiles instead of silently slowing the generator down (coordinated omission).
Every scan carries a distinct badge code (until the list runs out) and a fresh nonce.
"""

from __future__ import annotations

import http.client
import itertools
import json
import multiprocessing
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _worker(
    base_url: str,
    path: str,
    token: str | None,
    codes: list[str],
    mode: str,
    threads: int,
    seconds: float,
    rate: float,
    start_at: float,
    out,
) -> None:
    parts = urlsplit(base_url)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    next_code = itertools.count()
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()

    def one(connection: http.client.HTTPConnection) -> tuple[int, http.client.HTTPConnection]:
        code = codes[next(next_code) % len(codes)]
        body = json.dumps(
            {"code": code, "gate": "W1", "direction": "in", "nonce": uuid.uuid4().hex}
        )
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status, connection
        except (OSError, http.client.HTTPException):
            connection.close()
            return 0, http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def closed_loop() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, seen = [], Counter()
        while time.time() < start_at:
            time.sleep(0.001)
        end = start_at + seconds
        while time.time() < end:
            began = time.perf_counter()
            status, connection = one(connection)
            mine.append(time.perf_counter() - began)
            seen[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    slot = itertools.count()

    def open_loop() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine, seen = [], Counter()
        total = int(seconds * rate)
        while (k := next(slot)) < total:
            due = start_at + k / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            status, connection = one(connection)
            mine.append(time.time() - due)
            seen[status] += 1
        with lock:
            latencies.extend(mine)
            statuses.update(seen)

    target = closed_loop if mode == "closed" else open_loop
    pool = [threading.Thread(target=target) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put((latencies, dict(statuses), statuses.get(0, 0)))


def run(
    base_url: str,
    path: str,
    codes: list[str],
    *,
    token: str | None = None,
    mode: str = "closed",
    seconds: float = 10.0,
    processes: int = 2,
    threads: int = 8,
    rate: float = 200.0,
) -> LoadResult:
    """Drive the server; `codes` is split between the processes so no two send the same badge."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    start_at = time.time() + 1.0
    workers = [
        context.Process(
            target=_worker,
            args=(
                base_url,
                path,
                token,
                codes[p::processes],
                mode,
                threads,
                seconds,
                rate / processes,
                start_at,
                out,
            ),
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    result = LoadResult(seconds=seconds)
    for _ in workers:
        latencies, statuses, errors = out.get()
        result.latencies.extend(latencies)
        result.statuses.update(statuses)
        result.errors += errors
    for worker in workers:
        worker.join()
    result.requests = len(result.latencies)
    return result
