"""akerbp.mlops.utils.logger: ``logging = logger.get_logger(); logging.debug(...)``, routed into the service's log."""
from akerbp.mlops.core.logger import get_logger  # noqa: F401 - the seed's import path

__all__ = ["get_logger"]
