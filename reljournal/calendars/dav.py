"""CalDAV, the few requests `sync` needs (SPEC 8), through the `caldav` library's client (its HTTP session,
authentication and TLS), with the headers written here where the library has no method for them
(`If-None-Match: *`, `If-Match`).

- `collection`: the calendar to use: `url` itself, or the calendar called `calendar` in the user's
  calendar home (made with MKCALENDAR when missing).
- `changes`: what changed in the collection since a sync token (RFC 6578 `sync-collection`): one request
  when nothing did. A server without it, or a token it no longer knows, gets a full listing (`etags`).
- `fetch` (calendar-multiget), `put` (create only, or replace only what was seen), `delete`.

Every failure is a `DavError` with one line naming the server's host only. `requests` counts what was
sent (the benchmark's figure).
"""

from __future__ import annotations

import hashlib
import urllib.parse
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from reljournal.calendars.http import TIMEOUT, USER_AGENT, HttpError, host_of, network_message, status_message

DAV, CALDAV, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
XML = "application/xml; charset=utf-8"
ITEM_PREFIX = "rj-"  # the names of the items reljournal makes: only those are ever changed or deleted


class DavError(HttpError):
    """An `HttpError` of a CalDAV request: one line naming the host only, with the status when there was one."""


@dataclass(frozen=True)
class Changes:
    token: str | None  # the collection's sync token now (None: the server has none)
    etags: dict[str, str]  # href -> ETag of the items changed (or all items, after a full listing)
    gone: frozenset[str]  # hrefs removed since the token
    full: bool  # `etags` lists every item (no token, or the server would not say what changed)


def item_href(collection: str, uid: str) -> str:
    """Where the item of `uid` lives: a name of our own, from its UID (UIDs may hold any character)."""
    return collection + ITEM_PREFIX + hashlib.sha256(uid.encode()).hexdigest()[:32] + ".ics"


def is_ours(href: str) -> bool:
    return href.rsplit("/", 1)[-1].startswith(ITEM_PREFIX)


class Dav:
    def __init__(self, url: str, username: str | None, password: str | None, *, timeout: float = TIMEOUT,
                 auth: str | None = None) -> None:
        """`auth`: the scheme the server asked for last time (`basic`, `digest`), so that the first request
        carries it instead of learning it from a 401."""
        from caldav.davclient import DAVClient

        self.host = host_of(url)
        self.requests = 0  # HTTP exchanges, a 401 that negotiates the scheme included
        self.client = DAVClient(url, username=username, password=password, timeout=int(timeout),
                                headers={"User-Agent": USER_AGENT}, require_tls=False, enable_rfc6764=False,
                                auth_type=auth if auth in ("basic", "digest") and password else None)
        self.client.session.hooks["response"].append(self._count)

    def _count(self, response: Any, **_: Any) -> Any:
        self.requests += 1
        return response

    @property
    def auth(self) -> str | None:
        """The scheme in use now (to remember for the next sync)."""
        name = type(self.client.auth).__name__.casefold() if self.client.auth is not None else ""
        return "basic" if "basic" in name else "digest" if "digest" in name else None

    # ---- one request ----------------------------------------------------------------------------------
    def request(self, method: str, url: str, body: str = "", headers: dict[str, str] | None = None,
                ok: tuple[int, ...] = (200, 201, 204, 207)) -> Any:
        """One request; a status outside `ok` (and 412, 404, which callers ask for) is a `DavError`."""
        import caldav.lib.error as errors

        reply: Any = None
        try:
            reply = self.client.request(url, method, body, headers or {})
            status = reply.status
        except errors.AuthorizationError:
            raise DavError(status_message(self.host, 401), 401) from None
        except errors.NotFoundError:
            status = 404
        except errors.DAVError as exc:
            raise DavError(f"{self.host}: the server refused the request ({type(exc).__name__})") from None
        except Exception as exc:  # noqa: BLE001 - niquests' connection, timeout and TLS errors, and friends
            raise DavError(network_message(self.host, exc)) from None
        if status in ok:
            return reply
        raise DavError(status_message(self.host, status) if status not in (404, 412) else
                       f"{self.host}: {'no such calendar or item' if status == 404 else 'changed meanwhile'} "
                       f"({status})", status)

    def _propfind(self, url: str, props: str, depth: str) -> ET.Element:
        body = (f'<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:" xmlns:c="{CALDAV}" '
                f'xmlns:cs="{CS}"><d:prop>{props}</d:prop></d:propfind>')
        reply = self.request("PROPFIND", url, body, {"Depth": depth, "Content-Type": XML})
        return _xml(reply, self.host)

    # ---- the collection ---------------------------------------------------------------------------------
    def collection(self, url: str, name: str | None, *, create: bool = True) -> str:
        """The calendar collection's URL (ending in `/`): `url` when `name` is None (made when missing),
        else the calendar of that name in the principal's calendar home."""
        if name is None:
            target = url if url.endswith("/") else url + "/"
            try:
                root = self._propfind(target, "<d:resourcetype/>", "0")
            except DavError as exc:
                if exc.status == 404 and create:
                    self.mkcalendar(target, None)
                    return target
                raise
            if root.find(f".//{{{DAV}}}resourcetype/{{{CALDAV}}}calendar") is None:
                raise DavError(f"{self.host}: this address is not a calendar; give the calendar's own address, "
                               "or the server's with `calendar = \"NAME\"`")
            return target
        home = self._home(url)
        listing = self._propfind(home, "<d:resourcetype/><d:displayname/>", "1")
        for response in listing.iter(f"{{{DAV}}}response"):
            href = response.findtext(f"{{{DAV}}}href") or ""
            shown = response.findtext(f".//{{{DAV}}}displayname") or ""
            if response.find(f".//{{{CALDAV}}}calendar") is not None and shown.strip() == name:
                return urllib.parse.urljoin(home, href if href.endswith("/") else href + "/")
        if not create:
            raise DavError(f"{self.host}: no calendar called {name!r}")
        target = urllib.parse.urljoin(home, ITEM_PREFIX + hashlib.sha256(name.encode()).hexdigest()[:16] + "/")
        self.mkcalendar(target, name)
        return target

    def _home(self, url: str) -> str:
        principal = self._propfind(url, "<d:current-user-principal/>", "0")
        href = principal.findtext(f".//{{{DAV}}}current-user-principal/{{{DAV}}}href")
        if not href:
            raise DavError(f"{self.host}: the server did not say who you are (no current-user-principal)")
        home = self._propfind(urllib.parse.urljoin(url, href), "<c:calendar-home-set/>", "0")
        found = home.findtext(f".//{{{CALDAV}}}calendar-home-set/{{{DAV}}}href")
        if not found:
            raise DavError(f"{self.host}: the server did not say where your calendars are (no calendar-home-set)")
        return urllib.parse.urljoin(url, found if found.endswith("/") else found + "/")

    def mkcalendar(self, url: str, name: str | None) -> None:
        shown = f"<d:displayname>{_escape(name)}</d:displayname>" if name else ""
        body = (f'<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="{CALDAV}"><d:set>'
                f'<d:prop>{shown}<c:supported-calendar-component-set><c:comp name="VEVENT"/><c:comp name="VTODO"/>'
                f"</c:supported-calendar-component-set></d:prop></d:set></c:mkcalendar>")
        self.request("MKCALENDAR", url, body, {"Content-Type": XML})

    # ---- what is there --------------------------------------------------------------------------------------
    def changes(self, collection: str, token: str | None) -> Changes:
        """The items changed since `token`, in one request when the server keeps sync tokens."""
        if token:
            body = (f'<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:"><d:sync-token>'
                    f"{_escape(token)}</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop>"
                    "</d:sync-collection>")
            try:
                reply = self.request("REPORT", collection, body, {"Content-Type": XML})
            except DavError as exc:
                if exc.status not in (400, 403, 404, 409, 412, 415, 501):
                    raise
            else:
                root = _xml(reply, self.host)
                etags, gone = {}, set()
                for response in root.iter(f"{{{DAV}}}response"):
                    href = _absolute(collection, response.findtext(f"{{{DAV}}}href") or "")
                    if href == collection:
                        continue
                    etag = response.findtext(f".//{{{DAV}}}getetag")
                    status = response.findtext(f"{{{DAV}}}status") or ""
                    if etag:
                        etags[href] = etag
                    elif " 404" in status:
                        gone.add(href)
                return Changes(root.findtext(f"{{{DAV}}}sync-token"), etags, frozenset(gone), False)
        return self.etags(collection)

    def etags(self, collection: str) -> Changes:
        """Every item's ETag, and the collection's sync token when it has one (a full listing)."""
        root = self._propfind(collection, "<d:getetag/><d:sync-token/>", "1")
        token, etags = None, {}
        for response in root.iter(f"{{{DAV}}}response"):
            href = _absolute(collection, response.findtext(f"{{{DAV}}}href") or "")
            if href == collection:
                token = response.findtext(f".//{{{DAV}}}sync-token")
                continue
            etag = response.findtext(f".//{{{DAV}}}getetag")
            if etag:
                etags[href] = etag
        return Changes(token, etags, frozenset(), True)

    def fetch(self, collection: str, hrefs: list[str]) -> dict[str, tuple[str, str]]:
        """href -> (ETag, calendar data), for the items still there (calendar-multiget)."""
        if not hrefs:
            return {}
        paths = "".join(f"<d:href>{_escape(urllib.parse.urlsplit(h).path)}</d:href>" for h in sorted(hrefs))
        body = (f'<?xml version="1.0" encoding="utf-8"?><c:calendar-multiget xmlns:d="DAV:" xmlns:c="{CALDAV}">'
                f"<d:prop><d:getetag/><c:calendar-data/></d:prop>{paths}</c:calendar-multiget>")
        reply = self.request("REPORT", collection, body, {"Depth": "1", "Content-Type": XML})
        out = {}
        for response in _xml(reply, self.host).iter(f"{{{DAV}}}response"):
            href = _absolute(collection, response.findtext(f"{{{DAV}}}href") or "")
            data = response.findtext(f".//{{{CALDAV}}}calendar-data")
            etag = response.findtext(f".//{{{DAV}}}getetag")
            if data is not None and etag:
                out[href] = (etag, data)
        return out

    # ---- writing -------------------------------------------------------------------------------------------
    def put(self, href: str, data: bytes, etag: str | None) -> str | None:
        """Create (`etag` None: only if nothing is there, `If-None-Match: *`) or replace (only if it is still
        what we saw, `If-Match`). The new ETag when the server says it. 412: `DavError` with that status."""
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        headers.update({"If-Match": etag} if etag else {"If-None-Match": "*"})
        reply = self.request("PUT", href, data.decode("utf-8"), headers, ok=(200, 201, 204))
        return reply.headers.get("ETag") or reply.headers.get("etag")

    def delete(self, href: str, etag: str | None) -> None:
        try:
            self.request("DELETE", href, "", {"If-Match": etag} if etag else {}, ok=(200, 204))
        except DavError as exc:
            if exc.status != 404:  # gone already: what we wanted
                raise


def _xml(reply: Any, host: str) -> ET.Element:
    raw = reply.raw if isinstance(reply.raw, (str, bytes)) else str(reply.raw)
    try:
        return ET.fromstring(raw.encode("utf-8") if isinstance(raw, str) else raw)
    except ET.ParseError:
        raise DavError(f"{host}: the server's answer is not the XML CalDAV speaks") from None


def _absolute(base: str, href: str) -> str:
    return urllib.parse.urljoin(base, href)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
