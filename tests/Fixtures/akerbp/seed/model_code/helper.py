import csv
import os


def read_training_data():
    # The seed's guideline: paths are relative to the repository root
    with open(os.path.join("model_code", "data.csv"), newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [float(r["pressure"]) for r in rows], [float(r["rate"]) for r in rows]


def fit_line(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    return slope, my - slope * mx
