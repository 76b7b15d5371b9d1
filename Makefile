# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest-xdist workers for `make test`: many tests wait on real time and real processes, so two
# workers overlap that waiting (21 min → 8.5 min on 2 cores); `TEST_WORKERS=0` runs in one.
TEST_WORKERS ?= 2

.PHONY: run test install migrate demo lint bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 hoặc mới hơn là bắt buộc")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/cdsbot db upgrade

demo: migrate
	$(BIN)/cdsbot demo load

run: demo
	$(BIN)/cdsbot serve

test: install
	bash scripts/ensure-postgres.sh
	CDSBOT_RENDER_CHECK=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench

bench: install
	bash scripts/ensure-postgres.sh
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) data .pytest_cache
