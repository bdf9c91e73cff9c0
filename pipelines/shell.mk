# pipelines/shell.mk: how every pipelines Makefile starts: bash with pipefail, no
# half-made target left after a failure, no built-in rules, the top of the tree, and
# its tools (BIN) first on the PATH.

SHELL := bash
.SHELLFLAGS := -o pipefail -ec
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BIN ?= $(TOP)/build/bin
export PATH := $(BIN):$(PATH)
