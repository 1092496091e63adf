# Evaluation on the real-recording corpus and the offline-analysis benchmark.
#   make eval [CORPUS=../shared/corpus]   mix soundscapes, run earshot analyze, score with sed_eval
#   make eval-venv                        create .venv-eval/ (sed_eval, numpy, scipy from PyPI)
#   make bench-analyze                    prints analyze_x_realtime= (1 h of 16 kHz audio, release build)
#   make eval-ceiling [CORPUS=…]          what any classifier learned from the corpus achieves on unseen sources
# EVAL_BUILD_FLAGS lets a helper build in its own scratch folder
# (e.g. EVAL_BUILD_FLAGS="-c release --scratch-path .build-offline").
CORPUS ?= ../shared/corpus
EVAL_DIR ?= .build-eval
EVAL_VENV := .venv-eval
EVAL_BUILD_FLAGS ?= -c release

.PHONY: eval eval-venv bench-analyze eval-ceiling

$(EVAL_VENV)/.ready:
	python3 -m venv $(EVAL_VENV)
	$(EVAL_VENV)/bin/pip install -q sed_eval numpy scipy
	touch $@

## eval-venv: Python venv with sed_eval for make eval
eval-venv: $(EVAL_VENV)/.ready

## eval: soundscapes from $(CORPUS) → earshot analyze → sed_eval (dev and held-out splits)
eval: deps eval-venv
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot
	bash Tools/eval/run.sh "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot" "$(CORPUS)" "$(EVAL_DIR)" "$(EVAL_VENV)/bin/python"

## bench-analyze: earshot analyze on 1 h of synthesised 16 kHz audio (prints analyze_x_realtime=)
bench-analyze: deps
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot
	bash Tools/eval/bench_analyze.sh "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot"

$(EVAL_VENV)/.ready-sklearn: $(EVAL_VENV)/.ready
	$(EVAL_VENV)/bin/pip install -q scikit-learn
	touch $@

## eval-ceiling: cross-source ceiling of the corpus (classifiers trained on clean clips, tested on unseen packages)
eval-ceiling: deps $(EVAL_VENV)/.ready-sklearn
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot-tune
	rm -rf "$(EVAL_DIR)/clips" && mkdir -p "$(EVAL_DIR)/clips"
	for c in gunshot explosion glass_break scream power_tool car_horn aerosol_spray siren tire_screech; do \
	  "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot-tune" dump "$(EVAL_DIR)/clips/$$c.frames" "$(CORPUS)/$$c" >/dev/null || exit 2; done
	$(EVAL_VENV)/bin/python Tools/eval/ceiling.py --corpus "$(CORPUS)" --frames "$(EVAL_DIR)/clips"
