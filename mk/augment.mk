# Augmented training data (issue 14 §2): street reverberation, microphones, levels, clipping.
#   make augment [AUGMENT_OUT=.build-augment] [CORPUS_EXTRA=.build-corpus] [AUGMENT_ARGS=…]
#   make augment-venv        adds pyroomacoustics and soundfile to .venv-eval/
# Only the dev split of each corpus is used (Tools/corpus/augment.py asserts it).
EVAL_VENV ?= .venv-eval
CORPUS ?= ../shared/corpus
AUGMENT_OUT ?= .build-augment
CORPUS_EXTRA ?=
AUGMENT_SEED ?= 14
AUGMENT_JOBS ?= 1
AUGMENT_ARGS ?=

.PHONY: augment augment-venv

$(EVAL_VENV)/.ready-augment: $(EVAL_VENV)/.ready
	$(EVAL_VENV)/bin/pip install -q $(EVAL_PIP_CONSTRAINTS) pyroomacoustics soundfile scipy numpy matplotlib
	touch $@

## augment-venv: pyroomacoustics, soundfile, matplotlib in .venv-eval for make augment
augment-venv: $(EVAL_VENV)/.ready-augment

## augment: dev clips → 6 s street recordings with one event at 2.000 s + 30 s backgrounds (AUGMENT_OUT)
augment: $(EVAL_VENV)/.ready-augment
	$(EVAL_VENV)/bin/python Tools/corpus/augment.py --corpus "$(CORPUS)" \
	  $(foreach c,$(CORPUS_EXTRA),--corpus "$(c)") --split dev --out "$(AUGMENT_OUT)" \
	  --seed $(AUGMENT_SEED) --jobs $(AUGMENT_JOBS) $(AUGMENT_ARGS)
