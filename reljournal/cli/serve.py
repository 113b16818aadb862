"""`reljournal serve`: serve the feed over HTTP for calendar subscriptions."""

from __future__ import annotations

import os

import click

from reljournal.app import Journal
from reljournal.cli.common import Ctx, pass_ctx
from reljournal.output import echo
from reljournal.serve import DEFAULT_HOST, DEFAULT_PORT, FeedSource, make_server, run
from reljournal.watch import Watcher


@click.command("serve")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on. Anything but loopback needs a token.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to listen on (0: any free port).")
@click.option("--token", envvar="RELJOURNAL_TOKEN", show_envvar=True, metavar="T",
              help="Secret the URL must carry (/T/feed.ics or ?token=T). Prefer the environment variable: "
                   "`ps` shows the command line.")
@pass_ctx
def command(ctx: Ctx, host: str, port: int, token: str | None) -> None:
    """Serve the feed over HTTP: /feed.ics, and /feeds/OWNER.ics for one owner.

    A watcher runs in-process (as `reljournal watch` does): the index and the feed file stay current,
    and the feed served is rebuilt when the vault changes or the date rolls over. Every other path
    answers 404. A second `serve` or `watch` on the same vault is refused (exit 1). Stop with Ctrl-C
    (or SIGTERM).

    \b
    Example:
      $ reljournal serve
      Serving http://127.0.0.1:8765/feed.ics
      Subscribe with webcal://127.0.0.1:8765/feed.ics
      $ RELJOURNAL_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))') \\
          reljournal serve --host 0.0.0.0
    """
    # serve = watch + HTTP: the watcher keeps the index (and the feed file) current and tells the source
    # to rebuild; requests then cost no scan of the vault. The watcher starts first, so that a second
    # watcher or server on the same vault is refused (exit 1) before a port is taken.
    source = FeedSource(ctx.vault, ctx.today, sync_on_request=False)
    watcher = Watcher(Journal.open(ctx.vault, ctx.today),  # its own Journal: used by the watcher's thread only
                      fixed_today=bool(ctx.today or os.environ.get("RELJOURNAL_TODAY")),
                      on_update=source.follow, echo=echo, quiet=True, owner_feeds=True)
    try:
        watcher.start()
        server = make_server(source, host, port, token=token)
        bound_port = server.server_address[1]
        shown_host = f"[{host}]" if ":" in host else host
        base = f"{shown_host}:{bound_port}" + ("/<token>" if token else "")
        counts = source.counts()
        echo(f"Serving http://{base}/feed.ics ({counts.events} events; /feeds/OWNER.ics for one owner)")
        echo(f"Subscribe with webcal://{base}/feed.ics" + ("  (<token>: your --token)" if token else ""))
        echo("Stop with Ctrl-C.", err=True)
        run(server)
        echo("Stopped.", err=True)
    finally:
        watcher.stop()
        source.close()
