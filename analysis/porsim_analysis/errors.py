"""The error of the package (no heavy imports, so `porsim-analyze --help` stays fast)."""


class LoadError(Exception):
    """A directory or file that is not a readable porsim output (message names it)."""
