"""Diabetes progression: ridge regression on scikit-learn's bundled diabetes data set (no download).

The MlOps model interface:
  train(folder_path, secrets)                 -> metadata (dict); writes the artifact files into folder_path
  initialization(artifact_folder, secrets)    -> an object loaded once per service start
  predict(data, init_object, secrets)         -> the prediction (JSON-serialisable)
"""
import json
import os
import pickle

from sklearn.datasets import load_diabetes
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split

from models.common_code.features import FEATURES, to_matrix

try:
    from mlops_runtime.logger import get_logger  # inside a service: lines go to Get-MlServiceLog, tagged with the call
except ImportError:  # a notebook or script outside MlOps
    from logging import getLogger as get_logger

log = get_logger(__name__)


class ModelException(Exception):
    """Input the model cannot score; the prediction service answers {status: error} with this message."""


def train(folder_path, secrets):
    data = load_diabetes()
    x_train, x_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.2, random_state=42)
    model = Ridge(alpha=0.1).fit(x_train, y_train)
    os.makedirs(folder_path, exist_ok=True)
    with open(os.path.join(folder_path, "model.pkl"), "wb") as handle:
        pickle.dump(model, handle)
    with open(os.path.join(folder_path, "features.json"), "w", encoding="utf-8") as handle:
        json.dump(FEATURES, handle)
    return {
        "r2": round(float(r2_score(y_test, model.predict(x_test))), 4),
        "train_rows": len(x_train),
        "algorithm": "Ridge(alpha=0.1)",
    }


def initialization(artifact_folder, secrets):
    with open(os.path.join(artifact_folder, "model.pkl"), "rb") as handle:
        model = pickle.load(handle)
    with open(os.path.join(artifact_folder, "features.json"), encoding="utf-8") as handle:
        features = json.load(handle)
    return {"model": model, "features": features}


def predict(data, init_object, secrets):
    try:
        matrix = to_matrix(data, init_object["features"])
    except ValueError as error:
        raise ModelException(str(error)) from error
    log.info("scoring %d rows", len(matrix))
    return [round(float(value), 2) for value in init_object["model"].predict(matrix)]
