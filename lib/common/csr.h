/* csr.h: compressed sparse rows, the one sparse layout of the project (graphs,
 * training items per user, bags of ids, positives per user). */
#ifndef HCR_CSR_H
#define HCR_CSR_H

#include <stddef.h>
#include <stdint.h>

/* Row r holds idx[off[r] .. off[r+1]), sorted ascending when built by csr_build. */
struct csr {
	int64_t rows;
	int64_t cols;    /* bound on the indices: every idx[k] < cols */
	int64_t *off;    /* rows + 1 entries */
	int32_t *idx;    /* off[rows] entries */
};

/* Builds rows x cols from m (row, col) pairs: counting sort by row, columns sorted
 * within a row; dedup drops repeated pairs.  Pairs must be in range (checked). */
void csr_build(struct csr *a, int64_t rows, int64_t cols, size_t m, const int32_t *row,
    const int32_t *col, int dedup);
/* The first position in sorted a[0..n) holding v or more (n when none does). */
int64_t sorted_first_at_least(const int32_t *a, int64_t n, int64_t v);
/* 1 if column c is in row r (binary search; the row must be sorted). */
int csr_has(const struct csr *a, int64_t r, int32_t c);
static inline int64_t csr_len(const struct csr *a, int64_t r)
{
	return a->off[r + 1] - a->off[r];
}
void csr_free(struct csr *a);

#endif
