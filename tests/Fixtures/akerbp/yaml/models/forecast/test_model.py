import pytest

from akerbp.mlops.core.exceptions import ModelException
from models.forecast.model import predict


class ServiceTest:
    prediction_input = {"rate": [1.0, 2.0]}

    @staticmethod
    def prediction_check(prediction):
        return prediction == [1.5, 3.0]

    training_input = {}

    @staticmethod
    def training_check(training):
        return training["factor"] == 1.5


def test_predict():
    assert predict({"rate": [2.0]}, 2.0, {}) == [4.0]


def test_missing_curve():
    with pytest.raises(ModelException):
        predict({}, 2.0, {})
