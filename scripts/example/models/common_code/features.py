"""Shared by every model of the project: the input schema and its conversion to a feature matrix.

Imports resolve from the repository root, so models import this as ``models.common_code.features``.
"""
import numpy as np

FEATURES = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]


def to_matrix(data, features):
    """Turns ``{"age": [..], "sex": [..], ...}`` (one list per feature, equal lengths) into a 2-D array."""
    if not isinstance(data, dict):
        raise ValueError("data must be an object with one list of numbers per feature")
    missing = [name for name in features if name not in data]
    if missing:
        raise ValueError("missing features: " + ", ".join(missing))
    columns = [data[name] if isinstance(data[name], list) else [data[name]] for name in features]
    lengths = {len(column) for column in columns}
    if len(lengths) != 1:
        raise ValueError("every feature needs the same number of values")
    try:
        return np.array(columns, dtype=float).T
    except (TypeError, ValueError) as error:
        raise ValueError(f"feature values must be numbers ({error})") from error
