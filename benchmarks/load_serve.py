#!/usr/bin/env python3
"""A bounded load test of `reljournal serve` on loopback: N requests over T threads, each thread on its
own keep-alive connection (or a new connection per request), half of them conditional (If-None-Match).
Reports requests per second, errors and latency percentiles.

    python benchmarks/load_serve.py                       # 2,000 requests, 4 threads, a 1,000-person vault
    python benchmarks/load_serve.py --requests 500 --new-connections
    python benchmarks/load_serve.py --sync-per-request    # no watcher: every request re-indexes first
    python benchmarks/load_serve.py --vault ~/vault --token "$RELJOURNAL_TOKEN"
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from reljournal.app import Journal
from reljournal.serve import FeedSource, make_server, run
from reljournal.watch import Watcher

TODAY = "2026-03-15"


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def _generate(root: Path, people: int) -> None:
    spec = importlib.util.spec_from_file_location("rj_generate", Path(__file__).with_name("generate.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(root, people)


def load(port: int, target: str, requests: int, threads: int, *, new_connections: bool = False,
         timeout: float = 30.0) -> tuple[Result, float]:
    """Fire `requests` GETs at 127.0.0.1:`port` over `threads` threads; (result, wall seconds)."""
    result = Result()
    lock = threading.Lock()
    per_thread = [requests // threads + (1 if i < requests % threads else 0) for i in range(threads)]
    etag: list[str] = []

    def worker(count: int) -> None:
        conn: http.client.HTTPConnection | None = None
        for i in range(count):
            headers = {"If-None-Match": etag[0]} if etag and i % 2 else {}
            started = time.perf_counter()
            try:
                if conn is None or new_connections:
                    if conn is not None:
                        conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
                conn.request("GET", target, headers=headers)
                response = conn.getresponse()
                body = response.read()
                status = response.status
                if status == 200 and not etag:
                    etag.append(response.getheader("ETag") or "")
                ok = (status == 200 and body.startswith(b"BEGIN:VCALENDAR")) or status == 304
                with lock:
                    result.latencies.append(time.perf_counter() - started)
                    result.statuses[status] = result.statuses.get(status, 0) + 1
                    if not ok:
                        result.errors.append(f"HTTP {status}")
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    result.errors.append(repr(exc))
                if conn is not None:
                    conn.close()
                conn = None
        if conn is not None:
            conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in per_thread]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return result, time.perf_counter() - started


def report(result: Result, seconds: float) -> str:
    lat = sorted(result.latencies) or [0.0]

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(p * len(lat)))] * 1000

    done = len(result.latencies)
    return (f"{done} requests in {seconds:.2f} s: {done / seconds:.0f} requests/s, {len(result.errors)} errors; "
            f"latency p50 {pct(0.50):.1f} ms, p95 {pct(0.95):.1f} ms, p99 {pct(0.99):.1f} ms, "
            f"mean {statistics.fmean(lat) * 1000:.1f} ms; statuses {dict(sorted(result.statuses.items()))}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--people", type=int, default=1000, help="size of the generated vault (default 1000)")
    parser.add_argument("--vault", type=Path, help="serve this vault instead of a generated one")
    parser.add_argument("--token", help="serve with this token (the feed is then /TOKEN/feed.ics)")
    parser.add_argument("--new-connections", action="store_true", help="one TCP connection per request")
    parser.add_argument("--sync-per-request", action="store_true",
                        help="re-index on every request, no watcher (by default a watcher runs, as in `serve`)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="rj-load-") as tmp:
        vault = args.vault
        if vault is None:
            vault = Path(tmp) / "vault"
            _generate(vault, args.people)
        source = FeedSource(vault, TODAY, sync_on_request=args.sync_per_request)
        watcher = None
        if not args.sync_per_request:  # as `reljournal serve` runs: a watcher keeps the index current
            watcher = Watcher(Journal.open(vault, TODAY), fixed_today=True, write_feed=False, quiet=True,
                              on_update=lambda update: source.invalidate())
            watcher.start()
        source.current()  # index and build once: the load test measures serving, not the first sync
        server = make_server(source, "127.0.0.1", 0, token=args.token, log=lambda message: None)
        port = server.server_address[1]
        stop = threading.Event()
        serving = threading.Thread(target=run, args=(server, stop), daemon=True)
        serving.start()
        try:
            target = f"/{args.token}/feed.ics" if args.token else "/feed.ics"
            result, seconds = load(port, target, args.requests, args.threads,
                                   new_connections=args.new_connections)
        finally:
            stop.set()
            serving.join(timeout=10)
            if watcher is not None:
                watcher.stop()
            source.close()
    print(f"vault: {vault if args.vault else f'generated, {args.people} people'}; "
          f"{args.threads} threads, {'new connection per request' if args.new_connections else 'keep-alive'}, "
          f"{'re-index on every request' if args.sync_per_request else 'a watcher keeps the index (as serve runs)'}")
    print(report(result, seconds))
    return 1 if result.errors else 0


if __name__ == "__main__":
    sys.exit(main())
