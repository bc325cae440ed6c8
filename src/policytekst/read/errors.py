"""The one exception readers raise."""


class ReadError(Exception):
    """A file could not give text. The message says why in plain words (without the file name)."""
