# pipelines/bench.mk: a data set released with a randomly exposed test set (Coat by
# default; yahoo, kuairand, kuairec) through Table 2 and Table 3 on each backbone, and
# one table of every method and every rule of HCR on the exposed protocol beside
# all-ranking, with HCR's paired comparisons with CT:
#
#   make coat RAW=/path/to/coat                  (the top of the tree: builds the tools,
#                                                 runs this, and publishes the table)
#   make -f pipelines/bench.mk RAW=/path/to/coat [BACKBONES=mf] [SEEDS="1 2"] [LRS=1e-3 ...]
#
# The search, the seeds and every setting are table2.mk's and table3.mk's (passed on);
# each backbone's runs go to $(RESULTS)/table2/$(DATA)-BACKBONE and table3/..., the
# table to $(RESULTS)/bench/$(DATA)/$(DATA).md (and .tsv, and readme.md without the
# settings chosen, which the README quotes); `publish` copies it to
# pipelines/results-$(DATA).md.

include $(dir $(lastword $(MAKEFILE_LIST)))shell.mk
P := $(TOP)/pipelines

DATA ?= coat
RAW ?=
RESULTS ?= results
BACKBONES ?= mf mmgcn
# Five seeds, the exposed protocol at 5 (and 10), all-ranking at 10.
SEEDS ?= 1 2 3 4 5
K ?= 5,10
# The table's columns: pivot.awk's names (exposed:... the exposed protocol's).
BENCH_COLS ?= exposed:xndcg@5 exposed:xrecall@5 exposed:auc@0 recall@10 ndcg@10
# Table 2's methods, then HCR's rules (as its models list them), then HCR-NS.
METHODS2 := ct esmm cr multi-ipw multi-dr dcf hcr
B := $(RESULTS)/bench/$(DATA)

ifeq ($(RAW),)
$(error DATA=$(DATA) needs RAW=folder holding its files as released)
endif

# What the experiments are given: every setting of this make's command line goes on.
# The seeds' evaluations are goals of their own, since the table reads them (as
# intermediate files, make would not remake them once the experiment's table is made).
SUB = $(MAKE) --no-print-directory -f $(P)/$(1).mk DATA=$(DATA) RAW=$(RAW) BACKBONE=$(2) \
	RUN_TAG=$(2) SEEDS="$(SEEDS)" K=$(K) RESULTS=$(RESULTS) BIN=$(BIN) tables \
	$(foreach s,$(SEEDS),$(RESULTS)/$(1)/$(DATA)-$(2)/seed-$(s).tsv)

.PHONY: all runs tables publish
all: tables

# One experiment at a time (they share their models), each with make's -j.
runs:
	for b in $(BACKBONES); do $(call SUB,table2,$$b); $(call SUB,table3,$$b); done

# $(DATA).md is the whole table with the settings chosen; readme.md the README's cut.
tables: $(B)/$(DATA).md
TABLE = $(P)/bench-table.sh "$(RESULTS)" "$(DATA)" "$(BACKBONES)" "$(METHODS2)" "$(BENCH_COLS)" \
	"$(SEEDS)" $(B)/$(DATA).tsv
$(B)/$(DATA).tsv $(B)/$(DATA).md $(B)/readme.md: runs $(P)/bench-table.sh $(P)/pivot.awk \
    $(P)/md.awk $(P)/pvalues.awk
	@mkdir -p $(B)
	$(TABLE) > $(B)/$(DATA).md
	$(TABLE) short > $(B)/readme.md

publish: $(B)/$(DATA).md
	cp $< $(P)/results-$(DATA).md
