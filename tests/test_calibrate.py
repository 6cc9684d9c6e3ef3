"""jobs/calibrate.py: operating points fitted on labelled rows, written in the checkpoint's format, merged with
the points already there, and chosen by `decoding.biases: checkpoint` / `checkpoint:<name>`."""

import json
import shutil
import sys
from pathlib import Path

import pytest

from haremb_batch import CheckpointError, Detector
from haremb_batch.engine.options import BIAS_NAMES, ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "jobs"))
import calibrate  # noqa: E402  (jobs/calibrate.py: main() is the CLI)


@pytest.fixture(scope="module")
def model(checkpoint_1layer, tmp_path_factory):
    """A private copy: calibration writes into the model folder."""
    return shutil.copytree(checkpoint_1layer, tmp_path_factory.mktemp("calibrated") / "model")


@pytest.fixture(scope="module")
def data(checkpoint_2layer, documents, tmp_path_factory):
    """Rows labelled by another random model, so the calibrated one disagrees with them and recall has a price."""
    labeller = Detector.load(str(checkpoint_2layer), dtype="float32")
    rows = [{"text": text, "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in spans]}
            for text, spans in zip(documents, labeller.detect(documents))]
    path = tmp_path_factory.mktemp("calibration_data") / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def measured(model, data, **options) -> dict:
    """Metrics of the job's own decoding, configured as given, on the calibration rows."""
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    detector = Detector.load(str(model), dtype="float32", **options)
    return calibrate.measure(rows, detector.detect([r["text"] for r in rows]))


def test_points_are_written_merged_and_chosen_by_name(model, data, capsys):
    common = ["--data", str(data), "--model", str(model), "--set", "dtype=float32"]
    assert calibrate.main(common + ["--target-recall", "0"]) == 0
    assert calibrate.main(common + ["--target-recall", "1.0", "--recall-kind", "chars", "--name", "high_recall"]) == 0
    assert "decoding.biases=checkpoint:high_recall" in capsys.readouterr().out
    points = json.loads((model / "viterbi_calibration.json").read_text())["operating_points"]
    assert set(points) == {"default", "high_recall"}
    for point in points.values():
        assert set(point["biases"]) == set(BIAS_NAMES) and point["data"] == {"file": str(data), "rows": 17}
    default, high = points["default"], points["high_recall"]
    assert high["target"] == {"metric": "char_recall", "value": 1.0, "met": high["metrics"]["char_recall"] >= 1.0}
    assert high["metrics"]["char_recall"] >= default["metrics"]["char_recall"]

    assert Detector.load(str(model), biases="checkpoint").biases.as_dict() == default["biases"]
    assert Detector.load(str(model), biases="checkpoint:high_recall").biases.as_dict() == high["biases"]
    # the recorded metrics are those of the job's decoding with the point
    for name, point in points.items():
        again = measured(model, data, biases=f"checkpoint:{name}")
        assert calibrate.rounded(again) == point["metrics"]

    with pytest.raises(ConfigError, match=r"no operating point 'nope' .*points: default, high_recall"):
        Detector.load(str(model), biases="checkpoint:nope")
    with pytest.raises(ConfigError, match="checkpoint:<point name>"):
        Detector.load(str(model), biases="checkpoint:")


def test_precision_target_with_min_score_to_another_file(model, data, tmp_path):
    out = tmp_path / "calibration.json"
    args = ["--data", str(data), "--model", str(model), "--set", "dtype=float32", "--out", str(out)]
    strict = args + ["--target-precision", "0.5", "--fit-min-score", "--name", "strict"]
    reached = calibrate.main(strict)  # a random model: the target may be out of reach
    if reached == 1:  # then nothing is written, unless asked for the closest point
        assert not out.exists()
        assert calibrate.main(strict + ["--allow-unmet"]) == 0
    point = json.loads(out.read_text())["operating_points"]["strict"]
    assert point["target"]["metric"] == "span_precision" and point["target"]["met"] == (reached == 0)
    assert all(0.0 < v <= 1.0 for v in point["min_score"].values())
    again = measured(model, data, biases=point["biases"], min_score=point["min_score"])
    assert calibrate.rounded(again) == point["metrics"]


def test_bad_requests_exit_2_and_leave_files_alone(model, data, tmp_path, capsys):
    base = ["--data", str(data), "--model", str(model), "--target-recall", "0.5"]
    assert calibrate.main(base + ["--set", "biases=zeros"]) == 2
    assert calibrate.main(base + ["--name", "has space"]) == 2
    assert calibrate.main(base[:-1] + ["1.5"]) == 2
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text("not json")
    assert calibrate.main(base + ["--set", "dtype=float32", "--out", str(corrupt), "--allow-unmet"]) == 2
    assert corrupt.read_text() == "not json"
    assert "not overwriting it" in capsys.readouterr().err


def test_a_point_with_an_unknown_bias_fails_at_load(checkpoint_1layer, tmp_path):
    folder = shutil.copytree(checkpoint_1layer, tmp_path / "model")
    (folder / "viterbi_calibration.json").write_text(json.dumps(
        {"operating_points": {"default": {"biases": {}}, "odd": {"biases": {"transition_bias_sideways": 1.0}}}}))
    with pytest.raises(CheckpointError, match="'odd'.*transition_bias_sideways"):
        Detector.load(str(folder))


def test_the_job_checks_the_point_before_any_cluster_work(checkpoint_1layer, tmp_path):
    from haremb_batch.config import load_job_config
    from haremb_batch.pipeline.job import check_model

    def check(folder, biases):
        cfg = load_job_config(None, [f"model.path={folder}", f"decoding.biases={biases}"], input__uri="a", output__uri="b")
        return check_model(cfg, b"k" * 32)[0]

    folder = shutil.copytree(checkpoint_1layer, tmp_path / "model")
    assert check(folder, "checkpoint") == folder  # no calibration file: zeros, as before
    with pytest.raises(ConfigError, match="no operating point 'high_recall' .*points: none"):
        check(folder, "checkpoint:high_recall")
    (folder / "viterbi_calibration.json").write_text(json.dumps({"operating_points": {"high_recall": {"biases": {}}}}))
    assert check(folder, "checkpoint:high_recall") == folder
    for biases, missing in (("checkpoint", "default"), ("checkpoint:nope", "nope")):
        with pytest.raises(ConfigError, match=f"no operating point '{missing}' .*points: high_recall"):
            check(folder, biases)
