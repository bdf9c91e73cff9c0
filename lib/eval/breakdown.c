/* breakdown.c: Recall and NDCG of rankings, their breakdowns, truth and paired tests,
 * as method.md §7 defines them. */
#include "eval/breakdown.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "eval/pairedtests.h"

const char *const eval_breakdown_names[EB_COUNT] = { "overall", "groups", "periods", "items",
	"truth", "exposed", "compare" };
const char *const eval_stat_names[ES_COUNT] = { "", "gain", "drop", "diff", "t_p",
	"wilcoxon_p" };
const char *const eval_metric_names[EM_COUNT] = { "recall", "ndcg", "nrecall", "share",
	"kendall", "spearman", "xndcg", "xndcg_lin", "xrecall", "auc" };
const char *const eval_part_names[3] = { "train", "valid", "test" };

static const int parts[2] = { PART_VALID, PART_TEST };

/* ---- what the split gives ---- */

struct ranked {
	int64_t key;    /* training clicks, or a like/click ratio's place */
	int64_t a, b;   /* a ratio a / b, compared exactly */
	int32_t index;
};

/* More training clicks first; ties by lower user index (first in the log). */
static int by_clicks(const void *x, const void *y)
{
	const struct ranked *p = x, *q = y;
	if (p->key != q->key)
		return p->key > q->key ? -1 : 1;
	return (p->index > q->index) - (p->index < q->index);
}

/* Higher like/click ratio first; ties by lower item index. */
static int by_ratio(const void *x, const void *y)
{
	const struct ranked *p = x, *q = y;
	int64_t l = p->a * q->b, r = q->a * p->b;
	if (l != r)
		return l > r ? -1 : 1;
	return (p->index > q->index) - (p->index < q->index);
}

static void activity_groups(struct eval_data *d, const struct eval_opts *o)
{
	struct ranked *u = xmalloc(((size_t)d->nu + 1) * sizeof *u);
	int64_t i, n = 0;
	d->active = xcalloc((size_t)d->nu + 1, 1);
	for (i = 0; i < d->nu; i++)
		if (csr_len(&d->train, i) > 0) {
			u[n].key = csr_len(&d->train, i);
			u[n++].index = (int32_t)i;
		}
	qsort(u, (size_t)n, sizeof *u, by_clicks);
	d->scored_users = n;
	d->active_users = (int64_t)floor(o->active * (double)n + 0.5);
	for (i = 0; i < d->active_users; i++)
		d->active[u[i].index] = 1;
	free(u);
}

static void item_groups(struct eval_data *d, const struct split *s)
{
	int64_t *clicks = xcalloc((size_t)d->ni + 1, sizeof *clicks);
	int64_t *likes = xcalloc((size_t)d->ni + 1, sizeof *likes);
	struct ranked *it = xmalloc(((size_t)d->ni + 1) * sizeof *it);
	int64_t k, n = 0, high;
	for (k = 0; k < s->n; k++)
		if (s->part[k] == PART_TRAIN) {
			clicks[s->item[k]]++;
			likes[s->item[k]] += s->like[k];
		}
	for (k = 0; k < d->ni; k++)
		if (clicks[k] > 0) {
			it[n].a = likes[k];
			it[n].b = clicks[k];
			it[n++].index = (int32_t)k;
		}
	qsort(it, (size_t)n, sizeof *it, by_ratio);
	/* the top third, round(n / 3): n / 3 never ends in a half */
	high = (n + 1) / 3;
	d->item_group = xcalloc((size_t)d->ni + 1, 1);
	for (k = 0; k < n; k++)
		d->item_group[it[k].index] = k < high ? 1 : 2;
	d->high_items = high;
	d->low_items = n - high;
	free(clicks);
	free(likes);
	free(it);
}

/* Each user's later likes, valid then test in record (time) order, position j of n
 * in period p when floor(p n / P) <= j < floor((p + 1) n / P). */
static void periods(struct eval_data *d, const struct split *s, int nper)
{
	/* the later likes all-ranking can rank: not of the user's training items */
#define LATER_LIKE(k) (s->part[k] != PART_TRAIN && s->like[k] && \
	    !csr_has(&d->train, s->user[k], s->item[k]))
	int64_t *n_u = xcalloc((size_t)d->nu + 1, sizeof *n_u);
	int64_t *seen = xcalloc((size_t)d->nu + 1, sizeof *seen), k, m = 0, j;
	int32_t *row = xmalloc(((size_t)s->n + 1) * sizeof *row);
	int32_t *col = xmalloc(((size_t)s->n + 1) * sizeof *col);
	int *per = xmalloc(((size_t)s->n + 1) * sizeof *per);
	int p;
	for (k = 0; k < s->n; k++)
		if (LATER_LIKE(k))
			n_u[s->user[k]]++;
	for (k = 0; k < s->n; k++)
		if (LATER_LIKE(k)) {
			int32_t u = s->user[k];
			j = seen[u]++;
			row[m] = u;
			col[m] = s->item[k];
			/* the last p with floor(p n / P) <= j */
			per[m++] = (int)(((j + 1) * nper - 1) / n_u[u]);
		}
	d->periods = nper;
	d->period = xcalloc((size_t)nper, sizeof *d->period);
	for (p = 0; p < nper; p++) {
		size_t q = 0;
		int32_t *r2 = xmalloc(((size_t)m + 1) * sizeof *r2);
		int32_t *c2 = xmalloc(((size_t)m + 1) * sizeof *c2);
		for (k = 0; k < m; k++)
			if (per[k] == p) {
				r2[q] = row[k];
				c2[q++] = col[k];
			}
		csr_build(&d->period[p], d->nu, d->ni, q, r2, c2, 1);
		free(r2);
		free(c2);
	}
	free(n_u);
	free(seen);
	free(row);
	free(col);
	free(per);
#undef LATER_LIKE
}

void eval_data_build(struct eval_data *d, const struct dataset *ds, const struct eval_opts *o,
    const struct truth *truth)
{
	int p;
	memset(d, 0, sizeof *d);
	d->nu = ds->users.n;
	d->ni = ds->items.n;
	split_user_items(&ds->split, d->nu, d->ni, PART_TRAIN, 0, &d->train);
	for (p = PART_VALID; p <= PART_TEST; p++) {
		d->likes_of_train[p] = split_later_likes(&ds->split, &d->train, p, &d->pos[p]);
		split_exposed(&ds->split, d->nu, d->ni, p, &d->x[p]);
	}
	activity_groups(d, o);
	item_groups(d, &ds->split);
	periods(d, &ds->split, o->periods);
	d->truth = truth;
}

void eval_data_free(struct eval_data *d)
{
	int p;
	csr_free(&d->train);
	csr_free(&d->pos[PART_VALID]);
	csr_free(&d->pos[PART_TEST]);
	exposed_free(&d->x[PART_VALID]);
	exposed_free(&d->x[PART_TEST]);
	for (p = 0; p < d->periods; p++)
		csr_free(&d->period[p]);
	free(d->period);
	free(d->active);
	free(d->item_group);
	memset(d, 0, sizeof *d);
}

/* ---- rows ---- */

static void add_row(struct eval_result *res, int run, int part, int breakdown, int group,
    int stat, int metric, int k, double value, int64_t users)
{
	struct eval_row *r;
	XGROW(res->rows, res->cap, res->n_rows + 1);
	r = &res->rows[res->n_rows++];
	r->run = run;
	r->part = part;
	r->breakdown = breakdown;
	r->group = group;
	r->stat = stat;
	r->metric = metric;
	r->k = k;
	r->value = value;
	r->users = users;
}

static double ratio(double a, double b)
{
	return b != 0 && !isnan(a) && !isnan(b) ? a / b : NAN;
}

/* Recall and NDCG at each K: sums over n users. */
struct sums {
	int64_t n;
	double recall[METRICS_MAX_K], ndcg[METRICS_MAX_K];
};

static void sums_add(struct sums *s, int n_k, const double *recall, const double *ndcg)
{
	int j;
	s->n++;
	for (j = 0; j < n_k; j++) {
		s->recall[j] += recall[j];
		s->ndcg[j] += ndcg[j];
	}
}

static void sums_rows(struct eval_result *res, const struct sums *s, int run, int part,
    int breakdown, int group)
{
	int j, n_k = res->opts.n_k;
	for (j = 0; j < n_k; j++)
		add_row(res, run, part, breakdown, group, ES_VALUE, EM_RECALL, res->opts.ks[j],
		    ratio(s->recall[j], (double)s->n), s->n);
	for (j = 0; j < n_k; j++)
		add_row(res, run, part, breakdown, group, ES_VALUE, EM_NDCG, res->opts.ks[j],
		    ratio(s->ndcg[j], (double)s->n), s->n);
}

/* The pooled normalised recall of an item group: sums of R_g(u) and share_g(u). */
struct item_sums {
	int64_t n;
	double recall[METRICS_MAX_K], share[METRICS_MAX_K];
};

/* Adds user u's R_g and share_g at each K, for both item groups. */
static void items_add(struct item_sums is[2], const struct eval_data *d, const struct eval_opts *o,
    const int32_t *ranked, int64_t n_ranked, const struct csr *pos, int32_t u)
{
	int64_t pg[2] = { 0, 0 }, hits[2] = { 0, 0 }, in[2] = { 0, 0 }, r, q;
	int g, j = 0;
	for (q = pos->off[u]; q < pos->off[u + 1]; q++)
		if (d->item_group[pos->idx[q]])
			pg[d->item_group[pos->idx[q]] - 1]++;
	for (g = 0; g < 2; g++)
		is[g].n += pg[g] > 0;
	/* one pass down the list; each K reads the counts at its cut */
	for (r = 0; j < o->n_k; r++) {
		while (j < o->n_k && o->ks[j] == r) {
			for (g = 0; g < 2; g++)
				if (pg[g] > 0) {
					is[g].recall[j] += (double)hits[g] / (double)pg[g];
					is[g].share[j] += (double)in[g] / (double)o->ks[j];
				}
			j++;
		}
		if (r < n_ranked && d->item_group[ranked[r]]) {
			g = d->item_group[ranked[r]] - 1;
			in[g]++;
			hits[g] += csr_has(pos, u, ranked[r]);
		}
	}
}

static void items_rows(struct eval_result *res, const struct item_sums is[2], int run, int part)
{
	int g, j;
	for (g = 0; g < 2; g++) {
		double n = (double)is[g].n;
		for (j = 0; j < res->opts.n_k; j++)
			add_row(res, run, part, EB_ITEMS, g, ES_VALUE, EM_RECALL, res->opts.ks[j],
			    ratio(is[g].recall[j], n), is[g].n);
		for (j = 0; j < res->opts.n_k; j++)
			add_row(res, run, part, EB_ITEMS, g, ES_VALUE, EM_SHARE, res->opts.ks[j],
			    ratio(is[g].share[j], n), is[g].n);
		for (j = 0; j < res->opts.n_k; j++)
			add_row(res, run, part, EB_ITEMS, g, ES_VALUE, EM_NRECALL, res->opts.ks[j],
			    ratio(ratio(is[g].recall[j], n), ratio(is[g].share[j], n)), is[g].n);
	}
}

/* Graded NDCG at each K and Kendall's tau and Spearman's rho over the top max K, against the
 * causal truth. */
static void truth_user(const struct eval_data *d, const struct eval_opts *o, int32_t u,
    const int32_t *ranked, const double *scores, int64_t n_ranked, double *ndcg,
    double *kendall, double *spearman)
{
	const float *rel = truth_row(d->truth, TRUTH_CAUSAL, u);
	int kmax = o->ks[o->n_k - 1], j;
	int64_t m = n_ranked < kmax ? n_ranked : kmax, q;
	double *y;
	if (!rel) {
		for (j = 0; j < o->n_k; j++)
			ndcg[j] = NAN;
		*kendall = *spearman = NAN;
		return;
	}
	for (j = 0; j < o->n_k; j++)
		ndcg[j] = ndcg_graded(ranked, (int)(n_ranked < o->ks[j] ? n_ranked : o->ks[j]), rel,
		    d->ni, d->train.idx + d->train.off[u], csr_len(&d->train, u), o->ks[j]);
	y = xmalloc(((size_t)m + 1) * sizeof *y);
	for (q = 0; q < m; q++)
		y[q] = rel[ranked[q]];
	*kendall = kendall_tau_b(scores, y, m);
	*spearman = spearman_rho(scores, y, m);
	free(y);
}

/* A rank correlation's truth row: its mean over the users where it is defined. */
static void mean_row(struct eval_result *res, int run, int part, int metric, const double *v,
    int64_t n_users)
{
	double sum = 0;
	int64_t n = 0;
	for (int64_t q = 0; q < n_users; q++)
		if (!isnan(v[q])) {
			sum += v[q];
			n++;
		}
	add_row(res, run, part, EB_TRUTH, 0, ES_VALUE, metric, res->opts.ks[res->opts.n_k - 1],
	    ratio(sum, (double)n), n);
}

static void truth_rows(struct eval_result *res, const struct eval_users *eu, int run, int part)
{
	int n_k = res->opts.n_k, j;
	int64_t q, n;
	double sum;
	for (j = 0; j < n_k; j++) {
		for (q = 0, n = 0, sum = 0; q < eu->n; q++)
			if (!isnan(eu->truth_ndcg[q * n_k + j])) {
				sum += eu->truth_ndcg[q * n_k + j];
				n++;
			}
		add_row(res, run, part, EB_TRUTH, 0, ES_VALUE, EM_NDCG, res->opts.ks[j],
		    ratio(sum, (double)n), n);
	}
	mean_row(res, run, part, EM_KENDALL, eu->kendall, eu->n);
	mean_row(res, run, part, EM_SPEARMAN, eu->spearman, eu->n);
}

static void users_grow(struct eval_users *eu, size_t *cap, int n_k, int truth)
{
	size_t old = *cap;
	if ((size_t)eu->n < old)
		return;
	*cap = old ? old * 2 : 256;
	eu->user = xreallocarray(eu->user, *cap, sizeof *eu->user);
	eu->positives = xreallocarray(eu->positives, *cap, sizeof *eu->positives);
	eu->recall = xreallocarray(eu->recall, *cap * (size_t)n_k, sizeof *eu->recall);
	eu->ndcg = xreallocarray(eu->ndcg, *cap * (size_t)n_k, sizeof *eu->ndcg);
	if (truth) {
		eu->truth_ndcg = xreallocarray(eu->truth_ndcg, *cap * (size_t)n_k,
		    sizeof *eu->truth_ndcg);
		eu->kendall = xreallocarray(eu->kendall, *cap, sizeof *eu->kendall);
		eu->spearman = xreallocarray(eu->spearman, *cap, sizeof *eu->spearman);
	}
}

/* One run in one part: the per-user records and the rows of every breakdown. */
static void eval_part(struct eval_result *res, const struct eval_data *d, int run, int part)
{
	const struct ranking *rk = res->runs[run];
	const struct eval_opts *o = &res->opts;
	const struct csr *pos = &d->pos[part];
	struct eval_users *eu = &res->users[run][part];
	struct sums all = { 0 }, grp[2] = { { 0 }, { 0 } };
	struct item_sums is[2];
	size_t cap = 0;
	int64_t row;
	int n_k = o->n_k;

	memset(is, 0, sizeof is);
	memset(eu, 0, sizeof *eu);
	for (row = 0; rk && row < rk->rows; row++) {
		int32_t u = rk->users[row];
		const int32_t *ranked = rk->items + rk->off[row];
		int64_t n_ranked = ranking_len(rk, row), n_pos = csr_len(pos, u), q;
		const int32_t *p = pos->idx + pos->off[u];
		if (n_pos == 0)
			continue;
		users_grow(eu, &cap, n_k, d->truth != NULL);
		q = eu->n;
		eu->user[q] = u;
		eu->positives[q] = (int32_t)n_pos;
		metrics_user(ranked, (int)n_ranked, p, n_pos, n_k, o->ks, eu->recall + q * n_k,
		    eu->ndcg + q * n_k);
		sums_add(&all, n_k, eu->recall + q * n_k, eu->ndcg + q * n_k);
		sums_add(&grp[d->active[u] ? 0 : 1], n_k, eu->recall + q * n_k, eu->ndcg + q * n_k);
		items_add(is, d, o, ranked, n_ranked, pos, u);
		if (d->truth)
			truth_user(d, o, u, ranked, rk->scores + rk->off[row], n_ranked,
			    eu->truth_ndcg + q * n_k, &eu->kendall[q], &eu->spearman[q]);
		eu->n++;
	}
	sums_rows(res, &all, run, part, EB_OVERALL, 0);
	sums_rows(res, &grp[0], run, part, EB_GROUPS, 0);
	sums_rows(res, &grp[1], run, part, EB_GROUPS, 1);
	items_rows(res, is, run, part);
	if (d->truth)
		truth_rows(res, eu, run, part);
}

/* The periods of the later likes, each with its own positives; under the test part. */
static void eval_periods(struct eval_result *res, const struct eval_data *d, int run)
{
	const struct ranking *rk = res->runs[run];
	int n_k = res->opts.n_k, p;
	double recall[METRICS_MAX_K], ndcg[METRICS_MAX_K];
	for (p = 0; p < d->periods; p++) {
		const struct csr *pos = &d->period[p];
		struct sums s = { 0 };
		int64_t row;
		for (row = 0; rk && row < rk->rows; row++) {
			int32_t u = rk->users[row];
			if (!metrics_user(rk->items + rk->off[row], (int)ranking_len(rk, row),
				pos->idx + pos->off[u], csr_len(pos, u), n_k, res->opts.ks, recall, ndcg))
				continue;
			sums_add(&s, n_k, recall, ndcg);
		}
		sums_rows(res, &s, run, PART_TEST, EB_PERIODS, p);
	}
}

/* ---- the exposed protocol ---- */

/* Sums of the exposed metrics over users, each its own count (AUC needs a pair not
 * liked). */
struct xsums {
	int64_t n, n_auc;
	double xndcg[METRICS_MAX_K], xndcg_lin[METRICS_MAX_K], xrecall[METRICS_MAX_K], auc;
};

static void xsums_add(struct xsums *s, int n_k, const struct eval_xusers *xu, int64_t q)
{
	int j;
	s->n++;
	for (j = 0; j < n_k; j++) {
		s->xndcg[j] += xu->xndcg[q * n_k + j];
		s->xndcg_lin[j] += xu->xndcg_lin[q * n_k + j];
		s->xrecall[j] += xu->xrecall[q * n_k + j];
	}
	if (!isnan(xu->auc[q])) {
		s->n_auc++;
		s->auc += xu->auc[q];
	}
}

static void xsums_rows(struct eval_result *res, const struct xsums *s, int run, int part,
    int group)
{
	int j, n_k = res->opts.n_k;
	const double *v[3] = { s->xndcg, s->xndcg_lin, s->xrecall };
	int m;
	for (m = 0; m < 3; m++)
		for (j = 0; j < n_k; j++)
			add_row(res, run, part, EB_EXPOSED, group, ES_VALUE, EM_XNDCG + m,
			    res->opts.ks[j], ratio(v[m][j], (double)s->n), s->n);
	add_row(res, run, part, EB_EXPOSED, group, ES_VALUE, EM_AUC, 0,
	    ratio(s->auc, (double)s->n_auc), s->n_auc);
}

static void xusers_grow(struct eval_xusers *xu, size_t *cap, int n_k)
{
	if ((size_t)xu->n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 256;
	xu->user = xreallocarray(xu->user, *cap, sizeof *xu->user);
	xu->exposed = xreallocarray(xu->exposed, *cap, sizeof *xu->exposed);
	xu->liked = xreallocarray(xu->liked, *cap, sizeof *xu->liked);
	xu->xndcg = xreallocarray(xu->xndcg, *cap * (size_t)n_k, sizeof *xu->xndcg);
	xu->xndcg_lin = xreallocarray(xu->xndcg_lin, *cap * (size_t)n_k, sizeof *xu->xndcg_lin);
	xu->xrecall = xreallocarray(xu->xrecall, *cap * (size_t)n_k, sizeof *xu->xrecall);
	xu->auc = xreallocarray(xu->auc, *cap, sizeof *xu->auc);
}

/* One run's ranking of a part's pairs: each user's exposed pairs in the ranking's
 * order, the per-user records and the rows, overall and by activity group. */
static void eval_exposed(struct eval_result *res, const struct eval_data *d, int run, int part)
{
	const struct ranking *rk = res->xruns ? res->xruns[run] : NULL;
	const struct exposed *x = &d->x[part];
	struct eval_xusers *xu = &res->xusers[run][part];
	struct xsums all, grp[2];
	double *g = NULL, *sc = NULL;
	uint8_t *lk = NULL;
	size_t cap = 0, gcap = 0;
	int64_t row, j;
	int n_k = res->opts.n_k;

	memset(&all, 0, sizeof all);
	memset(grp, 0, sizeof grp);
	memset(xu, 0, sizeof *xu);
	/* a ranking of the other part's pairs is no ranking of this one */
	if (rk && strcmp(rk->h.candidates, eval_part_names[part]) != 0)
		rk = NULL;
	for (row = 0; rk && row < rk->rows; row++) {
		int32_t u = rk->users[row];
		int64_t n = ranking_len(rk, row), q;
		const int32_t *items = rk->items + rk->off[row];
		if (n == 0)
			continue;
		if ((size_t)n > gcap) {
			gcap = (size_t)n;
			g = xreallocarray(g, gcap, sizeof *g);
			sc = xreallocarray(sc, gcap, sizeof *sc);
			lk = xreallocarray(lk, gcap, 1);
		}
		if (exposed_gather(x, u, items, n, g, lk) != 0)
			die(HCR_EXIT_FAIL, "internal: a ranked pair that is not exposed");
		memcpy(sc, rk->scores + rk->off[row], (size_t)n * sizeof *sc);
		xusers_grow(xu, &cap, n_k);
		q = xu->n;
		if (!exposed_user(g, lk, sc, n, n_k, res->opts.ks, xu->xndcg + q * n_k,
		    xu->xndcg_lin + q * n_k, xu->xrecall + q * n_k, &xu->auc[q]))
			continue;
		xu->user[q] = u;
		xu->exposed[q] = (int32_t)n;
		for (j = 0, xu->liked[q] = 0; j < n; j++)
			xu->liked[q] += lk[j] != 0;
		xsums_add(&all, n_k, xu, q);
		xsums_add(&grp[d->active[u] ? 0 : 1], n_k, xu, q);
		xu->n++;
	}
	free(g);
	free(sc);
	free(lk);
	xsums_rows(res, &all, run, part, 0);
	xsums_rows(res, &grp[0], run, part, 1);
	xsums_rows(res, &grp[1], run, part, 2);
}

void eval_check_pairs(const struct eval_data *d, const struct ranking *r,
    const struct vocab *users)
{
	int part = strcmp(r->h.candidates, "valid") == 0 ? PART_VALID : PART_TEST;
	const struct exposed *x = &d->x[part];
	int64_t row, j;
	for (row = 0; row < r->rows; row++) {
		int32_t u = r->users[row];
		int64_t n = ranking_len(r, row);
		for (j = 0; j < n; j++)
			if (exposed_find(x, u, r->items[r->off[row] + j]) < 0)
				die(HCR_EXIT_DATA, "%s: ranking '%s' of the %s pairs lists an item user '%s' "
				    "has no %s record of: make it with score-frontdoor --pairs %s on this "
				    "split", r->source, r->h.label, r->h.candidates, vocab_id(users, u),
				    r->h.candidates, r->h.candidates);
		if (n != csr_len(&x->x, u))
			die(HCR_EXIT_DATA, "%s: ranking '%s' of the %s pairs lists %lld of the %lld %s "
			    "pairs of user '%s': make it with score-frontdoor --pairs %s on this split",
			    r->source, r->h.label, r->h.candidates, (long long)n,
			    (long long)csr_len(&x->x, u), r->h.candidates, vocab_id(users, u),
			    r->h.candidates);
	}
}

static int same_cell(const struct eval_row *a, const struct eval_row *b)
{
	return a->part == b->part && a->breakdown == b->breakdown && a->group == b->group &&
	       a->stat == b->stat && a->metric == b->metric && a->k == b->k;
}

/* Gains of each run over the baseline in the breakdowns; each period's drop from the
 * first.  Every run's value rows come in the same order, n_each of them from run 0
 * on: a row's baseline is the row at its offset in the baseline's run, and a
 * period's first period is 2 n_k rows a period back. */
static void gains_and_drops(struct eval_result *res, size_t n_each)
{
	size_t n = res->n_rows, a, per_period = 2 * (size_t)res->opts.n_k;
	for (a = 0; a < n; a++) {
		struct eval_row r = res->rows[a], f, bl;
		if (r.metric == EM_SHARE)
			continue;
		if (r.breakdown == EB_PERIODS) {
			f = res->rows[a - (size_t)r.group * per_period];
			if (f.group != 0 || f.run != r.run || f.breakdown != EB_PERIODS ||
			    f.metric != r.metric || f.k != r.k)
				die(HCR_EXIT_FAIL, "internal: periods out of step");
			add_row(res, r.run, r.part, r.breakdown, r.group, ES_DROP, r.metric, r.k,
			    ratio(f.value - r.value, f.value), r.users);
		}
		if (r.run == res->baseline || (r.breakdown != EB_GROUPS &&
		    r.breakdown != EB_PERIODS && r.breakdown != EB_ITEMS &&
		    !(r.breakdown == EB_EXPOSED && r.group > 0)))
			continue;
		bl = res->rows[(size_t)res->baseline * n_each + a % n_each];
		if (!same_cell(&r, &bl))
			die(HCR_EXIT_FAIL, "internal: runs' rows out of step");
		add_row(res, r.run, r.part, r.breakdown, r.group, ES_GAIN, r.metric, r.k,
		    ratio(r.value - bl.value, bl.value), r.users);
	}
}

/* One paired comparison of n pairs: mean difference, t-test, Wilcoxon. */
static void compare_rows(struct eval_result *res, int run, int part, int metric, int k,
    const double *x, const double *y, int64_t n)
{
	struct ttest t;
	struct wilcoxon w;
	double diff = 0;
	int64_t q;
	ttest_paired(x, y, n, &t);
	wilcoxon_paired(x, y, n, &w);
	for (q = 0; q < n; q++)
		diff += x[q] - y[q];
	add_row(res, run, part, EB_COMPARE, 0, ES_DIFF, metric, k, ratio(diff, (double)n), n);
	add_row(res, run, part, EB_COMPARE, 0, ES_T_P, metric, k, t.p, n);
	add_row(res, run, part, EB_COMPARE, 0, ES_WILCOXON_P, metric, k, w.p, n);
}

/* The exposed metrics of each run against the baseline's, over the users both rank
 * with a value (AUC: both with a pair not liked). */
static void compare_exposed(struct eval_result *res, const struct eval_data *d, int part)
{
	const struct eval_xusers *bu = &res->xusers[res->baseline][part];
	int64_t *at = xmalloc(((size_t)d->nu + 1) * sizeof *at), q;
	int n_k = res->opts.n_k, run, metric, j;
	for (q = 0; q < d->nu; q++)
		at[q] = -1;
	for (q = 0; q < bu->n; q++)
		at[bu->user[q]] = q;
	for (run = 0; run < res->n_runs; run++) {
		const struct eval_xusers *ru = &res->xusers[run][part];
		double *x, *y;
		if (run == res->baseline)
			continue;
		x = xmalloc(((size_t)ru->n + 1) * sizeof *x);
		y = xmalloc(((size_t)ru->n + 1) * sizeof *y);
		for (metric = EM_XNDCG; metric <= EM_AUC; metric++)
			for (j = 0; j < (metric == EM_AUC ? 1 : n_k); j++) {
				const double *rv = metric == EM_XNDCG ? ru->xndcg : metric == EM_XNDCG_LIN ?
				    ru->xndcg_lin : metric == EM_XRECALL ? ru->xrecall : ru->auc;
				const double *bv = metric == EM_XNDCG ? bu->xndcg : metric == EM_XNDCG_LIN ?
				    bu->xndcg_lin : metric == EM_XRECALL ? bu->xrecall : bu->auc;
				int stride = metric == EM_AUC ? 1 : n_k;
				int64_t n = 0;
				for (q = 0; q < ru->n; q++) {
					int64_t b = at[ru->user[q]];
					if (b < 0 || isnan(rv[q * stride + j]) || isnan(bv[b * stride + j]))
						continue;
					x[n] = rv[q * stride + j];
					y[n++] = bv[b * stride + j];
				}
				compare_rows(res, run, part, metric, metric == EM_AUC ? 0 : res->opts.ks[j],
				    x, y, n);
			}
		free(x);
		free(y);
	}
	free(at);
}

/* Paired tests of each run against the baseline, over the users both rank. */
static void compare(struct eval_result *res, const struct eval_data *d)
{
	int64_t *at = xmalloc(((size_t)d->nu + 1) * sizeof *at), q;
	int n_k = res->opts.n_k, run, pi, j, metric;
	for (pi = 0; pi < 2; pi++) {
		const struct eval_users *bu = &res->users[res->baseline][parts[pi]];
		if (!(res->opts.protocols & EVAL_ALL))
			continue;
		for (q = 0; q < d->nu; q++)
			at[q] = -1;
		for (q = 0; q < bu->n; q++)
			at[bu->user[q]] = q;
		for (run = 0; run < res->n_runs; run++) {
			const struct eval_users *ru = &res->users[run][parts[pi]];
			double *x, *y;
			int64_t n = 0;
			if (run == res->baseline)
				continue;
			x = xmalloc(((size_t)ru->n + 1) * sizeof *x);
			y = xmalloc(((size_t)ru->n + 1) * sizeof *y);
			for (metric = EM_RECALL; metric <= EM_NDCG; metric++)
				for (j = 0; j < n_k; j++) {
					const double *rv = metric == EM_RECALL ? ru->recall : ru->ndcg;
					const double *bv = metric == EM_RECALL ? bu->recall : bu->ndcg;
					for (q = 0, n = 0; q < ru->n; q++)
						if (at[ru->user[q]] >= 0) {
							x[n] = rv[q * n_k + j];
							y[n++] = bv[at[ru->user[q]] * n_k + j];
						}
					compare_rows(res, run, parts[pi], metric, res->opts.ks[j], x, y, n);
				}
			free(x);
			free(y);
		}
	}
	free(at);
	if (res->opts.protocols & EVAL_EXPOSED)
		for (pi = 0; pi < 2; pi++)
			if (res->xparts >> parts[pi] & 1)
				compare_exposed(res, d, parts[pi]);
}

static const struct eval_row *sort_rows;

/* Rows by run, part, breakdown and group, in the order they were added otherwise. */
static int row_order(const void *x, const void *y)
{
	const size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const struct eval_row *p = &sort_rows[a], *q = &sort_rows[b];
	if (p->run != q->run)
		return p->run < q->run ? -1 : 1;
	if (p->part != q->part)
		return p->part < q->part ? -1 : 1;
	if (p->breakdown != q->breakdown)
		return p->breakdown < q->breakdown ? -1 : 1;
	if (p->group != q->group)
		return p->group < q->group ? -1 : 1;
	return (a > b) - (a < b);
}

static void sort_result(struct eval_result *res)
{
	size_t *idx = xmalloc((res->n_rows + 1) * sizeof *idx), i;
	struct eval_row *rows = xmalloc((res->n_rows + 1) * sizeof *rows);
	for (i = 0; i < res->n_rows; i++)
		idx[i] = i;
	sort_rows = res->rows;
	qsort(idx, res->n_rows, sizeof *idx, row_order);
	for (i = 0; i < res->n_rows; i++)
		rows[i] = res->rows[idx[i]];
	free(res->rows);
	res->rows = rows;
	res->cap = res->n_rows + 1;
	free(idx);
}

void eval_run(const struct eval_data *d, const struct ranking *const *runs,
    const struct ranking *const *xruns, int n_runs, int baseline, const struct eval_opts *o,
    struct eval_result *res)
{
	int run, pi;
	size_t n_each = 0;
	memset(res, 0, sizeof *res);
	res->opts = *o;
	res->n_runs = n_runs;
	res->baseline = baseline;
	res->runs = runs;
	res->xruns = xruns;
	res->scored_users = d->scored_users;
	res->active_users = d->active_users;
	res->high_items = d->high_items;
	res->low_items = d->low_items;
	res->truth = d->truth != NULL;
	res->users = xcalloc((size_t)n_runs + 1, sizeof *res->users);
	res->xusers = xcalloc((size_t)n_runs + 1, sizeof *res->xusers);
	/* the exposed protocol reports the parts whose pairs some run ranked */
	for (run = 0; xruns && run < n_runs; run++)
		for (pi = 0; xruns[run] && pi < 2; pi++)
			if (strcmp(xruns[run]->h.candidates, eval_part_names[parts[pi]]) == 0)
				res->xparts |= 1u << parts[pi];
	for (run = 0; run < n_runs; run++) {
		if (o->protocols & EVAL_ALL) {
			for (pi = 0; pi < 2; pi++)
				eval_part(res, d, run, parts[pi]);
			eval_periods(res, d, run);
		}
		if (o->protocols & EVAL_EXPOSED)
			for (pi = 0; pi < 2; pi++)
				if (res->xparts >> parts[pi] & 1)
					eval_exposed(res, d, run, parts[pi]);
		if (run == 0)
			n_each = res->n_rows;
	}
	gains_and_drops(res, n_each);
	compare(res, d);
	sort_result(res);
}

void eval_result_free(struct eval_result *res)
{
	int run, p;
	for (run = 0; run < res->n_runs; run++)
		for (p = 0; p < 3; p++) {
			struct eval_users *eu = &res->users[run][p];
			free(eu->user);
			free(eu->positives);
			free(eu->recall);
			free(eu->ndcg);
			free(eu->truth_ndcg);
			free(eu->kendall);
			free(eu->spearman);
			free(res->xusers[run][p].user);
			free(res->xusers[run][p].exposed);
			free(res->xusers[run][p].liked);
			free(res->xusers[run][p].xndcg);
			free(res->xusers[run][p].xndcg_lin);
			free(res->xusers[run][p].xrecall);
			free(res->xusers[run][p].auc);
		}
	free(res->users);
	free(res->xusers);
	free(res->rows);
	memset(res, 0, sizeof *res);
}

const char *eval_label(const struct eval_result *res, int run)
{
	if (res->runs[run])
		return res->runs[run]->h.label;
	return res->xruns && res->xruns[run] ? res->xruns[run]->h.label : "?";
}

const char *eval_group_name(const struct eval_result *res, const struct eval_row *row,
    char *buf, size_t size)
{
	static const char *const groups[3] = { "active", "less-active", NULL };
	static const char *const exposed[3] = { "all", "active", "less-active" };
	static const char *const items[2] = { "high", "low" };
	switch (row->breakdown) {
	case EB_GROUPS: return groups[row->group];
	case EB_EXPOSED: return exposed[row->group];
	case EB_ITEMS: return items[row->group];
	case EB_PERIODS:
		snprintf(buf, size, "%d", row->group + 1);
		return buf;
	case EB_COMPARE: return eval_label(res, res->baseline);
	default: return "all";
	}
}
