"""Commands of the themes area."""

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app (filled in by the themes work)."""
