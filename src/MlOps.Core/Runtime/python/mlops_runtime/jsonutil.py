"""JSON that accepts what models return: numpy scalars and arrays, tuples, sets."""
import json


def _default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value):
    return json.dumps(value, default=_default)


def normalise(value):
    """The value as plain JSON types (what a caller will receive)."""
    return json.loads(dumps(value))
