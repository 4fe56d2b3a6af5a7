import json
import os

from akerbp.mlops.core import logger
from akerbp.mlops.core.exceptions import ModelException
from models.common_code.scaling import scale

logging = logger.get_logger(name="mlops_forecast")


def train(folder_path, secrets):
    os.makedirs(folder_path, exist_ok=True)
    with open(os.path.join(folder_path, "factor.json"), "w") as handle:
        json.dump({"factor": 1.5}, handle)
    return {"factor": 1.5}


def initialization(artifact_folder, secrets):
    with open(os.path.join(artifact_folder, "factor.json")) as handle:
        return json.load(handle)["factor"]


def predict(data, init_object, secrets):
    if "rate" not in data:
        raise ModelException("the input has no 'rate' curve")
    logging.info("forecasting %d values", len(data["rate"]))
    return scale(data["rate"], init_object)
