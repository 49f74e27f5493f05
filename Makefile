# The two commands of the README. Each works on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# the message catalogues: .po in git, .mo compiled here by Babel (never at run time) and shipped
PO     := $(wildcard src/lanlab/locale/*/LC_MESSAGES/lanlab.po)
MO     := $(PO:.po=.mo)

FAST   := .venv-fast
# Every source file: the build is installed, not editable, so a change to any module (compiled or not)
# must reinstall it, or `make test-fast` would test a stale copy of that module.
SRC    := $(shell find src/lanlab -name '*.py' -o -name '*.po' -o -name '*.js' -o -name '*.css' -o -name '*.html')

.PHONY: all demo test bench clean fast test-fast catalogue

all: $(STAMP) $(MO)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel --quiet compile --domain lanlab --input-file $< --output-file $@

# after changing a user-facing text: refresh lanlab.pot and the .po files, then translate the new entries
catalogue: $(STAMP)
	$(BIN)/python scripts/catalogue.py extract

demo: $(STAMP) $(MO)
	$(BIN)/lanlab demo

# the suite on every core (pytest-xdist; worksteal: an idle worker takes tests queued for a busy one,
# so the long ones do not keep one worker running alone at the end); TEST_WORKERS=0: one process
TEST_WORKERS ?= auto

test: $(STAMP) $(MO)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

# The optional compiled build (setup.py, LANLAB_COMPILE=1): the simulator's hot path compiled with mypyc,
# installed (not editable) in a venv of its own, so .venv stays the pure Python reference and an edited
# .py file is never shadowed by a stale extension. Run it as .venv-fast/bin/lanlab.
fast: $(FAST)/.installed

$(FAST)/.installed: pyproject.toml setup.py $(SRC)
	@test -x $(FAST)/bin/python || $(PYTHON) -m venv $(FAST)
	$(FAST)/bin/python -m pip install --quiet --upgrade pip
	LANLAB_COMPILE=1 $(FAST)/bin/python -m pip install --quiet '.[test-core,fast]'
	@rm -rf build
	$(FAST)/bin/lanlab --version
	@touch $@

# The simulator's tests on the compiled build (CI runs them after `make test`).
test-fast: $(FAST)/.installed
	LANLAB_EXPECT_COMPILED=1 $(FAST)/bin/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal -p no:cacheprovider -m "not netns" \
		tests/sim tests/test_compiled.py

clean:
	rm -rf $(VENV) $(FAST) build src/*.egg-info .pytest_cache $(MO)
