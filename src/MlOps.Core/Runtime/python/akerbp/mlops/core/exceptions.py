"""The exception types model code written for akerbp.mlops raises (akerbp.mlops.core.exceptions).

A service answers an exception raised by model code with {"status": "error", "error": "<type>: <message>",
"error_message": ..., "model_id": ...}; the type's name is kept, so callers that matched on it keep working.
"""


class MLOpsException(Exception):
    """Base of the framework's exceptions."""


class ModelException(MLOpsException):
    """Raised by model code for input it cannot score or data it cannot train on."""


class MissingFieldError(MLOpsException):
    """A required field is missing (for example from the input data)."""


class MissingMetadataError(MLOpsException):
    """Required metadata is missing."""


class DeploymentError(MLOpsException):
    """A deployment failed."""


class TestError(MLOpsException):
    """A model or service test failed."""

    __test__ = False  # not a pytest test class


class DependencyMismatchError(MLOpsException):
    """Pinned package versions of the model and a helper model differ."""


__all__ = ["MLOpsException", "ModelException", "MissingFieldError", "MissingMetadataError", "DeploymentError", "TestError",
           "DependencyMismatchError"]
