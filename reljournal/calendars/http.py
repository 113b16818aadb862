"""HTTP for calendar URLs (SPEC 7), standard library only; and, for CalDAV too (SPEC 8), what a status or
a network failure means to the user (`status_message`, `network_message`).

Polite (conditional requests with `If-None-Match` / `If-Modified-Since`, a user agent that says who we
are), bounded (a timeout on every wait, a size cap, a limited number of redirects) and discreet: a URL
may be a secret (Google's "secret address", an Outlook published link), so nothing here ever puts more
than its host in a message (`host_of`). Every failure is an `HttpError` with one line that says what to do.
"""

from __future__ import annotations

import base64
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from reljournal import __version__

USER_AGENT = f"reljournal/{__version__} (+https://pypi.org/project/reljournal/)"
TIMEOUT = 30.0  # seconds for each wait: the connection, and then each read
MAX_BYTES = 50 * 2**20
MAX_REDIRECTS = 5
_CHUNK = 1 << 16


class HttpError(Exception):
    """One line for the user, naming the host only."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int  # 200, or 304 when the validators sent still hold (then `body` is empty)
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""


@dataclass(frozen=True)
class Validators:
    """What a previous response said, for a conditional request."""

    etag: str | None = None
    last_modified: str | None = None


def https_of(url: str) -> str:
    """`webcal://` is `https://` (as every calendar app reads it)."""
    scheme, rest = url.split(":", 1) if ":" in url else ("", url)
    return "https:" + rest if scheme.casefold() in ("webcal", "webcals") else url


def host_of(url: str) -> str:
    """All of a URL that may be shown: its host (no user, no path, no query: those can be secrets)."""
    try:
        host = urllib.parse.urlsplit(https_of(url)).hostname
    except ValueError:
        host = None
    return host or "the calendar's address"


def is_url(text: str) -> bool:
    return text.split(":", 1)[0].casefold() in ("http", "https", "webcal", "webcals") and "://" in text


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are followed by `get` itself, so that each hop is counted, checked and kept discreet."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:  # type: ignore[override]
        return None


@dataclass
class _Deadline:
    seconds: float
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        return self.seconds - (time.monotonic() - self.start)


def get(url: str, validators: Validators = Validators(), *, timeout: float = TIMEOUT,
        max_bytes: int = MAX_BYTES) -> Response:
    """GET `url` (webcal:// as https://), following redirects; 304 when `validators` still hold. Raises
    `HttpError` for anything but a 200 or a 304, naming only the host."""
    target = https_of(url)
    host = host_of(url)
    opener = urllib.request.build_opener(_NoRedirect)
    deadline = _Deadline(timeout * 4)  # the whole exchange, redirects included
    for _ in range(MAX_REDIRECTS + 1):
        request = _request(target, validators)
        try:
            reply = opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as exc:
            if exc.code in (301, 302, 303, 307, 308) and exc.headers.get("Location"):
                target = urllib.parse.urljoin(target, exc.headers["Location"])
                if urllib.parse.urlsplit(target).scheme not in ("http", "https"):
                    raise HttpError(f"{host}: redirected to something that is not a web address") from None
                exc.close()
                continue
            if exc.code == 304:
                exc.close()
                return Response(304, etag=validators.etag, last_modified=validators.last_modified)
            exc.close()
            raise HttpError(status_message(host, exc.code), exc.code) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise HttpError(network_message(host, exc)) from None
        with reply:
            body = _read(reply, host, max_bytes, timeout, deadline)
            headers = reply.headers
            return Response(reply.status, body, headers.get("ETag"), headers.get("Last-Modified"),
                            headers.get("Content-Type", ""))
    raise HttpError(f"{host}: more than {MAX_REDIRECTS} redirects; check the address")


def _request(url: str, validators: Validators) -> urllib.request.Request:
    parts = urllib.parse.urlsplit(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if parts.username is not None:  # https://user:password@host/...: Basic authentication, not in the URL
        pair = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        url = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    if validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return urllib.request.Request(url, headers=headers)


def _read(reply: object, host: str, max_bytes: int, timeout: float, deadline: _Deadline) -> bytes:
    length = getattr(reply, "headers").get("Content-Length")  # noqa: B009
    if length and length.isdigit() and int(length) > max_bytes:
        raise HttpError(f"{host}: the calendar is larger than {_size(max_bytes)}; not read")
    chunks: list[bytes] = []
    total = 0
    while True:
        if deadline.left() <= 0:
            raise HttpError(f"{host}: no complete answer within {int(deadline.seconds)} s; try again later")
        try:
            chunk = getattr(reply, "read")(_CHUNK)  # noqa: B009
        except (OSError, ValueError) as exc:
            raise HttpError(network_message(host, exc)) from None
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise HttpError(f"{host}: the calendar is larger than {_size(max_bytes)}; not read")
        chunks.append(chunk)


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 1024} KB"


def status_message(host: str, code: int) -> str:
    """What an HTTP status means to the user, naming the host only."""
    if code in (401, 403):
        return f"{host}: access refused ({code}); the address may have been reset: copy it again"
    if code in (404, 410):
        return f"{host}: no calendar at this address ({code}); it may have been deleted or reset"
    if code == 429:
        return f"{host}: too many requests (429); try again later"
    if code >= 500:
        return f"{host}: the server failed ({code}); try again later"
    return f"{host}: the server answered {code}, not a calendar"


def network_message(host: str, exc: BaseException) -> str:
    """A connection that failed (timeout, TLS, DNS, refused), naming the host only. The cause is looked for
    along the exception's chain: urllib and niquests (the CalDAV client's) wrap the socket's own error."""
    reason = _cause(exc)
    text = str(reason).casefold()
    if isinstance(reason, (socket.timeout, TimeoutError)) or "timed out" in text or "timeout" in text:
        return f"{host}: no answer within the time allowed; check the connection, or try again later"
    if isinstance(reason, ssl.SSLError):
        return f"{host}: the secure connection failed (TLS: {getattr(reason, 'reason', None) or 'error'})"
    if isinstance(reason, socket.gaierror) or "name or service not known" in text or "getaddrinfo" in text \
            or "nodename nor servname" in text or "name resolution" in text:
        return f"{host}: unknown host; check the address and the connection"
    if isinstance(reason, ConnectionRefusedError) or "connection refused" in text or "refused" in text:
        return f"{host}: the connection was refused"
    return f"{host}: cannot be reached ({type(reason).__name__})"


def _cause(exc: BaseException) -> BaseException:
    """The most telling error in `exc`'s chain: a socket's or TLS's own, else the innermost."""
    seen: list[BaseException] = []
    current: BaseException | None = getattr(exc, "reason", None) if isinstance(getattr(exc, "reason", None),
                                                                              BaseException) else exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        if isinstance(current, (socket.gaierror, ssl.SSLError, ConnectionRefusedError, socket.timeout, TimeoutError)):
            return current
        current = current.__cause__ or current.__context__
    return seen[-1] if seen else exc
