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
	LOG_NFORMATS
};

/* Columns a header format's --columns can rename. */
enum log_role { LOG_USER, LOG_ITEM, LOG_TIME, LOG_CLICK, LOG_LIKE, LOG_RATING, LOG_NROLES };

struct log_opts {
	enum log_format format;
	int delim;                        /* 0: the format's own */
	const char *column[LOG_NROLES];   /* header names; NULL: the format's; "": none */
	int have_threshold;
	double like_threshold;            /* like = rating >= this */
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

/* Reads every row of fp (named name in messages) into log, an initialised clicklog.
 * 0, or -1 with err filled; log then holds what was read before, to be freed. */
int log_read(FILE *fp, const char *name, const struct log_opts *o, struct clicklog *log,
    struct load_error *err);

#endif
