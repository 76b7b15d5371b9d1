"""One JSON object per log line (`LOG_FORMAT=json`), for a log collector — without personal data.

The bot's own log lines never contain what people typed (docs/SECURITY.md); what this adds for
a collector that keeps and indexes lines:

- platform account and chat ids (runs of 6 or more digits) and long tokens (a one-time sign-in
  link in an access-log path, a session id) are replaced by a short keyed hash: lines about the
  same account can still be put together, the id itself is not in the log. The key is random
  per process and never written anywhere, so a hash cannot be reversed by trying every phone
  number or id;
- client IP addresses (uvicorn's access lines) are replaced the same way;
- e-mail addresses are masked (`bot.core.redact`);
- an exception is logged as its type and the stack (file, line, function), without its message
  and without the source lines: a message can quote data (a database error repeats the values
  of the statement, a parser the text it choked on).

Fields: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `process`, and `exc_type` /
`stack` for an exception.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import traceback
from datetime import UTC, datetime

from bot.core.redact import EMAIL_MASK

_KEY = secrets.token_bytes(32)
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_DIGITS = re.compile(r"(?<![\w.])\+?\d{6,}(?![\w])")
_TOKEN = re.compile(r"(?<![\w-])[A-Za-z0-9_\-]{20,}(?![\w-])")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])")
_IPV6 = re.compile(  # full (8 groups) or shortened with "::"; not a time like 10:32:38
    r"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{0,4})(?![\w:])"
)


def pseudonym(value: str) -> str:
    """A short keyed hash standing for an id or a token in this process's log lines."""
    return "#" + hmac.new(_KEY, value.encode(), hashlib.sha256).hexdigest()[:10]


def scrub(message: str) -> str:
    """The message with e-mail addresses masked and ids, tokens and IP addresses replaced by
    pseudonyms."""
    message = _EMAIL.sub(EMAIL_MASK, message)
    message = _IPV4.sub(lambda m: pseudonym(m.group(0)), message)
    message = _IPV6.sub(lambda m: pseudonym(m.group(0)), message)
    message = _TOKEN.sub(lambda m: pseudonym(m.group(0)), message)
    return _DIGITS.sub(lambda m: pseudonym(m.group(0)), message)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "process": os.getpid(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            _, error, tb = record.exc_info
            line["exc_type"] = type(error).__name__
            line["stack"] = [
                f"{frame.filename}:{frame.lineno} in {frame.name}"
                for frame in traceback.extract_tb(tb)
            ]
        return json.dumps(line, ensure_ascii=False)
