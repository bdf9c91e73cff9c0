/* clicklog.h: an interaction log reduced to its clicks (who, what, when, liked), as
 * compact columns in input order: what split-chrono keeps of a file of any size. */
#ifndef HCR_CLICKLOG_H
#define HCR_CLICKLOG_H

#include <stdint.h>

#include "common/vocab.h"

/* Flag bits of a click. */
enum {
	CL_LIKE = 1, /* liked (post-click feedback) */
	CL_BUY = 2,  /* a like event of an event log (a buy): its click is implied */
	CL_UNCLICKED = 64, /* given split: an exposure of a part that keeps every exposed
	                    * pair, shown but not clicked */
};

/* The most clicks a log holds: clicks are indexed by 32-bit numbers. */
#define CL_MAX_CLICKS ((int64_t)UINT32_MAX - 1)

struct clicklog {
	struct vocab users, items;   /* ids of the kept rows, in order of first appearance */
	int64_t n, cap;              /* clicks */
	int32_t *user, *item;
	double *time;
	uint8_t *flag;
	/* kept for a given split only (clicklog_keep): a graded label and a part a click */
	double *grade;
	uint8_t *part;
	/* what the reader saw */
	int64_t rows;                /* data rows (no header, no blank lines) */
	int64_t ignored;             /* rows neither a click nor a like */
	int64_t repaired;            /* rows with a like and no click, made clicks */
	int64_t unclicked;           /* exposures kept without a click (CL_UNCLICKED) */
	int64_t untimed;             /* rows without a time, given the row before's */
	int64_t rand_mismatch;       /* KuaiRand rows whose is_rand disagrees with the file */
	int64_t matrix_rows, matrix_cols; /* a matrix file (Coat): the last one's shape */
	char format[32];             /* the format read */
};

void clicklog_init(struct clicklog *log);
void clicklog_free(struct clicklog *log);
/* Frees the clicks' columns, keeping the vocabularies and the reader's counts. */
void clicklog_drop_clicks(struct clicklog *log);
/* Keeps a graded label and a part with every click from now on. */
void clicklog_keep(struct clicklog *log);
/* Appends a click; the caller has checked n < CL_MAX_CLICKS.  Its grade and part are
 * 0 until set (when kept). */
void clicklog_add(struct clicklog *log, int32_t user, int32_t item, double time, int flag);

#endif
