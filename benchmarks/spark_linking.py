"""Person linking on Spark (`pipeline.spark_link.link_persons`, local[2]) against the local linker
(`PetitionerLinker().link`): agreement (pairwise F1 of person_id, identical ids, identical
near-duplicate and joint-letter columns) and times, per source.

    python benchmarks/spark_linking.py                 # bundled corpus, Qingdao, shared letters
    python benchmarks/spark_linking.py --only sample   # one source: sample | shared | qingdao

Sources: the bundled corpus (corpora/sample); the ~10,000 shared letters (hot_messages +
replies + unlabeled_messages, read by `pipeline.read`); the Qingdao real callers (substantive
calls, `benchmarks/linking.py`'s loader), where the truth (the caller) is scored as well.
Times are wall clock on a shared 2-core machine: noisy; Spark's include its per-stage overhead,
which dominates at these sizes. A source whose data is absent is named as skipped; with nothing
to measure the script says why and exits 1 (it used to print its header alone and exit 0).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import pandas as pd  # noqa: E402

from pipeline.link import PetitionerLinker  # noqa: E402
from pipeline.paths import SAMPLE_DIR, SHARED_DATA_DIR  # noqa: E402


def pairwise(pred: pd.Series, truth: pd.Series) -> tuple[float, float, float]:
    pairs = lambda s: int((s * (s - 1) // 2).sum())  # noqa: E731
    both = pd.DataFrame({"p": pred.to_numpy(), "t": truth.to_numpy()})
    tp = pairs(both.groupby(["p", "t"]).size())
    p = tp / max(pairs(both.groupby("p").size()), 1)
    r = tp / max(pairs(both.groupby("t").size()), 1)
    return p, r, 2 * p * r / max(p + r, 1e-12)


def sources(only: str | None):
    """(label, letters, truth) per source asked for; (label, None, why) for one whose data is absent,
    so the caller can say what it skipped instead of ending without a row."""
    from pipeline.read import read_letters

    if only in (None, "sample"):
        yield "bundled corpus", read_letters([SAMPLE_DIR / "letters_xinfang.csv",
                                              SAMPLE_DIR / "hotline_12345.xlsx"]).letters, None
    if only in (None, "qingdao"):
        from benchmarks.linking import QINGDAO, read_qingdao

        if QINGDAO.exists():
            calls = read_qingdao()
            truth = calls.pop("truth")
            yield "Qingdao real callers", calls, truth
        else:
            yield "Qingdao real callers", None, f"{QINGDAO} is absent"
    shared = [SHARED_DATA_DIR / n for n in ("hot_messages.xlsx", "replies.xlsx",
                                            "unlabeled_messages.xlsx")]
    if only in (None, "shared"):
        missing = [str(p) for p in shared if not p.exists()]
        if missing:
            yield "shared letters (tipdm)", None, f"absent: {', '.join(missing)}"
        else:
            yield "shared letters (tipdm)", read_letters(shared).letters, None


def session():
    from pyspark.sql import SparkSession

    from pipeline.spark_link import spark_jars

    os.environ["PYSPARK_PYTHON"] = sys.executable
    spark = (SparkSession.builder.master("local[2]").appName("spark_linking")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
             .config("spark.pyspark.python", sys.executable).config("spark.jars", spark_jars())
             .config("spark.driver.memory", "2g").getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["sample", "shared", "qingdao"])
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    found = list(sources(args.only))
    skipped = [f"{label}: {why}" for label, letters, why in found if letters is None]
    found = [source for source in found if source[1] is not None]
    if not found:  # a source whose data is absent was skipped in silence, and the run passed
        print("spark_linking: nothing to measure (" + "; ".join(skipped) + ")", file=sys.stderr)
        return 1
    for line in skipped:
        print(f"skipped {line}", flush=True)
    from pipeline.spark_link import link_persons

    spark = session()
    try:
        print(f"{'source':26s} {'letters':>7s} {'F1':>6s} {'same id':>7s} {'near':>6s} "
              f"{'joint':>6s} {'local s':>8s} {'spark s':>8s}")
        for label, letters, truth in found:
            if truth is not None:
                letters = letters.assign(truth=truth.to_numpy())
            start = time.perf_counter()
            local = PetitionerLinker().link(letters)
            local_s = time.perf_counter() - start
            start = time.perf_counter()
            sdf = spark.createDataFrame(letters.astype({c: object for c in letters.columns
                                                        if letters[c].dtype == object}))
            spark_out = link_persons(spark, sdf).drop("sig").toPandas()
            spark_s = time.perf_counter() - start
            m = local.merge(spark_out, on="letter_key", suffixes=("_l", "_s"))
            f1 = pairwise(m["person_id_s"], m["person_id_l"])[2]
            same = (m["person_id_s"] == m["person_id_l"]).mean()

            def agree(column):
                a = m[f"{column}_l"].astype(object).where(m[f"{column}_l"].notna(), None)
                b = m[f"{column}_s"].astype(object).where(m[f"{column}_s"].notna(), None)
                return ((a.isna() & b.isna()) | (a == b)).mean()

            near, joint = agree("near_duplicate_of"), agree("joint_letter_group")
            print(f"{label:26s} {len(m):7d} {f1:6.4f} {same:7.4f} {near:6.4f} {joint:6.4f} "
                  f"{local_s:8.1f} {spark_s:8.1f}", flush=True)
            if truth is not None:
                for engine, column in (("local", "person_id_l"), ("spark", "person_id_s")):
                    p, r, f = pairwise(m[column], m["truth_l"])
                    print(f"  against the real callers, {engine}: precision {p:.4f} recall "
                          f"{r:.4f} F1 {f:.4f}")
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
