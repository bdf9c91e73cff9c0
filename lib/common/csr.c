/* csr.c: building and querying compressed sparse rows. */
#include "common/csr.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

void csr_build(struct csr *a, int64_t rows, int64_t cols, size_t m, const int32_t *row,
    const int32_t *col, int dedup)
{
	int64_t *fill;
	size_t k;
	int64_t r, w;
	a->rows = rows;
	a->cols = cols;
	a->off = xcalloc((size_t)rows + 1, sizeof *a->off);
	for (k = 0; k < m; k++) {
		if (row[k] < 0 || row[k] >= rows || col[k] < 0 || col[k] >= cols)
			die(HCR_EXIT_FAIL, "internal: pair %zu (%d, %d) outside %lld x %lld", k,
			    row[k], col[k], (long long)rows, (long long)cols);
		a->off[row[k] + 1]++;
	}
	for (r = 0; r < rows; r++)
		a->off[r + 1] += a->off[r];
	a->idx = xmalloc((m ? m : 1) * sizeof *a->idx);
	fill = xmalloc(((size_t)rows + 1) * sizeof *fill);
	memcpy(fill, a->off, ((size_t)rows + 1) * sizeof *fill);
	for (k = 0; k < m; k++)
		a->idx[fill[row[k]]++] = col[k];
	free(fill);
	for (r = 0; r < rows; r++)
		qsort(a->idx + a->off[r], (size_t)csr_len(a, r), sizeof *a->idx, cmp_i32);
	if (!dedup)
		return;
	/* Compact in place, row by row, keeping the first of each run of equal columns. */
	w = 0;
	for (r = 0; r < rows; r++) {
		int64_t b = a->off[r], e = a->off[r + 1], j;
		a->off[r] = w;
		for (j = b; j < e; j++)
			if (j == b || a->idx[j] != a->idx[j - 1])
				a->idx[w++] = a->idx[j];
	}
	a->off[rows] = w;
}

int64_t sorted_first_at_least(const int32_t *a, int64_t n, int64_t v)
{
	int64_t lo = 0, hi = n;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (a[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int csr_has(const struct csr *a, int64_t r, int32_t c)
{
	const int32_t *row = a->idx + a->off[r];
	int64_t n = csr_len(a, r), p = sorted_first_at_least(row, n, c);
	return p < n && row[p] == c;
}

void csr_free(struct csr *a)
{
	free(a->off);
	free(a->idx);
	a->off = NULL;
	a->idx = NULL;
	a->rows = a->cols = 0;
}
