"""Keep personal data and secrets out of the logs, and keep one event on one line."""

import logging
import re

REDACTIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-post]"),
    # Swedish personal identity numbers: (yy)yymmdd-nnnn, with or without the dash or a plus.
    (re.compile(r"\b(?:19|20)?\d{6}[-+]?\d{4}\b"), "[personnummer]"),
    (re.compile(r"(?<![\w])(?:\+46|0)\s?7\d(?:[\s-]?\d){7}\b"), "[telefon]"),
    (re.compile(r"(?<![\w])(?:\+46|0)\d{1,3}[\s-]?\d{5,8}\b"), "[telefon]"),
    (
        re.compile(
            r"(?i)\b(password|passwd|lösenord|sessionid|csrftoken|otp_token|token|code|kod)=([^&\s]+)"
        ),
        r"\1=[dolt]",
    ),
    (re.compile(r"(?i)(__Host-)?(sessionid|csrftoken)\s*[:=]\s*\S+"), r"\2=[dolt]"),
]


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    # A line break inside a message would let input forge a new log line.
    return text.replace("\r", "\\r").replace("\n", "\\n")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        # A traceback repeats the exception's message, which may hold input: it is redacted and kept on one
        # line too. The exception itself stays on the record for handlers that report it elsewhere.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
