/* metrics.c: Recall, NDCG, graded NDCG, Kendall's tau-b, Spearman's rho. */
#include "eval/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/numeric.h"
#include "common/util.h"

static int sorted_has(const int32_t *a, int64_t n, int32_t c)
{
	int64_t p = sorted_first_at_least(a, n, c);
	return p < n && a[p] == c;
}

/* The largest of n_k cut-offs. */
static int max_k(const int *ks, int n_k)
{
	int j, kmax = 0;
	for (j = 0; j < n_k; j++)
		kmax = ks[j] > kmax ? ks[j] : kmax;
	return kmax;
}

int metrics_user(const int32_t *ranked, int n_ranked, const int32_t *pos, int64_t n_pos,
    int n_k, const int *ks, double *recall, double *ndcg)
{
	int j, r, kmax = max_k(ks, n_k);
	double hits = 0, dcg = 0, idcg = 0;
	int64_t ideal = 0;
	if (n_pos <= 0) {
		for (j = 0; j < n_k; j++)
			recall[j] = ndcg[j] = NAN;
		return 0;
	}
	/* One pass over the list; each K reads the running sums at its cut. */
	for (r = 0; r <= kmax; r++) {
		for (j = 0; j < n_k; j++) {
			if (ks[j] != r)
				continue;
			recall[j] = hits / (double)n_pos;
			ndcg[j] = dcg / idcg;
		}
		if (r == kmax)
			break;
		if (r < n_ranked && sorted_has(pos, n_pos, ranked[r])) {
			hits += 1;
			dcg += 1 / log2(r + 2.0);
		}
		if (ideal < n_pos) {
			idcg += 1 / log2(r + 2.0);
			ideal++;
		}
	}
	return 1;
}

static int by_grade_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

int exposed_user(const double *grade, const uint8_t *like, const double *score, int64_t n,
    int n_k, const int *ks, double *xndcg, double *xndcg_lin, double *xrecall, double *auc)
{
	double *ideal, dcg = 0, dcg_lin = 0, idcg = 0, idcg_lin = 0, hits = 0, ranks = 0;
	int64_t liked = 0, r, j0;
	int j, kmax = 0;
	for (r = 0; r < n; r++)
		liked += like[r] != 0;
	if (liked == 0) {
		for (j = 0; j < n_k; j++)
			xndcg[j] = xndcg_lin[j] = xrecall[j] = NAN;
		*auc = NAN;
		return 0;
	}
	ideal = xmalloc(((size_t)n + 1) * sizeof *ideal);
	memcpy(ideal, grade, (size_t)n * sizeof *ideal);
	qsort(ideal, (size_t)n, sizeof *ideal, by_grade_desc);
	kmax = max_k(ks, n_k);
	/* one pass down the list; each K reads the running sums at its cut */
	for (r = 0; r <= kmax; r++) {
		for (j = 0; j < n_k; j++) {
			if (ks[j] != r)
				continue;
			xndcg[j] = idcg > 0 ? dcg / idcg : NAN;
			xndcg_lin[j] = idcg_lin > 0 ? dcg_lin / idcg_lin : NAN;
			xrecall[j] = hits / (double)liked;
		}
		if (r == kmax || r >= n)
			continue;
		dcg += (exp2(grade[r]) - 1) / log2(r + 2.0);
		dcg_lin += grade[r] / log2(r + 2.0);
		idcg += (exp2(ideal[r]) - 1) / log2(r + 2.0);
		idcg_lin += ideal[r] / log2(r + 2.0);
		hits += like[r] != 0;
	}
	free(ideal);
	/* Mann-Whitney: the liked pairs' ranks from the bottom, ties at their mean rank;
	 * the list is in score order, so ties are runs */
	if (liked == n) {
		*auc = NAN;
		return 1;
	}
	for (r = 0; r < n; r = j0) {
		int64_t in = 0, q;
		for (j0 = r; j0 < n && score[j0] == score[r]; j0++)
			in += like[j0] != 0;
		/* positions r .. j0 - 1 from the top are ranks n - j0 + 1 .. n - r from the
		 * bottom: their mean */
		for (q = 0; q < in; q++)
			ranks += (double)(2 * n - r - j0 + 1) / 2;
	}
	*auc = (ranks - (double)liked * (double)(liked + 1) / 2) /
	    ((double)liked * (double)(n - liked));
	return 1;
}

double exposed_mean(const struct rank_result *rk, const struct exposed *x, int metric, int k,
    int64_t *users)
{
	int64_t r, j, n = 0;
	double sum = 0, *g = xmalloc(((size_t)rk->k + 1) * sizeof *g);
	double *sc = xmalloc(((size_t)rk->k + 1) * sizeof *sc);
	uint8_t *lk = xmalloc((size_t)rk->k + 1);
	for (r = 0; r < rk->rows; r++) {
		const int32_t *items = rk->items + r * rk->k;
		double v[4];
		if (exposed_gather(x, rk->users[r], items, rk->count[r], g, lk) != 0)
			die(HCR_EXIT_FAIL, "internal: a ranked pair that is not exposed");
		for (j = 0; j < rk->count[r]; j++)
			sc[j] = rk->keys[r * rk->k + j];
		if (!exposed_user(g, lk, sc, rk->count[r], 1, &k, &v[0], &v[1], &v[2], &v[3]) ||
		    isnan(v[metric]))
			continue;
		sum += v[metric];
		n++;
	}
	free(g);
	free(sc);
	free(lk);
	*users = n;
	return n ? sum / (double)n : NAN;
}

void metrics_eval(const struct rank_result *rk, const struct csr *positives, int n_k,
    const int *ks, struct metrics *m)
{
	int64_t r;
	int j;
	if (n_k < 1 || n_k > METRICS_MAX_K)
		die(HCR_EXIT_FAIL, "internal: %d cut-offs (1 to %d)", n_k, METRICS_MAX_K);
	memset(m, 0, sizeof *m);
	m->n_k = n_k;
	for (j = 0; j < n_k; j++) {
		if (ks[j] < 1 || ks[j] > rk->k)
			die(HCR_EXIT_FAIL, "internal: metric at K = %d from a top-%d ranking", ks[j],
			    rk->k);
		m->ks[j] = ks[j];
	}
	m->rows = rk->rows;
	m->user_recall = xmalloc((size_t)(rk->rows * n_k + 1) * sizeof *m->user_recall);
	m->user_ndcg = xmalloc((size_t)(rk->rows * n_k + 1) * sizeof *m->user_ndcg);
	for (r = 0; r < rk->rows; r++) {
		int32_t u = rk->users[r];
		double *rec = m->user_recall + r * n_k, *nd = m->user_ndcg + r * n_k;
		if (u < 0 || u >= positives->rows)
			die(HCR_EXIT_FAIL, "internal: user %d outside the positives' %lld rows", u,
			    (long long)positives->rows);
		if (!metrics_user(rk->items + r * rk->k, rk->count[r],
			positives->idx + positives->off[u], csr_len(positives, u), n_k, ks, rec, nd))
			continue;
		m->users++;
		for (j = 0; j < n_k; j++) {
			m->recall[j] += rec[j];
			m->ndcg[j] += nd[j];
		}
	}
	for (j = 0; j < n_k; j++) {
		m->recall[j] = m->users ? m->recall[j] / (double)m->users : NAN;
		m->ndcg[j] = m->users ? m->ndcg[j] / (double)m->users : NAN;
	}
}

void metrics_free(struct metrics *m)
{
	free(m->user_recall);
	free(m->user_ndcg);
	memset(m, 0, sizeof *m);
}

/* A min-heap of the k largest relevances seen. */
static void dheap_down(double *h, int n, int i)
{
	double x = h[i];
	for (;;) {
		int c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1] < h[c])
			c++;
		if (h[c] >= x)
			break;
		h[i] = h[c];
		i = c;
	}
	h[i] = x;
}

static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

double ndcg_graded(const int32_t *ranked, int n_ranked, const float *rel, int64_t n_items,
    const int32_t *excluded, int64_t n_excluded, int k)
{
	double *h, dcg = 0, idcg = 0;
	int64_t i, e = 0;
	int n = 0, r;
	if (k < 1)
		return NAN;
	for (r = 0; r < n_ranked && r < k; r++)
		dcg += rel[ranked[r]] / log2(r + 2.0);
	h = xmalloc((size_t)k * sizeof *h);
	for (i = 0; i < n_items; i++) {
		/* Both lists ascend: one cursor skips the excluded items. */
		while (excluded && e < n_excluded && excluded[e] < i)
			e++;
		if (excluded && e < n_excluded && excluded[e] == i)
			continue;
		if (n < k) {
			h[n++] = rel[i];
			if (n == k)
				for (r = k / 2 - 1; r >= 0; r--)
					dheap_down(h, k, r);
		} else if (rel[i] > h[0]) {
			h[0] = rel[i];
			dheap_down(h, k, 0);
		}
	}
	qsort(h, (size_t)n, sizeof *h, cmp_desc);
	for (r = 0; r < n; r++)
		idcg += h[r] / log2(r + 2.0);
	free(h);
	return idcg > 0 ? dcg / idcg : NAN;
}

struct pair {
	double x, y;
};

static int by_x_then_y(const void *a, const void *b)
{
	const struct pair *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	return (p->y > q->y) - (p->y < q->y);
}

/* Sorts a[0 .. n) by y, stably, returning the strict inversions met (pairs i < j
 * with y_i > y_j): in an array sorted by (x, y), exactly the discordant pairs. */
static int64_t sort_count(struct pair *a, struct pair *tmp, int64_t n)
{
	int64_t mid = n / 2, i, j, o = 0, swaps;
	if (n < 2)
		return 0;
	swaps = sort_count(a, tmp, mid) + sort_count(a + mid, tmp, n - mid);
	for (i = 0, j = mid; i < mid || j < n;) {
		if (j >= n || (i < mid && a[i].y <= a[j].y)) {
			tmp[o++] = a[i++];
		} else {
			swaps += mid - i;
			tmp[o++] = a[j++];
		}
	}
	memcpy(a, tmp, (size_t)n * sizeof *a);
	return swaps;
}

/* Pairs tied within runs of equal values of a sorted column. */
static int64_t tied_pairs(const struct pair *a, int64_t n, int on_x, int both)
{
	int64_t i = 0, ties = 0;
	while (i < n) {
		int64_t j = i + 1;
		while (j < n && (on_x ? a[j].x == a[i].x : a[j].y == a[i].y) &&
		    (!both || a[j].y == a[i].y))
			j++;
		ties += (j - i) * (j - i - 1) / 2;
		i = j;
	}
	return ties;
}

double kendall_tau_b(const double *x, const double *y, int64_t n)
{
	struct pair *a, *tmp;
	int64_t i, n0, n1, n2, n3, disc;
	double tau;
	if (n < 2)
		return NAN;
	a = xmalloc((size_t)n * sizeof *a);
	tmp = xmalloc((size_t)n * sizeof *tmp);
	for (i = 0; i < n; i++) {
		a[i].x = x[i];
		a[i].y = y[i];
	}
	/* Knight's method: sort by (x, y), count ties, then discordance by merge sort. */
	qsort(a, (size_t)n, sizeof *a, by_x_then_y);
	n0 = n * (n - 1) / 2;
	n1 = tied_pairs(a, n, 1, 0);
	n3 = tied_pairs(a, n, 1, 1);
	disc = sort_count(a, tmp, n);
	n2 = tied_pairs(a, n, 0, 0);
	free(a);
	free(tmp);
	if (n1 == n0 || n2 == n0)
		return NAN;
	tau = ((double)(n0 - n1 - n2 + n3) - 2.0 * (double)disc) /
	    sqrt((double)(n0 - n1) * (double)(n0 - n2));
	return tau;
}

/* Each value's rank among x, 1-based, ties given the mean of their ranks. */
static void mid_ranks(const double *x, int64_t n, double *rank)
{
	struct pair *a = xmalloc((size_t)n * sizeof *a);
	int64_t i, j;
	for (i = 0; i < n; i++) {
		a[i].x = x[i];
		a[i].y = (double)i;
	}
	qsort(a, (size_t)n, sizeof *a, by_x_then_y);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && a[j].x == a[i].x; j++)
			;
		for (int64_t q = i; q < j; q++)
			rank[(int64_t)a[q].y] = (double)(i + j + 1) / 2.0;
	}
	free(a);
}

double spearman_rho(const double *x, const double *y, int64_t n)
{
	double *rx, *ry, rho;
	int flat_x = 1, flat_y = 1;
	if (n < 2)
		return NAN;
	for (int64_t i = 1; i < n; i++) {
		flat_x &= x[i] == x[0];
		flat_y &= y[i] == y[0];
	}
	if (flat_x || flat_y)
		return NAN;
	rx = xmalloc((size_t)n * sizeof *rx);
	ry = xmalloc((size_t)n * sizeof *ry);
	mid_ranks(x, n, rx);
	mid_ranks(y, n, ry);
	rho = pearson(rx, ry, n);
	free(rx);
	free(ry);
	return rho;
}
