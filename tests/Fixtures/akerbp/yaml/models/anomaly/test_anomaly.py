from models.anomaly.anomaly_model import predict


class ServiceTest:
    prediction_input = {"rate": [1.0, 100.0]}

    def prediction_check(self, prediction):
        return prediction == [False, True]


def test_flags():
    assert predict({"rate": [5.0, 50.0]}, 10.0, {}) == [False, True]
