"""The config's [spark] memory reaches the JVM: the driver's heap is what `spark_conf` says."""
import json
import os
import subprocess
import sys
from pathlib import Path

from spark_support import require_spark

require_spark(slow=True)

PROJECT = Path(__file__).resolve().parents[1]
# a fresh process: the test session's own JVM is already running with its heap fixed
PROBE = """
import json, sys
from pipeline.spark_session import spark_conf, start_spark
from pipeline.config import load_settings
spark = start_spark("local[1]", conf=spark_conf(load_settings(sys.argv[1])))
try:
    heap = spark.sparkContext._jvm.java.lang.Runtime.getRuntime().maxMemory()
    print(json.dumps({"heap_mb": heap / 2**20, "conf": spark.sparkContext.getConf().get("spark.driver.memory", "")}))
finally:
    spark.stop()
"""


def test_the_driver_heap_is_the_configs(tmp_path):
    config = tmp_path / "my.toml"
    config.write_text('[spark]\ndriver_memory = "700m"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_SUBMIT_ARGS"}
    env["PYTHONPATH"] = os.pathsep.join([str(PROJECT), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", PROBE, str(config)], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["conf"] == "700m"
    # the JVM reports a little less than -Xmx (one survivor space); Spark's default would be ~1 GB
    assert 500 < got["heap_mb"] <= 700
