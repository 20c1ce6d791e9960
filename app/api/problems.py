"""Every error is application/problem+json (RFC 9457); this module is the one place that maps
domain and infrastructure errors to problems."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.domain.errors import InvalidField, InvalidTransition, SeparationOfDuties
from app.service.handlers import DuplicateAssetTag, NotFound, VersionConflict

PROBLEM_BASE = "https://itam-ledger.dev/problems/"
MEDIA_TYPE = "application/problem+json"
RETRY_AFTER_SECONDS = 5

log = logging.getLogger("itam.api")

TITLES = {
    "malformed-json": "Malformed JSON",
    "unauthorized": "Unauthorized",
    "forbidden": "Forbidden",
    "separation-of-duties": "Separation of duties",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "invalid-transition": "Invalid transition",
    "duplicate-asset-tag": "Duplicate asset tag",
    "version-conflict": "Version conflict",
    "payload-too-large": "Payload too large",
    "unsupported-media-type": "Unsupported media type",
    "validation-error": "Validation error",
    "idempotency-key-reused": "Idempotency key reused",
    "service-unavailable": "Service unavailable",
    "internal-error": "Internal error",
}


class Problem(Exception):
    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ):
        self.status = status
        self.slug = slug
        self.detail = detail
        self.headers = headers or {}
        self.extensions = extensions
        super().__init__(detail)

    def body(self) -> dict[str, Any]:
        return {
            "type": PROBLEM_BASE + self.slug,
            "title": TITLES.get(self.slug, self.slug.replace("-", " ").capitalize()),
            "status": self.status,
            "detail": self.detail,
            **self.extensions,
        }

    def response(self) -> Response:
        return Response(orjson.dumps(self.body()), self.status, headers=self.headers, media_type=MEDIA_TYPE)


def validation_problem(errors: list[dict[str, Any]], detail: str | None = None) -> Problem:
    if detail is None:
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"])
        detail = f"{where}: {message}" if where else message
    return Problem(422, "validation-error", detail, errors=errors)


def field_problem(loc: list[str | int], msg: str) -> Problem:
    return validation_problem([{"loc": loc, "msg": msg}])


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(loc: list[str | int], value: str) -> date:
    """A business date from a query parameter, or 422 naming it."""
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise field_problem(loc, "must be a real calendar date written YYYY-MM-DD") from None


def unavailable(detail: str = "the database cannot be reached; try again shortly") -> Problem:
    return Problem(503, "service-unavailable", detail, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _from_request_validation(exc: RequestValidationError) -> Problem:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return Problem(400, "malformed-json", "the request body is not valid JSON")
    cleaned = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "invalid"))} for e in errors]
    return validation_problem(cleaned)


def _from_http(exc: StarletteHTTPException) -> Problem:
    slug = {
        400: "malformed-json",
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        413: "payload-too-large",
        415: "unsupported-media-type",
    }.get(exc.status_code, "http-error")
    detail = str(exc.detail) if isinstance(exc.detail, str) else TITLES.get(slug, "error")
    if exc.status_code == 400:
        detail = "the request body could not be parsed as JSON"
    return Problem(exc.status_code, slug, detail, headers=dict(exc.headers or {}))


def is_database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)):
        return True
    return isinstance(exc, (OSError, TimeoutError, ConnectionError))


def to_problem(exc: BaseException) -> Problem:
    match exc:
        case Problem():
            return exc
        case RequestValidationError():
            return _from_request_validation(exc)
        case StarletteHTTPException():
            return _from_http(exc)
        case InvalidTransition():
            return Problem(
                409,
                "invalid-transition",
                str(exc),
                state=exc.state,
                trigger=exc.trigger,
                allowed_triggers=exc.allowed,
            )
        case InvalidField():
            return field_problem(["body", *exc.field.split(".")], exc.message)
        case SeparationOfDuties():
            return Problem(403, "separation-of-duties", str(exc))
        case NotFound():
            return Problem(404, "not-found", str(exc))
        case VersionConflict():
            return Problem(412, "version-conflict", str(exc), expected=exc.expected, actual=exc.actual)
        case DuplicateAssetTag():
            return Problem(409, "duplicate-asset-tag", str(exc), asset_tag=exc.asset_tag)
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", exc)
        return unavailable()
    log.exception("unhandled error", exc_info=exc)
    return Problem(500, "internal-error", "the server failed to handle this request; nothing was changed")


async def _handle(_request: Request, exc: Exception) -> Response:
    return to_problem(exc).response()


def install(app: FastAPI) -> None:
    for kind in (
        Problem,
        RequestValidationError,
        StarletteHTTPException,
        InvalidTransition,
        InvalidField,
        SeparationOfDuties,
        NotFound,
        VersionConflict,
        DuplicateAssetTag,
        sa.exc.SQLAlchemyError,
        OSError,
        TimeoutError,
        Exception,
    ):
        app.add_exception_handler(kind, _handle)
