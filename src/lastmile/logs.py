"""structlog set-up: console lines in development, JSON lines in production.

Django's and the libraries' stdlib logging goes through the same renderer, so
every line carries the request id and acting user bound by the middleware.

No secrets in logs, in either mode: tracebacks are plain text without local
variables (a frame's locals hold passwords, DSNs and bearer tokens), and
``redact_secrets`` runs last before the renderer, over the whole event
including the formatted traceback.  It hides the values of keys that name a
secret (at any depth) and, inside any text, URL passwords, ``Bearer``/``Basic``
credentials, lastmile's own token shapes, ``name=value`` and
``'name': 'value'`` pairs and header lines whose name is a secret's.
"""

from __future__ import annotations

import logging.config
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

_configured = False
MASK = "***"

# Key names whose values are secrets (matched anywhere in the name, any case).
# Not "session id": RADIUS session ids are the subject of many log lines.
_SECRET_NAME = (
    r"passw(?:or)?d|passphrase|pwd|secret|token|dsn|database_url|authori[sz]ation|"
    r"api[_-]?key|access[_-]?key|private[_-]?key|credential|cookie"
)
_SECRET_KEY = re.compile(rf"(?:{_SECRET_NAME})|^key$", re.IGNORECASE)
_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # scheme://user:password@host: keep the user and the host.
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@'\"]*:)[^\s@/'\"]+@"), rf"\g<1>{MASK}@"),
    # Authorization schemes followed by a credential.
    (re.compile(r"(?i)\b(bearer|basic|digest|token)(\s+)[A-Za-z0-9._~+/=\-]{6,}"), rf"\1\2{MASK}"),
    # lastmile API tokens (lm_…) and cabinet tokens (lmc_…), wherever they appear.
    (re.compile(r"\blmc?_[0-9a-f]{8}_[A-Za-z0-9_\-]+"), MASK),
    # name=value without blanks (query strings, libpq conninfo, form bodies).
    (
        re.compile(rf"(?i)(\b[\w\-]*(?:{_SECRET_NAME})[\w\-]*=)(['\"]?)[^\s'\",;&)}}\]]+"),
        rf"\1\2{MASK}",
    ),
    # 'name': 'value', "name": "value", name = 'value' (reprs, JSON, source lines).
    (
        re.compile(rf"(?i)(\b[\w\-]*(?:{_SECRET_NAME})[\w\-]*['\"]?\s*[=:]\s*)(['\"])[^'\"\n]+"),
        rf"\1\2{MASK}",
    ),
    # Header lines: the whole value.
    (
        re.compile(
            r"(?im)^(\s*(?:proxy-)?authorization|\s*(?:set-)?cookie|\s*x-[\w-]*(?:key|token|secret))(:[ \t]*)\S[^\r\n]*"
        ),
        rf"\1\2{MASK}",
    ),
)


def redact_text(text: str) -> str:
    """``text`` with every secret the patterns recognise replaced by ``***``."""
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _is_secret_key(key: object) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


def _redact_value(value: Any, *, depth: int = 0) -> Any:
    if depth > 8:
        return value
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", errors="replace"))
    if isinstance(value, dict):
        return {
            k: _mask(v) if _is_secret_key(k) else _redact_value(v, depth=depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, tuple) and len(value) == 2 and _is_secret_key(value[0]):
        return (value[0], _mask(value[1]))  # a header pair such as ("X-Api-Key", "…")
    if isinstance(value, list | tuple | set | frozenset):
        return type(value)(_redact_value(v, depth=depth + 1) for v in value)
    return value


def _mask(value: Any) -> Any:
    """Numbers, booleans and None under a secret-looking name are counts or
    flags (``token_count``), not secrets: they stay."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return MASK


def redact_secrets(
    _logger: Any, _name: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """The structlog processor: last step before rendering, in every mode."""
    for key in list(event):
        if key.startswith("_"):
            continue  # structlog's own bookkeeping (_record, _from_structlog)
        event[key] = _mask(event[key]) if _is_secret_key(key) else _redact_value(event[key])
    return event


def build_formatter(*, json: bool) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every handler: plain tracebacks, redaction, rendering."""
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    return structlog.stdlib.ProcessorFormatter(
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Plain text, never the frames' local variables; then redact that text.
            structlog.processors.format_exc_info,
            redact_secrets,
            renderer,
        ],
        foreign_pre_chain=_shared_processors(),
    )


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def configure(*, json: bool, level: str) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    structlog.configure(
        processors=[
            *_shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"structlog": {"()": build_formatter, "json": json}},
            "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structlog"}},
            "root": {"handlers": ["console"], "level": level},
            "loggers": {
                "django.db.backends": {"level": "WARNING"},
                "procrastinate": {"level": "WARNING"},
            },
        }
    )
