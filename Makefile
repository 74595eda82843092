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

test: install  ## every test but the Spark engine's (real-letter tests skip when ../shared/data is absent)
	$(BIN)/python -m pytest -q

test-spark: $(BIN)/.installed-spark  ## the Spark engine's equivalence tests (minutes on 2 cores; needs Java 17)
	PETITION_SPARK_TESTS=1 $(BIN)/python -m pytest -q tests/test_spark_graph.py tests/test_spark_engine.py tests/test_spark_link.py tests/test_spark_cluster.py

benchmarks: install  ## speed and quality figures on ../shared/data
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

models: install  ## rebuild the shipped default model from ../shared/data and the bundled corpus (seeded)
	$(BIN)/python models/build_default.py --out models/default

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
