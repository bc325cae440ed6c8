"""The one exception readers raise."""

from policytekst.errors import PolicytekstError


class ReadError(PolicytekstError):
    """A file could not give text. The message says why in plain words (without the file name)."""
