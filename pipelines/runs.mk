# pipelines/runs.mk: the trainings, the hyper-parameter search, the rankings and the
# per-seed evaluations of an experiment.  The experiment Makefile sets EXP, METHODS
# (what train-mtl trains) and BASELINE, includes data.mk, then this file.
#
# A model is $(MD)/METHOD/HP/seed-S.model.mp, HP spelling its settings (lr-1e-3_l2-1e-4
# or lr-1e-3_l2-1e-4_beta-2), so every model is trained once, whichever experiment
# asks, and narrowing or widening the grid reuses what is there.

BACKBONE ?= mmgcn
EPOCHS ?= 200
PATIENCE ?= 10
SEEDS ?= 1 2 3
# The search trains each setting once, on this seed; the chosen one runs on every seed.
TUNE_SEED ?= $(firstword $(SEEDS))
K ?= 50,100
PERIODS ?= 4
# The paper's grid; Taobao's learning rates go down to 1e-5.
LRS ?= $(if $(filter taobao,$(DATA)),1e-5 1e-4 5e-4 1e-3,1e-4 5e-4 1e-3)
L2S ?= 1e-4 1e-3 1e-2
BETAS ?= 1 2 3 5
BETA_METHODS := hcr hcr-ns
# More train-mtl options for every training (say --dim 32); they name a folder of their own.
TRAIN_ARGS ?=
# HCR's model is ranked by every rule it lists (score-frontdoor --rule all: its own,
# the centred hcr-c, labelled hcr; the paper's f h1 as hcr/hcr; Table 3's and any added
# since); other methods by their own.
RULES_hcr ?= all

KS := $(subst $(comma), ,$(K))
KMAX := $(shell printf '%s\n' $(KS) | sort -n | tail -n 1)
# A model's rankings: each user's top KMAX, and on data sets with a randomly exposed
# test set (PAIRS, data.mk) each user's test pairs too, in one file.
RANKED := top$(KMAX)$(if $(PAIRS),+$(PAIRS))
PROTOCOL := $(if $(PAIRS),--protocol all$(comma)exposed)
MD := $(DD)/$(BACKBONE)-e$(EPOCHS)-p$(PATIENCE)$(if $(strip $(TRAIN_ARGS)),-$(shell printf '%s' '$(TRAIN_ARGS)' | md5sum | cut -c1-8))
# RUN_TAG (say the backbone) keeps runs of other settings apart (pipelines/bench.mk).
RUN_TAG ?=
R := $(RESULTS)/$(EXP)/$(DATA)$(if $(RUN_TAG),-$(RUN_TAG))
P := $(TOP)/pipelines

# Models are kept whether or not a later target still names them.
.SECONDARY:

# grid METHOD: the settings searched for METHOD, as folder names.
grid = $(foreach lr,$(LRS),$(foreach l2,$(L2S),$(if $(filter $(1),$(BETA_METHODS)),\
	$(foreach b,$(BETAS),lr-$(lr)_l2-$(l2)_beta-$(b)),lr-$(lr)_l2-$(l2))))

# pos WORD,LIST: WORD's place in LIST, from 1; empty if it is not there.
pos = $(call pos_,$(1),$(2),x)
pos_ = $(if $(2),$(if $(filter $(1),$(firstword $(2))),$(words $(3)),$(call pos_,$(1),$(wordlist 2,$(words $(2)),$(2)),$(3) x)))
# which M,HP,SEED: where a training stands among the experiment's: "setting 7 of 36 of
# hcr's search" on the search's seed, "the chosen setting on seed 2 of 3" on the others.
which = $(if $(filter $(3),$(TUNE_SEED)),$(if $(call pos,$(2),$(call grid,$(1))),: setting \
	$(call pos,$(2),$(call grid,$(1))) of $(words $(call grid,$(1))) of $(1)'s search),$(if \
	$(call pos,$(3),$(SEEDS)),: the chosen setting on seed $(call pos,$(3),$(SEEDS)) of $(words $(SEEDS))))

# $* is METHOD/HP/seed-S; a diverged training (exit 5) leaves an empty model, which
# the search skips, so that one bad corner of the grid does not stop it.  One line, so
# that under LAUNCH (launch.mk) a training is one job of TRAIN_THREADS cores.
TRAIN_THREADS ?= 1
$(MD)/%.model.mp: $(FEATS)
	@mkdir -p $(@D); echo "train $*$(call which,$(word 1,$(subst /, ,$*)),$(word 2,$(subst /, ,$*)),$(patsubst seed-%,%,$(word 3,$(subst /, ,$*))))" >&2; \
	opts=; for p in $(subst _, ,$(word 2,$(subst /, ,$*))); do opts+=" --$${p%%-*} $${p#*-}"; done; \
	rc=0; train-mtl --method $(word 1,$(subst /, ,$*)) --backbone $(BACKBONE) \
	  --epochs $(EPOCHS) --patience $(PATIENCE) --seed $(patsubst seed-%,%,$(word 3,$(subst /, ,$*))) \
	  $$opts $(TRAIN_ARGS) $(ONE_ROLE) -j $(TRAIN_THREADS) -v $(FEATS) -o $@ 2> $(@:.model.mp=.log) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "$*: training diverged, see $(@:.model.mp=.log)" >&2; : > $@; \
	elif [ $$rc != 0 ]; then tail -n 5 $(@:.model.mp=.log) >&2; exit $$rc; fi
$(call job,$(MD)/%.model.mp,$(TRAIN_THREADS),$(TRAIN_MEM))

# A ranking's name holds its length (and its pairs), so that a larger K ranks again.
rules = $(or $(RULES_$(word 1,$(subst /, ,$(1)))),default)
$(MD)/%.$(RANKED).mp: $(MD)/%.model.mp
	score-frontdoor -k $(KMAX) --rule $(call rules,$*) $< \
	  $(if $(PAIRS),| score-frontdoor --pairs $(PAIRS) --rule $(call rules,$*)) -o $@
$(call job,$(MD)/%.$(RANKED).mp,1,$(RANK_MEM))

# The search: grid.tsv holds every setting's validation metric (train-mtl's best
# epoch; NDCG@50 unless TRAIN_ARGS says --valid-metric), chosen.tsv the best, chosen.mk
# the same for make.  grid.spec changes with
# the grid, so a narrowed grid chooses again among its own settings.
define search
$(call stamp,$(MD)/$(1)/grid.spec,seed-$(TUNE_SEED) $(call grid,$(1)))
$(MD)/$(1)/grid.tsv: $(MD)/$(1)/grid.spec $(P)/grid.sh \
    $(foreach h,$(call grid,$(1)),$(MD)/$(1)/$(h)/seed-$(TUNE_SEED).model.mp)
	$(P)/grid.sh $(1) $$(filter %.model.mp,$$^) > $$@
endef
$(foreach m,$(METHODS),$(eval $(call search,$(m))))

$(MD)/%/chosen.tsv: $(MD)/%/grid.tsv $(P)/choose.awk
	awk -f $(P)/choose.awk $< > $@
$(MD)/%/chosen.mk: $(MD)/%/chosen.tsv
	awk -F'\t' 'NR == 2 { print "HP_$* := " $$2 }' $< > $@

# make search: the search alone, every method's chosen.tsv.
.PHONY: search
search: $(foreach m,$(METHODS),$(MD)/$(m)/chosen.tsv)

# Making these runs the search first; make then reads the choices and starts again.
# Goals that need no choice (data, search) do not wait for it.
ifneq ($(if $(MAKECMDGOALS),$(filter-out data search $(FEATS),$(MAKECMDGOALS)),all),)
include $(foreach m,$(METHODS),$(MD)/$(m)/chosen.mk)
endif

# Every setting that shapes the results, so that changing one reruns the evaluations.
$(call stamp,$(R)/settings.txt,$(strip data $(DATA)$(if $(filter sim,$(DATA)), ($(SIM_ARGS))); \
	backbone $(BACKBONE); epochs $(EPOCHS); patience $(PATIENCE); seeds $(SEEDS); K $(K); \
	active $(ACTIVE); periods $(PERIODS); grid lr $(LRS) / l2 $(L2S) / beta $(BETAS) on seed $(TUNE_SEED); \
	train-mtl $(TRAIN_ARGS); chosen $(foreach m,$(METHODS),$(m) $(HP_$(m)))))

SEED_TSVS := $(SEEDS:%=$(R)/seed-%.tsv)
$(R)/seed-%.tsv: $(foreach m,$(METHODS),$(MD)/$(m)/$(HP_$(m))/seed-%.$(RANKED).mp) $(TRUTH_DEPS) \
    $(R)/settings.txt
	evaluate -k $(K) --active $(ACTIVE) --periods $(PERIODS) --baseline $(BASELINE) $(PROTOCOL) \
	  --tsv $(filter %.$(RANKED).mp,$^) $(TRUTH) -o $@
$(call job,$(R)/seed-%.tsv,1,$(RANK_MEM))

# Mean and spread over the seeds of every number evaluate gave.
$(R)/summary.tsv: $(SEED_TSVS) $(P)/summarize.awk
	awk -f $(P)/summarize.awk $(SEED_TSVS) > $@

$(R)/hparams.tsv: $(foreach m,$(METHODS),$(MD)/$(m)/chosen.tsv)
	awk 'NR == 1 || FNR > 1' $^ > $@

# metrics LIST: LIST's metrics at every K, as pivot.awk's columns.
metrics = $(foreach m,$(1),$(foreach k,$(KS),$(m)@$(k)))
# The exposed protocol's columns (its NDCG with gain 2^rating - 1, recall, AUC), when
# the data set has one.
EXPOSED_COLS = $(if $(PAIRS),$(foreach m,xndcg xrecall,$(foreach k,$(KS),exposed:$(m)@$(k))) exposed:auc@0)
# The rows of HCR's rules, as the summary has them (every rule its model lists).
hcr_rules = $$(awk -F'\t' 'NR > 1 && $$1 ~ /^hcr\// && !seen[$$1]++ { printf " %s", $$1 }' $(1))
PIVOT = awk -f $(P)/pivot.awk -v part=test
MD_TABLE = awk -f $(P)/md.awk -v names='$(NAMES)'
# the tables' names of runs and metrics, one list for these and pipelines/bench-table.sh
NAMES ?= $(shell cat $(P)/names)

# report TITLE,TABLE...: a markdown page of the tables, then the settings and choices.
define report
@{ echo "# $(1)"; echo; echo "Test part, mean ± standard deviation over seeds $(SEEDS)."; \
  for t in $(2); do echo; echo "**$$(basename $$t .tsv)**"; echo; $(MD_TABLE) $$t; done; \
  echo; echo "## Hyper-parameters chosen on validation NDCG@50 (seed $(TUNE_SEED))"; \
  echo; $(MD_TABLE) $(R)/hparams.tsv; \
  echo; echo "Settings: $$(cat $(R)/settings.txt)"; } > $@
endef

# bars TSV,TITLE,YLABEL,LEGEND: grouped bars of a pivot table, one colour a column.
GNUPLOT ?= gnuplot
bars = $(GNUPLOT) -e "tsv='$(1)'; out='$@'; title='$(2)'; ylabel='$(3)'; titles='$(4)'" $(P)/bars.gp
