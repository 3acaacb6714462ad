"""Open-loop load at a fixed (or scheduled) rate, for latency: wrk has no fixed-rate mode and
wrk2 is not packaged in Debian, so this is the one generator written here in Python.

It runs in a process of its own (`python -m benchmarks.openloop SPEC.json`), one asyncio loop
with a pool of keep-alive HTTP/1.1 connections, and no threads. Every request has a due time
(fixed rate, or the times the spec lists); a connection that is free sends the next due request
when its time comes, and each latency is counted from the due time, not from when it was sent:
a stalled server shows in the percentiles instead of slowing the generator down (no coordinated
omission). When every connection is busy, the next request waits, and that wait is counted too.

Spec (JSON): {"url": "http://127.0.0.1:PORT", "connections": 32, "requests": [[due_s, tag,
path, headers, body_or_null], ...]} with due_s seconds after the start; a GET when body is
null. Prints one line of JSON: the latencies (seconds) and statuses of each tag.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter, defaultdict
from urllib.parse import urlsplit


async def _request(reader, writer, host: str, method: str, path: str, headers: dict, body: bytes):
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed")
    status = int(status_line.split()[1])
    length, close = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def run(spec: dict) -> dict:
    parts = urlsplit(spec["url"])
    host, port = parts.hostname, parts.port
    requests = sorted(spec["requests"], key=lambda item: item[0])
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, Counter] = defaultdict(Counter)
    queue: asyncio.Queue = asyncio.Queue()
    for item in requests:
        queue.put_nowait(item)
    start = time.perf_counter() + 0.5

    async def connection() -> None:
        reader = writer = None
        while not queue.empty():
            due, tag, path, headers, body = queue.get_nowait()
            pause = start + due - time.perf_counter()
            if pause > 0:
                await asyncio.sleep(pause)
            status = 0
            for _attempt in range(2):
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    status, close = await _request(
                        reader,
                        writer,
                        f"{host}:{port}",
                        "GET" if body is None else "POST",
                        path,
                        headers,
                        b"" if body is None else body.encode(),
                    )
                    if close:
                        writer.close()
                        writer = None
                    break
                except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError):
                    if writer is not None:
                        writer.close()
                    writer = None
            latencies[tag].append(time.perf_counter() - (start + due))
            statuses[tag][status] += 1
        if writer is not None:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(spec.get("connections", 32))))
    return {
        "seconds": time.perf_counter() - began,
        "latencies": dict(latencies),
        "statuses": {tag: dict(counter) for tag, counter in statuses.items()},
    }


def main() -> None:
    with open(sys.argv[1]) as source:
        spec = json.load(source)
    print(json.dumps(asyncio.run(run(spec))))


if __name__ == "__main__":
    main()
