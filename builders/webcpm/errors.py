"""User-facing errors of the WebCPM builder (a UserError: the CLI prints them as one line)."""


from core import UserError


class WebCPMError(UserError):
    """Bad input to the WebCPM builder/converter: the message names the file, record and field."""
