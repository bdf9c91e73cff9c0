/* logformats.c: reads interaction logs row by row, keeping only the clicks' compact
 * columns and the ids' vocabularies, so memory follows users, items and clicks. */
#include "ingest/logformats.h"

#include <csv.h>
#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/meter.h"
#include "common/util.h"
#include "ingest/dataset.h"

#define CHUNK ((size_t)1 << 16)
/* The longest field (and raw line) accepted: bounds memory on hostile input. */
#define FIELD_MAX ((size_t)1 << 20)
#define FIELDS_MAX 4096

/* libcsv's parser states (struct csv_parser.pstate), which its header leaves unnamed. */
enum { PS_ROW_NOT_BEGUN = 0, PS_FIELD_BEGUN = 2 };

/* Columns particular to one format, after the renameable ones. */
enum { R_ACT = LOG_NROLES, R_FINISH, R_PLAY, R_DUR, R_RAND, R_NROLES };

struct layout {
	const char *name;
	int delim;
	int header;
	int quoting;                /* quotes can occur: read with libcsv */
	int trim;                   /* blanks around unquoted fields are not data */
	int nfields;                /* headerless: fields a row has */
	const char *col[R_NROLES];  /* column names: looked up in a header, else for messages */
	int pos[R_NROLES];          /* headerless: 1-based field of each column, 0 none */
	/* a data set released with its parts: the files of each part, as glob patterns
	 * (split-chrono --mode given with a folder) */
	const char *given[3];
};

#define STD_COLS { "user_id", "item_id", "timestamp", "click", "like", "rating", "part" }

/* KuaiRand's logs, every version and part (the authors' README, "Data Descriptions"). */
static const char *const kuairand_columns[] = { "user_id", "video_id", "date", "hourmin",
	"time_ms", "is_click", "is_like", "is_follow", "is_comment", "is_forward", "is_hate",
	"long_view", "play_time_ms", "duration_ms", "profile_stay_time", "comment_stay_time",
	"is_profile_enter", "is_rand", "tab" };
#define KUAIRAND_NCOLS ((int)(sizeof kuairand_columns / sizeof kuairand_columns[0]))

static const struct layout layouts[LOG_NFORMATS] = {
	[LOG_AUTO] = { "auto", ',', 1, 1, 1, 0, STD_COLS, { 0 } },
	[LOG_CSV] = { "csv", ',', 1, 1, 1, 0, STD_COLS, { 0 } },
	[LOG_TSV] = { "tsv", '\t', 1, 1, 0, 0, STD_COLS, { 0 } },
	[LOG_RECBOLE] = { "recbole", '\t', 1, 1, 0, 0, STD_COLS, { 0 },
	    { "*.train.inter", "*.valid.inter", "*.test.inter" } },
	[LOG_RATINGS] = { "ratings", ',', 1, 1, 1, 0,
	    { "userId", "movieId", "timestamp", NULL, NULL, "rating" }, { 0 } },
	[LOG_UIRT] = { "uirt", '\t', 0, 0, 0, 4,
	    { "user", "item", "timestamp", NULL, NULL, "rating" }, { 1, 2, 4, 0, 0, 3 } },
	[LOG_TIKTOK] = { "tiktok", '\t', 0, 0, 0, 12,
	    { [LOG_USER] = "uid", [LOG_ITEM] = "item_id", [LOG_LIKE] = "like",
		[R_FINISH] = "finish" },
	    { [LOG_USER] = 1, [LOG_ITEM] = 3, [LOG_LIKE] = 8, [R_FINISH] = 7 } },
	[LOG_KWAI] = { "kwai", '\t', 0, 0, 0, 8,
	    { [LOG_USER] = "user_id", [LOG_ITEM] = "photo_id", [LOG_CLICK] = "click",
		[LOG_LIKE] = "like", [LOG_TIME] = "time", [R_PLAY] = "playing_time",
		[R_DUR] = "duration_time" },
	    { [LOG_USER] = 1, [LOG_ITEM] = 2, [LOG_CLICK] = 3, [LOG_LIKE] = 4, [LOG_TIME] = 6,
		[R_PLAY] = 7, [R_DUR] = 8 } },
	[LOG_TAOBAO] = { "taobao", ',', 1, 1, 1, 0,
	    { [LOG_USER] = "use_ID", [LOG_ITEM] = "ite_ID", [LOG_TIME] = "time",
		[R_ACT] = "act_ID" }, { 0 } },
	[LOG_USERBEHAVIOR] = { "userbehavior", ',', 0, 0, 0, 5,
	    { [LOG_USER] = "user_id", [LOG_ITEM] = "item_id", [LOG_TIME] = "timestamp",
		[R_ACT] = "behavior_type" },
	    { [LOG_USER] = 1, [LOG_ITEM] = 2, [R_ACT] = 4, [LOG_TIME] = 5 } },
	[LOG_RETAILROCKET] = { "retailrocket", ',', 1, 1, 1, 0,
	    { [LOG_USER] = "visitorid", [LOG_ITEM] = "itemid", [LOG_TIME] = "timestamp",
		[R_ACT] = "event" }, { 0 } },
	[LOG_YAHOO] = { "yahoo", '\t', 0, 0, 0, 3,
	    { [LOG_USER] = "user", [LOG_ITEM] = "song", [LOG_RATING] = "rating" },
	    { [LOG_USER] = 1, [LOG_ITEM] = 2, [LOG_RATING] = 3 },
	    { "ydata-ymusic-rating-study-v1_0-train.txt", NULL,
		"ydata-ymusic-rating-study-v1_0-test.txt" } },
	/* a matrix: the fields of a line are its user's items; read by coat_value */
	[LOG_COAT] = { "coat", ' ', 0, 0, 0, 0, { [LOG_RATING] = "rating" }, { 0 },
	    { "train.ascii", NULL, "test.ascii" } },
	[LOG_KUAIRAND] = { "kuairand", ',', 1, 1, 1, 0,
	    { [LOG_USER] = "user_id", [LOG_ITEM] = "video_id", [LOG_TIME] = "time_ms",
		[LOG_CLICK] = "is_click", [LOG_LIKE] = "is_like", [R_RAND] = "is_rand" }, { 0 },
	    { "log_standard_*.csv", NULL, "log_random_*.csv" } },
	[LOG_KUAIREC] = { "kuairec", ',', 1, 1, 1, 0,
	    { [LOG_USER] = "user_id", [LOG_ITEM] = "video_id", [LOG_TIME] = "timestamp",
		[LOG_RATING] = "watch_ratio" }, { 0 },
	    { "big_matrix.csv", NULL, "small_matrix.csv" } },
};

static const char *const role_names[LOG_NROLES] = { "user", "item", "time", "click", "like",
	"rating", "part" };

void log_opts_init(struct log_opts *o)
{
	memset(o, 0, sizeof *o);
	o->format = LOG_AUTO;
	o->like_threshold = 4;
	o->expect_rand = -1;
}

double log_default_threshold(enum log_format f)
{
	/* KuaiRec has no like: the authors' README suggests making one from the watch
	 * ratio at 2, and >= 2 is the common reading of it (split-chrono(1)) */
	return f == LOG_KUAIREC ? 2 : 4;
}

/* Formats whose rows carry a rating (or KuaiRec's watch ratio) that -l reads. */
static int rated(const struct log_opts *o, enum log_format f)
{
	switch (f) {
	case LOG_RATINGS: case LOG_UIRT: case LOG_YAHOO: case LOG_COAT: case LOG_KUAIREC:
		return 1;
	case LOG_CSV: case LOG_TSV: case LOG_RECBOLE: case LOG_AUTO:
		return o->have_threshold;
	default:
		return 0;
	}
}

int log_graded_by_rating(const struct log_opts *o, enum log_format f)
{
	/* KuaiRec's watch ratio is unbounded: a gain of 2^ratio - 1 would be its own
	 * metric, so its graded label is the like */
	return rated(o, f) && f != LOG_KUAIREC;
}

const char *log_like_rule(const struct log_opts *o, enum log_format f, char *buf, size_t size)
{
	const struct layout *l = &layouts[f >= 0 && f < LOG_NFORMATS ? f : LOG_AUTO];
	const char *rating = o->column[LOG_RATING] && o->column[LOG_RATING][0] ?
	    o->column[LOG_RATING] : l->col[LOG_RATING];
	const char *like = o->column[LOG_LIKE] && o->column[LOG_LIKE][0] ? o->column[LOG_LIKE] :
	    l->col[LOG_LIKE];
	if (rated(o, f))
		snprintf(buf, size, "%s >= %g", rating, o->have_threshold ? o->like_threshold :
		    log_default_threshold(f));
	else if (f == LOG_TIKTOK)
		snprintf(buf, size, "finish or like");
	else if (f == LOG_KWAI)
		snprintf(buf, size, "like or playing_time >= duration_time");
	else if (f == LOG_TAOBAO || f == LOG_USERBEHAVIOR || f == LOG_RETAILROCKET)
		snprintf(buf, size, "a buy");
	else
		snprintf(buf, size, "%s", like ? like : "like");
	return buf;
}

int log_format_parse(const char *name)
{
	int f;
	if (strcmp(name, "movielens") == 0)
		return LOG_RATINGS;
	for (f = 0; f < LOG_NFORMATS; f++)
		if (strcmp(name, layouts[f].name) == 0)
			return f;
	return -1;
}

const char *log_format_name(enum log_format f)
{
	return f >= 0 && f < LOG_NFORMATS ? layouts[f].name : "?";
}

int log_role_parse(const char *name, size_t len)
{
	int k;
	for (k = 0; k < LOG_NROLES; k++)
		if (strlen(role_names[k]) == len && memcmp(name, role_names[k], len) == 0)
			return k;
	return -1;
}

const char *log_role_name(enum log_role r)
{
	return r >= 0 && r < LOG_NROLES ? role_names[r] : "?";
}

/* ---- detection ---- */

struct span {
	const char *p;
	size_t n;
};

static int span_is(struct span s, const char *w)
{
	return s.n == strlen(w) && memcmp(s.p, w, s.n) == 0;
}

static int span_int(struct span s)
{
	int64_t v;
	return parse_i64(s.p, s.n, &v) == 0;
}

static int span_num(struct span s)
{
	double v;
	return parse_double(s.p, s.n, &v) == 0;
}

enum log_format log_detect(const char *line, size_t len)
{
	struct span f[32];
	size_t tabs = 0, commas = 0, i;
	int nf = 0, k, all_int = 1, all_typed = 1, delim;
	const char *s = line, *e = line + len;

	size_t spaces = 0, digits = 0;
	for (i = 0; i < len; i++) {
		tabs += line[i] == '\t';
		commas += line[i] == ',';
		spaces += line[i] == ' ';
		digits += line[i] >= '0' && line[i] <= '9';
	}
	/* a line of digits between single spaces: a ratings matrix (Coat) */
	if (spaces > 0 && spaces + digits == len && line[0] != ' ' && line[len - 1] != ' ' &&
	    !memmem(line, len, "  ", 2))
		return LOG_COAT;
	delim = tabs > commas ? '\t' : ',';
	/* A header is split naively, quotes stripped: enough to tell formats apart. */
	while (nf < 32) {
		const char *q = memchr(s, delim, (size_t)(e - s));
		struct span x = { s, (size_t)((q ? q : e) - s) };
		if (x.n >= 2 && x.p[0] == '"' && x.p[x.n - 1] == '"') {
			x.p++;
			x.n -= 2;
		}
		f[nf++] = x;
		if (!q)
			break;
		s = q + 1;
	}
	for (k = 0; k < nf; k++) {
		all_int &= span_int(f[k]);
		all_typed &= memchr(f[k].p, ':', f[k].n) != NULL;
	}
	if (delim == '\t') {
		if (all_typed)
			return LOG_RECBOLE;
		if (all_int && nf == 12)
			return LOG_TIKTOK;
		if (all_int && nf == 8)
			return LOG_KWAI;
		if ((nf == 3 || nf == 4) && span_num(f[2]) && (nf == 3 || span_num(f[3])))
			return LOG_UIRT;
		return LOG_TSV;
	}
	if (nf == 6 && span_is(f[0], "use_ID") && span_is(f[1], "sel_ID") &&
	    span_is(f[2], "ite_ID") && span_is(f[3], "cat_ID") && span_is(f[4], "act_ID") &&
	    span_is(f[5], "time"))
		return LOG_TAOBAO;
	if (nf == KUAIRAND_NCOLS && span_is(f[0], "user_id") && span_is(f[1], "video_id") &&
	    span_is(f[4], "time_ms"))
		return LOG_KUAIRAND;
	if (nf >= 3 && span_is(f[0], "user_id") && span_is(f[1], "video_id"))
		for (k = 2; k < nf; k++)
			if (span_is(f[k], "watch_ratio"))
				return LOG_KUAIREC;
	if (nf == 5 && span_is(f[0], "timestamp") && span_is(f[1], "visitorid") &&
	    span_is(f[2], "event") && span_is(f[3], "itemid") && span_is(f[4], "transactionid"))
		return LOG_RETAILROCKET;
	{
		int user = 0, movie = 0, rating = 0;
		for (k = 0; k < nf; k++) {
			user |= span_is(f[k], "userId");
			movie |= span_is(f[k], "movieId");
			rating |= span_is(f[k], "rating");
		}
		if (user && movie && rating)
			return LOG_RATINGS;
	}
	if (nf == 5 && span_int(f[0]) && span_int(f[1]) && span_int(f[2]) && span_int(f[4]) &&
	    (span_is(f[3], "pv") || span_is(f[3], "buy") || span_is(f[3], "cart") ||
		span_is(f[3], "fav")))
		return LOG_USERBEHAVIOR;
	return LOG_CSV;
}

/* ---- reading ---- */

struct fbuf {
	char *p;
	size_t len, cap;
};

struct rd {
	const char *name;
	enum log_format fmt;
	const struct layout *lay;
	const struct log_opts *o;
	struct clicklog *log;
	struct load_error *err;
	int failed;
	int delim;
	int use_threshold;
	double threshold;
	int graded;                 /* the graded label is the rating, else the like */
	int64_t line;               /* the physical line being read, from 1 */
	int64_t row_line;           /* the line the current row began on */
	int64_t quote_line;         /* the line the open quoted field began on */
	/* the row being read */
	int nf;                     /* its fields so far */
	int blank0;                 /* its first field is empty or blanks */
	int nexpect;                /* fields every row has; 0 while reading the header */
	signed char *role_of;       /* per field: the column it is, or -1 */
	int col1[R_NROLES];         /* 1-based field of each column, 0 none */
	const char *cname[R_NROLES];
	struct fbuf f[R_NROLES];
	/* the previous row's user and item and their indices: logs sorted by user (the
	 * MovieLens export, UserBehavior) repeat them row after row */
	struct fbuf last[2];
	int32_t last_index[2];
	int64_t matrix_row;         /* a matrix (Coat): the data rows so far, from 0 */
	double last_time;           /* KuaiRec: the time of the last row that had one */
	/* the header */
	int in_header;
	char **hdr;
	size_t nhdr, hdrcap;
	char shown[256];
	/* for the progress line: the input, its size (0: unknown), the start */
	FILE *fp;
	double size, t0;
};

static void vfail_at(struct rd *r, int64_t line, int col, const char *fmt, va_list ap)
{
	int n;
	if (r->failed)
		return;
	r->failed = 1;
	r->err->code = HCR_EXIT_DATA;
	n = snprintf(r->err->msg, sizeof r->err->msg, "%s: line %lld", r->name, (long long)line);
	if (col > 0)
		n += snprintf(r->err->msg + n, sizeof r->err->msg - (size_t)n, ", column %d", col);
	n += snprintf(r->err->msg + n, sizeof r->err->msg - (size_t)n, ": ");
	vsnprintf(r->err->msg + n, sizeof r->err->msg - (size_t)n, fmt, ap);
}

static void fail_at(struct rd *r, int64_t line, int col, const char *fmt, ...)
    HCR_PRINTF(4, 5);
static void fail_at(struct rd *r, int64_t line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail_at(r, line, col, fmt, ap);
	va_end(ap);
}

/* An error in the current row, in column col (0: the row as a whole). */
static void fail(struct rd *r, int col, const char *fmt, ...) HCR_PRINTF(3, 4);
static void fail(struct rd *r, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfail_at(r, r->row_line, col, fmt, ap);
	va_end(ap);
}

/* A value as a message shows it. */
static const char *show(struct rd *r, const char *s, size_t n)
{
	return load_shown(s, n, r->shown, sizeof r->shown);
}

static int is_blank(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void coat_value(struct rd *r, int k, const char *s, size_t len);

static void field(struct rd *r, const char *s, size_t len)
{
	int k = r->nf++;
	if (!s)
		len = 0, s = "";
	if (k == 0)
		r->blank0 = is_blank(s, len);
	if (r->fmt == LOG_COAT) {
		coat_value(r, k, s, len);
		return;
	}
	if (r->in_header) {
		if (r->nhdr >= FIELDS_MAX) {
			fail(r, k + 1, "expected at most %d columns, got more", FIELDS_MAX);
			return;
		}
		XGROW(r->hdr, r->hdrcap, r->nhdr + 1);
		r->hdr[r->nhdr++] = xstrndup(s, len);
		return;
	}
	if (k < r->nexpect && r->role_of[k] >= 0) {
		struct fbuf *b = &r->f[r->role_of[k]];
		XGROW(b->p, b->cap, len + 1);
		memcpy(b->p, s, len);
		b->p[len] = '\0';
		b->len = len;
	}
}

/* Where each column is, once the header or the first row has said. */
static void set_positions(struct rd *r, int nf)
{
	int k;
	r->nexpect = nf;
	r->role_of = xmalloc((size_t)nf);
	memset(r->role_of, -1, (size_t)nf);
	for (k = 0; k < R_NROLES; k++)
		if (r->col1[k] > 0 && r->col1[k] <= nf)
			r->role_of[r->col1[k] - 1] = (signed char)k;
}

/* The header name a column is looked up by; NULL when the format does not use it. */
static const char *wanted(const struct rd *r, int role, int *required)
{
	const char *given = role < LOG_NROLES ? r->o->column[role] : NULL;
	*required = 1;
	if (role == LOG_PART) {
		/* a part column only for a given split told to read one */
		if (!r->o->given || r->o->part != LOG_PART_COLUMN)
			return NULL;
		return given && given[0] ? given : "part";
	}
	switch (r->fmt) {
	case LOG_CSV:
	case LOG_TSV:
	case LOG_RECBOLE:
		if (role == LOG_CLICK) {
			/* no click column: every row is a click */
			*required = given != NULL;
			break;
		}
		/* parts given need no time: without one, the time is the line number */
		if (role == LOG_TIME && r->o->given)
			*required = given != NULL;
		if (role == LOG_LIKE && r->use_threshold)
			return NULL;
		if (role == LOG_RATING && !r->use_threshold)
			return NULL;
		break;
	default:
		break;
	}
	if (given)
		return given[0] ? given : NULL;
	return r->lay->col[role];
}

static void header_end(struct rd *r, int nf)
{
	static const char *const types[] = { "token", "token_seq", "float", "float_seq" };
	int k, role;
	size_t j;

	r->in_header = 0;
	if (r->fmt == LOG_RECBOLE)
		for (j = 0; j < r->nhdr; j++) {
			char *c = strchr(r->hdr[j], ':');
			int ok = 0;
			if (!c) {
				fail(r, (int)j + 1, "expected a RecBole header field name:type, got '%s'",
				    show(r, r->hdr[j], strlen(r->hdr[j])));
				return;
			}
			for (k = 0; k < 4; k++)
				ok |= strcmp(c + 1, types[k]) == 0;
			if (!ok) {
				fail(r, (int)j + 1, "type '%s' from field '%.*s' is not supported: "
				    "expected token, token_seq, float or float_seq", show(r, c + 1,
					strlen(c + 1)), (int)(c - r->hdr[j]), r->hdr[j]);
				return;
			}
			*c = '\0';
		}
	if (r->fmt == LOG_KUAIRAND)
		for (k = 0; k < KUAIRAND_NCOLS || (size_t)k < r->nhdr; k++)
			if (k >= KUAIRAND_NCOLS || (size_t)k >= r->nhdr ||
			    strcmp(r->hdr[k], kuairand_columns[k]) != 0) {
				const char *got = (size_t)k < r->nhdr ? r->hdr[k] : "";
				fail(r, k + 1, "expected the %d columns of KuaiRand's logs in order "
				    "(user_id, video_id, date, ..., tab), got '%s' as column %d where "
				    "'%s' belongs", KUAIRAND_NCOLS, show(r, got, strlen(got)), k + 1,
				    k < KUAIRAND_NCOLS ? kuairand_columns[k] : "the end of the line");
				return;
			}
	for (role = 0; role < R_NROLES; role++) {
		int required, at = 0;
		const char *name = wanted(r, role, &required);
		if (!name)
			continue;
		for (j = 0; j < r->nhdr; j++) {
			if (strcmp(r->hdr[j], name) != 0)
				continue;
			if (at) {
				fail(r, (int)j + 1, "expected one column '%s', got a second (columns %d "
				    "and %d)", show(r, name, strlen(name)), at, (int)j + 1);
				return;
			}
			at = (int)j + 1;
		}
		if (!at && required) {
			fail(r, 0, "expected a column '%s' in the header%s, got none among its %d "
			    "columns", show(r, name, strlen(name)),
			    role < LOG_NROLES ? " (see --columns)" : "", nf);
			return;
		}
		r->col1[role] = at;
		r->cname[role] = at ? r->hdr[at - 1] : name;
	}
	set_positions(r, nf);
}

/* The fields of a column, checked to be an id. */
static int get_id(struct rd *r, int role, const char *what)
{
	const struct fbuf *b = &r->f[role];
	if (b->len == 0) {
		fail(r, r->col1[role], "expected %s id (%s), got ''", what, r->cname[role]);
		return -1;
	}
	if (memchr(b->p, '\0', b->len)) {
		fail(r, r->col1[role], "expected %s id (%s) without a NUL byte, got '%s'", what,
		    r->cname[role], show(r, b->p, b->len));
		return -1;
	}
	return 0;
}

static int get_num(struct rd *r, int role, double *out)
{
	const struct fbuf *b = &r->f[role];
	int64_t v;
	/* integers first: most times are, and this path is the fast one */
	if (parse_i64(b->p, b->len, &v) == 0 && v > -(INT64_C(1) << 53) &&
	    v < (INT64_C(1) << 53)) {
		*out = (double)v;
		return 0;
	}
	if (parse_double(b->p, b->len, out) == 0)
		return 0;
	fail(r, r->col1[role], "expected a number (%s), got '%s'", r->cname[role],
	    show(r, b->p, b->len));
	return -1;
}

static int get_flag(struct rd *r, int role, int *out)
{
	const struct fbuf *b = &r->f[role];
	double v;
	if (b->len == 1 && (b->p[0] == '0' || b->p[0] == '1')) {
		*out = b->p[0] == '1';
		return 0;
	}
	if (parse_double(b->p, b->len, &v) == 0 && (v == 0 || v == 1)) {
		*out = v == 1;
		return 0;
	}
	fail(r, r->col1[role], "expected 0 or 1 (%s), got '%s'", r->cname[role],
	    show(r, b->p, b->len));
	return -1;
}

/* Which of the words the column holds: its index, or -1 after failing. */
static int get_word(struct rd *r, int role, const char *const *words, int n,
    const char *expected)
{
	const struct fbuf *b = &r->f[role];
	int k;
	for (k = 0; k < n; k++)
		if (strlen(words[k]) == b->len && memcmp(words[k], b->p, b->len) == 0)
			return k;
	fail(r, r->col1[role], "expected %s (%s), got '%s'", expected, r->cname[role],
	    show(r, b->p, b->len));
	return -1;
}

static int intern(struct rd *r, struct vocab *v, int role, const char *what, int32_t *out)
{
	const struct fbuf *b = &r->f[role];
	struct fbuf *last = &r->last[role == LOG_ITEM];
	int64_t k;
	if (last->p && last->len == b->len && memcmp(last->p, b->p, b->len) == 0) {
		*out = r->last_index[role == LOG_ITEM];
		return 0;
	}
	k = vocab_intern(v, b->p, b->len, NULL);
	if (k >= INT32_MAX) {
		fail(r, r->col1[role], "expected at most %d %s ids, got more", INT32_MAX, what);
		return -1;
	}
	XGROW(last->p, last->cap, b->len + 1);
	memcpy(last->p, b->p, b->len);
	last->len = b->len;
	*out = r->last_index[role == LOG_ITEM] = (int32_t)k;
	return 0;
}

/* Appends a click of user u, item it, with its grade and part when a given split
 * keeps them; 0, or -1 after failing. */
static int add_click(struct rd *r, int32_t u, int32_t it, double t, int flag, double grade,
    int part)
{
	struct clicklog *log = r->log;
	if (log->n >= CL_MAX_CLICKS) {
		fail(r, 0, "expected at most %lld clicks, got more", (long long)CL_MAX_CLICKS);
		return -1;
	}
	clicklog_add(log, u, it, t, flag);
	if (log->grade) {
		log->grade[log->n - 1] = grade;
		log->part[log->n - 1] = (uint8_t)part;
	}
	return 0;
}

/* An id that is a number (a matrix's row or column) in v; 0, or -1 after failing. */
static int intern_number(struct rd *r, struct vocab *v, int64_t n, const char *what,
    int32_t *out)
{
	char buf[24];
	int len = snprintf(buf, sizeof buf, "%lld", (long long)n);
	int64_t k = vocab_intern(v, buf, (size_t)len, NULL);
	if (k >= INT32_MAX) {
		fail(r, 0, "expected at most %d %s ids, got more", INT32_MAX, what);
		return -1;
	}
	*out = (int32_t)k;
	return 0;
}

/* Field k of a Coat matrix row: the rating (1 to 5) of item k by the row's user, 0
 * for none.  Users and items are named by their 0-based row and column. */
static void coat_value(struct rd *r, int k, const char *s, size_t len)
{
	int32_t u, it;
	int v;
	if (r->failed)
		return;
	if (len != 1 || s[0] < '0' || s[0] > '5') {
		fail(r, k + 1, "expected a rating from 0 to 5 (0: not rated), got '%s'",
		    show(r, s, len));
		return;
	}
	if (s[0] == '0')
		return;
	v = s[0] - '0';
	if (intern_number(r, &r->log->users, r->matrix_row, "user", &u) ||
	    intern_number(r, &r->log->items, k, "item", &it))
		return;
	add_click(r, u, it, (double)r->row_line, v >= r->threshold ? CL_LIKE : 0, v, r->o->part);
}

/* An empty time (or NaN as pandas writes it), which KuaiRec's small matrix has. */
static int no_time(const struct fbuf *b)
{
	return b->len == 0 || (b->len == 3 && strncasecmp(b->p, "nan", 3) == 0);
}

/* One data row: what it says, as a click (liked or not), or nothing. */
static void row_event(struct rd *r)
{
	static const char *const behaviors[] = { "pv", "buy", "cart", "fav" };
	static const char *const events[] = { "view", "transaction", "addtocart" };
	static const char *const parts[] = { "train", "valid", "test" };
	struct clicklog *log = r->log;
	double t, v = 0;
	int click = 1, like = 0, buy = 0, k, part = r->o->part, exposed;
	int32_t u, it;

	if (get_id(r, LOG_USER, "a user") || get_id(r, LOG_ITEM, "an item"))
		return;
	if (r->fmt == LOG_KUAIREC && no_time(&r->f[LOG_TIME])) {
		t = r->last_time;   /* keeps file order after the last timed row */
		log->untimed++;
	} else if (r->col1[LOG_TIME]) {
		if (get_num(r, LOG_TIME, &t))
			return;
		r->last_time = t;
	} else {
		t = (double)r->row_line;   /* file order */
	}
	if (r->col1[LOG_PART] && (part = get_word(r, LOG_PART, parts, 3,
	    "train, valid or test")) < 0)
		return;
	switch (r->fmt) {
	case LOG_TIKTOK: {
		int finish;
		if (get_flag(r, R_FINISH, &finish) || get_flag(r, LOG_LIKE, &like))
			return;
		like |= finish;
		break;
	}
	case LOG_KWAI: {
		double play, dur;
		if (get_flag(r, LOG_CLICK, &click) || get_flag(r, LOG_LIKE, &like) ||
		    get_num(r, R_PLAY, &play) || get_num(r, R_DUR, &dur))
			return;
		/* finished: a zero duration is a missing one, not a finished video */
		if (dur > 0 && play >= dur)
			like = 1;
		break;
	}
	case LOG_TAOBAO:
		if (get_flag(r, R_ACT, &buy))
			return;
		click = !buy;
		like = buy;
		break;
	case LOG_USERBEHAVIOR:
		if ((k = get_word(r, R_ACT, behaviors, 4, "pv, buy, cart or fav")) < 0)
			return;
		click = k == 0;
		like = buy = k == 1;
		break;
	case LOG_RETAILROCKET:
		if ((k = get_word(r, R_ACT, events, 3, "view, transaction or addtocart")) < 0)
			return;
		click = k == 0;
		like = buy = k == 1;
		break;
	case LOG_RATINGS:
	case LOG_UIRT:
	case LOG_KUAIREC:
		if (get_num(r, LOG_RATING, &v))
			return;
		like = v >= r->threshold;
		break;
	case LOG_YAHOO:
		if (get_num(r, LOG_RATING, &v))
			return;
		if (v != floor(v) || v < 1 || v > 5) {
			fail(r, r->col1[LOG_RATING], "expected a rating from 1 to 5 (rating), got '%s'",
			    show(r, r->f[LOG_RATING].p, r->f[LOG_RATING].len));
			return;
		}
		like = v >= r->threshold;
		break;
	case LOG_KUAIRAND: {
		int rnd;
		if (get_flag(r, LOG_CLICK, &click) || get_flag(r, LOG_LIKE, &like) ||
		    get_flag(r, R_RAND, &rnd))
			return;
		if (r->o->expect_rand >= 0 && rnd != r->o->expect_rand)
			log->rand_mismatch++;
		break;
	}
	default: /* csv, tsv, recbole */
		if (r->col1[LOG_CLICK] && get_flag(r, LOG_CLICK, &click))
			return;
		if (r->use_threshold) {
			if (get_num(r, LOG_RATING, &v))
				return;
			like = v >= r->threshold;
		} else if (get_flag(r, LOG_LIKE, &like)) {
			return;
		}
		break;
	}
	/* a part that keeps every exposed pair keeps a row shown and not clicked */
	exposed = r->o->given && part >= 0 && (r->o->exposure >> part & 1);
	if (!click && !like && !exposed) {
		log->ignored++;
		return;
	}
	if (like && !click && !buy)
		log->repaired++;
	if (intern(r, &log->users, LOG_USER, "user", &u) ||
	    intern(r, &log->items, LOG_ITEM, "item", &it))
		return;
	log->unclicked += !click && !like;
	add_click(r, u, it, t, (like ? CL_LIKE : 0) | (buy ? CL_BUY : 0) |
	    (!click && !like ? CL_UNCLICKED : 0), r->graded ? v : like, part);
}

/* Rows read: on a terminal a line in place, with the share of the file read; in a
 * log, with --progress, a line every 2^20 rows. */
static void read_meter(struct rd *r)
{
	off_t at;
	char times[64];
	if (!meter_on()) {
		if ((r->log->rows & 0xfffff) == 0)
			progress("%s: %lld rows read", r->name, (long long)r->log->rows);
		return;
	}
	at = r->size > 0 ? ftello(r->fp) : -1;
	if (at > 0)
		meter("%s: %lld rows read, %.0f %% of the file, %s", r->name,
		    (long long)r->log->rows, 100 * (double)at / r->size,
		    meter_times(r->t0, (double)at / r->size, times, sizeof times));
	else
		meter("%s: %lld rows read, %s", r->name, (long long)r->log->rows,
		    meter_times(r->t0, 0, times, sizeof times));
}

static void row_end(struct rd *r)
{
	int nf = r->nf;
	r->nf = 0;
	if (nf == 1 && r->blank0) {
		/* a blank line: before the header, its one field is no column name */
		if (r->in_header && r->nhdr > 0)
			free(r->hdr[--r->nhdr]);
		return;
	}
	if (r->in_header) {
		header_end(r, nf);
		return;
	}
	if (r->fmt == LOG_COAT) {
		/* every row as wide as the first (the matrix's items) */
		if (r->nexpect == 0)
			r->nexpect = nf;
		if (nf != r->nexpect) {
			fail(r, (nf < r->nexpect ? nf : r->nexpect) + 1, "expected %d ratings as on the "
			    "first line, got %d", r->nexpect, nf);
			return;
		}
		r->log->rows++;
		r->matrix_row++;
		return;
	}
	if (r->fmt == LOG_UIRT && r->log->rows == 0 && nf == 3) {
		/* the first row says whether there is a timestamp */
		r->nexpect = 3;
		r->col1[LOG_TIME] = 0;
	}
	if (nf != r->nexpect) {
		fail(r, (nf < r->nexpect ? nf : r->nexpect) + 1, "expected %d fields%s, got %d",
		    r->nexpect, r->lay->header ? " as in the header" : "", nf);
		return;
	}
	r->log->rows++;
	if ((r->log->rows & 0xfff) == 0)
		read_meter(r);
	row_event(r);
}

static void cb_field(void *s, size_t len, void *data)
{
	struct rd *r = data;
	if (!r->failed)
		field(r, s, len);
}

static void cb_row(int term, void *data)
{
	struct rd *r = data;
	(void)term;
	if (!r->failed)
		row_end(r);
}

static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

static void io_error(struct rd *r)
{
	if (r->failed)
		return;
	r->failed = 1;
	r->err->code = HCR_EXIT_IO;
	snprintf(r->err->msg, sizeof r->err->msg, "%s: read error: %s", r->name,
	    strerror(errno ? errno : EIO));
}

/* Delimited text that may hold quotes, through libcsv, fed a line at a time so that
 * every callback knows its line. */
static void read_quoted(struct rd *r, FILE *fp, char *buf, size_t off, size_t len)
{
	struct csv_parser p;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
		die(HCR_EXIT_FAIL, "out of memory");
	csv_set_delim(&p, (unsigned char)r->delim);
	if (!r->lay->trim || r->delim == '\t')
		csv_set_space_func(&p, no_space);
	for (;;) {
		char *s = buf + off, *e = buf + len;
		while (s < e && !r->failed) {
			char *nl = memchr(s, '\n', (size_t)(e - s));
			size_t n = nl ? (size_t)(nl - s) + 1 : (size_t)(e - s), got;
			int was_quoted = p.quoted && p.pstate == PS_FIELD_BEGUN;
			if (p.pstate == PS_ROW_NOT_BEGUN)
				r->row_line = r->line;
			got = csv_parse(&p, s, n, cb_field, cb_row, r);
			if (r->failed)
				break;
			if (got < n) {
				/* strict quoting: the byte at s[got] broke it */
				if (p.quoted)
					fail_at(r, r->line, r->nf + 1, "expected a delimiter or the end of "
					    "the line after a closing quote, got '%s'", show(r, s + got, 1));
				else
					fail_at(r, r->line, r->nf + 1, "expected a quote only around a "
					    "whole field, got '%s'", show(r, s + got, 1));
				break;
			}
			if (!was_quoted && p.quoted && p.pstate == PS_FIELD_BEGUN)
				r->quote_line = r->line;
			if (p.entry_pos > FIELD_MAX) {
				fail_at(r, r->line, r->nf + 1, "expected a field of at most %zu bytes, "
				    "got more", FIELD_MAX);
				break;
			}
			if (nl)
				r->line++;
			s += n;
		}
		if (r->failed)
			break;
		off = 0;
		len = fread(buf, 1, CHUNK, fp);
		if (len == 0) {
			if (ferror(fp))
				io_error(r);
			break;
		}
	}
	if (!r->failed && csv_fini(&p, cb_field, cb_row, r) != 0)
		fail_at(r, r->quote_line, r->nf + 1, "expected a closing quote, got the end of "
		    "the input");
	csv_free(&p);
}

static void raw_line(struct rd *r, const char *s, size_t n)
{
	if (n && s[n - 1] == '\r')
		n--;
	r->row_line = r->line++;
	if (is_blank(s, n))
		return;
	for (;;) {
		const char *q = memchr(s, r->delim, n);
		size_t k = q ? (size_t)(q - s) : n;
		field(r, s, k);
		if (!q)
			break;
		s += k + 1;
		n -= k + 1;
	}
	row_end(r);
}

/* Delimited text where quoting cannot occur (the raw logs of numbers and fixed
 * words): split with memchr, several times faster than a general CSV parser. */
static void read_raw(struct rd *r, FILE *fp, char **bufp, size_t *capp, size_t off,
    size_t len)
{
	char *buf = *bufp;
	for (;;) {
		char *s = buf + off, *e = buf + len, *nl;
		size_t rest, got;
		while (!r->failed && (nl = memchr(s, '\n', (size_t)(e - s)))) {
			raw_line(r, s, (size_t)(nl - s));
			s = nl + 1;
		}
		if (r->failed)
			break;
		rest = (size_t)(e - s);
		if (rest > FIELD_MAX) {
			fail_at(r, r->line, 0, "expected a line of at most %zu bytes, got more",
			    FIELD_MAX);
			break;
		}
		memmove(buf, s, rest);
		if (*capp < rest + CHUNK) {
			*capp = rest + CHUNK;
			buf = *bufp = xrealloc(buf, *capp);
		}
		got = fread(buf + rest, 1, CHUNK, fp);
		if (got == 0) {
			if (ferror(fp))
				io_error(r);
			else if (rest)
				raw_line(r, buf, rest);
			break;
		}
		off = 0;
		len = rest + got;
	}
}

/* Options that do not fit the format are usage errors, found once it is known. */
static int check_opts(struct rd *r)
{
	const struct log_opts *o = r->o;
	int k;
	for (k = 0; k < LOG_NROLES; k++) {
		if (!o->column[k])
			continue;
		if (!r->lay->header) {
			r->err->code = HCR_EXIT_USAGE;
			snprintf(r->err->msg, sizeof r->err->msg, "%s: --columns applies to formats "
			    "with a header; the %s format has none", r->name, r->lay->name);
			return -1;
		}
		if (!r->lay->col[k] || (!o->column[k][0] && k != LOG_CLICK)) {
			r->err->code = HCR_EXIT_USAGE;
			snprintf(r->err->msg, sizeof r->err->msg, "%s: --columns: the %s format %s "
			    "%s column", r->name, r->lay->name, r->lay->col[k] ? "needs its" :
			    "has no", role_names[k]);
			return -1;
		}
	}
	if (o->have_threshold && r->fmt != LOG_CSV && r->fmt != LOG_TSV &&
	    r->fmt != LOG_RECBOLE && !rated(o, r->fmt)) {
		r->err->code = HCR_EXIT_USAGE;
		snprintf(r->err->msg, sizeof r->err->msg, "%s: --like-threshold applies to the "
		    "formats with ratings (csv, tsv, recbole, ratings, uirt, yahoo, coat, kuairec), "
		    "not %s", r->name, r->lay->name);
		return -1;
	}
	if (o->column[LOG_PART] && !(o->given && o->part == LOG_PART_COLUMN)) {
		r->err->code = HCR_EXIT_USAGE;
		snprintf(r->err->msg, sizeof r->err->msg, "%s: --columns part= applies to --mode "
		    "given with the parts in a column", r->name);
		return -1;
	}
	if (o->given && o->part == LOG_PART_COLUMN && r->fmt != LOG_CSV && r->fmt != LOG_TSV &&
	    r->fmt != LOG_RECBOLE) {
		r->err->code = HCR_EXIT_USAGE;
		snprintf(r->err->msg, sizeof r->err->msg, "%s: the %s format has no part column: "
		    "give its parts as files (--train-file, --test-file) or its folder", r->name,
		    r->lay->name);
		return -1;
	}
	return 0;
}

int log_read(FILE *fp, const char *name, const struct log_opts *o, struct clicklog *log,
    struct load_error *err)
{
	struct rd r;
	size_t cap = 2 * CHUNK, len, off = 0;
	char *buf = xmalloc(cap);
	int k;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.fp = fp;
	r.t0 = now_seconds();
	{
		struct stat st;
		if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode))
			r.size = (double)st.st_size;
	}
	r.o = o;
	r.log = log;
	r.err = err;
	r.line = r.row_line = r.quote_line = 1;
	err->code = 0;
	err->msg[0] = '\0';

	len = fread(buf, 1, CHUNK, fp);
	if (len == 0 && ferror(fp)) {
		io_error(&r);
		goto out;
	}
	/* a UTF-8 byte order mark is not part of the first column's name */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		off = 3;
	r.fmt = o->format;
	if (r.fmt == LOG_AUTO) {
		const char *s = buf + off, *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off;
		if (n && s[n - 1] == '\r')
			n--;
		r.fmt = log_detect(s, n);
	}
	r.lay = &layouts[r.fmt];
	snprintf(log->format, sizeof log->format, "%s", r.lay->name);
	r.delim = o->delim ? o->delim : r.lay->delim;
	r.use_threshold = rated(o, r.fmt);
	r.threshold = o->have_threshold ? o->like_threshold : log_default_threshold(r.fmt);
	r.graded = log_graded_by_rating(o, r.fmt);
	if (o->given)
		clicklog_keep(log);
	if (check_opts(&r)) {
		r.failed = 1;
		goto out;
	}
	for (k = 0; k < R_NROLES; k++)
		r.cname[k] = r.lay->col[k] ? r.lay->col[k] : "?";
	if (r.lay->header) {
		r.in_header = 1;
	} else {
		memcpy(r.col1, r.lay->pos, sizeof r.col1);
		set_positions(&r, r.lay->nfields);
	}
	if (r.lay->quoting)
		read_quoted(&r, fp, buf, off, len);
	else
		read_raw(&r, fp, &buf, &cap, off, len);
	if (!r.failed && r.in_header)
		fail_at(&r, r.line, 0, "expected a header naming the columns, got the end of the "
		    "input");
	if (r.fmt == LOG_COAT) {
		log->matrix_rows = r.matrix_row;
		log->matrix_cols = r.nexpect;
	}
out:
	for (k = 0; k < R_NROLES; k++)
		free(r.f[k].p);
	free(r.last[0].p);
	free(r.last[1].p);
	for (size_t j = 0; j < r.nhdr; j++)
		free(r.hdr[j]);
	free(r.hdr);
	free(r.role_of);
	free(buf);
	if (r.failed) {
		meter_clear();
	} else {
		char took[24];
		meter_end("%s: %lld rows read in %s", name, (long long)log->rows,
		    meter_duration(now_seconds() - r.t0, took));
	}
	return r.failed ? -1 : 0;
}

/* ---- a data set's files ---- */

/* The files matching pattern in dir, sorted by name (glob's order), as a NULL-ended
 * array (empty when none). */
static char **find_files(const char *dir, const char *pattern)
{
	glob_t g;
	char *path;
	char **out;
	size_t k, n = 0;
	if (asprintf(&path, "%s/%s", dir, pattern) < 0)
		die(HCR_EXIT_FAIL, "out of memory");
	if (glob(path, 0, NULL, &g) != 0)
		g.gl_pathc = 0;
	out = xcalloc(g.gl_pathc + 1, sizeof *out);
	for (k = 0; k < g.gl_pathc; k++)
		out[n++] = xstrdup(g.gl_pathv[k]);
	if (g.gl_pathc)
		globfree(&g);
	free(path);
	return out;
}

static void free_list(char **l)
{
	size_t k;
	for (k = 0; l && l[k]; k++)
		free(l[k]);
	free(l);
}

void log_given_files_free(char **files[3])
{
	int p;
	for (p = 0; p < 3; p++) {
		free_list(files[p]);
		files[p] = NULL;
	}
}

/* A data set's files in one folder; 0, or -1 (e filled) when its train or test files
 * are not all there. */
static int files_in(const char *dir, enum log_format f, char **files[3], struct load_error *e)
{
	static const char *const part_names[3] = { "train", "valid", "test" };
	const struct layout *l = &layouts[f];
	int p;
	files[0] = find_files(dir, l->given[0]);
	if (f == LOG_RECBOLE && files[0][0] && files[0][1]) {
		load_fail(e, HCR_EXIT_USAGE, "%s: expected one RecBole data set, found %s and %s: "
		    "give the parts as files (--train-file, --valid-file, --test-file)", dir,
		    files[0][0], files[0][1]);
		return -1;
	}
	for (p = 1; p < 3; p++) {
		if (f == LOG_RECBOLE && files[0][0]) {
			/* NAME.train.inter: the other parts are NAME.valid.inter, NAME.test.inter */
			const char *base = strrchr(files[0][0], '/') + 1;
			char *name = xstrndup(base, strlen(base) - strlen(".train.inter"));
			char *pat;
			if (asprintf(&pat, "%s.%s.inter", name, part_names[p]) < 0)
				die(HCR_EXIT_FAIL, "out of memory");
			files[p] = find_files(dir, pat);
			free(pat);
			free(name);
		} else {
			files[p] = l->given[p] ? find_files(dir, l->given[p]) : xcalloc(1, sizeof **files);
		}
	}
	for (p = 0; p < 3; p += 2)
		if (!files[p][0]) {
			load_fail(e, HCR_EXIT_IO, "%s: expected %s (the %s part of %s as released), "
			    "found none", dir, f == LOG_RECBOLE && p == 2 ? "NAME.test.inter" :
			    l->given[p], part_names[p], l->name);
			return -1;
		}
	return 0;
}

int log_given_files(const char *dir, enum log_format *format, char **files[3],
    struct load_error *e)
{
	static const char *const sub[2] = { "", "/data" };
	int f, s;
	files[0] = files[1] = files[2] = NULL;
	e->code = 0;
	e->msg[0] = '\0';
	/* the folder itself, else its data/ (KuaiRand and KuaiRec unpack so) */
	for (s = 0; s < 2; s++) {
		char *d;
		if (asprintf(&d, "%s%s", dir, sub[s]) < 0)
			die(HCR_EXIT_FAIL, "out of memory");
		for (f = 0; f < LOG_NFORMATS; f++) {
			char **train;
			int found;
			if (!layouts[f].given[0] || (*format != LOG_AUTO && (int)*format != f))
				continue;
			train = find_files(d, layouts[f].given[0]);
			found = train[0] != NULL;
			free_list(train);
			if (!found)
				continue;
			*format = (enum log_format)f;
			if (files_in(d, (enum log_format)f, files, e) != 0) {
				log_given_files_free(files);
				free(d);
				return -1;
			}
			free(d);
			return 0;
		}
		free(d);
	}
	if (*format == LOG_AUTO)
		return load_fail(e, HCR_EXIT_IO, "%s: expected the files of a data set as released "
		    "(coat: train.ascii; yahoo: ydata-ymusic-rating-study-v1_0-train.txt; kuairand: "
		    "log_standard_*.csv; kuairec: big_matrix.csv; recbole: NAME.train.inter), found "
		    "none", dir);
	if (!layouts[*format].given[0])
		return load_fail(e, HCR_EXIT_USAGE, "%s: the %s format has no files of parts to look "
		    "for in a folder (coat, yahoo, kuairand, kuairec and recbole have)", dir,
		    layouts[*format].name);
	return load_fail(e, HCR_EXIT_IO, "%s: expected %s (the train part of %s as released), "
	    "found none", dir, layouts[*format].given[0], layouts[*format].name);
}
