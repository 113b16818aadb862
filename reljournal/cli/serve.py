"""`reljournal serve`: serve the feed over HTTP for calendar subscriptions."""

from __future__ import annotations

import click

from reljournal.cli.common import Ctx, pass_ctx
from reljournal.output import echo
from reljournal.serve import DEFAULT_HOST, DEFAULT_PORT, FeedSource, make_server, run


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

    The feed is rebuilt when the vault changes or the date rolls over. Every other path answers
    404. Stop with Ctrl-C (or SIGTERM).

    \b
    Example:
      $ reljournal serve
      Serving http://127.0.0.1:8765/feed.ics
      Subscribe with webcal://127.0.0.1:8765/feed.ics
      $ RELJOURNAL_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))') \\
          reljournal serve --host 0.0.0.0
    """
    source = FeedSource(ctx.vault, ctx.today)
    try:
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
        source.close()
