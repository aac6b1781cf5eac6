"""User-facing errors of the WebCPM builder (listed in benchmarks.errors.USER_ERRORS)."""


class WebCPMError(Exception):
    """Bad input to the WebCPM builder/converter: the message names the file, record and field."""
