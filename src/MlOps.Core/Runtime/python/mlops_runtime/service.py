"""The prediction and training services around a model's standard interface.

Answers are always JSON objects: {"status": "ok", "prediction": ..., "model_id": ...} or
{"status": "ok", "training": {...}} or {"status": "error", "error": "<message>", "error_message": "<message>",
"model_id": ...} - never an unhandled crash. (error_message is the field akerbp.mlops's callers read.)
"""
import importlib
import inspect
import json
import os
import sys
import tempfile
import time
import traceback

from mlops_runtime import logger as mlops_logger
from mlops_runtime import jsonutil
from mlops_runtime.registry import open_registry

SETTINGS_FILE = "mlops_service_settings.json"
DRY_RUN_KEY = "_mlops_dry_run"
PING_KEY = "_mlops_ping"

_log = mlops_logger.get_logger("mlops.service")


class Service:
    def __init__(self, root, settings):
        self.root = root
        self.settings = settings
        self.kind = settings["service"]
        self._model = None
        self._init_object = None
        self._init_error = None
        mlops_logger.set_level(settings.get("logLevel"))

    @classmethod
    def from_package(cls, handler_file):
        root = os.path.dirname(os.path.abspath(handler_file))
        with open(os.path.join(root, SETTINGS_FILE), encoding="utf-8") as handle:
            settings = json.load(handle)
        if root not in sys.path:
            sys.path.insert(0, root)
        return cls(root, settings)

    @property
    def model_id(self):
        return self.settings.get("modelId")

    def model(self):
        if self._model is None:
            self._model = importlib.import_module(self.settings["modelModule"])
        return self._model

    def initialize(self, secrets=None):
        """Loads the model once (prediction); an error is kept and reported by every call."""
        if self.kind != "prediction" or self._init_object is not None or self._init_error is not None:
            return self._init_error
        started = time.monotonic()
        try:
            artifact = os.path.join(self.root, self.settings["artifactFolder"])
            self._init_object = self.model().initialization(artifact, secrets or {})
            _log.info("model %s initialised in %.0f ms", self.model_id, (time.monotonic() - started) * 1000)
        except Exception as error:  # noqa: BLE001 - reported to every caller instead of crashing
            self._init_error = f"initialization failed: {type(error).__name__}: {error}"
            _log.error("%s\n%s", self._init_error, traceback.format_exc())
        return self._init_error

    def handle(self, data, secrets=None, client=None, call_info=None):
        call_id = (call_info or {}).get("call_id")
        token = mlops_logger.set_call_id(call_id)
        try:
            if self.kind == "prediction":
                return self._predict(data, secrets or {})
            return self._train(data, secrets or {})
        except Exception as error:  # noqa: BLE001 - the answer carries the error
            _log.error("%s: %s\n%s", type(error).__name__, error, traceback.format_exc())
            return self.error(f"{type(error).__name__}: {error}")
        finally:
            mlops_logger.reset_call_id(token)

    def error(self, message):
        """An error answer: MlOps's "error", and "error_message" and "model_id" as akerbp.mlops answered them."""
        return {"status": "error", "error": message, "error_message": message, "model_id": self.model_id}

    def _predict(self, data, secrets):
        init_error = self.initialize(secrets)
        if init_error:
            return self.error(init_error)
        if isinstance(data, dict) and data.get(PING_KEY):
            # A keep-warm call: the model is loaded, nothing is predicted.
            return {"status": "ok", "prediction": None, "model_id": self.model_id, "ping": True}
        prediction = self.model().predict(data, self._init_object, secrets)
        if jsonutil.non_finite(prediction):
            _log.warning("the prediction holds %d NaN or infinite number(s); they are sent as null (JSON has no NaN)",
                         jsonutil.non_finite(prediction))
        return {"status": "ok", "prediction": jsonutil.normalise(prediction), "model_id": self.model_id}

    def _train(self, data, secrets):
        dry_run = isinstance(data, dict) and bool(data.get(DRY_RUN_KEY))
        if isinstance(data, dict) and DRY_RUN_KEY in data:
            data = {k: v for k, v in data.items() if k != DRY_RUN_KEY}
        with tempfile.TemporaryDirectory(prefix="mlops-training-") as folder:
            started = time.monotonic()
            metadata = call_train(self.model().train, data, folder, secrets) or {}
            if not isinstance(metadata, dict):
                raise TypeError(f"train() returned {type(metadata).__name__}; it must return a dict of metadata")
            metadata = {str(k): v for k, v in jsonutil.normalise(metadata).items()}
            # The answer combines the model's metadata (as train() returned it) with the artifact's: where it was
            # published, its version and content hash. The artifact's keys win over model keys of the same name.
            training = dict(metadata)
            training.update({
                "model": self.settings["model"],
                "environment": self.settings["environment"],
                "training_seconds": round(time.monotonic() - started, 3),
            })
            if dry_run:
                training["published"] = False
                return {"status": "ok", "training": training}
            published = open_registry(self.settings, secrets).publish(
                self.settings["model"], self.settings["environment"], folder,
                {k: v if isinstance(v, str) else json.dumps(v) for k, v in metadata.items()},
                source=f"training service {self.settings['serviceName']}",
                revision=self.settings.get("revision"))
            training.update(published)
            training["published"] = True
            _log.info("published %s", published["model_id"])
            return {"status": "ok", "training": training}


def call_train(train, data, folder_path, secrets):
    """Calls train() the way its signature asks for.

    akerbp.mlops calls ``train(data=..., folder_path=..., secrets=...)``; MlOps's short form is ``train(folder_path, secrets)``.
    A train() with all three names gets them by name; one whose first parameter is ``data`` gets them by position; one
    that takes ``data`` (or any keyword) elsewhere gets it by name after (folder_path, secrets); any other gets
    (folder_path, secrets).
    """
    try:
        parameters = inspect.signature(train).parameters
    except (TypeError, ValueError):
        return train(folder_path, secrets)
    positional = [p.name for p in parameters.values()
                  if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    if {"data", "folder_path", "secrets"} <= set(parameters):
        return train(data=data, folder_path=folder_path, secrets=secrets)
    if positional[:1] == ["data"]:
        return train(data, folder_path, secrets)
    if "data" in parameters or any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return train(folder_path, secrets, data=data)
    return train(folder_path, secrets)
