"""benchmarks/spark_linking.py fails loudly when it has nothing to measure (it used to print its
header and exit 0 when the source asked for was absent)."""
import benchmarks.linking
import benchmarks.spark_linking as bench


def test_an_absent_source_is_an_error_not_an_empty_table(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(benchmarks.linking, "QINGDAO", tmp_path / "absent.xlsx")
    assert bench.main(["--only", "qingdao"]) == 1
    err = capsys.readouterr().err
    assert "nothing to measure" in err and "absent.xlsx is absent" in err


def test_an_absent_shared_folder_is_named(monkeypatch, tmp_path):
    monkeypatch.setattr(bench, "SHARED_DATA_DIR", tmp_path)
    (label, letters, why), = bench.sources("shared")
    assert letters is None and str(tmp_path / "hot_messages.xlsx") in why
