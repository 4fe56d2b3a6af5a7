"""Service tests: the model's own sample input and check (class ServiceTest in its test module).

  python -m mlops_runtime.servicetest run            calls the packaged handler in this process and checks the answer
  python -m mlops_runtime.servicetest input          prints the sample input as JSON
  python -m mlops_runtime.servicetest check FILE     checks an answer (JSON in FILE) from a deployed service

Run from the package root. Prints one JSON object; the exit code is 0 when the test passed.
"""
import importlib
import inspect
import json
import os
import sys

from mlops_runtime.service import DRY_RUN_KEY, SETTINGS_FILE, Service


def _settings():
    with open(SETTINGS_FILE, encoding="utf-8") as handle:
        return json.load(handle)


def _service_test(settings):
    """An instance of the test module's ServiceTest, as akerbp.mlops uses it (so checks written with self work; static
    and class methods and plain attributes work as well). A class whose constructor needs arguments is used as it is."""
    module = importlib.import_module(settings["testModule"])
    service_test = getattr(module, "ServiceTest", None)
    if service_test is None:
        raise LookupError(f"{settings['testModule']} defines no class ServiceTest")
    if not inspect.isclass(service_test):
        return service_test
    try:
        inspect.signature(service_test).bind()
    except (TypeError, ValueError):
        return service_test
    return service_test()


def sample_input(settings):
    kind = settings["service"]
    service_test = _service_test(settings)
    if not hasattr(service_test, f"{kind}_input"):
        raise LookupError(f"ServiceTest has no {kind}_input")
    data = getattr(service_test, f"{kind}_input")
    if callable(data):
        data = data()
    if kind == "training" and isinstance(data, dict):
        data = dict(data, **{DRY_RUN_KEY: True})
    return data


def check(settings, answer):
    """(passed, message) for an answer: the output contract, then the model's own check."""
    kind = settings["service"]
    if not isinstance(answer, dict):
        return False, f"the answer is {type(answer).__name__}, not a JSON object"
    if answer.get("status") != "ok":
        return False, f"status is {answer.get('status')!r}: {answer.get('error') or answer.get('error_message')}"
    if kind not in answer:
        return False, f"the answer has no '{kind}' field"
    if kind == "prediction" and answer.get("model_id") != settings.get("modelId"):
        return False, f"model_id is {answer.get('model_id')!r}, expected {settings.get('modelId')!r}"
    check_function = getattr(_service_test(settings), f"{kind}_check", None)
    if check_function is None:
        return True, f"output contract holds; ServiceTest has no {kind}_check"
    if not check_function(answer[kind]):
        return False, f"ServiceTest.{kind}_check returned False for {json.dumps(answer[kind])[:300]}"
    return True, f"output contract and ServiceTest.{kind}_check hold"


def main(argv):
    sys.path.insert(0, os.getcwd())
    settings = _settings()
    command = argv[0] if argv else "run"
    try:
        if command == "input":
            print(json.dumps({"input": sample_input(settings)}))
            return 0
        if command == "check":
            with open(argv[1], encoding="utf-8") as handle:
                answer = json.load(handle)
            passed, message = check(settings, answer)
        elif command == "run":
            service = Service(os.getcwd(), settings)
            # The model's secrets, as the deployed service gets them (never in the package).
            secrets = json.loads(os.environ.pop("MLOPS_SERVICE_SECRETS", "{}") or "{}")
            answer = service.handle(sample_input(settings), secrets=secrets, call_info={"call_id": "servicetest"})
            passed, message = check(settings, answer)
        else:
            raise ValueError(f"unknown command {command!r}")
    except Exception as error:  # noqa: BLE001 - reported as a failed test
        passed, message = False, f"{type(error).__name__}: {error}"
    print(json.dumps({"passed": passed, "message": message}))
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
