"""The one base of the services' refusals."""


class Refused(Exception):
    """A write the service refuses (the stage, the object's state, a rule); ``message`` is for
    the user, already in their language. Each slice names its own subclass."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
