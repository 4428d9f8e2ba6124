"""The one root of every domain error in lastmile.

A service refuses by raising a subclass of :class:`DomainError`. The error carries
what every caller needs to show it, so no caller maps errors by hand:

- ``str(error)`` (also ``error.detail``): a message fit for the user, translated
  when raised;
- ``status``: the HTTP status the REST API answers with (problem+json);
- ``code``: a stable, machine-readable identifier (``"insufficient_funds"``) that
  clients may rely on; it does not change when the wording does;
- ``field``: the form field or API body member the error is about ("" = the whole
  object); the staff views and the cabinet put the message next to that field;
- ``extra``: further members of the problem body (``retry_after_s``, ``errors``…).

Each app keeps its own error module (``lastmile.<app>.errors``) whose root derives
from this class and whose subclasses set ``status`` and ``code`` as class
attributes. The translation to a response lives in exactly one place per surface:
``lastmile.api.errors`` (REST), ``lastmile.core.views.form_error`` /
``message_error`` and :class:`lastmile.core.middleware.DomainErrorMiddleware`
(staff pages and the cabinet). See docs/decisions/0006-domain-errors-and-layers.md.

This module is ground floor: it imports nothing from lastmile.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class DomainError(Exception):
    """A refusal of the domain; see the module docstring."""

    #: HTTP status of the REST API's problem response.
    status: ClassVar[int] = 422
    #: Stable machine-readable code; defaults to the class name in snake_case.
    code: ClassVar[str] = ""

    def __init__(
        self,
        detail: str = "",
        *,
        field: str = "",
        status: int | None = None,
        code: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra
        # An instance may narrow the class's status or code (the API's ad-hoc
        # refusals such as "There is no pre-order." with 404).
        if status is not None:
            self.status = status  # type: ignore[misc]
        if code is not None:
            self.code = code  # type: ignore[misc]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = _snake(cls.__name__.removesuffix("Error") or cls.__name__)

    @property
    def error_code(self) -> str:
        return self.code or "domain_error"

    def problem_members(self) -> dict[str, Any]:
        """The members this error adds to a problem+json body."""
        members: dict[str, Any] = {"code": self.error_code}
        if self.field:
            members["field"] = self.field
        members.update(self.extra)
        return members


class NotFound(DomainError):
    """The object does not exist, or the caller may not see it."""

    status = 404


class Forbidden(DomainError):
    """The caller may not do this."""

    status = 403


class Conflict(DomainError):
    """The state of the object does not allow this now."""

    status = 409


class Invalid(DomainError):
    """A value does not fit."""

    status = 422
