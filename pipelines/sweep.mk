# pipelines/sweep.mk: HCR against CT and HCR-T on simulated data, measured against the
# simulator's true causal score, over a grid of confounding strengths, both backbones
# and several seeds; and where the hidden quality V lands in HCR's heads.
#
#   make sweep                                   (from the top: builds first)
#   make -j2 -f pipelines/sweep.mk R=results/sweep KAPPAS="0 1" SEEDS=1 BACKBONES=mf
#
# Every stream is a target under $(R)/k<kappa>-s<seed>/, so -j2 trains side by side and
# a rerun redoes only what a changed setting touches.  Outputs: $(R)/sweep.tsv (mean and
# spread over seeds), $(R)/sweep.md (the tables), $(R)/sweep.png (if gnuplot is here).

SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BIN ?= $(TOP)/build/bin
P := $(TOP)/pipelines
export PATH := $(BIN):$(PATH)
# One BLAS thread per tool: make -j runs the tools side by side instead.
export OPENBLAS_NUM_THREADS := 1
R ?= results/sweep
# LAUNCH=srun: the trainings, rankings and evaluations as jobs of a cluster.
include $(P)/launch.mk

# The grid.  kappa is simulate's --confounding (0: none); the price keeps its default
# correlation with V, so that kappa alone moves the bias.
KAPPAS ?= 0 0.5 1 2
SEEDS ?= 1 2 3
BACKBONES ?= mf mmgcn
# Models: ct, HCR ranked by its rules (its own, hcr-c, first; the paper's hcr and the
# exact sum hcr-cg; hcr-t before the heads' rules, sweep-heads.sh reads them in this
# order), and hcr-item (HCR with --h2-item, a per-item factor in h2), which asks
# whether a place of its own in h2 draws V out of h1.
METHODS ?= ct hcr hcr-item
HCR_RULES := hcr-c,hcr,hcr-cg,hcr-t,hcr-s1,hcr-s2,hcr-c-s2
SIM ?= -u 500 -i 800
EPOCHS ?= 200
PATIENCE ?= 10
TRAIN ?=
K ?= 50

RUNS := $(foreach k,$(KAPPAS),$(foreach s,$(SEEDS),k$(k)-s$(s)))
EVALS := $(foreach r,$(RUNS),$(foreach b,$(BACKBONES),$(R)/$(r)/$(b)-eval.tsv $(R)/$(r)/$(b)-heads.tsv))
# Every data set, model and ranking named, so that make treats none as intermediate: it
# keeps them as the sweep's cache, and a method added to the grid is evaluated even where
# the older files are up to date (an intermediate that is missing would be left alone).
STREAMS := $(foreach r,$(RUNS),$(R)/$(r)/sim/params.json $(R)/$(r)/feats.mp \
	$(foreach b,$(BACKBONES),$(foreach m,$(METHODS),$(R)/$(r)/$(b)-$(m).mp $(R)/$(r)/$(b)-$(m).rank.mp)))
# The stem k<kappa>-s<seed> read back: kappa and seed.
kappa = $(patsubst k%,%,$(word 1,$(subst -, ,$(1))))
seed = $(patsubst s%,%,$(word 2,$(subst -, ,$(1))))

.PHONY: all
all: $(R)/sweep.md $(if $(shell command -v gnuplot),$(R)/sweep.png)
	@cat $<

$(R)/%/sim/params.json:
	@mkdir -p $(@D)
	simulate -d $(@D) $(SIM) -s $(call seed,$*) --confounding $(call kappa,$*)

# The global cut at 70 % of the timeline, the paper's; the price is the last column of
# the content modality, seen by every head that reads z or c.
$(R)/%/feats.mp: $(R)/%/sim/params.json
	split-chrono $(R)/$*/sim/log.csv | build-graph \
	  | extract-features -m content:content=$(R)/$*/sim/content.csv \
	      -m exposure:exposure=$(R)/$*/sim/exposure.csv -o $@

# Per backbone: training, ranking (every item, so that sweep-heads.sh sees whole rows),
# evaluation against the truth, and the heads' correlations with V.
define backbone
$(R)/%/$(1)-ct.mp: $(R)/%/feats.mp
	train-mtl --method ct --backbone $(1) --epochs $(EPOCHS) --patience $(PATIENCE) \
	  --seed $$(call seed,$$*) -j 1 $(TRAIN) $$< -o $$@
$(R)/%/$(1)-hcr.mp: $(R)/%/feats.mp
	train-mtl --method hcr --backbone $(1) --epochs $(EPOCHS) --patience $(PATIENCE) \
	  --seed $$(call seed,$$*) -j 1 $(TRAIN) $$< -o $$@
$(R)/%/$(1)-hcr-item.mp: $(R)/%/feats.mp
	train-mtl --method hcr --h2-item --label hcr-item --backbone $(1) --epochs $(EPOCHS) \
	  --patience $(PATIENCE) --seed $$(call seed,$$*) -j 1 $(TRAIN) $$< -o $$@
$(R)/%/$(1)-eval.tsv: $(foreach m,$(METHODS),$(R)/%/$(1)-$(m).rank.mp) $(R)/%/sim/params.json
	evaluate -k $(K) --tsv $$(filter %.mp,$$^) $(R)/$$*/sim/truth.mp \
	  | awk -F'\t' -v p='$(1)\t$$(call kappa,$$*)\t$$(call seed,$$*)' \
	      '$$$$2 == "test" && $$$$4 == "all" && $$$$6 == $(K) && ($$$$3 == "overall" || $$$$3 == "truth") \
	       && ($$$$5 == "recall" || $$$$5 == "ndcg" || $$$$5 == "kendall" || $$$$5 == "spearman") { print p "\t" $$$$1 "\t" $$$$3 "_" $$$$5 "\t" $$$$7 }' > $$@
$(R)/%/$(1)-heads.tsv: $(foreach m,$(METHODS),$(R)/%/$(1)-$(m).rank.mp) $(P)/sweep-heads.sh
	$(P)/sweep-heads.sh $(R)/$$*/sim/truth.mp $$(filter %.mp,$$^) \
	  | awk -F'\t' -v p='$(1)\t$$(call kappa,$$*)\t$$(call seed,$$*)' \
	      'NR > 1 { print p "\t" $$$$1 "\theads_corr_quality\t" $$$$3; print p "\t" $$$$1 "\theads_corr_price\t" $$$$4 }' > $$@
endef
$(foreach b,$(BACKBONES),$(eval $(call backbone,$(b))))
$(call job,$(foreach b,$(BACKBONES),$(foreach m,$(METHODS),$(R)/%/$(b)-$(m).mp)),1,$(TRAIN_MEM))

items = $$(stream-cat -l $(1) | jq 'select(.section == "vocab") | .meta.items')
$(R)/%-ct.rank.mp: $(R)/%-ct.mp
	score-frontdoor -k $(call items,$<) $< -o $@
$(R)/%-hcr.rank.mp: $(R)/%-hcr.mp
	score-frontdoor -k $(call items,$<) --rule $(HCR_RULES) $< -o $@
$(R)/%-hcr-item.rank.mp: $(R)/%-hcr-item.mp
	score-frontdoor -k $(call items,$<) --rule $(HCR_RULES) $< -o $@
$(call job,$(R)/%.rank.mp $(foreach b,$(BACKBONES),$(R)/%/$(b)-eval.tsv $(R)/%/$(b)-heads.tsv),1,$(RANK_MEM))

$(STREAMS):

# Every number of every run, long: backbone kappa seed run metric value.
$(R)/runs.tsv: $(EVALS)
	{ printf 'backbone\tkappa\tseed\trun\tmetric\tvalue\n'; cat $^; } > $@

$(R)/sweep.tsv: $(R)/runs.tsv $(P)/sweep-table.awk
	awk -f $(P)/sweep-table.awk -v mode=tsv $< > $@
$(R)/sweep.md: $(R)/runs.tsv $(P)/sweep-table.awk
	awk -f $(P)/sweep-table.awk -v mode=md -v k=$(K) -v sim='$(SIM)' -v seeds='$(SEEDS)' \
	  -v epochs=$(EPOCHS) -v patience=$(PATIENCE) $< > $@

$(R)/sweep.png: $(R)/sweep.tsv $(P)/sweep-plot.gp
	runs=$$(awk -F'\t' '$$4 == "truth_ndcg" && $$3 !~ /^oracle/ && !s[$$3]++ { print $$3 }' $< | paste -sd' '); \
	gnuplot -e "tsv='$<'; out='$@'; backbones='$(BACKBONES)'; runs='$$runs'" $(P)/sweep-plot.gp

# The table the README cites, only ever this target's copy.
.PHONY: publish
publish: $(R)/sweep.md
	cp $< $(P)/results-sweep.md
