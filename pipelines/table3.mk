# pipelines/table3.mk: the paper's Table 3, HCR against its variants.  HCR (the centred
# rule hcr-c, HCR's own), HCR-paper (the paper's f h1), HCR-CG (Eq. 4's exact sum),
# HCR-T, HCR-S1 and HCR-S2 are rules of the one HCR model (score-frontdoor --rule), as
# is any rule its model lists (a row each, read from the summary); HCR-NS is a method
# of its own, searched and trained as HCR is.
#
#   make -f pipelines/table3.mk DATA=sim BACKBONE=mf EPOCHS=20
#
# Writes $(RESULTS)/table3/$(DATA)/table3.tsv and table3.md (see pipelines/README).

EXP := table3
METHODS := hcr hcr-ns
BASELINE := hcr

.PHONY: all tables
all: tables
include $(dir $(lastword $(MAKEFILE_LIST)))data.mk
include $(TOP)/pipelines/runs.mk

tables: $(R)/table3.tsv $(R)/table3.md
COLS = $(call metrics,recall ndcg)$(if $(TRUTH), $(foreach k,$(KS),truth:ndcg@$(k))) $(EXPOSED_COLS)
$(R)/table3.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=overall -v group=all -v row=run -v rowhead=method \
	  -v rows="hcr$(call hcr_rules,$<) hcr-ns" -v col=metric -v cols='$(COLS)' $< > $@
$(R)/table3.md: $(R)/table3.tsv $(R)/hparams.tsv $(R)/settings.txt $(P)/md.awk
	$(call report,Table 3: HCR and its variants on $(DATA),$<)
