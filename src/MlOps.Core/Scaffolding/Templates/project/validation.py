"""Code shared by every model of the project.

Imports resolve from the project root, so models import this as ``models.common_code.validation``; the
deployed package holds the whole ``models`` folder, so the import works in the services too.
"""


def numbers(data, key):
    """The list of numbers under ``data[key]`` (a single number counts as a list of one); ValueError otherwise."""
    if not isinstance(data, dict):
        raise ValueError(f"data must be an object with a list of numbers under '{key}'")
    if key not in data:
        raise ValueError(f"missing input: {key}")
    values = data[key] if isinstance(data[key], list) else [data[key]]
    try:
        return [float(value) for value in values]
    except (TypeError, ValueError) as error:
        raise ValueError(f"{key} must hold numbers ({error})") from error
