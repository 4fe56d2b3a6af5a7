"""Logging for model code: ``from mlops_runtime.logger import get_logger``.

Lines go to standard error, which every platform keeps as the service's log (Get-MlServiceLog), each tagged
with the call it belongs to.
"""
import contextvars
import logging
import sys

_call_id = contextvars.ContextVar("mlops_call_id", default="-")
_configured = False
_level = logging.INFO
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class _OneRecordPerLine(logging.Formatter):
    """Continuation lines (tracebacks, multi-line messages) start with a tab, so a reader can keep records together."""

    def format(self, record):
        return super().format(record).replace("\n", "\n\t")


class _CallFilter(logging.Filter):
    def filter(self, record):
        record.call_id = _call_id.get()
        return True


def configure(stream=None):
    """Sets up the root handler once (the service does this; model code need not)."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(_CallFilter())
    handler.setFormatter(_OneRecordPerLine("%(asctime)s.%(msecs)03dZ\t%(levelname)s\t%(call_id)s\t%(name)s\t%(message)s",
                                           "%Y-%m-%dT%H:%M:%S"))
    logging.Formatter.converter = __import__("time").gmtime
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(_level)
    _configured = True


def set_level(name):
    """The lowest level written (the model's "logLevel" setting: debug, info, warning or error)."""
    global _level
    _level = LEVELS.get(str(name or "info").lower(), logging.INFO)
    if _configured:
        logging.getLogger().setLevel(_level)


def get_logger(name="model"):
    configure()
    return logging.getLogger(name)


def set_call_id(call_id):
    """Tags the following log lines with a call id; returns a token for reset_call_id."""
    return _call_id.set(str(call_id) if call_id else "-")


def reset_call_id(token):
    _call_id.reset(token)
