import json
import os

from akerbp.mlops.core.logger import get_logger
from models.common_code.scaling import scale

log = get_logger("mlops_anomaly")


def initialization(artifact_folder, secrets):
    with open(os.path.join(artifact_folder, "threshold.json")) as handle:
        return json.load(handle)["threshold"]


def predict(data, init_object, secrets):
    flags = [v > init_object for v in scale(data["rate"], 1.0)]
    log.info("flagged %d of %d", sum(flags), len(flags))
    return flags
