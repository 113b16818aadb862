"""The HTTP feed server (SPEC 5): the feed for calendar subscriptions, and nothing else.

Three pieces, so that each can be tested on its own:

- `FeedSource` is where the feed comes from. `current(owner)` brings the index up to date and rebuilds the
  feed only when the index changed or the date rolled over; settings edited into an error keep the old
  settings. By default every request re-indexes (a stat walk); a watcher that keeps the index current
  makes it `FeedSource(..., sync_on_request=False)` and calls `invalidate()` after each change.
- `respond(source, method, target, headers, token=...)` turns one request into a `Response`, with no
  socket: routing, the token, conditional requests. Everything that is not a feed (or the status page)
  is the same `404`, whatever the reason, so nothing reveals what exists; no path ever maps to a file.
- `make_server` / `run` put it on a `ThreadingHTTPServer`; `run` returns when SIGINT or SIGTERM arrives.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import errno
import hashlib
import hmac
import html
import ipaddress
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qs, quote, unquote, urlsplit

from reljournal.app import Journal, resolve_today
from reljournal.config import SETTINGS_FILE, load_settings
from reljournal.errors import UserError
from reljournal.feed import EventBytes, build_feed, event_count, owners
from reljournal.queries import View
from reljournal.stopsignal import StopSignals

if TYPE_CHECKING:  # only the type: serving without a watcher need not load watchdog
    from reljournal.livefeed import FeedParts, OwnedEvents
    from reljournal.watch import Update

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~-]+")  # URL-safe as they stand: usable as a path prefix
CALENDAR_TYPE = "text/calendar; charset=utf-8"
NOT_FOUND = b"Not found\n"
FIRST_SEEN_KEPT = 256  # feeds (owner, bytes) whose first serving time a server remembers

Clock = Callable[[], dt.datetime]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


# ---- where the feed comes from ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedDoc:
    body: bytes
    etag: str  # quoted, strong
    last_modified: dt.datetime  # UTC, whole seconds: when this server first produced these bytes

    @property
    def events(self) -> int:
        return event_count(self.body)


@dataclass(frozen=True)
class Counts:
    """What the status page shows: counts only, never a name."""

    people: int
    orgs: int
    interactions: int
    events: int
    errors: int
    today: dt.date


class _Live(NamedTuple):
    """The watcher's feed as of one update: served as it is while the server's view is of that update."""

    generation: int
    today: dt.date
    parts: FeedParts
    owned: OwnedEvents | None  # the same events with whom each is about: owners' feeds are filtered from it


class FeedSource:
    """The current feed of one vault, rebuilt only when the index changed or the date rolled over.

    `today` is the `--today` option (fixed) or None (the real date in the vault's zone, read per request).
    Thread-safe: requests are served one at a time here (a rebuild is quick, and SQLite wants it so)."""

    def __init__(self, vault: str | os.PathLike[str] | None, today: str | None = None, *,
                 clock: Clock = _utcnow, log: Callable[[str], None] | None = None,
                 sync_on_request: bool = True) -> None:
        self._lock = threading.RLock()
        self.sync_on_request = sync_on_request
        self._today_option = today
        self._clock = clock
        self._log = log or (lambda message: print(message, file=sys.stderr))
        self.journal = Journal.open(vault, today)  # bad settings at start: SettingsError (exit 2)
        self._kept = EventBytes()  # the feed is rebuilt after every change: serialise again only what changed
        self._settings_stamp = self._stamp()
        self._generation = 0  # bumped whenever the index changed
        self._dirty = True  # the index must be brought up to date before the next answer
        self._view: View | None = None
        self._view_key: tuple[int, dt.date] | None = None
        self._docs: dict[str, FeedDoc] = {}
        self._live: _Live | None = None  # the watcher's feed, served as it is
        # (owner key, ETag) -> when first served, the FIRST_SEEN_KEPT latest: a feed that goes back to bytes it
        # had keeps their Last-Modified; one that never does cannot grow this without bound
        self._first_seen: dict[tuple[str, str], dt.datetime] = {}

    @property
    def root(self) -> Path:
        return self.journal.settings.root

    def invalidate(self, feed: FeedParts | None = None, today: dt.date | None = None,
                   owned: OwnedEvents | None = None) -> None:
        """The seam for a watcher: the vault changed, so the next request re-indexes (with
        `sync_on_request`, the default, every request does anyway). `feed`: the watcher's feed of `today`,
        served as it is instead of built again, and `owned` the owners' feeds filtered from it (see
        reljournal.livefeed)."""
        with self._lock:
            self._dirty = True
            self._generation += 1  # the watcher has already brought the index up to date: rebuild
            self._live = (_Live(self._generation, today, feed, owned) if feed is not None and today is not None
                          else None)

    def follow(self, update: Update) -> None:
        """A watcher's `on_update`: serve its feed from now on."""
        self.invalidate(update.feed, update.view.today if update.view is not None else None, update.owned)

    def view(self) -> View:
        with self._lock:
            self._reload_settings()
            today = resolve_today(self._today_option, self.journal.settings)
            if self.sync_on_request or self._dirty:
                stats = self.journal.sync()
                self._dirty = False
                if stats.touched or stats.rebuilt:
                    self._generation += 1
            key = (self._generation, today)
            if self._view is None or self._view_key != key:
                self.journal.today = today
                self._view = self.journal.view(sync=False)
                self._view_key = key
                self._docs.clear()
            return self._view

    def current(self, owner: str | None = None) -> FeedDoc | None:
        """The feed (one owner's, when `owner` is given), or None for an owner the vault does not know."""
        with self._lock:
            view = self.view()
            if owner is not None:
                match = [n for n in owners(view) if n.casefold() == owner.casefold()]
                if not match:
                    return None
                owner = match[0]
            key = (owner or "").casefold()
            doc = self._docs.get(key)
            if doc is None:
                live = self._live if self._live is not None and self._live[:2] == self._view_key else None
                if live is not None and owner is None:
                    body = b"".join(live.parts)
                elif live is not None and live.owned is not None and owner is not None:
                    body = b"".join(live.owned.of_owner(view, owner))
                else:
                    body = build_feed(view, owner=owner, kept=self._kept)
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                first = self._first_seen.pop((key, etag), None) or self._clock().replace(microsecond=0)
                self._first_seen[key, etag] = first  # now the latest
                if len(self._first_seen) > FIRST_SEEN_KEPT:
                    del self._first_seen[next(iter(self._first_seen))]
                doc = self._docs[key] = FeedDoc(body, etag, first)
            return doc

    def counts(self) -> Counts:
        with self._lock:
            doc = self.current()
            view = self._view
            assert doc is not None and view is not None
            errors = sum(1 for p in view.problems if p.severity == "error")
            return Counts(len(view.people), len(view.orgs), len(view.interactions), doc.events, errors,
                          view.today)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            st = (self.journal.settings.root / SETTINGS_FILE).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def _reload_settings(self) -> None:
        """Settings edited while serving take effect; settings edited into an error are reported once and
        the old ones kept until fixed (SPEC 5)."""
        stamp = self._stamp()
        if stamp == self._settings_stamp:
            return
        self._settings_stamp = stamp
        root = self.journal.settings.root
        settings, problems = load_settings(root)
        if problems:
            for p in problems:
                self._log(f"{p}; keeping the previous settings")
            return
        self.journal.close()
        self.journal = Journal(settings, resolve_today(self._today_option, settings))
        self._view = None
        self._dirty = True

    def close(self) -> None:
        with self._lock:
            self.journal.close()


# ---- one request, no socket ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Response:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    route: str = "-"  # what was asked for, without the token: for the access log

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def not_found() -> Response:
    return Response(404, [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
                    NOT_FOUND)


def token_matches(given: str, token: str) -> bool:
    """Constant-time: both sides hashed first, so not even the length leaks."""
    return hmac.compare_digest(hashlib.sha256(given.encode("utf-8", "surrogateescape")).digest(),
                               hashlib.sha256(token.encode("utf-8")).digest())


def _segments(path: str) -> list[str] | None:
    """The decoded path segments, or None for anything odd: `..`, `.`, an encoded `/` or `\\`, NUL, `//`."""
    if not path.startswith("/"):
        return None
    out = []
    for raw in path[1:].split("/"):
        seg = unquote(raw, errors="strict") if "%" in raw else raw
        if seg in (".", "..") or any(c in seg for c in "/\\\x00"):
            return None
        out.append(seg)
    if any(s == "" for s in out[:-1]):  # `//` inside the path
        return None
    return out


def route(target: str, token: str | None) -> tuple[str, str | None, str] | None:
    """`("feed", owner | None, prefix)` or `("status", None, prefix)` for a request target, None for
    everything else (a wrong or missing token included). `prefix` is how the token was given, for links."""
    try:
        parts = urlsplit(target)
        segments = _segments(parts.path)
        query = parse_qs(parts.query, keep_blank_values=True, errors="strict")
    except (ValueError, UnicodeDecodeError):
        return None
    if segments is None:
        return None
    prefix = ""
    if token is not None:
        if segments and token_matches(segments[0], token) and len(segments) > 1:
            segments = segments[1:]
            prefix = "/" + quote(token, safe="")
        elif any(token_matches(value, token) for value in query.get("token", [])):
            prefix = "?"
        else:
            return None
    if segments == [""]:
        return ("status", None, prefix)
    if segments == ["feed.ics"]:
        return ("feed", None, prefix)
    if len(segments) == 2 and segments[0] == "feeds" and re.fullmatch(r".+\.ics", segments[1], re.S):
        return ("feed", segments[1][:-4], prefix)
    return None


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or any(t.removeprefix("W/") == etag for t in tags)


def respond(source: FeedSource, method: str, target: str, headers: Mapping[str, str], *,
            token: str | None = None) -> Response:
    """Answer one request. `headers` keys are matched case-insensitively."""
    if method not in ("GET", "HEAD"):
        return not_found()
    found = route(target, token)
    if found is None:
        return not_found()
    what, owner, prefix = found
    lower = {k.lower(): v for k, v in headers.items()}
    if what == "status":
        page = status_page(source.counts(), lower.get("host"), prefix, token)
        return Response(200, [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                              ("Content-Length", str(len(page)))], page, "/")
    doc = source.current(owner)
    if doc is None:
        return not_found()
    shown = "/feed.ics" if owner is None else "/feeds/OWNER.ics"
    modified = email.utils.format_datetime(doc.last_modified, usegmt=True)
    common = [("ETag", doc.etag), ("Last-Modified", modified), ("Cache-Control", "no-cache")]
    if "if-none-match" in lower:
        fresh = _etag_matches(lower["if-none-match"], doc.etag)
    else:
        fresh = _not_modified_since(lower.get("if-modified-since"), doc.last_modified)
    if fresh:
        return Response(304, common, b"", shown)
    return Response(200, [("Content-Type", CALENDAR_TYPE), ("Content-Length", str(len(doc.body))), *common],
                    doc.body, shown)


def _not_modified_since(header: str | None, last_modified: dt.datetime) -> bool:
    if not header:
        return False
    try:
        since = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.timezone.utc)
    return last_modified <= since


def status_page(counts: Counts, host: str | None, prefix: str, token: str | None) -> bytes:
    """A small page: counts (never a name) and how to subscribe."""
    host = host if host and re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host) else f"{DEFAULT_HOST}:{DEFAULT_PORT}"
    if prefix == "?":
        path = f"/feed.ics?token={quote(token or '', safe='')}"
    else:
        path = f"{prefix}/feed.ics"
    rows = [("People", counts.people), ("Organisations", counts.orgs), ("Interactions", counts.interactions),
            ("Events in the feed", counts.events), ("Notes with errors", counts.errors)]
    table = "\n".join(f"<tr><th>{label}</th><td>{n}</td></tr>" for label, n in rows)
    webcal = html.escape(f"webcal://{host}{path}")
    http_url = html.escape(f"http://{host}{path}")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
<title>reljournal feed</title></head>
<body>
<h1>reljournal feed</h1>
<p>As of {counts.today.isoformat()}.</p>
<table>
{table}
</table>
<h2>Subscribe</h2>
<p>In your calendar app, subscribe to <a href="{webcal}">{webcal}</a>
(or <code>{http_url}</code> where the app asks for an http address).
One owner's part: <code>/feeds/OWNER.ics</code> in place of <code>/feed.ics</code>.</p>
</body></html>
"""
    return page.encode("utf-8")


# ---- the server --------------------------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    """Does `host` (an address or a name) only ever mean this machine?"""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0]).is_loopback for info in infos)


def check_token(token: str | None) -> str | None:
    if token is None or token == "":
        return None
    if not TOKEN_CHARS.fullmatch(token):
        raise UserError("--token: use letters, digits and . _ ~ - only (it goes into URLs); for example "
                        "python3 -c 'import secrets; print(secrets.token_urlsafe(24))'", exit_code=2)
    return token


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A restart right after a stop must not wait for TIME_WAIT. Not on Windows: there SO_REUSEADDR lets
    # another program bind the same port while we hold it (Windows' own sockets never wait for TIME_WAIT).
    allow_reuse_address = os.name != "nt"

    def __init__(self, address: tuple[str, int], source: FeedSource, token: str | None,
                 log: Callable[[str], None]) -> None:
        self.source = source
        self.token = token
        self.log = log
        if ":" in address[0].strip("[]"):
            self.address_family = socket.AF_INET6
            address = (address[0].strip("[]"), address[1])
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "reljournal"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 15  # seconds a client may stall mid-request: a slow client never holds a thread for good

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (a malformed request line, headers too long) repeat the request line,
        token included: answer them with a bare status instead."""
        self.close_connection = True
        body = f"{code}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _answer(self) -> None:
        try:
            response = respond(self.server.source, self.command, self.path, dict(self.headers.items()),
                               token=self.server.token)
        except Exception as exc:  # a bug must not kill the server, nor leak a traceback to a client
            self.server.log(f"reljournal serve: error answering a request: {exc!r}")
            response = Response(500, [("Content-Type", "text/plain; charset=utf-8")], b"Internal error\n")
        self._route = response.route
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.header("Content-Length") is None and response.status != 304:
            self.send_header("Content-Length", str(len(response.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD" and response.status != 304:
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return self.server_version

    def __getattr__(self, name: str) -> Any:
        # Every method gets the same answer (`do_POST`, `do_PROPFIND`, ...): 404, not 501.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # Never the raw path: it may carry the token.
        self.server.log(f'{self.client_address[0]} "{self.command} {getattr(self, "_route", "-")}" {code}')

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the stdlib's name)
        # Only malformed requests get here (send_error); say so without echoing the request.
        self.server.log(f"{self.client_address[0]} bad request")


def make_server(source: FeedSource, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *,
                token: str | None = None, log: Callable[[str], None] | None = None) -> ThreadingHTTPServer:
    """Bind (not yet serve). A non-loopback host without a token is refused (exit 2); a port in use or
    any other bind failure is exit 1."""
    token = check_token(token)
    if token is None and not is_loopback(host):
        raise UserError(f"refusing to serve on {host} without a token: anyone who can reach it would read "
                        "your relationships; pass --token (or set RELJOURNAL_TOKEN), or bind 127.0.0.1",
                        exit_code=2)
    try:
        return _Server((host, port), source, token, log or (lambda m: print(m, file=sys.stderr, flush=True)))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"port {port} on {host} is in use; pick another with --port") from None
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def run(server: ThreadingHTTPServer, stop: threading.Event | None = None) -> None:
    """Serve until SIGINT or SIGTERM (or `stop` is set), then shut down cleanly."""
    with StopSignals(stop) as signals:
        worker = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        worker.start()
        try:
            signals.wait()
        finally:
            server.shutdown()
            server.server_close()
            worker.join(timeout=5)
