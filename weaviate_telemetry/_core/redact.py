"""Redaction by design: secrets never leave the SDK in text, URLs or headers.

Every secret the SDK is given (API keys, secret header values) is
registered here, so that any text built later — an error message that
echoes a header, a server message that quotes the request — can be
scrubbed by value as well as by shape.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import fork

REDACTED = "***"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "x-weaviate-api-key",
    }
)

_SECRET_PARAM = re.compile(
    r"(key|token|secret|password|passwd|auth|credential|signature|sig)", re.IGNORECASE
)
# Weaviate passes module credentials as X-<Provider>-Api-Key / -Token headers.
_SECRET_HEADER_SHAPE = re.compile(r"(api[-_]?key|token|secret|password|auth)", re.IGNORECASE)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")

_lock = fork.lock()
_known: frozenset[str] = frozenset()
_pattern: re.Pattern[str] | None = None


def register_secret(value: str | None) -> None:
    """Remember a secret so later text containing it is scrubbed."""
    global _known, _pattern
    if not value or len(value) < 4 or value in _known:
        return
    with _lock:
        _known = _known | {value}
        ordered = sorted(_known, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered))


def register_credential(value: str | None) -> None:
    """Register a credential header value whole and by its secret part.

    ``Bearer abc``, ``Token abc``, ``Basic abc`` or any ``<scheme> <secret>``
    registers ``abc`` too, so a server that echoes the bare token (or an api
    key in a request id) is scrubbed as well as one echoing the header.
    """
    if not value:
        return
    register_secret(value)
    parts = value.split()
    for part in parts[1:]:  # parts[0] is the scheme when there are several
        register_secret(part.strip(",;\"'"))
    if "=" in value:  # key=value credential parameters (e.g. Digest, AWS-style)
        for pair in value.replace(",", " ").split():
            register_secret(pair.partition("=")[2].strip("\"'"))


_marked: frozenset[str] = frozenset()


def mark_secret_header(name: str) -> None:
    """Treat header ``name`` (any case) as secret from now on, like ``Authorization``:
    its values are registered for redaction and never shown (``Config.secret_headers``)."""
    global _marked
    with _lock:
        _marked = _marked | {name.lower()}


def is_secret_header(name: str) -> bool:
    """True for headers whose values must never be shown."""
    lowered = name.lower()
    return (
        lowered in SECRET_HEADERS
        or lowered in _marked
        or bool(_SECRET_HEADER_SHAPE.search(lowered))
    )


def redact_text(text: str) -> str:
    """Scrub registered secrets and bearer tokens from free text."""
    if not text:
        return text
    pattern = _pattern
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    if "earer" in text or "asic" in text:
        text = _BEARER.sub(lambda m: f"{m.group(1)} {REDACTED}", text)
    return text


def redact_url(url: str) -> str:
    """Drop userinfo and mask secret-looking query parameters."""
    if "?" not in url and "@" not in url and "#" not in url:
        return redact_text(url)  # nothing to parse (the common case, on every observed call)
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode(
            [(k, REDACTED if _SECRET_PARAM.search(k) else v) for k, v in pairs], safe="*"
        )
    return redact_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def forget_secret(value: str | None) -> None:
    """Stop scrubbing a secret that is no longer in use (a replaced access token).

    Short-lived tokens are registered one after the other; forgetting the old
    ones keeps the scrubbing pattern small in a long-running process.
    """
    global _known, _pattern
    if not value or value not in _known:
        return
    with _lock:
        _known = _known - {value}
        ordered = sorted(_known, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(s) for s in ordered)) if ordered else None
