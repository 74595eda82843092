# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: run test install benchmarks models clean

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

test: install $(BIN)/.installed-spark  ## every test, the Spark engine's included (real-letter tests skip when ../shared/data is absent)
	$(BIN)/python -m pytest -q

benchmarks: install  ## speed and quality figures on ../shared/data
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

models: install  ## rebuild the shipped default model from ../shared/data and the bundled corpus (seeded)
	$(BIN)/python models/build_default.py --out models/default

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
