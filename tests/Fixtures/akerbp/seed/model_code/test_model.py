import tempfile

from model_code.model import initialization, predict, train


class ServiceTest:
    prediction_input = {"pressure": [100, 200]}
    training_input = {}
    expected_rows = 2

    def prediction_check(self, prediction):
        return len(prediction) == self.expected_rows and prediction[1] > prediction[0]

    def training_check(self, training):
        return training["rows"] >= 5


def test_train_and_predict():
    with tempfile.TemporaryDirectory() as folder:
        metadata = train(None, folder, {})
        assert metadata["rows"] == 5
        model = initialization(folder, {})
        assert predict({"pressure": [100]}, model, {})[0] == 210


def test_service_test_checks():
    assert ServiceTest().prediction_check([1, 2])
