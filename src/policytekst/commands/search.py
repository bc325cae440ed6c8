"""Commands of the search area."""

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to the main app (filled in by the search work)."""
