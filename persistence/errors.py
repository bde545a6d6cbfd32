"""The persistence error hierarchy; `server/errors.py` translates it to HTTP statuses once."""


class PersistenceError(Exception):
    """Base of every error this package raises on purpose."""


class NotFound(PersistenceError):
    """The row does not exist, or belongs to another user (the two are indistinguishable on purpose)."""


class Conflict(PersistenceError):
    """A uniqueness rule would be broken (e.g. the e-mail address is already registered)."""


class IllegalTransition(PersistenceError):
    """A session status change the lifecycle does not allow (e.g. completed -> in_progress)."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"an interview that is {current} cannot become {requested}")
        self.current = current
        self.requested = requested
