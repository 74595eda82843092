# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test test-spark install benchmarks models clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# PySpark (the Spark engine's extra) only for the tests: `make run` stays local and light
$(BIN)/.installed-spark: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,spark]'
	touch $@

install: $(BIN)/.installed

run: install  ## the main job on the bundled corpus: triage lists and report in out/
	$(BIN)/petition run --out $(OUT)

# Java on the machine: `make test` installs the spark extra too, so the Spark engine's equivalence test runs
HAVE_JAVA := $(shell { [ -n "$$JAVA_HOME" ] || command -v java >/dev/null 2>&1; } && echo yes)

# one pytest worker per core (at most 4), a test file per worker: its module fixtures are built once
test: install $(if $(HAVE_JAVA),$(BIN)/.installed-spark)  ## every test (real-letter tests skip without ../shared/data; Spark's without Java)
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile

test-spark: $(BIN)/.installed-spark  ## the Spark engine's slower tests too: graph, linking, clustering (minutes on 2 cores; needs Java 17)
	PETITION_SPARK_TESTS=1 $(BIN)/python -m pytest -q tests/test_spark_graph.py tests/test_spark_engine.py tests/test_spark_link.py tests/test_spark_cluster.py

benchmarks: install  ## speed and quality figures on ../shared/data
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

models: install  ## rebuild the shipped default model from ../shared/data and the bundled corpus (seeded)
	$(BIN)/python models/build_default.py --out models/default

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
