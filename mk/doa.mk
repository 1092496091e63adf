# Direction of arrival (issue 8): simulation with pyroomacoustics, the
# product's `earshot locate`, pyroomacoustics SRP-PHAT/MUSIC/NormMUSIC on the
# same signals; ends with doa_median_deg= doa_p90_deg= ratio_vs_pyroomacoustics=.
#   make eval-doa [DOA_AZIMUTHS=24] [DOA_OUT=.build-doa-eval/full]
# DOA_BUILD_FLAGS lets a helper build in its own scratch folder.
# DOA_REUSE=<dir of an earlier full run's WAVs>: no simulation, the WAVs are
# read from there (same seeds, truth replayed) and DOA_OUT only gets the
# pyroomacoustics cache; nothing is deleted.
#   make eval-doa DOA_REUSE=.build-doa-eval/full DOA_OUT=.build-doa-eval/reuse
DOA_VENV := .venv-doa
DOA_OUT ?= .build-doa-eval/full
DOA_AZIMUTHS ?= 24
DOA_BUILD_FLAGS ?= -c release
DOA_REUSE ?=

.PHONY: eval-doa doa-venv

$(DOA_VENV)/.ready:
	python3 -m venv $(DOA_VENV)
	$(DOA_VENV)/bin/pip install -q pyroomacoustics numpy scipy
	touch $@

## doa-venv: Python venv with pyroomacoustics for make eval-doa
doa-venv: $(DOA_VENV)/.ready

## eval-doa: DOA on pyroomacoustics simulations (4-mic, 2-mic; anechoic, street canyon RT60 0.6 s) vs SRP/MUSIC/NormMUSIC
eval-doa: deps doa-venv
	$(SWIFT) build $(DOA_BUILD_FLAGS) --product earshot
	$(if $(DOA_REUSE),,rm -rf $(DOA_OUT))
	$(DOA_VENV)/bin/python Tools/doa/eval.py --earshot "$$($(SWIFT) build $(DOA_BUILD_FLAGS) --show-bin-path)/earshot" \
	  --out $(DOA_OUT) --azimuths $(DOA_AZIMUTHS) $(if $(DOA_REUSE),--reuse $(DOA_REUSE))
