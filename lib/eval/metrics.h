/* metrics.h: ranking quality as method.md §7 defines it: Recall@K and NDCG@K against
 * held-out positives, graded NDCG against a true score, Kendall's tau-b. */
#ifndef HCR_METRICS_H
#define HCR_METRICS_H

#include <stdint.h>

#include "common/csr.h"
#include "ingest/dataset.h"
#include "rank/topk.h"

enum { METRICS_MAX_K = 16 };

/* One user at several K from one ranked list (ranked[0] first; only its first K
 * count for K): hits / |P| and DCG / IDCG, DCG = sum over hit ranks r (0-based) of
 * 1 / log2(r + 2), IDCG over min(|P|, K) ranks.  pos is sorted ascending (a csr
 * row).  Returns 0, with NaN values, when the user has no positive. */
int metrics_user(const int32_t *ranked, int n_ranked, const int32_t *pos, int64_t n_pos,
    int n_k, const int *ks, double *recall, double *ndcg);

struct metrics {
	int n_k;
	int ks[METRICS_MAX_K];
	int64_t rows;     /* the ranking's rows */
	int64_t users;    /* rows whose user has a positive: the means' denominator */
	double recall[METRICS_MAX_K], ndcg[METRICS_MAX_K]; /* means over those users */
	double *user_recall, *user_ndcg; /* rows x n_k, row-major; NaN without positive */
};

/* A ranking against positives (row u of the csr: user u's positive items); every
 * K must be at most the ranking's k. */
void metrics_eval(const struct rank_result *rk, const struct csr *positives, int n_k,
    const int *ks, struct metrics *m);
void metrics_free(struct metrics *m);

/* Graded NDCG@k against a true relevance per item (linear gains; float, as a
 * truth row is): DCG of the ranked list over IDCG of the k most relevant items that
 * are not excluded (the user's training items, sorted ascending; may be NULL).
 * NaN when IDCG <= 0. */
double ndcg_graded(const int32_t *ranked, int n_ranked, const float *rel, int64_t n_items,
    const int32_t *excluded, int64_t n_excluded, int k);

/* The exposed protocol for one user (evaluate(1)): the user's exposed pairs, n of
 * them, in the ranking's order (scores descending), each with its graded label g and
 * its like.  At each K: NDCG with gain 2^g - 1 (xndcg) and with gain g (xndcg_lin),
 * DCG over the first K over IDCG over the K best grades; recall of the liked pairs in
 * the first K (xrecall).  auc: the share of (liked, not liked) pairs ordered right by
 * score, ties counting a half (NaN without a pair not liked).  Returns 0, every value
 * NaN, when no pair is liked. */
int exposed_user(const double *grade, const uint8_t *like, const double *score, int64_t n,
    int n_k, const int *ks, double *xndcg, double *xndcg_lin, double *xrecall, double *auc);

/* One exposed metric (0 xndcg, 1 xndcg_lin, 2 xrecall at k; 3 auc) of a ranking of
 * each user's exposed pairs (rank_users with them as candidates), averaged over the
 * users with a liked pair (auc: and one not liked), their number in *users. */
enum { EXPOSED_XNDCG, EXPOSED_XNDCG_LIN, EXPOSED_XRECALL, EXPOSED_AUC };
double exposed_mean(const struct rank_result *rk, const struct exposed *x, int metric, int k,
    int64_t *users);

/* Kendall's tau-b of two score lists, ties handled, O(n log n).  NaN when n < 2
 * or either list is constant. */
double kendall_tau_b(const double *x, const double *y, int64_t n);

/* Spearman's rho: the Pearson correlation of the two lists' ranks, tied values given
 * the mean of their ranks (as R's cor(method = "spearman")).  NaN when n < 2 or either
 * list is constant. */
double spearman_rho(const double *x, const double *y, int64_t n);

#endif
