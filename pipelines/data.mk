# pipelines/data.mk: what every experiment Makefile shares: the shell, the tools, and a
# data set made ready for training, $(FEATS): split, graphs and item features.
#
#   DATA=movielens  (default) ml-latest-small exported from R's dslabs, per-user split;
#                   RAW=file.csv takes a ratings CSV of the same layout instead
#   DATA=sim        simulate(1) with SIM_ARGS; its truth goes to evaluate as $(TRUTH)
#   DATA=tiktok|kwai|taobao  RAW=folder holding the files as released, global cut
#
# Everything lands in $(DD) = $(RESULTS)/data/$(DATA), shared by every experiment.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BIN ?= $(TOP)/build/bin
export PATH := $(BIN):$(PATH)
# Trainings run side by side under make -j: BLAS must not take every core in each.
export OPENBLAS_NUM_THREADS ?= 1

DATA ?= movielens
RAW ?=
RESULTS ?= results
DD := $(RESULTS)/data/$(DATA)
FEATS := $(DD)/feats.mp
TRUTH :=
TRUTH_DEPS :=
# The paper calls the top 40 % of users active, the top 20 % on Taobao (sparser).
ACTIVE ?= $(if $(filter taobao,$(DATA)),0.2,0.4)
# LAUNCH=srun: the trainings, rankings and evaluations as jobs of a cluster.
include $(TOP)/pipelines/launch.mk

# stamp FILE,TEXT: rewrites FILE at parse time only when TEXT changed, so that a
# setting that is not in any file name still reruns what depends on it.
stamp = $(shell mkdir -p $(dir $(1)) && f='$(1)' t='$(2)'; \
	[ -f "$$f" ] && [ "$$(cat "$$f")" = "$$t" ] || printf '%s\n' "$$t" > "$$f")

# make data: the data set alone.
.PHONY: data
data: $(FEATS)

needs_raw = $(if $(RAW),,$(error DATA=$(DATA) needs RAW=folder holding $(1)))

ifeq ($(DATA),movielens)
ML_CSV := $(if $(RAW),$(RAW),$(DD)/movielens.csv)
# dslabs::movielens is ml-latest-small (100,004 ratings, 671 users, 9,066 movies).
$(DD)/movielens.csv:
	@mkdir -p $(@D)
	Rscript -e 'write.csv(dslabs::movielens, "$@.tmp", row.names = FALSE)'
	mv $@.tmp $@
# MovieLens spans 21 years and most users rated in one burst: the global cut would
# leave 22 users with a test like, so each user's first 70 % of clicks train.
# Title words are seen before the click (exposure), genres and decade after it.
$(FEATS): $(ML_CSV)
	@mkdir -p $(@D)
	split-chrono --mode user --like-threshold 4 -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --item-column movieId \
	      -m title:exposure:words@title=$< \
	      -m genres:content:multi@genres=$< \
	      -m decade:content:decade@year=$< -o $@

else ifeq ($(DATA),sim)
SIM_ARGS ?= -u 1000 -i 2000 -s 1
$(call stamp,$(DD)/sim.args,$(SIM_ARGS))
TRUTH := $(DD)/sim/truth.mp
# params.json is written last: its presence says the folder is whole.
TRUTH_DEPS := $(DD)/sim/params.json
$(DD)/sim/params.json: $(DD)/sim.args
	simulate -d $(DD)/sim $(SIM_ARGS)
$(FEATS): $(DD)/sim/params.json
	split-chrono -v $(DD)/sim/log.csv 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features -m content:content=$(DD)/sim/content.csv \
	      -m exposure:exposure=$(DD)/sim/exposure.csv -o $@

else ifeq ($(DATA),tiktok)
$(call needs_raw,final_track2_train.txt and the track2_*.txt features)
TIKTOK_FEATURES := $(RAW)/track2_video_features.txt $(RAW)/track2_audio_features.txt \
	$(RAW)/track2_title.txt
# Some of Tiktok's vectors are short: they are skipped (counted), not fatal.
$(FEATS): $(RAW)/final_track2_train.txt $(TIKTOK_FEATURES)
	@mkdir -p $(@D)
	split-chrono -f tiktok -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --skip-short \
	      -m visual:content=$(RAW)/track2_video_features.txt \
	      -m acoustic:content=$(RAW)/track2_audio_features.txt \
	      -m title:exposure=$(RAW)/track2_title.txt -o $@

else ifeq ($(DATA),kwai)
$(call needs_raw,train_interaction.txt and train_text.txt and the visual/ folder of .npy files)
KWAI_VISUAL ?= $(RAW)/visual
# Kwai's cover text writes 0 for no text.
$(FEATS): $(RAW)/train_interaction.txt $(RAW)/train_text.txt $(KWAI_VISUAL)
	@mkdir -p $(@D)
	split-chrono -f kwai -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --na 0 -m cover:exposure=$(KWAI_VISUAL) \
	      -m text:exposure:words=$(RAW)/train_text.txt -o $@

else ifeq ($(DATA),taobao)
$(call needs_raw,ijcai2016_taobao.csv)
$(FEATS): $(RAW)/ijcai2016_taobao.csv
	@mkdir -p $(@D)
	split-chrono -f taobao -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --item-column ite_ID \
	      -m seller:exposure:category@sel_ID=$< \
	      -m category:exposure:category@cat_ID=$< -o $@

else
$(error DATA=$(DATA): expected movielens, sim, tiktok, kwai or taobao)
endif
