# pipelines/fig5.mk: the paper's Figure 5, HCR and CT on active and less-active users:
# (a) Recall@K of each, (b) HCR's relative gain over CT.  Active users are the top
# ACTIVE share by training clicks (0.4; 0.2 on Taobao).
#
#   make -f pipelines/fig5.mk DATA=sim BACKBONE=mf EPOCHS=20
#
# Writes fig5a.tsv, fig5b.tsv, fig5.md and, with gnuplot, fig5a.png and fig5b.png in
# $(RESULTS)/fig5/$(DATA)/.

EXP := fig5
include $(dir $(lastword $(MAKEFILE_LIST)))fig.mk

tables: $(R)/fig5a.tsv $(R)/fig5b.tsv $(R)/fig5.md
figures: $(R)/fig5a.png $(R)/fig5b.png
$(R)/fig5a.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=groups -v metric=$(FIG_METRIC)@$(FIG_K) -v row=group \
	  -v rows='active less-active' -v col=run -v cols='ct hcr' $< > $@
$(R)/fig5b.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=groups -v run=hcr -v row=group -v rows='active less-active' \
	  -v col=metric -v cols='gain_recall@$(FIG_K) gain_ndcg@$(FIG_K)' $< > $@
$(R)/fig5.md: $(R)/fig5a.tsv $(R)/fig5b.tsv $(R)/hparams.tsv $(R)/settings.txt $(P)/md.awk
	$(call report,Figure 5: active and less-active users on $(DATA) ((a) $(FIG_METRIC)@$(FIG_K)$(comma) (b) HCR's gain over CT),$(R)/fig5a.tsv $(R)/fig5b.tsv)
$(R)/fig5a.png: $(R)/fig5a.tsv $(P)/bars.gp
	$(call bars,$<,(a) $(FIG_METRIC)@$(FIG_K) by user activity ($(DATA)),$(FIG_METRIC)@$(FIG_K),CT HCR)
$(R)/fig5b.png: $(R)/fig5b.tsv $(P)/bars.gp
	$(call bars,$<,(b) relative gain of HCR over CT ($(DATA)),gain over CT,recall@$(FIG_K) ndcg@$(FIG_K))
