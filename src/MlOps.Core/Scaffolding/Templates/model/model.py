"""{{ModelName}}: a straight line, y = slope * x + intercept, fitted to training_data.csv beside this file.

A small but real model to start from (standard library only). Replace it with yours and keep the interface
MlOps calls (Get-Help about_MlOps):
  train(folder_path, secrets)              -> metadata (dict); writes the artifact files into folder_path
  initialization(artifact_folder, secrets) -> an object, loaded once when a prediction service starts
  predict(data, init_object, secrets)      -> the prediction (anything JSON can carry)
"""
import csv
import json
import os

from models.common_code.validation import numbers

try:
    from mlops_runtime.logger import get_logger  # inside a service: lines go to Get-MlServiceLog, tagged with the call
except ImportError:  # a notebook or script outside MlOps
    from logging import getLogger as get_logger

log = get_logger(__name__)

TRAINING_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "training_data.csv")
ARTIFACT_FILE = "model.json"


class ModelException(Exception):
    """Input the model cannot score; the prediction service answers {status: "error"} with this message."""


def fit_line(points):
    """Least-squares slope, intercept and R² of (x, y) points."""
    if len(points) < 2:
        raise ValueError("at least two points are needed to fit a line")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        raise ValueError("x must take at least two different values")
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    intercept = mean_y - slope * mean_x
    total = sum((y - mean_y) ** 2 for _, y in points)
    residual = sum((y - (slope * x + intercept)) ** 2 for x, y in points)
    r2 = 1.0 - residual / total if total > 0 else 1.0
    return slope, intercept, r2


def train(folder_path, secrets):
    with open(TRAINING_DATA, newline="", encoding="utf-8") as handle:
        points = [(float(row["x"]), float(row["y"])) for row in csv.DictReader(handle)]
    slope, intercept, r2 = fit_line(points)
    os.makedirs(folder_path, exist_ok=True)
    with open(os.path.join(folder_path, ARTIFACT_FILE), "w", encoding="utf-8") as handle:
        json.dump({"slope": slope, "intercept": intercept}, handle)
    log.info("fitted y = %.4f * x + %.4f on %d rows (r2 %.4f)", slope, intercept, len(points), r2)
    return {"slope": round(slope, 6), "intercept": round(intercept, 6), "r2": round(r2, 4), "train_rows": len(points)}


def initialization(artifact_folder, secrets):
    with open(os.path.join(artifact_folder, ARTIFACT_FILE), encoding="utf-8") as handle:
        return json.load(handle)


def predict(data, init_object, secrets):
    try:
        xs = numbers(data, "x")
    except ValueError as error:
        raise ModelException(str(error)) from error
    log.info("scoring %d rows", len(xs))
    return [round(init_object["slope"] * x + init_object["intercept"], 4) for x in xs]
