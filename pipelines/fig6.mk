# pipelines/fig6.mk: the paper's Figure 6, stability in time: each user's later likes
# cut into PERIODS (4) periods; (a) HCR's relative gain over CT in each, (b) each
# method's drop from the first period in the later ones.
#
#   make -f pipelines/fig6.mk DATA=sim BACKBONE=mf EPOCHS=20
#
# Writes fig6a.tsv, fig6b.tsv, fig6.md and, with gnuplot, fig6a.png and fig6b.png in
# $(RESULTS)/fig6/$(DATA)/.

EXP := fig6
include $(dir $(lastword $(MAKEFILE_LIST)))fig.mk
ALL_PERIODS := $(shell seq 1 $(PERIODS))

tables: $(R)/fig6a.tsv $(R)/fig6b.tsv $(R)/fig6.md
figures: $(R)/fig6a.png $(R)/fig6b.png
$(R)/fig6a.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=periods -v run=hcr -v row=group -v rowhead=period \
	  -v rows='$(ALL_PERIODS)' -v col=metric \
	  -v cols='gain_recall@$(FIG_K) gain_ndcg@$(FIG_K)' $< > $@
$(R)/fig6b.tsv: $(R)/summary.tsv $(P)/pivot.awk
	$(PIVOT) -v breakdown=periods -v metric=drop_$(FIG_METRIC)@$(FIG_K) -v row=group \
	  -v rowhead=period -v rows='$(wordlist 2,$(PERIODS),$(ALL_PERIODS))' \
	  -v col=run -v cols='ct hcr' $< > $@
$(R)/fig6.md: $(R)/fig6a.tsv $(R)/fig6b.tsv $(R)/hparams.tsv $(R)/settings.txt $(P)/md.awk
	$(call report,Figure 6: periods of the later likes on $(DATA) ((a) HCR's gain over CT$(comma) (b) drop of $(FIG_METRIC)@$(FIG_K) from period 1),$(R)/fig6a.tsv $(R)/fig6b.tsv)
$(R)/fig6a.png: $(R)/fig6a.tsv $(P)/bars.gp
	$(call bars,$<,(a) relative gain of HCR over CT by period ($(DATA)),gain over CT,recall@$(FIG_K) ndcg@$(FIG_K))
$(R)/fig6b.png: $(R)/fig6b.tsv $(P)/bars.gp
	$(call bars,$<,(b) drop from period 1 ($(DATA)),drop of $(FIG_METRIC)@$(FIG_K),CT HCR)
