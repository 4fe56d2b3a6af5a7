"""akerbp.mlops.core.logger: ``get_logger(name)``, routed into the service's log (Get-MlServiceLog).

akerbp.mlops gave every logger its own handler; here the runtime's one handler on the root logger writes every line,
tagged with the call id, and the level comes from the model's settings ("logLevel", default info).
"""
from mlops_runtime import logger as _runtime_logger


def get_logger(name="mlops_model"):
    return _runtime_logger.get_logger(name)


__all__ = ["get_logger"]
