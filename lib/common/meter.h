/* meter.h: a progress line that a terminal shows in place.
 *
 * When progress is on (hcr_tool.progress) and standard error is a terminal, meter()
 * rewrites one line of it ("\r", the text cut to the terminal's width, clear to the
 * end), at most every HCR_METER_INTERVAL seconds (default 0.25), and only once a step
 * has run that long, so that a quick step shows nothing.  A message (progress, warnx,
 * verbose, die) erases it, prints, and draws it again.  meter_end() ends the step
 * with its last word and a newline if the line was shown, meter_clear() erases it.
 * Elsewhere (a pipe, a log) these do nothing and a tool's plain progress() lines,
 * unchanged, say what is needed.  Any thread may call them. */
#ifndef HCR_METER_H
#define HCR_METER_H

#include <stddef.h>
#include <stdint.h>

#include "common/util.h"

/* Is the in-place line in use (progress on, standard error a terminal)? */
int meter_on(void);
/* The line now reads "tool: TEXT", if it is due. */
void meter(const char *fmt, ...) HCR_PRINTF(1, 2);
/* The step is over: if its line was shown, it becomes "tool: TEXT" and a newline. */
void meter_end(const char *fmt, ...) HCR_PRINTF(1, 2);
/* The step is over: its line, if shown, is erased. */
void meter_clear(void);
/* Erase the line and draw it again, around other output to standard error. */
void meter_hide(void);
void meter_show(void);

/* A duration as people read it: "45s", "3m05s", "1h02m". */
const char *meter_duration(double seconds, char buf[24]);
/* "12s, about 1m40s left": the time since t0 and what is left, share (0 to 1) of the
 * step being done; without the estimate while share is 0. */
const char *meter_times(double t0, double share, char *buf, size_t size);

/* The line of an early-stopped training: epoch of at most how many, batch, time so
 * far, time left, best validation so far. */
struct epoch_meter {
	double t0;            /* the training's start */
	double epoch_t0;      /* the current epoch's start */
	int epoch;            /* the current epoch, 1-based */
	int epochs, patience; /* the limit, and the epochs without a gain that stop it */
};
void epoch_meter_start(struct epoch_meter *em, int epochs, int patience);
/* After batch (1-based) of batches in epoch; best is the best validation so far, at
 * best_epoch (0: none yet), and since_best epochs have passed without a gain. */
void epoch_meter(struct epoch_meter *em, int epoch, int64_t batch, int64_t batches,
    double best, int best_epoch, int since_best);

#endif
