# pipelines/table2.mk: the paper's Table 2, HCR against the baselines, each searched
# over the grid and run on every seed, all on the same backbone and data.
#
#   make -f pipelines/table2.mk DATA=sim BACKBONE=mf EPOCHS=20
#
# Writes $(RESULTS)/table2/$(DATA)/table2.tsv and table2.md (see pipelines/README).

EXP := table2
BASELINE := ct
# The methods, a train-mtl --method a line, in the table's order.  ct is the like-only
# baseline (clean training on the likes); train-mtl has no other.
METHODS := ct
METHODS += esmm
METHODS += cr
METHODS += multi-ipw
METHODS += multi-dr
METHODS += dcf
METHODS += hcr

.PHONY: all tables
all: tables
include $(dir $(lastword $(MAKEFILE_LIST)))data.mk
include $(TOP)/pipelines/runs.mk

tables: $(R)/table2.tsv $(R)/table2.md
COLS = $(call metrics,recall ndcg)$(if $(TRUTH), $(foreach k,$(KS),truth:ndcg@$(k))) $(EXPOSED_COLS)
$(R)/table2.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=overall -v group=all -v row=run -v rowhead=method \
	  -v rows='$(METHODS)' -v col=metric -v cols='$(COLS)' $< > $@
$(R)/table2.md: $(R)/table2.tsv $(R)/hparams.tsv $(R)/settings.txt $(P)/md.awk
	$(call report,Table 2: HCR against the baselines on $(DATA),$<)
