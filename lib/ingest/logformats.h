/* logformats.h: interaction logs, each format read exactly as released (data.md), into a
 * clicklog.  The reader takes a FILE (a fuzzing harness can hand it fmemopen's) and
 * returns errors with their place instead of exiting. */
#ifndef HCR_LOGFORMATS_H
#define HCR_LOGFORMATS_H

#include <stdio.h>

#include "common/loaderr.h"
#include "ingest/clicklog.h"

enum log_format {
	LOG_AUTO,          /* judged from the first line */
	LOG_CSV,           /* header, columns by name: user_id,item_id,timestamp,click,like */
	LOG_TSV,           /* the same, tab-separated */
	LOG_RECBOLE,       /* RecBole atomic .inter: tab-separated, header name:type */
	LOG_RATINGS,       /* ratings CSV with header (MovieLens export): userId,movieId,rating,timestamp */
	LOG_UIRT,          /* no header: user item rating [timestamp], tab-separated */
	LOG_TIKTOK,        /* final_track2_train.txt */
	LOG_KWAI,          /* train_interaction.txt */
	LOG_TAOBAO,        /* ijcai2016_taobao.csv */
	LOG_USERBEHAVIOR,  /* UserBehavior.csv */
	LOG_RETAILROCKET,  /* events.csv */
	LOG_YAHOO,         /* Yahoo! R3 ydata-ymusic-rating-study-v1_0-{train,test}.txt */
	LOG_COAT,          /* Coat train.ascii, test.ascii: users x items ratings, 0 none */
	LOG_KUAIRAND,      /* KuaiRand log_standard_*.csv, log_random_*.csv */
	LOG_KUAIREC,       /* KuaiRec 2.0 big_matrix.csv, small_matrix.csv */
	LOG_NFORMATS
};

/* Columns a header format's --columns can rename. */
enum log_role { LOG_USER, LOG_ITEM, LOG_TIME, LOG_CLICK, LOG_LIKE, LOG_RATING, LOG_PART,
	LOG_NROLES };

/* What a file gives to a given split (split-chrono --mode given). */
enum { LOG_PART_COLUMN = -1 };   /* log_opts.part: a part column says, row by row */

struct log_opts {
	enum log_format format;
	int delim;                        /* 0: the format's own */
	const char *column[LOG_NROLES];   /* header names; NULL: the format's; "": none */
	int have_threshold;
	double like_threshold;            /* like = rating >= this (the format's default if unset) */
	/* for a given split: 0 below is the chronological splits' reading, unchanged */
	int given;                        /* keep each click's graded label and part */
	int part;                         /* PART_* of every row, or LOG_PART_COLUMN */
	unsigned exposure;                /* parts (bit 1 << PART_*) whose rows are every
	                                   * exposed pair: an unclicked row is kept */
	int expect_rand;                  /* KuaiRand: is_rand the file's rows should have; -1 */
};

void log_opts_init(struct log_opts *o);
/* The format called name (also "movielens" for ratings), or -1. */
int log_format_parse(const char *name);
const char *log_format_name(enum log_format f);
/* The role called name ("user", "item", "time", "click", "like", "rating"), or -1. */
int log_role_parse(const char *name, size_t len);
const char *log_role_name(enum log_role r);
/* The format a file is in, judged from its first line (without a BOM or line end). */
enum log_format log_detect(const char *line, size_t len);
/* The default like threshold of a format with ratings (4; KuaiRec's watch ratio 2). */
double log_default_threshold(enum log_format f);
/* The like rule a format applies with o, in words ("rating >= 4", "is_like"). */
const char *log_like_rule(const struct log_opts *o, enum log_format f, char *buf, size_t size);
/* Whether the format's graded label is its rating (else the like, 0 or 1). */
int log_graded_by_rating(const struct log_opts *o, enum log_format f);

/* The files of a data set as released in a folder, for a given split: the train,
 * valid and test files of the format (coat, yahoo, kuairand, kuairec, recbole), found
 * in dir or dir/data, each list sorted by name (KuaiRand ships its logs in parts).
 * format LOG_AUTO: the one whose train files are there.  0 with files[part] (malloc'd
 * arrays of malloc'd paths, NULL-terminated; valid may be empty) and *format set, or
 * -1 with e filled. */
int log_given_files(const char *dir, enum log_format *format, char **files[3],
    struct load_error *e);
void log_given_files_free(char **files[3]);

/* Reads every row of fp (named name in messages) into log, an initialised clicklog.
 * 0, or -1 with err filled; log then holds what was read before, to be freed. */
int log_read(FILE *fp, const char *name, const struct log_opts *o, struct clicklog *log,
    struct load_error *err);

#endif
