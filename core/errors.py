"""The one exception services raise for a refused request. The DIGIT envelope turns it into an `Errors` body."""


class ApplicationError(Exception):
    """A request Kosh refuses, with a stable DIGIT-style code and, where one field is to blame, its wire name."""

    status_code = 400

    def __init__(self, code: str, message: str, *, field: str | None = None, status: int | None = None, params=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.params = list(params) if params is not None else ([field] if field else [])
        if status is not None:
            self.status_code = status


class NotFoundError(ApplicationError):
    """The row does not exist, or belongs to a tenant the caller may not see: the two answer alike."""

    status_code = 404

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(code, message, field=field)
