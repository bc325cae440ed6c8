"""``policytekst serve``: a local web app over the library API (FastAPI + Jinja2 + vendored htmx).

Needs the ``[web]`` extra (``pip install 'policytekst[web]'``). :func:`create_app` builds the app for one corpus;
:func:`host_warning` says when a host would expose it beyond this machine.
"""

from __future__ import annotations

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_warning(host: str) -> str | None:
    """A warning when ``host`` makes the app reachable from other machines (None for localhost)."""
    if host in LOCAL_HOSTS:
        return None
    return (f"serving on {host}: anyone who can reach this machine can read the corpus and add documents "
            "(there is no login); use --host 127.0.0.1 unless that is what you want")


def create_app(*args, **kwargs):
    """See :func:`policytekst.web.app.create_app` (imported here on first use: FastAPI is an optional extra)."""
    from policytekst.web.app import create_app as create

    return create(*args, **kwargs)
