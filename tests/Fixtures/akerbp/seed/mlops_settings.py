# akerbp.mlops user settings
import os

# Model settings
model_name = "well_rate"
model_file = "model_code/model.py"
req_file = "model_code/requirements.model"
test_file = "model_code/test_model.py"
artifact_folder = "model_artifact"

platform = "local"
python_version = "py38"
dataset = "mlops"

info = {
    "prediction": {
        "description": "Predicts the well rate from pressure",
        "owner": "datascientist@akerbp.com",
    },
    "training": {
        "description": "Trains the well rate model",
        "owner": "datascientist@akerbp.com",
    },
}

# Not a setting: a helper value the file computes, as real settings files do
_here = os.path.dirname(os.path.abspath(__file__))
