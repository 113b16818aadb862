"""`serve` (SPEC 5): routing, token, conditional requests, regeneration; a real socket; the command.

`respond()` is tested without a socket; the server tests bind 127.0.0.1 on a free port and always stop.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
from conftest import copy_vault, posix, signal_burst, write_note

from reljournal.errors import UserError
from reljournal.serve import FeedSource, Response, is_loopback, make_server, respond, route, run, token_matches

TODAY = "2026-03-15"
TOKEN = "s3cret-Token_42"
CLOCK = dt.datetime(2026, 3, 15, 8, 30, 5, tzinfo=dt.timezone.utc)


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    return copy_vault("feed", tmp_path)


@pytest.fixture
def source(vault: Path) -> Iterator[FeedSource]:
    src = FeedSource(vault, TODAY, clock=lambda: CLOCK)
    yield src
    src.close()


def get(source: FeedSource, target: str, token: str | None = None, method: str = "GET",
        **headers: str) -> Response:
    return respond(source, method, target, {k.replace("_", "-"): v for k, v in headers.items()}, token=token)


# ---- the feed ---------------------------------------------------------------------------------------------
def test_feed_with_headers(source: FeedSource) -> None:
    r = get(source, "/feed.ics")
    assert r.status == 200
    assert r.header("Content-Type") == "text/calendar; charset=utf-8"
    assert r.header("Last-Modified") == "Sun, 15 Mar 2026 08:30:05 GMT"
    assert (r.header("ETag") or "").startswith('"')
    assert r.header("Content-Length") == str(len(r.body))
    cal = icalendar.Calendar.from_ical(r.body)
    assert str(cal["X-WR-CALNAME"]) == "Test feed"


def test_head_is_get_without_a_body_in_the_handler(source: FeedSource) -> None:
    head, full = get(source, "/feed.ics", method="HEAD"), get(source, "/feed.ics")
    assert head.status == 200 and head.header("ETag") == full.header("ETag")


def test_304_on_a_matching_etag(source: FeedSource) -> None:
    etag = get(source, "/feed.ics").header("ETag")
    assert etag
    r = get(source, "/feed.ics", If_None_Match=etag)
    assert r.status == 304 and r.body == b"" and r.header("ETag") == etag
    assert get(source, "/feed.ics", If_None_Match=f'"other", W/{etag}').status == 304
    assert get(source, "/feed.ics", If_None_Match='"other"').status == 200


def test_304_on_if_modified_since(source: FeedSource) -> None:
    assert get(source, "/feed.ics", If_Modified_Since="Sun, 15 Mar 2026 08:30:05 GMT").status == 304
    assert get(source, "/feed.ics", If_Modified_Since="Sun, 15 Mar 2026 08:30:04 GMT").status == 200
    assert get(source, "/feed.ics", If_Modified_Since="garbage").status == 200


def test_owner_feeds(source: FeedSource) -> None:
    alice = get(source, "/feeds/alice.ics")
    assert alice.status == 200 and b"X-WR-CALNAME:Test feed (alice)" in alice.body
    assert get(source, "/feeds/ALICE.ics").body == alice.body
    assert get(source, "/feeds/zed.ics").status == 404


# ---- everything else is the same 404 --------------------------------------------------------------------
NOT_FEEDS = [
    "/feed", "/feed.ics/", "/Feed.ics", "/feeds/", "/feeds/.ics", "/feeds/alice", "/feeds/alice.ics/x",
    "/.reljournal/feed.ics", "/.reljournal.toml", "/people/Ada%20Obi.md", "/people/Ada Obi.md",
    "/../feed.ics", "/%2e%2e/.reljournal.toml", "/%2E%2E%2F.reljournal.toml", "/feeds/..%2f..%2fpeople%2fAda.ics",
    "/feeds/..%2F.reljournal.ics", "/feeds/%2e%2e.ics", "/%2e/feed.ics", "/.%2e/feed.ics", "//feed.ics",
    "/feeds//alice.ics", "/feed.ics%00", "/feeds/alice%00.ics", "/%ff.ics", "/feeds/%5c..%5cx.ics",
    "http://evil/feed.ics/../../etc/passwd", "/index.html", "/favicon.ico", "*",
]


@pytest.mark.parametrize("target", NOT_FEEDS)
def test_everything_else_is_404(source: FeedSource, target: str) -> None:
    r = get(source, target)
    assert (r.status, r.body) == (404, b"Not found\n")


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS", "PROPFIND", "TRACE"])
def test_only_get_and_head(source: FeedSource, method: str) -> None:
    assert get(source, "/feed.ics", method=method).status == 404


def test_percent_encoded_feed_path_is_the_feed(source: FeedSource) -> None:
    assert get(source, "/%66eed.ics").status == 200  # plain encoding of a legitimate name


# ---- the token ---------------------------------------------------------------------------------------------
def test_token_as_prefix_or_query(source: FeedSource) -> None:
    assert get(source, f"/{TOKEN}/feed.ics", TOKEN).status == 200
    assert get(source, f"/feed.ics?token={TOKEN}", TOKEN).status == 200
    assert get(source, f"/{TOKEN}/feeds/alice.ics", TOKEN).status == 200
    assert get(source, f"/feeds/bob.ics?x=1&token={TOKEN}", TOKEN).status == 200


@pytest.mark.parametrize("target", [
    "/feed.ics", "/wrong/feed.ics", "/feed.ics?token=wrong", f"/{TOKEN}x/feed.ics", f"/{TOKEN[:-1]}/feed.ics",
    f"/feed.ics?token={TOKEN}x", "/", f"/{TOKEN}", f"/{TOKEN}/feeds/zed.ics", f"/x/{TOKEN}/feed.ics",
    f"/{TOKEN}/{TOKEN}/feed.ics", f"/{TOKEN}/../feed.ics", f"/feed.ics?Token={TOKEN}",
])
def test_wrong_or_missing_token_is_404(source: FeedSource, target: str) -> None:
    r = get(source, target, TOKEN)
    assert (r.status, r.body) == (404, b"Not found\n")


def test_token_compare() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN + "x", TOKEN) and not token_matches("", TOKEN)
    assert not token_matches("\udcff", TOKEN)


def test_route() -> None:
    assert route("/feed.ics", None) == ("feed", None, "")
    assert route("/feeds/Alice%20Smith.ics", None) == ("feed", "Alice Smith", "")
    assert route(f"/{TOKEN}/", TOKEN) == ("status", None, f"/{TOKEN}")
    assert route(f"/?token={TOKEN}", TOKEN) == ("status", None, "?")


# ---- the status page ---------------------------------------------------------------------------------------
def test_status_page_counts_no_names(source: FeedSource) -> None:
    r = get(source, "/", Host="cal.example:8765")
    assert r.status == 200 and r.header("Content-Type") == "text/html; charset=utf-8"
    page = r.body.decode()
    assert "<tr><th>People</th><td>8</td></tr>" in page
    assert "<tr><th>Events in the feed</th><td>13</td></tr>" in page
    assert "webcal://cal.example:8765/feed.ics" in page
    for name in ("Ada", "Obi", "Lagos", "alice", "Test feed", "Efe"):
        assert name not in page


def test_status_page_behind_the_token(source: FeedSource) -> None:
    assert get(source, "/", TOKEN).status == 404
    page = get(source, f"/{TOKEN}/", TOKEN, Host="h:1").body.decode()
    assert f"webcal://h:1/{TOKEN}/feed.ics" in page
    page = get(source, f"/?token={TOKEN}", TOKEN, Host="h:1").body.decode()
    assert f"webcal://h:1/feed.ics?token={TOKEN}" in page


def test_status_page_ignores_a_hostile_host_header(source: FeedSource) -> None:
    page = get(source, "/", Host='"><script>x</script>').body.decode()
    assert "<script>" not in page and "webcal://127.0.0.1:8765/feed.ics" in page


# ---- regeneration ---------------------------------------------------------------------------------------------
def test_regenerates_when_the_vault_changes(source: FeedSource, vault: Path) -> None:
    first = get(source, "/feed.ics")
    assert get(source, "/feed.ics").body is first.body  # cached while nothing changed
    write_note(vault, "people/Zoe New.md", "---\ntype: person\ncadence: 1w\n---\n")
    second = get(source, "/feed.ics")
    assert b"Reach out: Zoe New" in second.body and second.header("ETag") != first.header("ETag")
    assert get(source, "/feed.ics", If_None_Match=first.header("ETag") or "").status == 200
    assert get(source, "/").body.count(b"<td>9</td>") == 1  # nine people now


def test_regenerates_when_the_date_rolls_over(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELJOURNAL_TODAY", "2026-03-15")
    src = FeedSource(vault, None, clock=lambda: CLOCK)
    try:
        assert b"DTSTAMP:20260315T000000Z" in get(src, "/feed.ics").body
        monkeypatch.setenv("RELJOURNAL_TODAY", "2026-03-16")
        assert b"DTSTAMP:20260316T000000Z" in get(src, "/feed.ics").body
    finally:
        src.close()


def test_settings_edited_into_an_error_keep_the_old(vault: Path) -> None:
    logged: list[str] = []
    src = FeedSource(vault, TODAY, clock=lambda: CLOCK, log=logged.append)
    try:
        before = get(src, "/feed.ics").body
        settings = vault / ".reljournal.toml"
        good = settings.read_text()
        settings.write_text(good + "\n[feed]\nbogus = 1\n")
        assert get(src, "/feed.ics").body == before
        assert get(src, "/feed.ics").body == before
        assert len(logged) == 1 and ".reljournal.toml" in logged[0]
        settings.write_text(good.replace('name = "Test feed"', 'name = "Renamed"'))
        assert b"X-WR-CALNAME:Renamed" in get(src, "/feed.ics").body
    finally:
        src.close()


# ---- binding -------------------------------------------------------------------------------------------------
def test_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1") and not is_loopback("::")


def test_refuses_a_public_host_without_a_token(source: FeedSource) -> None:
    with pytest.raises(UserError) as err:
        make_server(source, "0.0.0.0", 0)
    assert err.value.exit_code == 2 and "token" in err.value.message


def test_a_public_host_with_a_token_passes_the_check(source: FeedSource) -> None:
    # 192.0.2.1 (TEST-NET-1) is not ours to bind: past the token check, the bind itself fails (exit 1)
    with pytest.raises(UserError) as err:
        make_server(source, "192.0.2.1", 0, token=TOKEN)
    assert err.value.exit_code == 1 and "cannot listen" in err.value.message


def test_bad_token_characters(source: FeedSource) -> None:
    with pytest.raises(UserError) as err:
        make_server(source, "127.0.0.1", 0, token="a/b")
    assert err.value.exit_code == 2


def test_port_in_use(source: FeedSource) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        with pytest.raises(UserError) as err:
            make_server(source, "127.0.0.1", busy.getsockname()[1])
    assert err.value.exit_code == 1 and "in use" in err.value.message


# ---- a real socket ----------------------------------------------------------------------------------------------
@pytest.fixture
def served(source: FeedSource) -> Iterator[tuple[int, list[str]]]:
    logged: list[str] = []
    server = make_server(source, "127.0.0.1", 0, token=TOKEN, log=logged.append)
    stop = threading.Event()
    thread = threading.Thread(target=run, args=(server, stop), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], logged
    finally:
        stop.set()
        thread.join(timeout=10)
        assert not thread.is_alive()


def fetch(port: int, target: str, method: str = "GET", headers: dict[str, str] | None = None,
          ) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, target, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def test_over_a_socket(served: tuple[int, list[str]]) -> None:
    port, logged = served
    status, headers, body = fetch(port, f"/{TOKEN}/feed.ics")
    assert status == 200 and headers["content-type"] == "text/calendar; charset=utf-8"
    assert int(headers["content-length"]) == len(body) and body.startswith(b"BEGIN:VCALENDAR\r\n")
    status, head_headers, head_body = fetch(port, f"/{TOKEN}/feed.ics", "HEAD")
    assert status == 200 and head_body == b"" and head_headers["etag"] == headers["etag"]
    assert fetch(port, f"/{TOKEN}/feed.ics", headers={"If-None-Match": headers["etag"]})[:1] == (304,)
    assert fetch(port, "/feed.ics")[0] == 404
    assert fetch(port, f"/{TOKEN}/%2e%2e/.reljournal.toml")[0] == 404
    assert fetch(port, f"/{TOKEN}/feed.ics", "POST")[0] == 404
    assert fetch(port, f"/{TOKEN}/feed.ics", "BREW")[0] == 404
    assert logged and all(TOKEN not in line for line in logged)
    assert '127.0.0.1 "GET /feed.ics" 200' in logged


def test_raw_traversal_over_a_socket(served: tuple[int, list[str]]) -> None:
    port, _ = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(f"GET /{TOKEN}/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 404 ") and b"root:" not in data


def test_concurrent_requests(served: tuple[int, list[str]]) -> None:
    port, _ = served
    results: list[int] = []
    def one() -> None:
        results.append(fetch(port, f"/{TOKEN}/feed.ics")[0])
    threads = [threading.Thread(target=one) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert results == [200] * 8


# ---- the command ----------------------------------------------------------------------------------------------
def start_serve(vault: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], int]:
    e = dict(os.environ, **(env or {}))
    e.pop("RELJOURNAL_TODAY", None)
    proc = subprocess.Popen([sys.executable, "-m", "reljournal", "--vault", str(vault), "--today", TODAY, "serve",
                             "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("Serving http://"):
        proc.kill()
        raise AssertionError(f"serve said {line!r}: {proc.communicate(timeout=10)}")
    port = int(line.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    return proc, port


@posix
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, "burst"])
def test_command_exits_0_on_signal(vault: Path, sig: int | str) -> None:
    """One signal, or a burst of both: two close together used to hang the server for good (three rounds of
    them, reljournal/stopsignal.py)."""
    for _ in range(3 if sig == "burst" else 1):
        proc, port = start_serve(vault)
        try:
            assert fetch(port, "/feed.ics")[0] == 200
            if isinstance(sig, int):
                proc.send_signal(sig)
            else:
                assert signal_burst(proc.pid) >= 2
            assert proc.wait(timeout=15) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            proc.communicate(timeout=10)


def test_command_takes_the_token_from_the_environment(vault: Path) -> None:
    proc, port = start_serve(vault, "--host", "127.0.0.1", env={"RELJOURNAL_TOKEN": TOKEN})
    try:
        assert fetch(port, "/feed.ics")[0] == 404
        assert fetch(port, f"/{TOKEN}/feed.ics")[0] == 200
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0
        out, _ = proc.communicate(timeout=10)
    assert TOKEN not in out


def test_command_refuses_a_public_host(vault: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "reljournal", "--vault", str(vault), "serve", "--host", "0.0.0.0",
                        "--port", "0"], capture_output=True, text=True, timeout=30,
                       env={k: v for k, v in os.environ.items() if k != "RELJOURNAL_TOKEN"})
    assert p.returncode == 2 and "refusing to serve on 0.0.0.0 without a token" in p.stderr


def test_command_port_in_use(vault: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        p = subprocess.run([sys.executable, "-m", "reljournal", "--vault", str(vault), "serve", "--port", str(port)],
                           capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and f"port {port} on 127.0.0.1 is in use" in p.stderr


def test_serve_help_has_an_example() -> None:
    from click.testing import CliRunner

    from reljournal.cli import cli
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and "RELJOURNAL_TOKEN" in result.output



# ---- docs kept honest ---------------------------------------------------------------------------------------
def test_systemd_unit_runs_a_valid_serve_command() -> None:
    import configparser
    import shlex

    from reljournal.cli.serve import command
    docs = Path(__file__).parent.parent / "docs"
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(docs / "reljournal-serve.service")
    args = shlex.split(unit["Service"]["ExecStart"])
    assert args[0].endswith("/reljournal") and args[1] == "serve"
    ctx = command.make_context("serve", args[2:])
    assert ctx.params["host"] == "127.0.0.1" and ctx.params["port"] == 8765
    assert "reljournal-serve.service" in (docs / "calendar.md").read_text()


def test_with_a_watcher_only_invalidate_triggers_a_sync(vault: Path) -> None:
    src = FeedSource(vault, TODAY, clock=lambda: CLOCK, sync_on_request=False)
    try:
        first = get(src, "/feed.ics").body
        write_note(vault, "people/Zoe New.md", "---\ntype: person\ncadence: 1w\n---\n")
        assert get(src, "/feed.ics").body == first  # the watcher has not said anything yet
        src.invalidate()
        assert b"Reach out: Zoe New" in get(src, "/feed.ics").body
    finally:
        src.close()


def test_the_server_remembers_a_bounded_number_of_feeds(vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each feed's first serving time is its Last-Modified; a feed that goes back to bytes it had keeps it,
    and a server whose feed never repeats remembers at most FIRST_SEEN_KEPT of them."""
    from reljournal import serve

    monkeypatch.setattr(serve, "FIRST_SEEN_KEPT", 3)
    clock = [CLOCK]
    src = FeedSource(vault, TODAY, clock=lambda: clock[0])
    try:
        person = vault / "people" / "Ada Obi.md"
        original = person.read_text(encoding="utf-8")
        first = get(src, "/feed.ics").header("Last-Modified")
        for n in range(6):
            clock[0] += dt.timedelta(hours=1)
            person.write_text(original.replace("role: ", f"role: R{n} "), encoding="utf-8")
            os.utime(person, (1_800_000_000 + n, 1_800_000_000 + n))
            src.invalidate()
            assert get(src, "/feed.ics").status == 200
            assert len(src._first_seen) <= 3
        clock[0] += dt.timedelta(hours=1)
        person.write_text(original.replace("role: ", "role: R5 "), encoding="utf-8")
        os.utime(person, (1_800_000_100, 1_800_000_100))
        src.invalidate()
        assert get(src, "/feed.ics").header("Last-Modified") == "Sun, 15 Mar 2026 14:30:05 GMT"  # R5's, kept
        assert first == "Sun, 15 Mar 2026 08:30:05 GMT"
    finally:
        src.close()
