/* The outside readers of lib/rank/outside.c as a fuzzing harness will call them: from
 * memory, errors returned with their place and the process going on; and the
 * ranking section written and read back. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/dataset.h"
#include "rank/outside.h"
#include "rank/ranking.h"
#include "tap.h"

static struct vocab users, items;

static int tsv(const char *text, const struct csr *mask, int keep, int skip,
    struct ranking *r, struct load_error *e)
{
	struct ranking_tsv_opts o = { &users, &items, mask, keep, skip };
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = ranking_read_tsv(fp, "mem", "t", &o, r, e);
	fclose(fp);
	return rc;
}

static int list(const char *text, int32_t **l, int64_t *n, struct load_error *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = user_list_read(fp, "mem", &users, l, n, e);
	fclose(fp);
	return rc;
}

/* Row r's items as "a b c". */
static const char *row(const struct ranking *r, int64_t i)
{
	static char buf[256];
	int64_t j;
	buf[0] = '\0';
	for (j = r->off[i]; j < r->off[i + 1]; j++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", j > r->off[i] ? " " : "",
		    vocab_id(&items, r->items[j]));
	return buf;
}

static int columns(const char *text, struct item_columns *c, struct load_error *e)
{
	FILE *fp = fmemopen((void *)text, strlen(text), "r");
	int rc = item_columns_read(fp, "mem", &items, c, e);
	fclose(fp);
	return rc;
}

/* Item columns: CSV or TSV by the header, the id column by name or first, missing
 * values, unknown and repeated items, and every kind of bad file. */
static void item_columns(void)
{
	struct item_columns c;
	struct load_error e;
	OK(columns("x,item_id,y\n1.5,b,NA\n2,zz,3\n,a,-1\n9,b,9\n", &c, &e) == 0 &&
	       c.ncols == 2 && !strcmp(c.names[0], "x") && !strcmp(c.names[1], "y"),
	    "a CSV whose id column is named item_id, not first: columns x and y");
	OK(c.v[1 * 2] == 1.5 && isnan(c.v[1 * 2 + 1]) && isnan(c.v[0]) && c.v[1] == -1 &&
	       isnan(c.v[2 * 2]) && isnan(c.v[3 * 2 + 1]),
	    "values by item; NA, nothing and items not given are missing");
	OK(c.rows == 4 && c.unknown == 1 && c.repeated == 1, "4 rows: 1 unknown, 1 repeated (kept first)");
	item_columns_free(&c);
	OK(columns("id\tv\nd\t7\n", &c, &e) == 0 && c.ncols == 1 && c.v[3] == 7,
	    "a TSV, the id column first");
	item_columns_free(&c);
	OK(columns("", &c, &e) == -1 && e.code == HCR_EXIT_DATA &&
	       !strcmp(e.msg, "mem: line 1: expected a header naming the item id and at least one "
	           "column, got the end of the file"), "an empty file: %s", e.msg);
	OK(columns("item_id\na\n", &c, &e) == -1 &&
	       !strcmp(e.msg, "mem: line 1: expected a header naming the item id and at least one "
	           "column, got one field"), "no column: %s", e.msg);
	OK(columns("item_id,v\na,1,2\n", &c, &e) == -1 &&
	       !strcmp(e.msg, "mem: line 2: expected 2 fields, as the header has, got 3"),
	    "a row longer than the header: %s", e.msg);
	OK(columns("item_id,v\na,nan\n", &c, &e) == -1 &&
	       !strcmp(e.msg, "mem: line 2, column 2: expected a number, NA or nothing, got 'nan'"),
	    "NaN is no number here: %s", e.msg);
	OK(columns("item_id,v\na,\"1\n", &c, &e) == -1 && e.code == HCR_EXIT_DATA,
	    "a stray quote: %s", e.msg);
}

int main(void)
{
	struct ranking r;
	struct load_error e;
	struct csr mask;
	int32_t mr[1] = { 0 }, mc[1] = { 2 }, *l;
	int64_t n;
	int added;
	const char *const ids[] = { "a", "b", "c", "d" };
	int k;

	tool_init("ranking", 0, NULL);
	vocab_init(&users);
	vocab_init(&items);
	vocab_intern(&users, "u", 1, &added);
	vocab_intern(&users, "v", 1, &added);
	for (k = 0; k < 4; k++)
		vocab_intern(&items, ids[k], 1, &added);
	csr_build(&mask, 2, 4, 1, mr, mc, 1);   /* u trained on c */
	item_columns();

	OK(tsv("user_id\titem_id\tscore\nv\tb\t0.5\nu\ta\t0.1\nu\tc\t9\nu\td\t0.1\nu\tb\t0.3\n",
	    &mask, 10, 0, &r, &e) == 0, "a TSV by score from memory");
	OK(r.rows == 2 && r.users[0] == 0 && r.users[1] == 1, "rows by user index");
	OK(!strcmp(row(&r, 0), "b a d"), "by score, ties by item index, the training item gone: %s",
	    row(&r, 0));
	OK(r.dropped_train == 1 && r.skipped_unknown == 0, "the training item counted");
	OK(r.scores[0] == 0.3 && r.h.k == 10, "scores kept");
	ranking_free(&r);

	OK(tsv("user_id\titem_id\trank\nu\tc\t1\n", &mask, 10, 0, &r, &e) == 0 && r.rows == 1 &&
	    ranking_len(&r, 0) == 0, "a user whose every item was trained on is ranked, empty");
	ranking_free(&r);
	OK(tsv("user_id\titem_id\trank\nu\ta\t2\nu\tb\t1\nu\td\t3\n", NULL, 2, 0, &r, &e) == 0 &&
	    !strcmp(row(&r, 0), "b a") && r.scores[0] == -1, "by rank, kept to the first 2, "
	    "score minus the rank");
	ranking_free(&r);

	OK(tsv("user_id\titem_id\trank\nu\ta\t1\nw\ta\t1\n", NULL, 5, 0, &r, &e) == -1,
	    "an unknown user is returned, not fatal");
	OK(e.code == HCR_EXIT_DATA && !strcmp(e.msg, "mem: line 3, column 1: expected a user id "
	    "of the vocabulary, got 'w'"), "with its place: %s", e.msg);
	OK(r.rows == 0 && r.users == NULL, "leaving the ranking empty");
	OK(tsv("user_id\titem_id\trank\nu\ta\t1\nw\ta\t1\nu\tzz\t2\n", NULL, 5, 1, &r, &e) == 0 &&
	    r.skipped_unknown == 2 && r.rows == 1, "--skip-unknown counts them");
	ranking_free(&r);
	OK(tsv("user_id\titem_id\trank\nu\ta\t0\n", NULL, 5, 0, &r, &e) == -1 &&
	    !strcmp(e.msg, "mem: line 2, column 3: expected a rank (a whole number from 1), got '0'"),
	    "rank 0: %s", e.msg);
	OK(tsv("item_id\tscore\n", NULL, 5, 0, &r, &e) == -1 && !strcmp(e.msg, "mem: line 1: "
	    "expected a header naming user_id, item_id and rank or score, got 'item_id\\tscore'"),
	    "a header without user_id: %s", e.msg);
	OK(tsv("user_id\titem_id\tscore\nu\ta\t1\x01\n", NULL, 5, 0, &r, &e) == -1 &&
	    !strcmp(e.msg, "mem: line 2, column 3: expected a score (a finite number), got "
	    "'1\\x01'"), "a control byte is shown escaped: %s", e.msg);

	OK(list("v\n#\n\nu\r\n", &l, &n, &e) == 0 && n == 2 && l[0] == 1 && l[1] == 0,
	    "a user list in file order, comments, blank lines and CRs aside");
	free(l);
	OK(list("u\nu\n", &l, &n, &e) == -1 && l == NULL && !strcmp(e.msg, "mem: line 2: expected "
	    "each user once, got 'u' again (first on line 1)"), "a repeated user: %s", e.msg);

	{
		/* a section written and read back */
		struct ranking_head h = { .label = "x", .method = "ct", .rule = "ct", .model = "ct",
			.k = 3, .shard = 1, .shards = 1, .vocab = "0", .split = "0" };
		struct ranking w, back;
		struct hs_in *in;
		struct hs_out *out;
		struct hs_section sec;
		int32_t it[3] = { 3, 0, 1 };
		double sc[3] = { 2.5, 1, 1 };
		char path[] = "/tmp/hcr-ranking-XXXXXX";
		int fd = mkstemp(path);
		ranking_init(&w, &h, "mem");
		ranking_add_row(&w, 1, 3, it, sc);
		ranking_add_row(&w, 0, 0, it, sc);
		out = hs_out_open(path);
		ranking_write(out, &w);
		hs_out_close(out);
		in = hs_in_open(path);
		OK(hs_next_section(in, &sec) == 1, "a ranking section written");
		ranking_read(in, &sec, 2, 4, "0", "0", &back);
		OK(back.rows == 2 && back.users[0] == 1 && ranking_len(&back, 1) == 0 &&
		    !strcmp(row(&back, 0), "d a b") && back.scores[0] == 2.5 && back.h.k == 3 &&
		    !strcmp(back.h.rule, "ct"), "and read back equal");
		hs_in_close(in);
		ranking_free(&back);
		ranking_free(&w);
		close(fd);
		unlink(path);
	}

	csr_free(&mask);
	vocab_free(&users);
	vocab_free(&items);
	return tap_done();
}
