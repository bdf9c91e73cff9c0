/* reports.c: evaluate's results laid out for people (text), for jq (JSON), for plots
 * (TSV), and per user (TSV or an evaluation section). */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "eval/reports.h"

/* A row's metric as a column or key names it: "recall", "gain_recall", ... */
static const char *metric_name(const struct eval_row *r, char *buf, size_t size)
{
	if (r->stat == ES_VALUE)
		return eval_metric_names[r->metric];
	snprintf(buf, size, "%s_%s", eval_stat_names[r->stat], eval_metric_names[r->metric]);
	return buf;
}

static const char *label_of(const struct eval_result *res, int run)
{
	return eval_label(res, run);
}

/* A metric at K as a key: "ndcg@50"; AUC and the rank correlations have no K ("auc"). */
static const char *metric_key(const char *name, const struct eval_row *r, char *buf,
    size_t size)
{
	if (r->metric == EM_KENDALL || r->metric == EM_SPEARMAN || r->metric == EM_AUC)
		snprintf(buf, size, "%s", name);
	else
		snprintf(buf, size, "%s@%d", name, r->k);
	return buf;
}

static void check_write(FILE *fp)
{
	if (ferror(fp))
		die_write(fp == stdout ? "standard output" : "output", errno);
}

/* ---- TSV ---- */

void eval_write_tsv(FILE *fp, const struct eval_result *res)
{
	size_t i;
	char g[32], m[64];
	fprintf(fp, "run\tpart\tbreakdown\tgroup\tmetric\tk\tvalue\tusers\n");
	for (i = 0; i < res->n_rows; i++) {
		const struct eval_row *r = &res->rows[i];
		fprintf(fp, "%s\t%s\t%s\t%s\t%s\t%d\t", label_of(res, r->run),
		    eval_part_names[r->part], eval_breakdown_names[r->breakdown],
		    eval_group_name(res, r, g, sizeof g), metric_name(r, m, sizeof m), r->k);
		if (isnan(r->value))
			fprintf(fp, "NA");
		else
			fprintf(fp, "%.10g", r->value);
		fprintf(fp, "\t%lld\n", (long long)r->users);
	}
	check_write(fp);
}

/* ---- JSON ---- */

static json_t *number(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* The object under key of parent, created (with "users" first) if missing. */
static json_t *child(json_t *parent, const char *key, int64_t users)
{
	json_t *o = json_object_get(parent, key);
	if (!o) {
		o = json_object();
		if (users >= 0)
			json_object_set_new(o, "users", json_integer(users));
		json_object_set_new(parent, key, o);
	}
	return o;
}

void eval_write_json(FILE *fp, const struct eval_result *res)
{
	json_t *root = json_object(), *runs = json_object(), *cmp = json_object();
	size_t i;
	json_object_set_new(root, "runs", runs);
	json_object_set_new(root, "baseline", json_string(label_of(res, res->baseline)));
	json_object_set_new(root, "compare", cmp);
	for (i = 0; i < res->n_rows; i++) {
		const struct eval_row *r = &res->rows[i];
		const char *part = eval_part_names[r->part];
		char key[96], m[64], g[32];
		json_t *o;
		if (r->breakdown == EB_COMPARE) {
			metric_key(eval_metric_names[r->metric], r, key, sizeof key);
			o = child(child(cmp, label_of(res, r->run), -1), part,
			    r->metric < EM_XNDCG ? r->users : -1);
			/* the exposed protocol's pairs are other users: a count of their own */
			if (r->metric >= EM_XNDCG)
				o = child(o, "exposed", -1);
			o = child(o, key, r->metric >= EM_XNDCG ? r->users : -1);
			json_object_set_new(o, eval_stat_names[r->stat], number(r->value));
			continue;
		}
		o = child(child(runs, label_of(res, r->run), -1), part,
		    r->breakdown == EB_OVERALL ? r->users : -1);
		switch (r->breakdown) {
		case EB_EXPOSED:
			/* each group counts the users with a liked exposed pair (AUC: and one not
			 * liked, its own count) */
			o = child(child(o, "exposed", -1), eval_group_name(res, r, g, sizeof g),
			    r->metric == EM_AUC ? -1 : r->users);
			if (r->metric == EM_AUC)
				json_object_set_new(o, "auc_users", json_integer(r->users));
			break;
		case EB_GROUPS:
			o = child(child(o, "groups", -1), eval_group_name(res, r, g, sizeof g), r->users);
			break;
		case EB_ITEMS:
			o = child(child(o, "items", -1), eval_group_name(res, r, g, sizeof g), r->users);
			break;
		case EB_TRUTH:
			o = child(o, "truth", r->users);
			break;
		case EB_PERIODS: {
			json_t *a = json_object_get(o, "periods");
			if (!a) {
				a = json_array();
				json_object_set_new(o, "periods", a);
			}
			while ((int)json_array_size(a) <= r->group) {
				json_t *p = json_object();
				json_array_append_new(a, p);
			}
			o = json_array_get(a, (size_t)r->group);
			if (!json_object_get(o, "users"))
				json_object_set_new(o, "users", json_integer(r->users));
			break;
		}
		default:
			break;
		}
		/* the rank correlations are over the top max K, the one K: "kendall" as documented */
		metric_key(metric_name(r, m, sizeof m), r, key, sizeof key);
		json_object_set_new(o, key, number(r->value));
	}
	if (json_dumpf(root, fp, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
		die_write(fp == stdout ? "standard output" : "output", errno);
	fputc('\n', fp);
	json_decref(root);
	check_write(fp);
}

/* ---- text ---- */

/* A line of a text table: a run's part and group (and, in compare, a metric at K). */
struct cell_key {
	int run, part, group, metric, k;
};

struct column {
	int stat, metric, k;
};

/* compare lays one metric at K on a line, its statistics across; the others one
 * group on a line, the metrics across. */
static struct cell_key key_of(const struct eval_row *r)
{
	struct cell_key c = { r->run, r->part, r->group, -1, 0 };
	if (r->breakdown == EB_COMPARE) {
		c.metric = r->metric;
		c.k = r->k;
	}
	return c;
}

static struct column column_of(const struct eval_row *r)
{
	struct column c = { r->stat, r->metric, r->k };
	if (r->breakdown == EB_COMPARE)
		c.metric = c.k = -1;
	return c;
}

static int same_key(const struct eval_row *r, const struct cell_key *c)
{
	struct cell_key k = key_of(r);
	return k.run == c->run && k.part == c->part && k.group == c->group &&
	       k.metric == c->metric && k.k == c->k;
}

static int same_column(const struct eval_row *r, const struct column *c)
{
	struct column k = column_of(r);
	return k.stat == c->stat && k.metric == c->metric && k.k == c->k;
}

/* Columns: the values, then the drops, then the gains; within, as they came. */
static int column_rank(int stat)
{
	return stat == ES_VALUE ? 0 : stat == ES_DROP ? 1 : stat == ES_GAIN ? 2 : stat + 2;
}

static const char *column_name(const struct column *c, char *buf, size_t size)
{
	const char *at = c->metric == EM_AUC ? "" : "@";
	char k[16] = "";
	if (c->metric != EM_AUC)
		snprintf(k, sizeof k, "%d", c->k);
	if (c->metric < 0)
		snprintf(buf, size, "%s", eval_stat_names[c->stat]);
	else if (c->stat == ES_VALUE)
		snprintf(buf, size, "%s%s%s", eval_metric_names[c->metric], at, k);
	else
		snprintf(buf, size, "%s_%s%s%s", eval_stat_names[c->stat],
		    eval_metric_names[c->metric], at, k);
	return buf;
}

static void format_value(const struct eval_row *r, char *buf, size_t size)
{
	if (isnan(r->value))
		snprintf(buf, size, "NA");
	else if (r->stat == ES_T_P || r->stat == ES_WILCOXON_P)
		snprintf(buf, size, "%.4g", r->value);
	else
		snprintf(buf, size, "%.4f", r->value);
}

static void title(FILE *fp, const struct eval_result *res, int b)
{
	const struct eval_opts *o = &res->opts;
	switch (b) {
	case EB_OVERALL:
		fprintf(fp, "overall: users with a positive in the part\n");
		break;
	case EB_GROUPS:
		fprintf(fp, "groups: active = the top %g%% of the %lld users with a training click, "
		    "by training clicks (%lld users); gain = (run - baseline) / baseline\n",
		    100 * o->active, (long long)res->scored_users, (long long)res->active_users);
		break;
	case EB_PERIODS:
		fprintf(fp, "periods: each user's later likes (validation then test) cut into %d by "
		    "position; drop = (period 1 - period) / period 1\n", o->periods);
		break;
	case EB_ITEMS:
		fprintf(fp, "items: high = the top third of the items with a training click by "
		    "like/click ratio (%lld items), low = the rest (%lld); nrecall = recall / share\n",
		    (long long)res->high_items, (long long)res->low_items);
		break;
	case EB_TRUTH:
		fprintf(fp, "truth: NDCG with the true causal score as relevance; kendall, spearman = "
		    "Kendall's tau-b and Spearman's rho of the scores and the truth over the top %d\n",
		    o->ks[o->n_k - 1]);
		break;
	case EB_EXPOSED:
		fprintf(fp, "exposed: each user's exposed pairs of the part ranked by the ranking's "
		    "scores, over the users with a liked one; xndcg: NDCG, gain 2^grade - 1; "
		    "xndcg_lin: gain grade; xrecall: of the liked pairs; auc: per user, over the users "
		    "with a pair not liked too\n");
		break;
	case EB_COMPARE:
		fprintf(fp, "compare: paired over the users both rank, against the baseline '%s': "
		    "mean difference, t-test and Wilcoxon signed-rank p-values\n",
		    label_of(res, res->baseline));
		break;
	}
}

static void pad(FILE *fp, const char *s, int width, int left)
{
	if (left)
		fprintf(fp, "%-*s", width, s);
	else
		fprintf(fp, "%*s", width, s);
}

/* Writes the line made in fp to out without its trailing blanks, and starts anew. */
static void end_line(FILE *fp, FILE *out, char **line, size_t *len)
{
	size_t n;
	fflush(fp);
	n = *len;
	while (n > 0 && (*line)[n - 1] == ' ')
		n--;
	fwrite(*line, 1, n, out);
	fputc('\n', out);
	rewind(fp);
}

static size_t column_index(const struct eval_row *r, const struct column *cols, size_t n)
{
	size_t c;
	for (c = 0; c < n && !same_column(r, &cols[c]); c++)
		;
	return c;
}

/* The rows of breakdown b as a table: a line for each key (its rows are consecutive,
 * as eval_run sorts them), a column for each statistic, metric and K. */
static void table(FILE *out, const struct eval_result *res, int b)
{
	struct column *cols = NULL, tmp;
	size_t ncols = 0, ccap = 0, i, j, c;
	int w_run = 3, w_part = 5, w_group = 5, w_users = 5, w_metric = 6, *w_col;
	int show_group = b == EB_GROUPS || b == EB_PERIODS || b == EB_ITEMS || b == EB_EXPOSED;
	int show_metric = b == EB_COMPARE;
	char buf[96], g[32], *line = NULL, (*cell)[32];
	size_t line_len = 0;
	const struct eval_row *first = NULL;
	FILE *fp;

	for (i = 0; i < res->n_rows; i++)
		if (res->rows[i].breakdown == b &&
		    column_index(&res->rows[i], cols, ncols) == ncols) {
			XGROW(cols, ccap, ncols + 1);
			cols[ncols++] = column_of(&res->rows[i]);
		}
	if (ncols == 0)
		return;
	/* a stable insertion sort: columns are few */
	for (i = 1; i < ncols; i++)
		for (j = i; j > 0 && column_rank(cols[j - 1].stat) > column_rank(cols[j].stat); j--) {
			tmp = cols[j];
			cols[j] = cols[j - 1];
			cols[j - 1] = tmp;
		}
	w_col = xcalloc(ncols, sizeof *w_col);
	cell = xcalloc(ncols, sizeof *cell);
	for (c = 0; c < ncols; c++)
		w_col[c] = (int)strlen(column_name(&cols[c], buf, sizeof buf));
	for (i = 0; i < res->n_rows; i++) {
		const struct eval_row *r = &res->rows[i];
		int w;
		if (r->breakdown != b)
			continue;
		w = (int)strlen(label_of(res, r->run));
		w_run = w > w_run ? w : w_run;
		w = (int)strlen(eval_group_name(res, r, g, sizeof g));
		w_group = w > w_group ? w : w_group;
		w = snprintf(buf, sizeof buf, "%lld", (long long)r->users);
		w_users = w > w_users ? w : w_users;
		w = (int)strlen(metric_key(eval_metric_names[r->metric], r, buf, sizeof buf));
		w_metric = w > w_metric ? w : w_metric;
		format_value(r, buf, sizeof buf);
		c = column_index(r, cols, ncols);
		w = (int)strlen(buf);
		w_col[c] = w > w_col[c] ? w : w_col[c];
	}
	fputc('\n', out);
	title(out, res, b);
	/* lines are made in memory, so that the blank cells ending them can go */
	fp = open_memstream(&line, &line_len);
	if (!fp)
		die(HCR_EXIT_FAIL, "out of memory (open_memstream)");
	pad(fp, "run", w_run, 1);
	fputs("  ", fp);
	pad(fp, "part", w_part, 1);
	if (show_group) {
		fputs("  ", fp);
		pad(fp, "group", w_group, 1);
	}
	if (show_metric) {
		fputs("  ", fp);
		pad(fp, "metric", w_metric, 1);
	}
	fputs("  ", fp);
	pad(fp, "users", w_users, 0);
	for (c = 0; c < ncols; c++) {
		fputs("  ", fp);
		pad(fp, column_name(&cols[c], buf, sizeof buf), w_col[c], 0);
	}
	end_line(fp, out, &line, &line_len);
	for (i = 0; i <= res->n_rows; i++) {
		const struct eval_row *r = i < res->n_rows ? &res->rows[i] : NULL;
		struct cell_key k;
		if (r && r->breakdown != b)
			continue;
		if (first && r) {
			k = key_of(first);
			if (same_key(r, &k)) {
				format_value(r, cell[column_index(r, cols, ncols)], sizeof cell[0]);
				continue;
			}
		}
		if (first) {
			/* a key's rows are over: its line */
			pad(fp, label_of(res, first->run), w_run, 1);
			fputs("  ", fp);
			pad(fp, eval_part_names[first->part], w_part, 1);
			if (show_group) {
				fputs("  ", fp);
				pad(fp, eval_group_name(res, first, g, sizeof g), w_group, 1);
			}
			if (show_metric) {
				metric_key(eval_metric_names[first->metric], first, buf, sizeof buf);
				fputs("  ", fp);
				pad(fp, buf, w_metric, 1);
			}
			snprintf(buf, sizeof buf, "%lld", (long long)first->users);
			fputs("  ", fp);
			pad(fp, buf, w_users, 0);
			for (c = 0; c < ncols; c++) {
				fputs("  ", fp);
				pad(fp, cell[c], w_col[c], 0);
			}
			end_line(fp, out, &line, &line_len);
		}
		first = r;
		for (c = 0; c < ncols; c++)
			cell[c][0] = '\0';
		if (r)
			format_value(r, cell[column_index(r, cols, ncols)], sizeof cell[0]);
	}
	fclose(fp);
	free(line);
	free(cols);
	free(cell);
	free(w_col);
}

void eval_write_text(FILE *fp, const struct eval_result *res)
{
	int b, k;
	fprintf(fp, "runs:");
	for (k = 0; k < res->n_runs; k++)
		fprintf(fp, " %s%s", label_of(res, k), k == res->baseline ? " (baseline)" : "");
	fprintf(fp, "; K =");
	for (k = 0; k < res->opts.n_k; k++)
		fprintf(fp, "%s %d", k ? "," : "", res->opts.ks[k]);
	fputc('\n', fp);
	for (b = 0; b < EB_COUNT; b++)
		table(fp, res, b);
	check_write(fp);
}

/* ---- per user ---- */

/* The columns of a per-user record: the all-ranking protocol's, the truth's, the
 * exposed protocol's, as evaluated. */
static int user_columns(const struct eval_result *res, char names[][32], int max)
{
	static const char *const fixed[5] = { "run", "part", "user", "group", "positives" };
	static const char *const xm[3] = { "xndcg", "xndcg_lin", "xrecall" };
	int n = 0, k, m;
	for (k = 0; k < 5; k++)
		snprintf(names[n++], 32, "%s", fixed[k]);
	if (res->opts.protocols & EVAL_ALL) {
		for (k = 0; k < res->opts.n_k && n < max; k++)
			snprintf(names[n++], 32, "recall@%d", res->opts.ks[k]);
		for (k = 0; k < res->opts.n_k && n < max; k++)
			snprintf(names[n++], 32, "ndcg@%d", res->opts.ks[k]);
	}
	if (res->truth) {
		for (k = 0; k < res->opts.n_k && n < max; k++)
			snprintf(names[n++], 32, "truth_ndcg@%d", res->opts.ks[k]);
		snprintf(names[n++], 32, "kendall");
		snprintf(names[n++], 32, "spearman");
	}
	if (res->opts.protocols & EVAL_EXPOSED) {
		snprintf(names[n++], 32, "exposed");
		snprintf(names[n++], 32, "liked");
		for (m = 0; m < 3; m++)
			for (k = 0; k < res->opts.n_k && n < max; k++)
				snprintf(names[n++], 32, "%s@%d", xm[m], res->opts.ks[k]);
		snprintf(names[n++], 32, "auc");
	}
	return n;
}

enum { USER_COLUMNS = 5 + 3 * METRICS_MAX_K + 1 + 2 + 3 * METRICS_MAX_K + 1 };

/* A record's values: the strings, the count, the numbers. */
struct user_rec {
	const char *run, *part, *user, *group;
	int64_t positives;
	double v[USER_COLUMNS];
	int nv;
};

/* Walks the records: runs, then parts, then the users of the all-ranking protocol in
 * ranking order, then those only the exposed protocol has, in its order. */
struct user_walk {
	int run, pi, phase;
	int64_t q;
	int64_t *eat, *xat;       /* per user: its place in the part's lists, or -1 */
	int ready;
};

static void walk_index(const struct eval_result *res, const struct eval_data *d,
    struct user_walk *w)
{
	int part = w->pi == 0 ? PART_VALID : PART_TEST;
	const struct eval_users *eu = &res->users[w->run][part];
	const struct eval_xusers *xu = &res->xusers[w->run][part];
	int64_t u;
	if (!w->eat) {
		w->eat = xmalloc(((size_t)d->nu + 1) * sizeof *w->eat);
		w->xat = xmalloc(((size_t)d->nu + 1) * sizeof *w->xat);
	}
	for (u = 0; u < d->nu; u++)
		w->eat[u] = w->xat[u] = -1;
	for (u = 0; u < eu->n; u++)
		w->eat[eu->user[u]] = u;
	for (u = 0; u < xu->n; u++)
		w->xat[xu->user[u]] = u;
	w->ready = 1;
}

static int next_user(const struct eval_result *res, const struct vocab *users,
    const struct eval_data *d, struct user_walk *w, struct user_rec *ur)
{
	int n_k = res->opts.n_k, j;
	for (;;) {
		int part = w->pi == 0 ? PART_VALID : PART_TEST;
		const struct eval_users *eu;
		const struct eval_xusers *xu;
		int64_t e, x;
		int32_t u;
		if (w->run >= res->n_runs) {
			free(w->eat);
			free(w->xat);
			w->eat = w->xat = NULL;
			return 0;
		}
		if (!w->ready)
			walk_index(res, d, w);
		eu = &res->users[w->run][part];
		xu = &res->xusers[w->run][part];
		if (w->phase == 0 && w->q >= eu->n) {
			w->phase = 1;
			w->q = 0;
		}
		if (w->phase == 1 && w->q >= xu->n) {
			w->phase = 0;
			w->q = 0;
			w->ready = 0;
			if (++w->pi == 2) {
				w->pi = 0;
				w->run++;
			}
			continue;
		}
		if (w->phase == 0) {
			u = eu->user[w->q++];
			e = w->q - 1;
		} else {
			u = xu->user[w->q++];
			if (w->eat[u] >= 0)
				continue;   /* written with the all-ranking's users */
			e = -1;
		}
		x = w->xat[u];
		ur->run = label_of(res, w->run);
		ur->part = eval_part_names[part];
		ur->user = vocab_id(users, u);
		ur->group = d->active[u] ? "active" : "less-active";
		ur->positives = e >= 0 ? eu->positives[e] : csr_len(&d->pos[part], u);
		ur->nv = 0;
		if (res->opts.protocols & EVAL_ALL) {
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = e >= 0 ? eu->recall[e * n_k + j] : NAN;
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = e >= 0 ? eu->ndcg[e * n_k + j] : NAN;
		}
		if (res->truth) {
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = e >= 0 ? eu->truth_ndcg[e * n_k + j] : NAN;
			ur->v[ur->nv++] = e >= 0 ? eu->kendall[e] : NAN;
			ur->v[ur->nv++] = e >= 0 ? eu->spearman[e] : NAN;
		}
		if (res->opts.protocols & EVAL_EXPOSED) {
			/* counts of a part no ranking of pairs ranked are not reported */
			int in = res->xparts >> part & 1;
			ur->v[ur->nv++] = !in ? NAN : x >= 0 ? xu->exposed[x] : csr_len(&d->x[part].x, u);
			ur->v[ur->nv++] = !in ? NAN : x >= 0 ? xu->liked[x] : 0;
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = x >= 0 ? xu->xndcg[x * n_k + j] : NAN;
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = x >= 0 ? xu->xndcg_lin[x * n_k + j] : NAN;
			for (j = 0; j < n_k; j++)
				ur->v[ur->nv++] = x >= 0 ? xu->xrecall[x * n_k + j] : NAN;
			ur->v[ur->nv++] = x >= 0 ? xu->auc[x] : NAN;
		}
		return 1;
	}
}

void eval_write_users_tsv(FILE *fp, const struct eval_result *res, const struct vocab *users,
    const struct eval_data *d)
{
	char names[USER_COLUMNS][32];
	int n = user_columns(res, names, USER_COLUMNS), k;
	struct user_walk at = { 0 };
	struct user_rec ur;
	for (k = 0; k < n; k++)
		fprintf(fp, "%s%s", k ? "\t" : "", names[k]);
	fputc('\n', fp);
	while (next_user(res, users, d, &at, &ur)) {
		/* ids hold no tab or newline in a TSV reader's eyes: escape them */
		const char *s;
		fprintf(fp, "%s\t%s\t", ur.run, ur.part);
		for (s = ur.user; *s; s++)
			if (*s == '\t')
				fputs("\\t", fp);
			else if (*s == '\n')
				fputs("\\n", fp);
			else if (*s == '\\')
				fputs("\\\\", fp);
			else
				fputc(*s, fp);
		fprintf(fp, "\t%s\t%lld", ur.group, (long long)ur.positives);
		for (k = 0; k < ur.nv; k++)
			if (isnan(ur.v[k]))
				fprintf(fp, "\tNA");
			else
				fprintf(fp, "\t%.10g", ur.v[k]);
		fputc('\n', fp);
	}
	check_write(fp);
}

void eval_write_users(struct hs_out *out, const struct eval_result *res,
    const struct vocab *users, const struct eval_data *d)
{
	char names[USER_COLUMNS][32];
	int n = user_columns(res, names, USER_COLUMNS), k;
	struct user_walk at = { 0 };
	struct user_rec ur;
	msgpack_packer *pk = hs_begin(out, "evaluation", 1);
	msgpack_pack_map(pk, 7);
	mp_key(pk, "columns");
	msgpack_pack_array(pk, (size_t)n);
	for (k = 0; k < n; k++)
		mp_str(pk, names[k]);
	mp_key(pk, "runs");
	msgpack_pack_array(pk, (size_t)res->n_runs);
	for (k = 0; k < res->n_runs; k++)
		mp_str(pk, label_of(res, k));
	mp_kv_str(pk, "baseline", label_of(res, res->baseline));
	mp_key(pk, "k");
	msgpack_pack_array(pk, (size_t)res->opts.n_k);
	for (k = 0; k < res->opts.n_k; k++)
		msgpack_pack_int(pk, res->opts.ks[k]);
	mp_kv_num(pk, "active", res->opts.active);
	mp_kv_int(pk, "periods", res->opts.periods);
	mp_kv_bool(pk, "truth", res->truth);
	while (next_user(res, users, d, &at, &ur)) {
		pk = hs_record(out);
		msgpack_pack_array(pk, (size_t)(5 + ur.nv));
		mp_str(pk, ur.run);
		mp_str(pk, ur.part);
		mp_str(pk, ur.user);
		mp_str(pk, ur.group);
		msgpack_pack_int64(pk, ur.positives);
		for (k = 0; k < ur.nv; k++)
			if (isnan(ur.v[k]))
				msgpack_pack_nil(pk);
			else
				msgpack_pack_double(pk, ur.v[k]);
	}
	hs_end(out);
}
