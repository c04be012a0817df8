from __future__ import annotations

import logging

from liaison.core import context


class RequestContextFilter(logging.Filter):
    """Adds the request id to every record so log lines of one request can be joined."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.current().request_id
        return True
