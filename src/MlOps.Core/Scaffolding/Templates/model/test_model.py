"""Tests of {{ModelName}} (MlOps runs them before every deploy: python -m pytest models/{{ModelName}}),
and the samples the service tests send to the deployed services."""
import pytest

from models.{{ModelName}} import model


class ServiceTest:
    """Sample input for each service and a check of its output, used by MlOps's service tests."""

    prediction_input = {"x": [1.0, 4.0]}
    training_input = {}

    @staticmethod
    def prediction_check(prediction):
        return isinstance(prediction, list) and len(prediction) == 2 and prediction[1] > prediction[0]

    @staticmethod
    def training_check(training):
        return float(training["r2"]) > 0.9


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("artifact")
    metadata = model.train(str(folder), secrets={})
    return folder, metadata


def test_training_fits_the_data(trained):
    _, metadata = trained
    assert ServiceTest.training_check(metadata)
    assert metadata["train_rows"] >= 2


def test_a_line_through_two_points_is_exact():
    slope, intercept, r2 = model.fit_line([(0.0, 1.0), (2.0, 5.0)])
    assert (slope, intercept, r2) == (2.0, 1.0, 1.0)


def test_prediction_follows_the_fitted_line(trained):
    folder, metadata = trained
    init = model.initialization(str(folder), secrets={})
    prediction = model.predict(ServiceTest.prediction_input, init, secrets={})
    assert ServiceTest.prediction_check(prediction)
    assert prediction[1] - prediction[0] == pytest.approx(3 * metadata["slope"], abs=1e-3)


def test_input_without_x_is_a_model_exception(trained):
    folder, _ = trained
    init = model.initialization(str(folder), secrets={})
    with pytest.raises(model.ModelException, match="missing input: x"):
        model.predict({"y": [1.0]}, init, secrets={})
