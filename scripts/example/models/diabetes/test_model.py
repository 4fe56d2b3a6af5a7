"""Model tests (run with `python -m pytest models/diabetes` from the project root) and the service tests' samples."""
import pytest

from models.diabetes import model


class ServiceTest:
    """Sample input for each service and a check of its output, used by MlOps's service tests."""

    # The first two patients of the diabetes data set (progression 151 and 75).
    prediction_input = {
        "age": [0.038076, -0.001882], "sex": [0.05068, -0.044642], "bmi": [0.061696, -0.051474],
        "bp": [0.021872, -0.026328], "s1": [-0.044223, -0.008449], "s2": [-0.034821, -0.019163],
        "s3": [-0.043401, 0.074412], "s4": [-0.002592, -0.039493], "s5": [0.019907, -0.068332],
        "s6": [-0.017646, -0.092204],
    }
    training_input = {}

    @staticmethod
    def prediction_check(prediction):
        return isinstance(prediction, list) and len(prediction) == 2 and prediction[0] > prediction[1] > 0

    @staticmethod
    def training_check(training):
        return float(training["r2"]) > 0.3


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("artifacts")
    metadata = model.train(str(folder), secrets={})
    return folder, metadata


def test_training_reports_a_useful_fit(trained):
    _, metadata = trained
    assert ServiceTest.training_check(metadata)
    assert metadata["train_rows"] == 353


def test_prediction_ranks_the_sample_patients(trained):
    folder, _ = trained
    init = model.initialization(str(folder), secrets={})
    prediction = model.predict(ServiceTest.prediction_input, init, secrets={})
    assert ServiceTest.prediction_check(prediction)


def test_missing_features_raise_a_model_exception(trained):
    folder, _ = trained
    init = model.initialization(str(folder), secrets={})
    with pytest.raises(model.ModelException, match="missing features: s6"):
        model.predict({k: v for k, v in ServiceTest.prediction_input.items() if k != "s6"}, init, secrets={})
