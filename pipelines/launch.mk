# pipelines/launch.mk: the trainings, rankings and evaluations as jobs of a cluster,
# when asked (pipelines/README, "On a cluster"):
#
#   make -j 40 -f pipelines/table2.mk LAUNCH=srun
#   make -j 40 -f pipelines/table2.mk LAUNCH='srun -p long -A myacct --time=12:00:00'
#
# LAUNCH is srun, or any command that takes srun's options and then a command.  Empty,
# the default, every recipe runs here as it always has.  Set, the recipes of the
# targets a Makefile names with $(call job,...) go through pipelines/launch, each line
# one job of the cores and memory named there, run by bash on the node given, its
# redirections and pipes included; make -j N keeps N jobs in flight.  Every file a job
# reads or writes (RESULTS, the data, the tools in BIN) must be on a file system the
# nodes share.  Included after DATA and .SHELLFLAGS are set.

LAUNCH ?=
LAUNCHER := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))/launch

# What a job asks for.  A training's peak: HCR on MMGCN, 0.6 GiB on MovieLens, 5.3 GiB
# on a Tiktok-sized set (tests/bench/train.sh); a ranking or an evaluation less.
TRAIN_MEM ?= $(if $(filter tiktok kwai taobao,$(DATA)),6G,1G)
RANK_MEM ?= 1G

# job TARGETS,CPUS,MEM: TARGETS' recipes (patterns allowed) run through $(LAUNCH), a job
# of CPUS cores and MEM memory for each line; what they depend on does not (private).
job = $(if $(strip $(LAUNCH)),$(eval $(1): private SHELL := $(LAUNCHER))$(eval \
	$(1): private .SHELLFLAGS = $(2) $(3) $$@ $(LAUNCH) -- $(.SHELLFLAGS)))
