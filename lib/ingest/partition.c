/* partition.c: the splits.  Clicks are put in time order by a radix sort of their
 * indices, grouped by user with a counting sort, and each user's sequence is walked
 * once with per-item stamps, so the work is linear and the memory a few bytes a click. */
#include "ingest/partition.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "common/util.h"

/* Flag bits the split adds to a click's (clicklog.h has the low two). */
enum {
	F_CUT = 4,          /* global: among the first round(f n) clicks */
	F_EMIT_SHIFT = 3,   /* two bits: 0 none, 1 train, 2 valid, 3 test */
	F_EMIT = 3 << 3,
	F_LIKEOR = 32,      /* a training record: some click of its pair in training is liked */
	F_TRAINED = 128,    /* given: a valid or test record whose pair also trains */
};

int chrono_mode_parse(const char *s)
{
	if (strcmp(s, "global") == 0)
		return CHRONO_GLOBAL;
	if (strcmp(s, "user") == 0)
		return CHRONO_USER;
	if (strcmp(s, "loo") == 0)
		return CHRONO_LOO;
	if (strcmp(s, "given") == 0)
		return CHRONO_GIVEN;
	return -1;
}

const char *chrono_mode_name(enum chrono_mode m)
{
	return m == CHRONO_USER ? "user" : m == CHRONO_LOO ? "loo" : m == CHRONO_GIVEN ? "given" :
	    "global";
}

int chrono_fraction_parse(const char *s, int64_t *num, int64_t *den)
{
	int64_t n = 0, d = 1;
	int digits = 0, frac = 0;
	const char *p = s;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if ((n = n * 10 + (*p - '0')) > 1)
			return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (++frac > 9)
				return -1;
			n = n * 10 + (*p - '0');
			d *= 10;
		}
	if (*p || !digits || n > d)
		return -1;
	*num = n;
	*den = d;
	return 0;
}

int64_t chrono_round(int64_t n, int64_t num, int64_t den)
{
	/* den <= 1e9 and n < 2^32, so n * num fits; halves round up */
	int64_t q = n / den * num, r = n % den * num;
	return q + r / den + (2 * (r % den) >= den);
}

/* ---- time order ---- */

#define DIGIT_BITS 11
#define NDIGITS 6

static uint64_t double_key(double t)
{
	uint64_t b;
	memcpy(&b, &t, sizeof b);
	/* IEEE order: flip negatives whole, set the sign bit of positives */
	return (b >> 63) ? ~b : b | (UINT64_C(1) << 63);
}

/* The click indices in time order, ties in input order: an LSD radix sort of indices
 * on a 64-bit key, skipping the digits every key shares. */
static uint32_t *time_order(const double *t, int64_t n)
{
	uint32_t *a = xmalloc(((size_t)n + 1) * sizeof *a), *b;
	int64_t i, lo = 0;
	int integral = 1, d;
	size_t (*count)[1 << DIGIT_BITS];

	for (i = 0; i < n; i++)
		a[i] = (uint32_t)i;
	for (i = 1; i < n && t[i] >= t[i - 1]; i++)
		;
	if (i >= n)
		return a;   /* already in time order: file order logs, sorted exports */
	for (i = 0; i < n && integral; i++)
		integral = t[i] == floor(t[i]) && fabs(t[i]) < 9.0e15;
	if (integral) {
		/* integer times, shifted to start at 0: fewer digits to sort on */
		lo = (int64_t)t[0];
		for (i = 1; i < n; i++)
			if ((int64_t)t[i] < lo)
				lo = (int64_t)t[i];
	}
#define KEY(e) (integral ? (uint64_t)((int64_t)t[e] - lo) : double_key(t[e]))
	count = xcalloc(NDIGITS, sizeof *count);
	for (i = 0; i < n; i++) {
		uint64_t k = KEY(i);
		for (d = 0; d < NDIGITS; d++)
			count[d][(k >> (d * DIGIT_BITS)) & ((1 << DIGIT_BITS) - 1)]++;
	}
	b = xmalloc(((size_t)n + 1) * sizeof *b);
	for (d = 0; d < NDIGITS; d++) {
		size_t sum = 0, j;
		int skip = 0;
		for (j = 0; j < (1 << DIGIT_BITS); j++) {
			size_t c = count[d][j];
			skip |= c == (size_t)n;
			count[d][j] = sum;
			sum += c;
		}
		if (skip)
			continue;
		for (i = 0; i < n; i++) {
			uint32_t e = a[i];
			b[count[d][(KEY(e) >> (d * DIGIT_BITS)) & ((1 << DIGIT_BITS) - 1)]++] = e;
		}
		{
			uint32_t *x = a;
			a = b;
			b = x;
		}
	}
#undef KEY
	free(b);
	free(count);
	return a;
}

/* ---- the walk ---- */

struct walk {
	const int32_t *item;
	uint8_t *flag;
	uint32_t *seen, *trained, *cand_of, *first;  /* per item: stamps (user + 1), first click */
	uint8_t *item_trained;
	uint32_t *cand;
	size_t ncand, cand_cap;
};

static void emit(uint8_t *flag, uint32_t e, int what)
{
	flag[e] = (uint8_t)((flag[e] & ~F_EMIT) | (what << F_EMIT_SHIFT));
}

/* One user's clicks E[0..k) in time order. */
static void walk_user(struct walk *w, uint32_t u, const uint32_t *E, int64_t k,
    const struct chrono_opts *o, struct chrono_counts *c)
{
	const int32_t *item = w->item;
	uint8_t *flag = w->flag;
	uint32_t stamp = u + 1;
	int64_t i, cut, last = -1, before = -1, ntrain = 0;
	int32_t held1 = -1, held2 = -1;
	size_t q, half;

	for (i = 0; i < k; i++) {
		int32_t it = item[E[i]];
		if (w->seen[it] != stamp) {
			w->seen[it] = stamp;
			c->implied += (flag[E[i]] & CL_BUY) != 0;
		} else {
			c->repeated++;
		}
	}
	switch (o->mode) {
	case CHRONO_GLOBAL:
		/* the global cut leaves a prefix of every user's sequence in training */
		for (cut = 0; cut < k && (flag[E[cut]] & F_CUT); cut++)
			;
		break;
	case CHRONO_USER:
		cut = chrono_round(k, o->num, o->den);
		break;
	default:
		for (i = k - 1; i >= 0 && last < 0; i--)
			if (flag[E[i]] & CL_LIKE)
				last = i;
		if (last >= 0) {
			held1 = item[E[last]];
			for (i = last - 1; i >= 0 && before < 0; i--)
				if ((flag[E[i]] & CL_LIKE) && item[E[i]] != held1)
					before = i;
			if (before >= 0)
				held2 = item[E[before]];
		}
		cut = before >= 0 ? before : last >= 0 ? last : k;
		break;
	}
	for (i = 0; i < cut; i++) {
		uint32_t e = E[i];
		int32_t it = item[e];
		if (it == held1 || it == held2) {
			/* a held-out item clicked before stays out of training: it would be masked */
			c->heldout++;
			continue;
		}
		c->train_clicks++;
		if (w->trained[it] != stamp) {
			w->trained[it] = stamp;
			w->first[it] = e;
			w->item_trained[it] = 1;
			emit(flag, e, 1);
			ntrain++;
		}
		if (flag[e] & CL_LIKE)
			flag[w->first[it]] |= F_LIKEOR;
	}
	w->ncand = 0;
	if (o->mode == CHRONO_LOO) {
		XGROW(w->cand, w->cand_cap, 2);
		if (before >= 0)
			w->cand[w->ncand++] = E[before];
		if (last >= 0)
			w->cand[w->ncand++] = E[last];
	} else {
		for (i = cut; i < k; i++) {
			uint32_t e = E[i];
			int32_t it = item[e];
			if (!(flag[e] & CL_LIKE))
				continue;
			if (w->trained[it] == stamp) {
				c->likes_of_train_items++;
				continue;
			}
			if (w->cand_of[it] == stamp)
				continue;   /* liked again: the first like stands */
			w->cand_of[it] = stamp;
			XGROW(w->cand, w->cand_cap, w->ncand + 1);
			w->cand[w->ncand++] = e;
		}
	}
	c->train += ntrain;
	if (!ntrain) {
		if (w->ncand) {
			c->users_left_out++;
			c->likes_left_out += (int64_t)w->ncand;
		}
		return;
	}
	c->users_train++;
	c->users_unscored += w->ncand == 0;
	half = o->lden ? (size_t)(((int64_t)w->ncand * o->lnum) / o->lden) : w->ncand / 2;
	for (q = 0; q < w->ncand; q++)
		emit(flag, w->cand[q], q < half ? 2 : 3);
	c->valid += (int64_t)half;
	c->test += (int64_t)(w->ncand - half);
	c->users_valid += half > 0;
	c->users_test += w->ncand > half;
}

/* The users' click sequences: E[start[u] .. start[u+1]) in time order. */
static uint32_t *group_by_user(const uint32_t *order, const int32_t *user, int64_t n,
    int64_t users, int64_t **startp)
{
	int64_t *start = xcalloc((size_t)users + 2, sizeof *start), i;
	uint32_t *E = xmalloc(((size_t)n + 1) * sizeof *E);
	for (i = 0; i < n; i++)
		start[user[i] + 2]++;
	for (i = 2; i <= users + 1; i++)
		start[i] += start[i - 1];
	/* start[u + 1] is the cursor of user u while filling; afterwards, its end */
	for (i = 0; i < n; i++)
		E[start[user[order[i]] + 1]++] = order[i];
	*startp = start;
	return E;
}

static void store_counts(struct split *s, const struct clicklog *log,
    const struct chrono_counts *c)
{
	split_stat(s, "rows", log->rows);
	split_stat(s, "ignored_rows", log->ignored);
	split_stat(s, "repaired_likes", log->repaired);
	split_stat(s, "implied_clicks", c->implied);
	split_stat(s, "input_clicks", c->clicks);
	split_stat(s, "input_likes", c->likes);
	split_stat(s, "repeated_clicks", c->repeated);
	split_stat(s, "train_clicks", c->train_clicks);
	split_stat(s, "heldout_clicks", c->heldout);
	split_stat(s, "train_liked", c->train_liked);
	split_stat(s, "users_train", c->users_train);
	split_stat(s, "users_valid", c->users_valid);
	split_stat(s, "users_test", c->users_test);
	split_stat(s, "users_unscored", c->users_unscored);
	split_stat(s, "users_left_out", c->users_left_out);
	split_stat(s, "likes_left_out", c->likes_left_out);
	split_stat(s, "likes_of_train_items", c->likes_of_train_items);
	split_stat(s, "items_train", c->items_train);
}

/* global, user: a share of the later likes to validation other than the halving */
static int valid_share_set(const struct chrono_opts *o)
{
	return o->mode != CHRONO_LOO && o->lden && o->lnum * 2 != o->lden;
}

void chrono_split(struct clicklog *log, const struct chrono_opts *o, struct split *s,
    struct chrono_counts *c)
{
	int64_t n = log->n, users = log->users.n, items = log->items.n, i, r, m;
	int64_t *start;
	uint32_t *order, *E;
	struct walk w;

	memset(c, 0, sizeof *c);
	c->clicks = n;
	for (i = 0; i < n; i++)
		c->likes += log->flag[i] & CL_LIKE;
	order = time_order(log->time, n);
	if (o->mode == CHRONO_GLOBAL) {
		int64_t cut = chrono_round(n, o->num, o->den);
		for (i = 0; i < cut; i++)
			log->flag[order[i]] |= F_CUT;
		c->cut_last = cut > 0 ? log->time[order[cut - 1]] : NAN;
		c->cut_next = cut < n ? log->time[order[cut]] : NAN;
	}
	E = group_by_user(order, log->user, n, users, &start);

	memset(&w, 0, sizeof w);
	w.item = log->item;
	w.flag = log->flag;
	w.seen = xcalloc((size_t)items + 1, sizeof *w.seen);
	w.trained = xcalloc((size_t)items + 1, sizeof *w.trained);
	w.cand_of = xcalloc((size_t)items + 1, sizeof *w.cand_of);
	w.first = xcalloc((size_t)items + 1, sizeof *w.first);
	w.item_trained = xcalloc((size_t)items + 1, 1);
	for (i = 0; i < users; i++)
		walk_user(&w, (uint32_t)i, E + start[i], start[i + 1] - start[i], o, c);
	for (i = 0; i < items; i++)
		c->items_train += w.item_trained[i];
	free(E);
	free(start);
	free(w.seen);
	free(w.trained);
	free(w.cand_of);
	free(w.first);
	free(w.item_trained);
	free(w.cand);

	/* The records: order compacted in place to the emitted clicks, then each column
	 * copied and its input freed, so the peak stays near the input's size. */
	r = c->train + c->valid + c->test;
	for (i = m = 0; i < n; i++)
		if (log->flag[order[i]] & F_EMIT)
			order[m++] = order[i];
	s->n = s->cap = r;
	s->user = xmalloc(((size_t)r + 1) * sizeof *s->user);
	for (m = 0; m < r; m++)
		s->user[m] = log->user[order[m]];
	free(log->user);
	log->user = NULL;
	s->item = xmalloc(((size_t)r + 1) * sizeof *s->item);
	for (m = 0; m < r; m++)
		s->item[m] = log->item[order[m]];
	free(log->item);
	log->item = NULL;
	s->time = xmalloc(((size_t)r + 1) * sizeof *s->time);
	for (m = 0; m < r; m++)
		s->time[m] = log->time[order[m]];
	free(log->time);
	log->time = NULL;
	s->like = xmalloc((size_t)r + 1);
	s->part = xmalloc((size_t)r + 1);
	for (m = 0; m < r; m++) {
		int f = log->flag[order[m]], what = (f & F_EMIT) >> F_EMIT_SHIFT;
		s->part[m] = (uint8_t)(what - 1);
		s->like[m] = (uint8_t)(what == 1 ? (f & F_LIKEOR) != 0 : 1);
		c->train_liked += what == 1 && (f & F_LIKEOR);
	}
	free(log->flag);
	log->flag = NULL;
	log->n = log->cap = 0;
	free(order);

	snprintf(s->mode, sizeof s->mode, "%s", chrono_mode_name(o->mode));
	s->train_fraction = o->mode == CHRONO_LOO ? 0 : (double)o->num / (double)o->den;
	snprintf(s->format, sizeof s->format, "%s", log->format);
	store_counts(s, log, c);
	/* recorded only when not the halving, so that a default split reads as it always did */
	if (valid_share_set(o)) {
		split_stat(s, "valid_share_num", o->lnum);
		split_stat(s, "valid_share_den", o->lden);
	}
}

static const char *plural(int64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void given_report(const struct clicklog *log, const struct split *s,
    const struct chrono_counts *c)
{
	verbose("given parts: %lld clicks and exposures, %lld liked (like: %s); %lld repeated "
	    "clicks and %lld repeated exposures of a pair merged; %lld exposures not clicked",
	    (long long)c->clicks, (long long)c->likes, s->like_rule, (long long)c->repeated,
	    (long long)c->repeated_exposures, (long long)log->unclicked);
	verbose("train: %lld user-item pairs, %lld liked; valid: %lld exposed pairs, %lld liked; "
	    "test: %lld exposed pairs, %lld liked", (long long)c->train,
	    (long long)c->train_liked, (long long)c->valid, (long long)c->valid_liked,
	    (long long)c->test, (long long)c->test_liked);
	verbose("validation: %s", s->valid_rule);
	verbose("pairs in train and in test: %lld (%lld liked in test), both records kept; in "
	    "train and in validation: %lld", (long long)c->test_in_train,
	    (long long)c->test_likes_in_train, (long long)c->valid_in_train);
	verbose("users: %lld, %lld with a training pair, %lld with a validation like, %lld "
	    "with a test like; items: %lld, %lld with a training pair",
	    (long long)log->users.n, (long long)c->users_train, (long long)c->users_valid,
	    (long long)c->users_test, (long long)log->items.n, (long long)c->items_train);
	verbose("left out: %lld %s without a training pair (%lld exposed pairs, %lld liked)",
	    (long long)c->users_left_out, plural(c->users_left_out, "user", "users"),
	    (long long)c->exposures_left_out, (long long)c->likes_left_out);
}

void chrono_report(const char *input, const struct clicklog *log, const struct chrono_opts *o,
    const struct split *s, const struct chrono_counts *c)
{
	double frac = c->clicks ? (double)c->train_clicks / (double)c->clicks : 0;
	if (strcmp(s->mode, "given") == 0) {
		given_report(log, s, c);
		return;
	}
	verbose("%s: format %s: %lld rows read: %lld clicks, %lld liked; %lld rows neither "
	    "click nor like", input, log->format, (long long)log->rows, (long long)c->clicks,
	    (long long)c->likes, (long long)log->ignored);
	verbose("repaired: %lld likes without a click made clicks, %lld buys without an "
	    "earlier click given one; %lld repeated clicks of a user-item pair",
	    (long long)log->repaired, (long long)c->implied, (long long)c->repeated);
	if (strcmp(s->mode, "global") == 0) {
		char last[64] = "", next[64] = "";
		if (c->train_clicks > 0)
			snprintf(last, sizeof last, "; last training click at %.17g", c->cut_last);
		if (c->train_clicks < c->clicks)
			snprintf(next, sizeof next, ", next click at %.17g", c->cut_next);
		verbose("global cut: %lld of %lld clicks train (%.4f)%s%s%s",
		    (long long)c->train_clicks, (long long)c->clicks, frac, last, next,
		    c->cut_last == c->cut_next ? " (the cut falls inside a run of equal times)" : "");
	} else if (strcmp(s->mode, "user") == 0) {
		verbose("per-user cut: %lld of %lld clicks train (%.4f)", (long long)c->train_clicks,
		    (long long)c->clicks, frac);
	} else {
		verbose("leave-last-out: %lld of %lld clicks train (%.4f); %lld earlier clicks of "
		    "held-out items not trained", (long long)c->train_clicks, (long long)c->clicks,
		    frac, (long long)c->heldout);
	}
	verbose("train: %lld user-item pairs, %lld liked; valid: %lld likes; test: %lld likes",
	    (long long)c->train, (long long)c->train_liked, (long long)c->valid,
	    (long long)c->test);
	if (valid_share_set(o))
		verbose("validation: the first %.9g of each user's later likes, in time order",
		    (double)o->lnum / (double)o->lden);
	verbose("users: %lld, %lld with a training click, %lld with a validation like, %lld "
	    "with a test like; items: %lld, %lld with a training click",
	    (long long)log->users.n, (long long)c->users_train, (long long)c->users_valid,
	    (long long)c->users_test, (long long)log->items.n, (long long)c->items_train);
	verbose("left out of evaluation: %lld %s without a training click (%lld later likes); "
	    "%lld %s with no later like of a new item; %lld later likes of items the user "
	    "clicked in training", (long long)c->users_left_out,
	    plural(c->users_left_out, "user", "users"), (long long)c->likes_left_out,
	    (long long)c->users_unscored, plural(c->users_unscored, "user", "users"),
	    (long long)c->likes_of_train_items);
}

/* ---- given parts ---- */

/* The emitted clicks of order (n of them, in time order) as s's records, r in all:
 * part by part (train, valid, test), each in time order; a record's like and grade
 * are those of its pair's first click, which the walk merged into.  Frees the log's
 * columns as they are copied. */
static void take_given(struct clicklog *log, uint32_t *order, int64_t n, int64_t r,
    struct split *s)
{
	uint32_t *rec = xmalloc(((size_t)r + 1) * sizeof *rec);
	int64_t i, m = 0;
	int p;
	for (p = 1; p <= 3; p++)
		for (i = 0; i < n; i++)
			if (((log->flag[order[i]] & F_EMIT) >> F_EMIT_SHIFT) == p)
				rec[m++] = order[i];
	free(order);
	s->n = s->cap = r;
	s->user = xmalloc(((size_t)r + 1) * sizeof *s->user);
	s->item = xmalloc(((size_t)r + 1) * sizeof *s->item);
	s->time = xmalloc(((size_t)r + 1) * sizeof *s->time);
	s->like = xmalloc((size_t)r + 1);
	s->part = xmalloc((size_t)r + 1);
	s->rating = xmalloc(((size_t)r + 1) * sizeof *s->rating);
	for (m = 0; m < r; m++) {
		uint32_t e = rec[m];
		s->user[m] = log->user[e];
		s->item[m] = log->item[e];
		s->time[m] = log->time[e];
		s->like[m] = (log->flag[e] & CL_LIKE) != 0;
		s->part[m] = (uint8_t)(((log->flag[e] & F_EMIT) >> F_EMIT_SHIFT) - 1);
		s->rating[m] = log->grade[e];
	}
	free(rec);
	clicklog_drop_clicks(log);
}

struct gwalk {
	const int32_t *item;
	uint8_t *flag, *part;
	double *grade;
	uint32_t *seen[3], *first[3], *trained;   /* per item: stamps (user + 1), first click */
	uint8_t *item_trained;
	uint32_t *list[3];                        /* the user's pairs of each part */
	size_t n[3], cap[3];
	struct rng rng;
};

/* Moves want of the user's pairs of part from (list l, n of them) to validation,
 * drawn at random: a partial Fisher-Yates shuffle of the list. */
static void draw_valid(struct gwalk *w, uint32_t *l, size_t n, size_t want)
{
	size_t j;
	for (j = 0; j < want && j < n; j++) {
		size_t q = j + (size_t)rng_below(&w->rng, n - j);
		uint32_t x = l[q];
		l[q] = l[j];
		l[j] = x;
		emit(w->flag, l[j], 2);
	}
}

/* One user's clicks E[0..k) in time order: each pair once a part, repeats merged. */
static void given_user(struct gwalk *w, uint32_t u, const uint32_t *E, int64_t k,
    const struct chrono_opts *o, struct chrono_counts *c)
{
	uint32_t stamp = u + 1;
	int64_t i;
	size_t q, left;
	int p;

	for (p = 0; p < 3; p++)
		w->n[p] = 0;
	for (i = 0; i < k; i++) {
		uint32_t e = E[i], f;
		int32_t it = w->item[e];
		p = w->part[e];
		if (w->seen[p][it] != stamp) {
			w->seen[p][it] = stamp;
			w->first[p][it] = e;
			emit(w->flag, e, p + 1);
			XGROW(w->list[p], w->cap[p], w->n[p] + 1);
			w->list[p][w->n[p]++] = e;
			continue;
		}
		/* a repeat: its pair's record holds the or of the likes, the highest grade */
		f = w->first[p][it];
		w->flag[f] |= w->flag[e] & CL_LIKE;
		if (w->grade[e] > w->grade[f])
			w->grade[f] = w->grade[e];
		if (p == PART_TRAIN)
			c->repeated++;
		else
			c->repeated_exposures++;
	}
	if (w->n[PART_TRAIN] == 0) {
		/* never trained: nothing to score the user from */
		for (p = PART_VALID; p <= PART_TEST; p++)
			for (q = 0; q < w->n[p]; q++) {
				emit(w->flag, w->list[p][q], 0);
				c->exposures_left_out++;
				c->likes_left_out += (w->flag[w->list[p][q]] & CL_LIKE) != 0;
			}
		c->users_left_out += w->n[PART_VALID] + w->n[PART_TEST] > 0;
		return;
	}
	if (!c->valid_given && o->vnum > 0 && !o->valid_by_users) {
		size_t n = w->n[o->valid_from];
		size_t want = (size_t)chrono_round((int64_t)n, o->vnum, o->vden);
		/* a user keeps a training pair, or could not be scored */
		if (o->valid_from == PART_TRAIN && want >= n)
			want = n - 1;
		draw_valid(w, w->list[o->valid_from], n, want);
	}
	left = 0;
	for (q = 0; q < w->n[PART_TRAIN]; q++) {
		uint32_t e = w->list[PART_TRAIN][q];
		if ((w->flag[e] & F_EMIT) >> F_EMIT_SHIFT != 1)
			continue;
		w->trained[w->item[e]] = stamp;
		w->item_trained[w->item[e]] = 1;
		c->train_clicks++;
		left++;
	}
	c->users_train++;
	/* the validation and test pairs the user also trained on: both records stay, the
	 * later one a separate exposure (counted once every draw is made) */
	for (p = PART_VALID; p <= PART_TEST; p++)
		for (q = 0; q < w->n[p]; q++)
			if (w->trained[w->item[w->list[p][q]]] == stamp)
				w->flag[w->list[p][q]] |= F_TRAINED;
}

/* The validation part as whole users: the test pairs of round(f U) of the U users
 * with test pairs, drawn at random. */
static void draw_valid_users(struct gwalk *w, struct clicklog *log, const uint32_t *order,
    int64_t n, const struct chrono_opts *o)
{
	int64_t users = log->users.n, i, m = 0, want;
	uint8_t *has = xcalloc((size_t)users + 1, 1);
	int32_t *list = xmalloc(((size_t)users + 1) * sizeof *list);
	for (i = 0; i < n; i++)
		if ((log->flag[order[i]] & F_EMIT) >> F_EMIT_SHIFT == 3)
			has[log->user[order[i]]] = 1;
	for (i = 0; i < users; i++)
		if (has[i])
			list[m++] = (int32_t)i;
	want = chrono_round(m, o->vnum, o->vden);
	memset(has, 0, (size_t)users);
	for (i = 0; i < want; i++) {
		int64_t q = i + (int64_t)rng_below(&w->rng, (uint64_t)(m - i));
		int32_t x = list[q];
		list[q] = list[i];
		list[i] = x;
		has[x] = 1;
	}
	for (i = 0; i < n; i++)
		if ((log->flag[order[i]] & F_EMIT) >> F_EMIT_SHIFT == 3 && has[log->user[order[i]]])
			emit(log->flag, order[i], 2);
	free(has);
	free(list);
}

/* The rule of a validation part, in words, for the meta and -v. */
static void valid_rule(const struct chrono_opts *o, const struct chrono_counts *c, char *buf,
    size_t size)
{
	char frac[32];
	if (c->valid_given) {
		snprintf(buf, size, "given");
		return;
	}
	if (o->vnum == 0) {
		snprintf(buf, size, "none");
		return;
	}
	snprintf(frac, sizeof frac, "%.9g", (double)o->vnum / (double)o->vden);
	if (o->valid_by_users)
		snprintf(buf, size, "the test pairs of %s of the users with test pairs, drawn at "
		    "random (seed %llu)", frac, (unsigned long long)o->seed);
	else if (o->valid_from == PART_TRAIN)
		snprintf(buf, size, "%s of each user's training pairs, drawn at random (seed %llu), "
		    "one at least left to train", frac, (unsigned long long)o->seed);
	else
		snprintf(buf, size, "%s of each user's test pairs, drawn at random (seed %llu)", frac,
		    (unsigned long long)o->seed);
}

static void store_given_counts(struct split *s, const struct clicklog *log,
    const struct chrono_counts *c)
{
	split_stat(s, "rows", log->rows);
	split_stat(s, "ignored_rows", log->ignored);
	split_stat(s, "repaired_likes", log->repaired);
	split_stat(s, "unclicked_exposures", log->unclicked);
	split_stat(s, "untimed_rows", log->untimed);
	split_stat(s, "rand_mismatch", log->rand_mismatch);
	split_stat(s, "input_clicks", c->clicks);
	split_stat(s, "input_likes", c->likes);
	split_stat(s, "repeated_clicks", c->repeated);
	split_stat(s, "repeated_exposures", c->repeated_exposures);
	split_stat(s, "train_liked", c->train_liked);
	split_stat(s, "valid_liked", c->valid_liked);
	split_stat(s, "test_liked", c->test_liked);
	split_stat(s, "test_in_train", c->test_in_train);
	split_stat(s, "test_likes_in_train", c->test_likes_in_train);
	split_stat(s, "valid_in_train", c->valid_in_train);
	split_stat(s, "users_train", c->users_train);
	split_stat(s, "users_valid", c->users_valid);
	split_stat(s, "users_test", c->users_test);
	split_stat(s, "users_left_out", c->users_left_out);
	split_stat(s, "exposures_left_out", c->exposures_left_out);
	split_stat(s, "likes_left_out", c->likes_left_out);
	split_stat(s, "items_train", c->items_train);
}

void given_split(struct clicklog *log, const struct chrono_opts *o, struct split *s,
    struct chrono_counts *c)
{
	int64_t n = log->n, users = log->users.n, items = log->items.n, i, r = 0;
	int64_t *start;
	uint32_t *order, *E;
	uint8_t *user_part[3];
	struct gwalk w;
	int p;

	if (!log->grade)
		die(HCR_EXIT_FAIL, "internal: a given split of a log read without its parts");
	memset(c, 0, sizeof *c);
	c->clicks = n;
	for (i = 0; i < n; i++) {
		c->likes += log->flag[i] & CL_LIKE;
		c->valid_given |= log->part[i] == PART_VALID;
	}
	order = time_order(log->time, n);
	E = group_by_user(order, log->user, n, users, &start);

	memset(&w, 0, sizeof w);
	w.item = log->item;
	w.flag = log->flag;
	w.part = log->part;
	w.grade = log->grade;
	for (p = 0; p < 3; p++) {
		w.seen[p] = xcalloc((size_t)items + 1, sizeof *w.seen[p]);
		w.first[p] = xcalloc((size_t)items + 1, sizeof *w.first[p]);
	}
	w.trained = xcalloc((size_t)items + 1, sizeof *w.trained);
	w.item_trained = xcalloc((size_t)items + 1, 1);
	rng_init(&w.rng, o->seed, 4);
	for (i = 0; i < users; i++)
		given_user(&w, (uint32_t)i, E + start[i], start[i + 1] - start[i], o, c);
	if (!c->valid_given && o->vnum > 0 && o->valid_by_users)
		draw_valid_users(&w, log, order, n, o);
	for (i = 0; i < items; i++)
		c->items_train += w.item_trained[i];
	/* what each part holds, once every draw is made */
	for (p = 0; p < 3; p++)
		user_part[p] = xcalloc((size_t)users + 1, 1);
	for (i = 0; i < n; i++) {
		int what = (log->flag[i] & F_EMIT) >> F_EMIT_SHIFT, liked = log->flag[i] & CL_LIKE;
		if (!what)
			continue;
		r++;
		switch (what) {
		case 1: c->train++; c->train_liked += liked; break;
		case 2:
			c->valid++;
			c->valid_liked += liked;
			c->valid_in_train += (log->flag[i] & F_TRAINED) != 0;
			break;
		default:
			c->test++;
			c->test_liked += liked;
			c->test_in_train += (log->flag[i] & F_TRAINED) != 0;
			c->test_likes_in_train += liked && (log->flag[i] & F_TRAINED);
			break;
		}
		if (what > 1 && liked)
			user_part[what - 1][log->user[i]] = 1;
	}
	for (i = 0; i < users; i++) {
		c->users_valid += user_part[PART_VALID][i];
		c->users_test += user_part[PART_TEST][i];
	}
	for (p = 0; p < 3; p++) {
		free(user_part[p]);
		free(w.seen[p]);
		free(w.first[p]);
		free(w.list[p]);
	}
	free(w.trained);
	free(w.item_trained);
	free(E);
	free(start);

	take_given(log, order, n, r, s);
	snprintf(s->mode, sizeof s->mode, "given");
	s->train_fraction = 0;
	snprintf(s->format, sizeof s->format, "%s", log->format);
	s->exposure = SPLIT_EXPOSED_VALID | SPLIT_EXPOSED_TEST;
	snprintf(s->like_rule, sizeof s->like_rule, "%s", o->like_rule ? o->like_rule : "");
	valid_rule(o, c, s->valid_rule, sizeof s->valid_rule);
	store_given_counts(s, log, c);
}
