"""The Python API of SPEC.md: inputs, errors, offsets, filters, long documents."""

import json
import shutil
from pathlib import Path

import pytest

from haremb_batch import CheckpointError, Detector, Span, redact_text


@pytest.fixture(scope="module")
def detector(checkpoint_1layer):
    return Detector.load(str(checkpoint_1layer), dtype="float32", max_tokens=256, overlap_tokens=128)


def test_spans_are_trimmed_non_overlapping_and_inside_the_text(detector, documents):
    results = detector.detect(documents)
    assert len(results) == len(documents)
    assert sum(map(len, results)) > 10
    for text, spans in zip(documents, results):
        cursor = 0
        for s in spans:
            assert isinstance(s, Span) and 0 <= cursor <= s.start < s.end <= len(text)
            assert text[s.start : s.end] == text[s.start : s.end].strip()
            assert 0.0 <= s.score <= 1.0 and s.label in detector.labels.categories
            cursor = s.end


def test_unicode_offsets_are_code_points(detector, documents):
    """Every span edge falls on a token edge of the text, counted in code points (not bytes, not UTF-16)."""
    for text in documents[-4:]:
        enc = detector.tokenize([text])[0]
        edges = {int(x) for x in enc.offsets.ravel()}
        assert max(edges) == len(text)
        for s in detector.detect([text], include_kept=True)[0]:
            assert s.start in edges or text[s.start - 1].isspace()
            assert s.end in edges or text[s.end].isspace()


def test_empty_none_and_empty_list(detector):
    assert detector.detect([]) == []
    assert detector.detect(["", None]) == [[], []]


def test_non_string_item_names_its_index(detector):
    with pytest.raises(TypeError, match=r"texts\[1\] is int"):
        detector.detect(["fine", 42])
    with pytest.raises(TypeError, match="list of strings"):
        detector.detect("a bare string")


def test_million_character_text(detector, documents):
    text = ("\n".join(documents) + "\n") * (1_000_000 // len("\n".join(documents)) + 1)
    assert len(text) > 1_000_000
    spans = detector.detect([text])[0]
    assert spans and spans[-1].end <= len(text)
    redacted = redact_text(text, spans, "char")
    assert len(redacted) == len(text)


def test_labels_and_min_score_mark_spans_kept(checkpoint_1layer, documents):
    every = Detector.load(str(checkpoint_1layer), dtype="float32").detect(documents, include_kept=True)
    found = [s for spans in every for s in spans]
    chosen = found[0].label
    only = Detector.load(str(checkpoint_1layer), dtype="float32", labels=[chosen])
    kept_view = only.detect(documents, include_kept=True)
    assert [(s.start, s.end) for x in kept_view for s in x] == [(s.start, s.end) for s in found]
    assert {s.label for x in only.detect(documents) for s in x} == {chosen}
    strict = Detector.load(str(checkpoint_1layer), dtype="float32", min_score=1.0).detect(documents)
    assert all(spans == [] for spans in strict)  # a random model is never certain: every span stays below 1
    with pytest.raises(ValueError, match=r"min_score must be in \[0, 1\]"):
        Detector.load(str(checkpoint_1layer), min_score=1.01)
    with pytest.raises(ValueError, match="not a category"):
        Detector.load(str(checkpoint_1layer), labels=["no_such_category"])


def test_argmax_mode_runs(checkpoint_1layer, documents):
    det = Detector.load(str(checkpoint_1layer), dtype="float32", mode="argmax")
    assert any(det.detect(documents))


def test_calibration_file_is_read(checkpoint_1layer, tmp_path, documents):
    folder = tmp_path / "calibrated"
    shutil.copytree(checkpoint_1layer, folder)
    biases = {"transition_bias_background_stay": 5.0}
    (folder / "viterbi_calibration.json").write_text(json.dumps({"operating_points": {"default": {"biases": biases}}}))
    det = Detector.load(str(folder), biases="checkpoint")
    assert det.biases.transition_bias_background_stay == 5.0
    assert sum(map(len, det.detect(documents))) < sum(map(len, Detector.load(str(folder)).detect(documents)))


def test_bad_model_locations_fail_in_one_line(tmp_path, checkpoint_1layer):
    with pytest.raises(CheckpointError, match="no such folder"):
        Detector.load(str(tmp_path / "missing"))
    with pytest.raises(CheckpointError, match="missing config.json"):
        Detector.load(str(tmp_path))
    broken = tmp_path / "no_tokenizer"
    shutil.copytree(checkpoint_1layer, broken)
    (broken / "tokenizer.json").unlink()
    (broken / "tokenizer_config.json").unlink()
    with pytest.raises(CheckpointError, match="tokenizer"):
        Detector.load(str(broken))


def test_unknown_option_is_named(checkpoint_1layer):
    with pytest.raises(TypeError, match="max_token"):
        Detector.load(str(checkpoint_1layer), max_token=10)
    with pytest.raises(ValueError, match="dtype"):
        Detector.load(str(checkpoint_1layer), dtype="fp8")


def test_model_from_fsspec_url(checkpoint_1layer, tmp_path, monkeypatch, documents):
    import fsspec

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    for path in checkpoint_1layer.iterdir():
        mem.pipe(f"/models/ck/{path.name}", path.read_bytes())
    det = Detector.load("memory://models/ck", dtype="float32")
    local = Detector.load(str(checkpoint_1layer), dtype="float32")
    assert det.detect(documents[:3]) == local.detect(documents[:3])


def test_model_copied_from_a_url_by_two_processes_at_once(checkpoint_1layer, tmp_path, monkeypatch):
    """The actors of one node copy a remote model at the same time: each into a folder of its own, the first
    renames it into place, the other drops its copy. A shared folder let one truncate the other's mapped file."""
    import threading

    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    for path in checkpoint_1layer.iterdir():
        mem.pipe(f"/models/race/{path.name}", path.read_bytes())
    both_copying, one_reader = threading.Barrier(2, timeout=30), threading.Lock()
    get_file = MemoryFileSystem.get_file

    def get_file_in_step(self, *args, **kwargs):
        with one_reader:  # a memory file is one buffer: two readers at once would share its position
            get_file(self, *args, **kwargs)
        both_copying.wait()  # file by file in step: neither renames before the other has copied every file

    monkeypatch.setattr(MemoryFileSystem, "get_file", get_file_in_step)
    results, errors = [], []

    def resolve():
        try:
            results.append(resolve_model_folder("memory://models/race"))
        except Exception as error:  # noqa: BLE001 - the test reports it
            errors.append(error)

    threads = [threading.Thread(target=resolve) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results)) == 1
    (folder,) = set(results)
    for path in checkpoint_1layer.iterdir():
        assert (folder / path.name).read_bytes() == path.read_bytes()
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no copy left behind


def _serve(mem, checkpoint, url_path):
    for path in checkpoint.iterdir():
        mem.pipe(f"{url_path}/{path.name}", path.read_bytes())


def test_model_replaced_at_its_url_is_copied_again(checkpoint_1layer, tmp_path, monkeypatch):
    """A nightly job's model replaced at the same URL: the next run copies and runs the new one (the cache is
    keyed by the remote's names, sizes and version fields), and an unchanged model is not copied again."""
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    _serve(mem, checkpoint_1layer, "/models/nightly")
    copied, get_file = [], MemoryFileSystem.get_file
    monkeypatch.setattr(MemoryFileSystem, "get_file", lambda self, rpath, *a, **k: (copied.append(rpath), get_file(self, rpath, *a, **k)))

    first = resolve_model_folder("memory://models/nightly")
    files = len(copied)
    assert resolve_model_folder("memory://models/nightly") == first and len(copied) == files  # no second copy

    card = json.loads((checkpoint_1layer / "tokenizer_config.json").read_text())
    card["model_max_length"] = 4096  # a new version of one file
    mem.pipe("/models/nightly/tokenizer_config.json", json.dumps(card).encode())
    second = resolve_model_folder("memory://models/nightly")
    assert second != first and len(copied) == 2 * files
    assert json.loads((second / "tokenizer_config.json").read_text())["model_max_length"] == 4096
    assert (first / "config.json").exists()  # the old version stays: a running job may still map it


def test_model_replaced_by_one_of_the_same_size_is_copied_again(checkpoint_1layer, tmp_path, monkeypatch):
    """A retrained model of the same shape has files of the same sizes: the version fields tell them apart
    (the memory filesystem's creation time here, S3's ETag, a local file's mtime)."""
    import fsspec

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    _serve(mem, checkpoint_1layer, "/models/retrained")
    first = resolve_model_folder("memory://models/retrained")
    weights = bytearray((checkpoint_1layer / "model.safetensors").read_bytes())
    weights[-1] ^= 1  # one bit of the last weight: same size
    mem.pipe("/models/retrained/model.safetensors", bytes(weights))
    second = resolve_model_folder("memory://models/retrained")
    assert second != first and (second / "model.safetensors").read_bytes() == bytes(weights)


def test_model_listed_without_versions_is_pinned_by_its_content(checkpoint_1layer, tmp_path, monkeypatch):
    """An HTTP index page lists names only: the copy is then named by its content digest, so a replacement of
    the same size is still a new version, and a pinned actor that finds another content fails."""
    import fsspec

    from haremb_batch.engine import checkpoint
    from haremb_batch.engine.checkpoint import resolve_model_folder, url_model_version

    monkeypatch.setattr(checkpoint, "CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(checkpoint, "VERSION_KEYS", ())  # as HTTPFileSystem lists: no version field
    mem = fsspec.filesystem("memory")
    _serve(mem, checkpoint_1layer, "/models/plain")
    first = resolve_model_folder("memory://models/plain")
    assert url_model_version(first) == checkpoint.model_content_digest(first)[:16]
    assert resolve_model_folder("memory://models/plain") == first  # the same content: the same copy
    weights = bytearray((checkpoint_1layer / "model.safetensors").read_bytes())
    weights[-1] ^= 1
    mem.pipe("/models/plain/model.safetensors", bytes(weights))
    second = resolve_model_folder("memory://models/plain")
    assert second != first and (second / "model.safetensors").read_bytes() == bytes(weights)
    shutil.rmtree(tmp_path / "cache")
    with pytest.raises(CheckpointError, match="replaced after the run started"):
        resolve_model_folder("memory://models/plain", version=url_model_version(first))
    assert [p.name for p in (tmp_path / "cache" / "models").iterdir()] == []  # nothing left of the refused copy


def test_model_url_errors_are_one_line_without_credentials(tmp_path, monkeypatch):
    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    with pytest.raises(CheckpointError, match="cannot list it") as error:
        resolve_model_folder("nosuchproto://models/none?sig=SECRETSIG123")
    assert "SECRETSIG123" not in str(error.value)
    assert "SECRETSIG123" not in str(error.value) and "\n" not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__  # no raw cause in a traceback
    with pytest.raises(CheckpointError, match="not a folder") as error:
        resolve_model_folder("memory://models/missing?sig=SECRETSIG123")
    assert "SECRETSIG123" not in str(error.value) and "\n" not in str(error.value)


def test_versions_missing_from_a_listing_are_read_file_by_file(checkpoint_1layer, tmp_path, monkeypatch):
    """An HTTP index page lists names only; a HEAD (fs.info) gives each file's ETag. With it a replacement during
    the copy is seen, as with a listing that holds versions."""
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    _serve(mem, checkpoint_1layer, "/models/index")
    find = MemoryFileSystem.find

    def names_only(self, path, *args, detail=False, **kwargs):
        found = find(self, path, *args, detail=detail, **kwargs)
        return {k: {"name": k, "size": None, "type": "file"} for k in found} if detail else found

    monkeypatch.setattr(MemoryFileSystem, "find", names_only)
    get_file = MemoryFileSystem.get_file

    def get_file_then_replace(self, rpath, *args, **kwargs):
        get_file(self, rpath, *args, **kwargs)
        if rpath.endswith("config.json"):
            mem.pipe(rpath, mem.cat(rpath))  # the same bytes, uploaded again: a new version
    monkeypatch.setattr(MemoryFileSystem, "get_file", get_file_then_replace)
    with pytest.raises(CheckpointError, match="changed while it was being copied"):
        resolve_model_folder("memory://models/index")


def test_a_stuck_copy_taken_for_a_killed_one_is_not_published(checkpoint_1layer, tmp_path, monkeypatch):
    """A copy that stalls for over a day looks like a killed process's: another process's cleaner removes its
    folder. Even if the filesystem makes the folder again to write the next file, the copy must fail rather than
    publish a folder that lacks files."""
    import os
    import time

    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from haremb_batch.engine import checkpoint

    monkeypatch.setattr(checkpoint, "CACHE_DIR", tmp_path / "cache")
    _serve(fsspec.filesystem("memory"), checkpoint_1layer, "/models/stuck")
    get_file, calls = MemoryFileSystem.get_file, []

    def stall_once(self, rpath, lpath, *args, **kwargs):
        calls.append(rpath)
        if len(calls) == 2:  # a day passes; a cleaner claims the folder
            partial = Path(lpath).parent
            day_ago = time.time() - 2 * 24 * 3600
            os.utime(partial, (day_ago, day_ago))
            checkpoint._remove_stale_copies(partial.parent)
            assert not partial.exists()
        os.makedirs(os.path.dirname(lpath), exist_ok=True)  # as some filesystems' get_file do
        get_file(self, rpath, lpath, *args, **kwargs)

    monkeypatch.setattr(MemoryFileSystem, "get_file", stall_once)
    with pytest.raises(CheckpointError, match="removed as stale"):
        checkpoint.resolve_model_folder("memory://models/stuck")
    assert [p for p in (tmp_path / "cache" / "models").iterdir() if not p.name.endswith(".partial")] == []


def test_model_replaced_while_it_is_copied_is_refused(checkpoint_1layer, tmp_path, monkeypatch):
    import fsspec
    from fsspec.implementations.memory import MemoryFileSystem

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    mem = fsspec.filesystem("memory")
    _serve(mem, checkpoint_1layer, "/models/moving")
    get_file = MemoryFileSystem.get_file

    def get_file_then_replace(self, rpath, *args, **kwargs):
        get_file(self, rpath, *args, **kwargs)
        mem.pipe("/models/moving/extra.txt", b"uploaded meanwhile")

    monkeypatch.setattr(MemoryFileSystem, "get_file", get_file_then_replace)
    with pytest.raises(CheckpointError, match="changed while it was being copied"):
        resolve_model_folder("memory://models/moving")
    assert list((tmp_path / "cache" / "models").iterdir()) == []  # no copy of mixed versions left, none in place


def test_copies_of_killed_processes_are_removed_after_a_day(checkpoint_1layer, tmp_path, monkeypatch):
    import os
    import time

    import fsspec

    from haremb_batch.engine.checkpoint import resolve_model_folder

    monkeypatch.setattr("haremb_batch.engine.checkpoint.CACHE_DIR", tmp_path / "cache")
    models = tmp_path / "cache" / "models"
    stale, live = models / "0123abcd-ffff.x1y2.partial", models / "0123abcd-ffff.z3w4.partial"
    for folder in (stale, live):
        folder.mkdir(parents=True)
        (folder / "model.safetensors").write_bytes(b"half a file")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(stale, (two_days_ago, two_days_ago))
    _serve(fsspec.filesystem("memory"), checkpoint_1layer, "/models/tidy")
    claimed = models / "0123abcd.stale-99-1"  # a cleaner that died after claiming a stale copy
    claimed.mkdir()
    os.utime(claimed, (two_days_ago, two_days_ago))
    folder = resolve_model_folder("memory://models/tidy")
    assert sorted(p.name for p in models.iterdir()) == sorted([folder.name, live.name])


def test_auto_dtype_follows_the_cpu(checkpoint_1layer):
    """bf16 only where the CPU has AMX/AVX512-BF16; emulated bf16 on AVX2 is ~100x slower than fp32."""
    import torch

    from haremb_batch.engine.detector import cpu_has_fast_bf16, resolve_dtype

    expected = torch.bfloat16 if cpu_has_fast_bf16() else torch.float32
    assert resolve_dtype("auto", torch.device("cpu")) == expected
    assert Detector.load(str(checkpoint_1layer), device="cpu").dtype == expected
    assert resolve_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16


def test_snap_to_words_leaves_no_piece_of_a_word_visible(checkpoint_1layer, documents):
    from haremb_batch.engine.spans import Span, snap_to_words

    text = "id X521 pw hunter2Ms ok"
    assert snap_to_words(text, [Span(4, 6, "device_identifier", 0.9)]) == [Span(3, 7, "device_identifier", 0.9)]
    assert snap_to_words(text, [Span(11, 18, "password", 0.8)]) == [Span(11, 20, "password", 0.8)]
    # two spans in one word become one, with the label of the surer one
    assert snap_to_words("JohnSmith", [Span(0, 4, "first_name", 0.6), Span(4, 9, "last_name", 0.7)]) == [
        Span(0, 9, "last_name", 0.7)]
    assert snap_to_words("a b", [Span(0, 1, "x", 0.5)]) == [Span(0, 1, "x", 0.5)]  # already on word edges
    raw = Detector.load(str(checkpoint_1layer), dtype="float32", snap_to_words=False).detect(documents)
    snapped = Detector.load(str(checkpoint_1layer), dtype="float32").detect(documents)
    for text, spans in zip(documents, snapped):
        for s in spans:
            assert not (s.start > 0 and text[s.start - 1].isalnum() and text[s.start].isalnum())
            assert not (s.end < len(text) and text[s.end - 1].isalnum() and text[s.end].isalnum())
    assert raw != snapped  # a random model cuts words: snapping changed something


def test_decoding_beside_the_next_forward_gives_the_same_spans(checkpoint_1layer, documents):
    """On a GPU a group is decoded in a thread while the next group runs its forward; forced on here (CPU),
    over many small groups, the spans are the sequential ones, in the documents' order."""
    from haremb_batch.engine.detector import GROUP_WINDOWS, length_groups

    det = Detector.load(str(checkpoint_1layer), dtype="float32", max_tokens=64, overlap_tokens=16, batch_tokens=64)
    texts = documents * 3
    encoded = det.tokenize(texts)
    assert len(length_groups([len(e) for e in encoded], GROUP_WINDOWS * det.batch_tokens)) >= 3
    assert det.overlap_decode is False  # CPU: the two would compete for the same cores
    sequential = det.detect_encoded(texts, encoded)
    det.overlap_decode = True
    assert det.detect_encoded(texts, encoded) == sequential
    assert any(sequential) and det._decode_pool is not None


def test_a_decoding_error_in_the_thread_reaches_the_caller(checkpoint_1layer, documents, monkeypatch):
    det = Detector.load(str(checkpoint_1layer), dtype="float32", max_tokens=64, overlap_tokens=16, batch_tokens=64)
    det.overlap_decode = True

    def broken(*args, **kwargs):
        raise RuntimeError("decode broke")

    monkeypatch.setattr(det, "decode", broken)
    with pytest.raises(RuntimeError, match="decode broke"):
        det.detect(documents * 3)


def test_inline_decoding_frees_each_groups_logprobs_before_the_next_forward(checkpoint_1layer, documents, monkeypatch):
    """On CPU no earlier group's log-probs are alive while the next group runs its forward (a long document is a
    group of its own: hundreds of MB)."""
    import gc
    import weakref

    det = Detector.load(str(checkpoint_1layer), dtype="float32", max_tokens=64, overlap_tokens=16, batch_tokens=64)
    held, alive = [], []
    real_infer = det.infer

    def infer(encoded):
        gc.collect()
        alive.append(sum(1 for refs in held if any(r() is not None for r in refs)))
        out = real_infer(encoded)
        held.append([weakref.ref(a) for a in out])
        return out

    monkeypatch.setattr(det, "infer", infer)
    det.detect(documents * 3)
    assert len(held) >= 3 and max(alive) == 0
