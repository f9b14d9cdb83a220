# locreview: `make run` starts the reviewer on the sample; `make test` runs the whole suite.
# The venv is reinstalled only when pyproject.toml changes (a stamp keyed by its hash).

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell (cat pyproject.toml; echo 3) | sha256sum | cut -c1-16)
STAMP  := $(VENV)/.installed-$(HASH)
HOST   ?= 127.0.0.1
PORT   ?= 7860
DB     ?= .locreview/review.sqlite

# Keep third-party caches out of $HOME and offline: no hub, no telemetry.
export PYTHAINLP_DATA_DIR := $(CURDIR)/.cache/pythainlp
export LOCREVIEW_CACHE_DIR ?= $(CURDIR)/.cache/locreview
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export GRADIO_ANALYTICS_ENABLED := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install run test test-fast lint eval eval-readme bench bench-smoke fuzz load browser glossary-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch first and pinned: an unpinned torch would pull a multi-GB CUDA build.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[all,dev]" torch==2.13.0
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the real-browser tests (no browser download exists here).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core fonts-noto-cjk >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -qq && \
	    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core fonts-noto-cjk >/dev/null; \
	  else echo "chromium is missing: apt-get install chromium (browser tests need it)"; exit 1; fi; }

run: $(STAMP)
	@mkdir -p $(dir $(DB))
	$(BIN)/python -m app --host $(HOST) --port $(PORT) --db $(DB) --sample samples/pilot_episode.fountain --anonymous

lint: $(STAMP)
	$(BIN)/ruff check locreview app tests bench

glossary-check: $(STAMP)
	$(BIN)/locreview glossary validate
	$(BIN)/locreview glossary test

test: $(STAMP) browser
	$(BIN)/ruff check locreview app tests bench
	$(BIN)/locreview glossary validate
	$(BIN)/locreview glossary test
	$(BIN)/python -m pytest -q -p no:cacheprovider
	$(BIN)/python bench/reliability_report.py

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow and not browser"

eval: $(STAMP)
	$(BIN)/python ../shared/eval/score.py ../shared/eval/dev.jsonl --project .

# Re-measure and write the dev-set table into README.md (date and commit stamped).
eval-readme: $(STAMP)
	$(BIN)/python bench/eval_readme.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

bench-smoke: $(STAMP)
	$(BIN)/python bench/run.py --smoke

fuzz: $(STAMP)
	LOCREVIEW_FUZZ_EXAMPLES=2000 $(BIN)/python -m pytest -q tests/fuzz -p no:cacheprovider
	$(BIN)/python bench/reliability_report.py

load: $(STAMP)
	LOCREVIEW_LOAD_SECONDS=60 $(BIN)/python -m pytest -q tests/load -p no:cacheprovider
	$(BIN)/python bench/reliability_report.py

clean:
	rm -rf $(VENV) .cache .locreview .pytest_cache
