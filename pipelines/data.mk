# pipelines/data.mk: what every experiment Makefile shares: the shell, the tools, and a
# data set made ready for training, $(FEATS): split, graphs and item features.
#
#   DATA=movielens  (default) ml-latest-small exported from R's dslabs, per-user split;
#                   RAW=file.csv takes a ratings CSV of the same layout instead
#   DATA=sim        simulate(1) with SIM_ARGS; its truth goes to evaluate as $(TRUTH)
#   DATA=tiktok|kwai|taobao  RAW=folder holding the files as released, global cut
#   DATA=coat|yahoo|kuairand|kuairec  RAW=folder holding the files as released: the
#                   given parts, a randomly exposed test set ranked pair by pair too
#                   (PAIRS=test), evaluated by the exposed protocol beside all-ranking
#
# Everything lands in $(DD) = $(RESULTS)/data/$(DATA), shared by every experiment.

include $(dir $(lastword $(MAKEFILE_LIST)))shell.mk
# Trainings run side by side under make -j: BLAS must not take every core in each.
export OPENBLAS_NUM_THREADS ?= 1

DATA ?= movielens
RAW ?=
comma := ,
RESULTS ?= results
DD := $(RESULTS)/data/$(DATA)
FEATS := $(DD)/feats.mp
TRUTH :=
TRUTH_DEPS :=
# Data sets with a randomly exposed test set: the part whose pairs are ranked too.
PAIRS :=
# Methods that tell exposure from content refuse modalities of one role (train-mtl
# --one-role): data sets without content modalities say so here.
ONE_ROLE :=
# A given split's validation part, drawn when the data set has none (split-chrono
# --valid-fraction, --valid-from, --seed): a tenth of each user's training pairs.
VALID_SPLIT ?= --valid-fraction 0.1 --valid-from train --seed 1
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
# cover and text are both exposure: HCR's and CR's heads see the same features
ONE_ROLE := --one-role
# Kwai's cover text writes 0 for no text.
$(FEATS): $(RAW)/train_interaction.txt $(RAW)/train_text.txt $(KWAI_VISUAL)
	@mkdir -p $(@D)
	split-chrono -f kwai -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --na 0 -m cover:exposure=$(KWAI_VISUAL) \
	      -m text:exposure:words=$(RAW)/train_text.txt -o $@

else ifeq ($(DATA),taobao)
$(call needs_raw,ijcai2016_taobao.csv)
ONE_ROLE := --one-role
$(FEATS): $(RAW)/ijcai2016_taobao.csv
	@mkdir -p $(@D)
	split-chrono -f taobao -v $< 2> $(DD)/split.log \
	  | build-graph \
	  | extract-features --item-column ite_ID \
	      -m seller:exposure:category@sel_ID=$< \
	      -m category:exposure:category@cat_ID=$< -o $@

else ifeq ($(DATA),coat)
$(call needs_raw,train.ascii and test.ascii and user_item_features/ (Coat as released))
PAIRS := test
# 16 random coats a user: the literature's cut-offs are 5 and 10
K ?= 5,10
COAT_ITEMS := $(RAW)/user_item_features/item_features.ascii
# Coat's item features as modalities: whether a coat is on the shop's front page is
# seen before the click (exposure); its gender, jacket type and colour after it.
COAT_FEATURES ?= -m front:exposure@onfrontpage=$(COAT_ITEMS) -m gender:content@gender=$(COAT_ITEMS) \
	-m type:content@jackettype=$(COAT_ITEMS) -m colour:content@color=$(COAT_ITEMS)
$(call stamp,$(DD)/coat.args,$(VALID_SPLIT) $(COAT_FEATURES))
# a like is a rating of 4 or 5, the test every rating of 16 random coats a user
$(FEATS): $(RAW)/train.ascii $(RAW)/test.ascii $(COAT_ITEMS) $(DD)/coat.args
	@mkdir -p $(@D)
	split-chrono -f coat -l 4 $(VALID_SPLIT) -v $(RAW) 2> $(DD)/split.log \
	  | build-graph | extract-features $(COAT_FEATURES) -o $@

else ifeq ($(DATA),yahoo)
$(call needs_raw,ydata-ymusic-rating-study-v1_0-train.txt and -test.txt (Yahoo! R3 as released))
PAIRS := test
# 10 random songs a user
K ?= 5,10
# Yahoo! R3 has no item features: ids alone (MF; MMGCN needs a modality), and HCR's
# heads are the ids' too
$(call stamp,$(DD)/yahoo.args,$(VALID_SPLIT))
$(FEATS): $(RAW)/ydata-ymusic-rating-study-v1_0-train.txt \
    $(RAW)/ydata-ymusic-rating-study-v1_0-test.txt $(DD)/yahoo.args
	@mkdir -p $(@D)
	split-chrono -f yahoo -l 4 $(VALID_SPLIT) -v $(RAW) 2> $(DD)/split.log | build-graph -o $@

else ifeq ($(DATA),kuairand)
$(call needs_raw,log_standard_*.csv and log_random_*.csv and video_features_basic_*.csv (KuaiRand))
PAIRS := test
K ?= 10,50
KR_DIR := $(if $(wildcard $(RAW)/data/log_random_*.csv),$(RAW)/data,$(RAW))
KR_VIDEOS := $(firstword $(wildcard $(KR_DIR)/video_features_basic_*.csv))
# the author (shown on the card) is exposure; the tags and music are content
KUAIRAND_FEATURES ?= --item-column video_id --separator $(comma) \
	-m author:exposure:category@author_id=$(KR_VIDEOS) \
	-m tag:content:multi@tag=$(KR_VIDEOS) -m music:content:category@music_id=$(KR_VIDEOS)
$(call stamp,$(DD)/kuairand.args,$(VALID_SPLIT) $(KUAIRAND_FEATURES))
$(FEATS): $(wildcard $(KR_DIR)/log_*.csv) $(KR_VIDEOS) $(DD)/kuairand.args
	@mkdir -p $(@D)
	split-chrono -f kuairand $(VALID_SPLIT) -v $(KR_DIR) 2> $(DD)/split.log \
	  | build-graph | extract-features $(KUAIRAND_FEATURES) -o $@

else ifeq ($(DATA),kuairec)
$(call needs_raw,big_matrix.csv and small_matrix.csv and item_categories.csv (KuaiRec 2.0))
PAIRS := test
# about 3,300 watched videos a user in the small matrix: the literature's NDCG@50
K ?= 10,50
KC_DIR := $(if $(wildcard $(RAW)/data/big_matrix.csv),$(RAW)/data,$(RAW))
# the author of a video (item_daily_features.csv, its first day) is exposure; its
# categories (item_categories.csv, lists read as words) content; a like is a watch
# ratio of 2 or more
KUAIREC_FEATURES ?= --item-column video_id \
	-m author:exposure:category@author_id=$(KC_DIR)/item_daily_features.csv \
	-m category:content:words@feat=$(KC_DIR)/item_categories.csv
$(call stamp,$(DD)/kuairec.args,$(VALID_SPLIT) $(KUAIREC_FEATURES))
$(FEATS): $(KC_DIR)/big_matrix.csv $(KC_DIR)/small_matrix.csv $(DD)/kuairec.args
	@mkdir -p $(@D)
	split-chrono -f kuairec -l 2 $(VALID_SPLIT) -v $(KC_DIR) 2> $(DD)/split.log \
	  | build-graph | extract-features $(KUAIREC_FEATURES) -o $@

else
$(error DATA=$(DATA): expected movielens, sim, tiktok, kwai, taobao, coat, yahoo, kuairand or kuairec)
endif
