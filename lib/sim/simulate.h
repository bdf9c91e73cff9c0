/* simulate.h: a data set drawn from the causal graph of HCR, with a hidden item
 * quality V that moves both a price-like feature and the like, and the true causal
 * score P(like | u, do(i)) that no real data set can give.  Every formula is in
 * simulate(1); the names below follow it.
 *
 *   z(u,i)   = <a_u, c_i>                     a_u ~ N(0, I_k / k), c_i ~ N(0, I_k)
 *   s_i      = sum_j e_ij / sqrt(E)           e_i ~ N(0, I_E)   (exposure appeal)
 *   P(click) = sigmoid(alpha z + beta s_i + b_c)
 *   P(like | click, t) = sigmoid(delta z + kappa V_i(t) + b_l)
 *   V_i ~ N(0, 1);  V'_i = sqrt(1 - d) V_i + sqrt(d) eta_i after the drift point
 *   price_i = rho V_i + sqrt(1 - rho^2) eps_i
 */
#ifndef HCR_SIMULATE_H
#define HCR_SIMULATE_H

#include <stdint.h>
#include <stdio.h>

#include "common/stream.h"

/* Seconds in the timeline: 90 days, so timestamps look like a real log's. */
#define SIM_TIMELINE 7776000
/* The truth matrices hold at most this many cells each unless --truth-users says. */
#define SIM_TRUTH_CELLS ((int64_t)1 << 24)

struct sim_params {
	int64_t users, items;
	int dim;              /* k: taste and content size */
	int exposure_dim;     /* E: exposure features */
	double clicks;        /* mean of the lognormal click count */
	double clicks_sigma;  /* its log-scale spread */
	int64_t min_clicks;
	double click_match, click_exposure, click_bias;   /* alpha, beta, b_c */
	double like_match, like_bias;                     /* delta, b_l */
	double confounding;   /* kappa: V -> like */
	double price_corr;    /* rho: V -> price */
	double drift;         /* d: share of V's variance redrawn */
	double drift_at;      /* the drift point, a fraction of the timeline */
	double noise;         /* sd of the noise on the observed features */
	int64_t truth_users;  /* rows of the truth; 0: the default rule */
	int price_apart;      /* the price in price.csv, not content.csv */
	uint64_t seed;
};

/* One click of the log, in the order it was drawn. */
struct sim_click {
	int32_t user, item;
	int64_t time;
	uint8_t like;
};

struct sim {
	struct sim_params p;
	double clicks_mu;       /* log-scale mean: ln(clicks) - sigma^2 / 2 */
	int64_t drift_time;     /* first second of the drifted era */
	double *taste;          /* users x k */
	double *content;        /* items x k: c_i */
	double *exposure;       /* items x E: e_i */
	double *appeal;         /* items: s_i */
	double *quality;        /* items: V_i before the drift point */
	double *quality_late;   /* items: V'_i from the drift point on */
	double *price;          /* items: the price column */
	double *content_obs;    /* items x k: c_i + noise */
	double *exposure_obs;   /* items x E: e_i + noise */
	int64_t *target;        /* users: clicks drawn from the lognormal */
	int64_t *impressions;   /* users: impressions shown */
	struct sim_click *clicks;
	int64_t nclicks, nlikes;
	int64_t exhausted;      /* users who saw every item before reaching their target */
	/* When kept (tests): user u's impressions in order are imp_item[imp_off[u] ..
	 * imp_off[u+1]). */
	int64_t *imp_off;
	int32_t *imp_item;
};

void sim_defaults(struct sim_params *p);
/* NULL if the parameters fit together, else what is wrong, for a usage error. */
const char *sim_check(const struct sim_params *p, char *buf, size_t len);
/* Draws everything; keep_impressions keeps each user's impression list. */
void sim_draw(struct sim *s, const struct sim_params *p, int keep_impressions);
void sim_free(struct sim *s);

double sim_match(const struct sim *s, int64_t u, int64_t i);
double sim_p_click(const struct sim *s, int64_t u, int64_t i);
/* V_i at second t. */
double sim_quality_at(const struct sim *s, int64_t i, int64_t t);

/* E_{V ~ N(0,1)}[sigmoid(x + kappa V)] by the trapezoid rule (error within a few
 * 1e-15, rounding included; simulate(1) has the argument); and its derivative in x. */
double sim_expect_sigmoid(double x, double kappa);
double sim_expect_sigmoid_d(double x, double kappa);

/* A bound on the error of the truth's integral, tabulated (checked by the tests). */
#define SIM_QUAD_ERROR 1e-13

/* The same integral tabulated in x for speed: cubic Hermite interpolation between
 * nodes 1/256 apart on [-40, 40], the rule itself outside. */
struct sim_quad {
	double kappa, lo, step;
	int64_t n;
	double *g, *dg;
};
void sim_quad_init(struct sim_quad *q, double kappa);
double sim_quad_eval(const struct sim_quad *q, double x);
void sim_quad_free(struct sim_quad *q);

/* The rows of the truth: how many, and which users (ascending), drawn from the
 * seed's sample stream when fewer than all. */
int64_t sim_truth_rows(const struct sim_params *p);
void sim_truth_users(const struct sim *s, int64_t rows, int64_t *users);
/* For each listed user and every item: the causal score, the correlational score of
 * the era before the drift point and of the era after it (rows x items each). */
void sim_truth(const struct sim *s, const int64_t *users, int64_t rows, float *causal,
    float *corr, float *corr_late);

/* How far apart two score matrices are, averaged over the rows: the Pearson
 * correlation of a row, and the share of the causal top-k found in the other's. */
#define SIM_GAP_K 50
struct sim_gap {
	int64_t k;
	double pearson, overlap;
};
void sim_truth_gap(int64_t rows, int64_t items, const float *causal, const float *other,
    struct sim_gap *gap);

/* The files of the data set (simulate(1), FILES). */
void sim_write_log(const struct sim *s, FILE *fp);
void sim_write_content(const struct sim *s, FILE *fp);
void sim_write_exposure(const struct sim *s, FILE *fp);
/* items.csv: each item's price and hidden quality (before and after the drift), the
 * truth a report of where the confounding landed compares with. */
void sim_write_items(const struct sim *s, FILE *fp);
void sim_write_price(const struct sim *s, FILE *fp);
/* The file and the column that hold the price. */
const char *sim_price_file(const struct sim *s);
int sim_price_column(const struct sim *s);
void sim_write_truth(const struct sim *s, struct hs_out *out, const int64_t *users,
    int64_t rows, const float *causal, const float *corr, const float *corr_late);
void sim_write_params(const struct sim *s, FILE *fp, int64_t rows, const struct sim_gap *gap,
    const struct sim_gap *gap_late);

/* The ids of the files: "u" or "i" and the 0-based index in which it was drawn. */
void sim_user_id(char *buf, size_t len, int64_t u);
void sim_item_id(char *buf, size_t len, int64_t i);

#endif
