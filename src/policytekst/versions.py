"""Versions of Python, policytekst and the libraries behind its numbers: recorded wherever a result is saved
(the report's ``params.json``, a saved topic model's ``model.json``) so a reader can reproduce or question it."""

from __future__ import annotations

import platform
from collections.abc import Iterable
from importlib import metadata

#: the distributions whose versions can change a number policytekst reports
PACKAGES = ("policytekst", "numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "gensim", "tomotopy",
            "simplemma", "lingua-language-detector", "pypdfium2", "trafilatura")
NOT_INSTALLED = "not installed"


def versions(packages: Iterable[str] = PACKAGES) -> dict[str, str]:
    """``{"python": "3.12.3", "numpy": "2.1.0", ...}``; a package that is not installed says so.

    Examples
    --------
    >>> versions(["numpy"])["python"].startswith("3.")
    True
    """
    found = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = NOT_INSTALLED
    return found
