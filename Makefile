# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := demo-archive

.PHONY: demo test lint model clean

$(BIN)/epistula: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.test-extras: $(BIN)/epistula
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/epistula
	rm -rf $(DEMO) demo-export
	$(BIN)/epistula --archive $(DEMO) ingest samples/letters/
	$(BIN)/epistula --archive $(DEMO) list
	$(BIN)/epistula --archive $(DEMO) search 'Lindqvist'
	$(BIN)/epistula --archive $(DEMO) search 'from:Moreau'
	$(BIN)/epistula --archive $(DEMO) export --format tei demo-export/tei
	$(BIN)/epistula --archive $(DEMO) export --format dc demo-export/dc
	$(BIN)/epistula --archive $(DEMO) validate
	@echo "Demo archive in $(DEMO)/, exports in demo-export/"

test: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/python -W error::SyntaxWarning -c "import ingest, metadata, search, archive, archive.cli"
	$(BIN)/python -m pytest

# The part labeller, trained from the edition letters in ../shared/corpus/letters/ (renditions
# are cached in bench/.cache/); writes ingest/letter/parts.crfsuite.
model: $(VENV)/.test-extras
	$(BIN)/python -m bench.train

lint: $(VENV)/.test-extras
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) $(DEMO) demo-export .pytest_cache
