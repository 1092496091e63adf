# The extra corpus (issue 14 §2): more labelled recordings from Debian main packages.
#   make corpus-extra [CORPUS_EXTRA=.build-corpus]   downloads the pinned packages of
#        Tools/corpus/selection.tsv (apt-get download, no root) into .build-corpus-cache/,
#        converts the selected files to 16 kHz mono 16-bit WAV and writes $(CORPUS_EXTRA)/MANIFEST.tsv
#   make corpus-venv                                  .venv-corpus/ (numpy, scipy, soundfile, matplotlib)
# Then `make eval CORPUS_EXTRA=.build-corpus` mixes both corpora. Tools/corpus/README.md says more.
CORPUS ?= ../shared/corpus
CORPUS_VENV := .venv-corpus
CORPUS_CACHE ?= .build-corpus-cache
CORPUS_EXTRA_OUT = $(if $(CORPUS_EXTRA),$(CORPUS_EXTRA),.build-corpus)

.PHONY: corpus-extra corpus-venv

$(CORPUS_VENV)/.ready:
	python3 -m venv $(CORPUS_VENV)
	$(CORPUS_VENV)/bin/pip install -q numpy scipy soundfile matplotlib
	touch $@

## corpus-venv: Python venv for the corpus builder
corpus-venv: $(CORPUS_VENV)/.ready

## corpus-extra: build the extra corpus from Debian packages (Tools/corpus/selection.tsv) into CORPUS_EXTRA
corpus-extra: $(CORPUS_VENV)/.ready
	$(CORPUS_VENV)/bin/python Tools/corpus/build.py --selection Tools/corpus/selection.tsv \
	  --out "$(CORPUS_EXTRA_OUT)" --cache "$(CORPUS_CACHE)" --shared "$(CORPUS)"

# make eval / make augment read CORPUS_EXTRA (Tools/eval/run.sh: each folder is one more --corpus).
CORPUS_EXTRA ?=
export CORPUS_EXTRA
