"""Commands of the web area: `policytekst serve --corpus DIR [--host 127.0.0.1] [--port 8765] [--open]`.

FastAPI and uvicorn are the optional ``[web]`` extra, so they are imported inside the command (keeps
`policytekst --help` fast and lets the rest of the CLI work without them).
"""

from __future__ import annotations

import importlib.util
import threading
import webbrowser
from pathlib import Path

import typer

from policytekst.commands.common import OPEN_OPTIONS, CorpusOption, err, open_corpus
from policytekst.errors import PolicytekstError, UsageError

WEB_EXTRA_HINT = "the web app needs the [web] extra: pip install 'policytekst[web]' (or make demo)"


def serve(
    corpus: Path = CorpusOption,
    host: str = typer.Option("127.0.0.1", help="Address to bind to. Anything but localhost exposes the corpus "
                             "to other machines (a warning is printed)."),
    port: int = typer.Option(8765, min=1, max=65535, help="Port to listen on."),
    open_browser: bool = typer.Option(False, "--open", help="Open the app in the default browser."),
    max_upload_mb: float = typer.Option(50.0, min=0.1, help="Largest file the upload page accepts (MB)."),
) -> None:
    """Serve a local web app over the corpus: overview, search, reader, themes, handouts, uploads."""
    open_corpus(corpus).close()  # a clear one-line error for a missing corpus, before anything else
    absent = [name for name in ("fastapi", "uvicorn", "jinja2", "multipart") if importlib.util.find_spec(name) is None]
    if absent:  # the optional [web] extra: say what to install instead of failing on the first import
        raise PolicytekstError(f"{WEB_EXTRA_HINT} (missing: {', '.join(absent)})")
    import uvicorn  # the [web] extra, imported only when serving (keeps `policytekst --help` fast)

    from policytekst.web import host_warning
    from policytekst.web.app import create_app
    warning = host_warning(host)
    if warning:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    # answer only to the bound name (and localhost): stops DNS-rebinding pages reaching the local server
    hosts = ["127.0.0.1", "localhost", "[::1]", "::1"] if warning is None else ["*"]
    app = create_app(corpus, include_duplicates=OPEN_OPTIONS["include_duplicates"], allowed_hosts=hosts,
                     max_upload_mb=max_upload_mb, warm=True)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    err.print(f"policytekst serving {corpus} at {url} (Ctrl+C stops)", highlight=False)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc}") from None


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the main app."""
    app.command("serve")(serve)
