# pipelines/fig.mk: what Figures 5, 6 and 7 share: HCR against CT, the data and the
# runs, and the metric and cut-off their bars show.  Each figure sets EXP, includes
# this file, then says its tables and figures.

METHODS := ct hcr
BASELINE := ct

.PHONY: all tables figures
all: tables figures
include $(dir $(lastword $(MAKEFILE_LIST)))data.mk
include $(TOP)/pipelines/runs.mk
FIG_METRIC ?= recall
FIG_K ?= $(KMAX)
