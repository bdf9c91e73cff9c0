# pipelines/fig7.mk: the paper's Figure 7, normalised recall of HCR and CT on the items
# of high like/click ratio (the top third by training ratio) and on the rest.
#
#   make -f pipelines/fig7.mk DATA=sim BACKBONE=mf EPOCHS=20
#
# Writes fig7.tsv, fig7.md and, with gnuplot, fig7.png in $(RESULTS)/fig7/$(DATA)/.

EXP := fig7
include $(dir $(lastword $(MAKEFILE_LIST)))fig.mk

tables: $(R)/fig7.tsv $(R)/fig7.md
figures: $(R)/fig7.png
$(R)/fig7.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=items -v metric=nrecall@$(FIG_K) -v row=group -v rowhead=items \
	  -v rows='high low' -v col=run -v cols='ct hcr' $< > $@
$(R)/fig7.md: $(R)/fig7.tsv $(R)/hparams.tsv $(R)/settings.txt $(P)/md.awk
	$(call report,Figure 7: normalised recall@$(FIG_K) by item like/click ratio on $(DATA),$<)
$(R)/fig7.png: $(R)/fig7.tsv $(P)/bars.gp
	$(call bars,$<,normalised recall@$(FIG_K) by like/click ratio ($(DATA)),nrecall@$(FIG_K),CT HCR)
