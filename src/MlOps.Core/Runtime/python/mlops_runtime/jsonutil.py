"""JSON that accepts what models return: numpy scalars and arrays, tuples, sets.

Answers are always valid JSON: NaN and +/-Infinity (which JSON cannot carry, and Python would write as bare NaN) are
sent as null, on every platform; non_finite() counts them so the service can say so in its log.
"""
import json
import math


def _default(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _finite(value, found):
    if isinstance(value, float) and not math.isfinite(value):
        found.append(value)
        return None
    if isinstance(value, dict):
        return {k: _finite(v, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v, found) for v in value]
    return value


def dumps(value):
    try:
        return json.dumps(value, default=_default, allow_nan=False)
    except ValueError:
        # A NaN or an infinity somewhere: the plain structure (numpy converted), with those as null.
        return json.dumps(_finite(json.loads(json.dumps(value, default=_default)), []), allow_nan=False)


def non_finite(value):
    """How many NaN or infinite numbers the value holds (after numpy values are converted)."""
    found = []
    _finite(json.loads(json.dumps(value, default=_default)), found)
    return len(found)


def normalise(value):
    """The value as plain JSON types (what a caller will receive): NaN and infinities become None."""
    return json.loads(dumps(value))
