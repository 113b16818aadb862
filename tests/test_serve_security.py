"""`reljournal serve` under attack, over real sockets on 127.0.0.1: traversal, tokens, methods, huge headers,
slow clients, a small load test, private notes, and the constant-time token comparison.

Every note and file of the test vault carries SECRETMARK where no detail level ever publishes it (a YAML
comment, the settings file, a file that is not a note, .git): no response may ever contain it.
"""

from __future__ import annotations

import ast
import http.client
import importlib.util
import inspect
import shutil
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import VAULTS, serving

from reljournal import serve

TOKEN = "s3cret-Token_1"
TODAY = "2026-03-15"
MARK = b"SECRETMARK"
SLOW_CLIENT_SECONDS = 20  # a stalled client must be dropped within this


def _load_benchmark() -> Any:
    path = Path(__file__).parent.parent / "benchmarks" / "load_serve.py"
    spec = importlib.util.spec_from_file_location("rj_load_serve", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("serve-sec") / "good"
    shutil.copytree(VAULTS / "good", root)
    for note in root.rglob("*.md"):
        text = note.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            note.write_text(text.replace("---\n", f"---\n# {MARK.decode()} {note.name}\n", 1), encoding="utf-8")
    settings = root / ".reljournal.toml"
    old = settings.read_text(encoding="utf-8") if settings.exists() else ""
    settings.write_text(f"# {MARK.decode()} settings\n" + old, encoding="utf-8")
    (root / "secret.txt").write_text(f"{MARK.decode()} not a note\n", encoding="utf-8")
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "config").write_text(f"[remote] {MARK.decode()}\n", encoding="utf-8")
    # a private person owned by alice, at a meeting with Jane Doe: Eve must never show
    (root / "people" / "Zed Hidden.md").write_text(
        f"---\n# {MARK.decode()}\ntype: person\nowner: alice\ncadence: 1w\ntags: [private]\n---\n", encoding="utf-8")
    (root / "interactions" / "2026" / "2026-03-16 Lunch with Jane and Zed.md").write_text(
        '---\ntype: interaction\ndate: 2026-03-16\nwith: ["[[Jane Doe]]", "[[Zed Hidden]]"]\nkind: lunch\n---\n',
        encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def server(vault: Path) -> Iterator[int]:
    with serving(vault, token=TOKEN, today=TODAY) as port:
        yield port


def raw(port: int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send raw bytes, read until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks) and _complete(b"".join(chunks)):
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return True


def status_of(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def get(port: int, target: str, method: str = "GET", **headers: str) -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
    return raw(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))


def assert_plain_404(response: bytes) -> None:
    assert status_of(response) == 404, response[:300]
    assert response.endswith(b"\r\n\r\nNot found\n"), response[-300:]
    assert MARK not in response and b"BEGIN:VCALENDAR" not in response


def assert_refused(response: bytes) -> None:
    """404 for a well-formed request; a request line that is not HTTP (a raw space, a raw backslash...) may
    get http.server's 400 instead. Either way: no file's bytes, no feed."""
    if status_of(response) == 400:
        assert MARK not in response and b"BEGIN:VCALENDAR" not in response
        return
    assert_plain_404(response)


# ---- traversal ---------------------------------------------------------------------------------------------
T = f"/{TOKEN}"
TRAVERSAL = [
    f"{T}/../.reljournal.toml", f"{T}/%2e%2e/.reljournal.toml", f"{T}/%2E%2E/%2E%2E/etc/passwd",
    f"{T}/%252e%252e/.reljournal.toml", f"{T}/%25252e%25252e/secret.txt", f"{T}/..%2f..%2fsecret.txt",
    f"{T}/..%5c..%5csecret.txt", f"{T}/..\\..\\secret.txt", f"{T}/\\secret.txt", f"{T}/people/Jane%20Doe.md",
    f"{T}/people/Jane Doe.md", f"{T}/secret.txt", f"{T}/.git/config", f"{T}/.reljournal/index.sqlite",
    f"{T}/.reljournal/feed.ics", f"{T}/.reljournal.toml", f"{T}/feeds/..%2f..%2fsecret.txt",
    f"{T}/feeds/../feed.ics", f"{T}/feeds/..%2ffeed.ics", f"{T}/feeds/%2e%2e.ics", f"{T}/feeds/...ics",
    f"{T}/feeds/..%5Csecret.txt.ics", f"{T}/feeds/alice.ics/../../secret.txt", f"{T}/feeds/alice/..%2f..ics",
    f"{T}/./feed.ics", f"{T}//feed.ics", f"{T}/feed.ics/../secret.txt", f"{T}/feed.ics%00.md",
    f"{T}/feed.ics%2f..%2fsecret.txt", f"{T}/%c0%ae%c0%ae/secret.txt", f"{T}/%uff0e%uff0e/secret.txt",
    f"{T}/\uff0e\uff0e/secret.txt".encode().decode("latin-1"), "/etc/passwd", "//etc/passwd",
    f"/{TOKEN}/../{TOKEN}/feed.ics", f"/..%2f{TOKEN}/feed.ics", f"{T}/feed.ics/", f"{T}/FEED.ICS",
    f"{T}/feeds/", f"{T}/feeds/.ics", f"{T}/feeds/nobody.ics", f"{T}/feeds/Alice%2f..%2f..%2fsecret.ics",
    f"{T}{Path.cwd()}/secret.txt", "file:///etc/passwd", f"http://127.0.0.1{T}/../secret.txt",
    f"{T}/feed.ics;.md", "*",
]


@pytest.mark.parametrize("target", TRAVERSAL)
def test_traversal_is_404_and_never_a_file(server: int, target: str) -> None:
    assert_refused(get(server, target))


def test_the_feed_itself_is_served(server: int) -> None:
    """The control: the same server answers the real paths, so the 404s above are not a dead server."""
    for target in (f"{T}/feed.ics", f"/feed.ics?token={TOKEN}", f"http://127.0.0.1{T}/feed.ics",
                   f"{T}/feeds/alice.ics"):
        response = get(server, target)
        assert status_of(response) == 200, (target, response[:200])
        assert b"BEGIN:VCALENDAR" in response and MARK not in response


# ---- tokens ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target", [
    "/feed.ics", "/", "/feeds/alice.ics", "/wrong/feed.ics", "/feed.ics?token=wrong", "/feed.ics?token=",
    f"/{TOKEN.upper()}/feed.ics", f"/{TOKEN}x/feed.ics", f"/{TOKEN[:-1]}/feed.ics", f"/x{TOKEN}/feed.ics",
    f"/{TOKEN}%20/feed.ics", f"/{TOKEN}%00/feed.ics", f"/feed.ics?TOKEN={TOKEN}", f"/feed.ics?tok={TOKEN}",
    f"/{TOKEN}", f"/feed.ics?token={TOKEN[:-1]}", "/feed.ics?token[]=x", f"/feed.ics?token=%ff{TOKEN}",
])
def test_wrong_or_missing_token_is_404(server: int, target: str) -> None:
    assert_plain_404(get(server, target))


def test_a_token_in_a_header_is_not_a_token(server: int) -> None:
    assert_plain_404(get(server, "/feed.ics", Authorization=f"Bearer {TOKEN}", Cookie=f"token={TOKEN}"))


# ---- methods -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "PROPFIND", "CONNECT",
                                    "MKCOL", "FOO", "get", "G-E-T", "X" * 200])
def test_other_methods_are_refused_without_revealing_anything(server: int, method: str) -> None:
    for target in (f"{T}/feed.ics", f"{T}/", "/secret.txt"):
        response = get(server, target, method=method)
        assert status_of(response) in (400, 404, 405, 501), response[:200]
        assert MARK not in response and b"BEGIN:VCALENDAR" not in response
        assert TOKEN.encode() not in response, "the token must not be echoed back"
        assert b"Python" not in response and b"Traceback" not in response


@pytest.mark.parametrize("request_bytes", [
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(64) + b"\r\n\r\n",  # a TLS ClientHello
    b"GARBAGE\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1 extra\r\n\r\n",
    b"\x00\x01\x02\r\n\r\n", b"GET " + T.encode() + b"/feed.ics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET " + T.encode() + b"/feed.ics HTTP/1.0\r\n\xff\xfe: \xff\r\n\r\n",
])
def test_garbage_requests_get_no_secrets(server: int, request_bytes: bytes) -> None:
    response = raw(server, request_bytes)
    assert MARK not in response and b"Traceback" not in response
    assert b"Python/" not in response  # no version banner
    assert get(server, f"{T}/feed.ics").startswith(b"HTTP/1.1 200")  # and the server lives on


def test_no_version_banner(server: int) -> None:
    response = get(server, "/nothing")
    server_header = [line for line in response.split(b"\r\n") if line.lower().startswith(b"server:")]
    assert server_header == [b"Server: reljournal"]


# ---- huge headers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["long-line", "many-headers", "long-request-line", "long-header-total"])
def test_huge_headers_are_refused_and_the_server_lives_on(server: int, what: str) -> None:
    target = f"{T}/feed.ics"
    if what == "long-line":
        request = f"GET {target} HTTP/1.1\r\nHost: x\r\nX-Big: {'a' * 100_000}\r\n\r\n".encode()
    elif what == "many-headers":
        request = (f"GET {target} HTTP/1.1\r\n" + "".join(f"X-H{i}: v\r\n" for i in range(500)) + "\r\n").encode()
    elif what == "long-request-line":
        request = f"GET {target}?{'a' * 100_000} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    else:
        request = (f"GET {target} HTTP/1.1\r\n" + "".join(f"X-H{i}: {'b' * 8000}\r\n" for i in range(90))
                   + "\r\n").encode()
    started = time.monotonic()
    response = raw(server, request)
    assert time.monotonic() - started < 10
    if what == "long-header-total":  # 720 kB in 90 lines, each under http.server's 64 kB: may be served
        assert status_of(response) in (200, 400, 431), response[:200]
    else:
        assert status_of(response) in (400, 414, 431), response[:200]
        assert b"BEGIN:VCALENDAR" not in response
    assert MARK not in response
    assert get(server, target).startswith(b"HTTP/1.1 200")


# ---- slow clients ----------------------------------------------------------------------------------------
def test_stalled_clients_do_not_block_others(server: int) -> None:
    stalled = []
    try:
        for _ in range(16):
            sock = socket.create_connection(("127.0.0.1", server), timeout=5)
            sock.sendall(f"GET {T}/fe".encode())  # half a request line, then nothing
            stalled.append(sock)
        idle = socket.create_connection(("127.0.0.1", server), timeout=5)  # connects, says nothing
        stalled.append(idle)
        started = time.monotonic()
        assert get(server, f"{T}/feed.ics").startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 5
    finally:
        for sock in stalled:
            sock.close()


@pytest.mark.slow  # 15 s: the server's own timeout (`pytest -m slow`, which .ci/run runs too)
def test_a_stalled_client_is_dropped_after_a_timeout(server: int) -> None:
    """Slowloris: a client that sends half a request and stalls must not hold a thread forever."""
    with socket.create_connection(("127.0.0.1", server), timeout=SLOW_CLIENT_SECONDS + 5) as sock:
        sock.sendall(f"GET {T}/feed.ics HTTP/1.1\r\nHost: x\r\n".encode())  # headers never end
        started = time.monotonic()
        try:
            data = sock.recv(4096)
        except TimeoutError:
            data = None
        waited = time.monotonic() - started
    assert data is not None, f"the server still held the connection after {waited:.0f} s"
    assert MARK not in data and waited <= SLOW_CLIENT_SECONDS + 1


# ---- private notes ----------------------------------------------------------------------------------------
def test_feed_responses_never_include_private_notes(server: int) -> None:
    owners = ["alice", "bob", "Alice"]
    for target in [f"{T}/feed.ics", f"/feed.ics?token={TOKEN}", f"{T}/", *(f"{T}/feeds/{o}.ics" for o in owners)]:
        response = get(server, target)
        assert status_of(response) in (200, 404), target
        for secret in (b"Eve Private", b"Zed Hidden", b"Zed", MARK):
            assert secret not in response, (target, secret)
    feed = get(server, f"{T}/feed.ics")
    assert b"Jane Doe" in feed  # the lunch with Jane (and Zed) is there, without Zed


# ---- load -------------------------------------------------------------------------------------------------
def test_a_small_load_on_loopback(server: int) -> None:
    bench = _load_benchmark()
    result, seconds = bench.load(server, f"{T}/feed.ics", 200, 4)
    print(bench.report(result, seconds))
    assert result.errors == []
    assert len(result.latencies) == 200


# ---- the token comparison ------------------------------------------------------------------------------
def test_the_token_is_only_ever_compared_in_constant_time() -> None:
    source = inspect.getsource(serve)
    assert "hmac.compare_digest" in inspect.getsource(serve.token_matches)
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            compares_token = any("token" in name.lower() for name in names)
            only_identity = all(isinstance(op, (ast.Is, ast.IsNot)) for op in node.ops)
            # `token == ""` checks the configured token, against a constant: nothing an attacker sends
            with_a_constant = any(isinstance(side, ast.Constant) for side in (node.left, *node.comparators))
            assert not compares_token or only_identity or with_a_constant, f"line {node.lineno}: {ast.unparse(node)}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in (
                "startswith", "endswith", "find", "index"):
            args = {n.id for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)}
            assert not any("token" in a.lower() for a in args), f"line {node.lineno}: {ast.unparse(node)}"


def test_token_matches_takes_about_the_same_time_whatever_the_guess() -> None:
    """A coarse timing check on top of reading the code: a right first character buys no time."""
    token = "k" * 32
    guesses = ["k" * 31 + "x", "x" * 32, "k", "x" * 4096]

    def cost(guess: str) -> float:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(2000):
                serve.token_matches(guess, token)
            best = min(best, time.perf_counter() - started)
        return best

    near, far = cost(guesses[0]), cost(guesses[1])
    assert near < far * 3 and far < near * 3


def test_http_client_sees_404_for_a_wrong_token(server: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    try:
        conn.request("GET", "/not-the-token/feed.ics")
        response = conn.getresponse()
        assert response.status == 404 and response.read() == b"Not found\n"
    finally:
        conn.close()
