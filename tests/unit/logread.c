/* The log reader and the split, driven from memory as a fuzzing harness would: errors
 * come back with their place instead of exiting; rows and quoted fields that straddle
 * the reader's 64 KiB chunks; detection; the exact fraction and its rounding. */
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "ingest/logformats.h"
#include "ingest/partition.h"
#include "tap.h"

/* Reads text as a log of the format f; returns log_read's result. */
static int read_text(const char *text, size_t len, enum log_format f, struct clicklog *log,
    struct load_error *err)
{
	struct log_opts o;
	FILE *fp = fmemopen((void *)text, len, "r");
	int rc;
	log_opts_init(&o);
	o.format = f;
	clicklog_init(log);
	rc = log_read(fp, "mem", &o, log, err);
	fclose(fp);
	return rc;
}

static void fractions(void)
{
	int64_t n, d;
	OK(chrono_fraction_parse("0.7", &n, &d) == 0 && n == 7 && d == 10, "0.7 is 7/10");
	OK(chrono_fraction_parse(".85", &n, &d) == 0 && n == 85 && d == 100, ".85 is 85/100");
	OK(chrono_fraction_parse("1", &n, &d) == 0 && n == 1 && d == 1, "1 is 1/1");
	OK(chrono_fraction_parse("1.000", &n, &d) == 0 && n == 1000 && d == 1000, "1.000");
	OK(chrono_fraction_parse("0", &n, &d) == 0 && n == 0, "0");
	OK(chrono_fraction_parse("0.123456789", &n, &d) == 0 && d == 1000000000, "9 decimals");
	OK(chrono_fraction_parse("0.1234567891", &n, &d) != 0, "10 decimals are refused");
	OK(chrono_fraction_parse("1.5", &n, &d) != 0, "above 1 is refused");
	OK(chrono_fraction_parse("1.01", &n, &d) != 0, "just above 1 is refused");
	OK(chrono_fraction_parse("-0.1", &n, &d) != 0, "negative is refused");
	OK(chrono_fraction_parse(".", &n, &d) != 0, "a lone point is refused");
	OK(chrono_fraction_parse("", &n, &d) != 0, "empty is refused");
	OK(chrono_fraction_parse("7e-1", &n, &d) != 0, "exponents are refused");
	OK(chrono_round(5, 7, 10) == 4, "round(3.5) = 4: halves up, though 0.7 * 5 is 3.4999... "
	    "in binary");
	OK(chrono_round(15, 7, 10) == 11, "round(10.5) = 11");
	OK(chrono_round(26, 7, 10) == 18, "round(18.2) = 18");
	OK(chrono_round(2, 7, 10) == 1 && chrono_round(1, 7, 10) == 1, "one and two clicks");
	OK(chrono_round(4294967294LL, 999999999, 1000000000) == 4294967290LL,
	    "no overflow at 2^32 clicks and nine decimals");
}

static void detection(void)
{
	static const struct {
		const char *line;
		enum log_format f;
	} cases[] = {
		{ "user_id,item_id,timestamp,click,like", LOG_CSV },
		{ "user_id\titem_id\ttimestamp\tclick\tlike", LOG_TSV },
		{ "user_id:token\titem_id:token\trating:float\ttimestamp:float", LOG_RECBOLE },
		{ "\"movieId\",\"title\",\"year\",\"genres\",\"userId\",\"rating\",\"timestamp\"",
		    LOG_RATINGS },
		{ "userId,movieId,rating,timestamp", LOG_RATINGS },
		{ "7\t100\t4.5\t881250949", LOG_UIRT },
		{ "7\t100\t4.5", LOG_UIRT },
		{ "1\t2\t3\t4\t5\t0\t1\t0\t9\t1\t53085\t10", LOG_TIKTOK },
		{ "1\t100\t1\t0\t0\t761036604603\t12\t11", LOG_KWAI },
		{ "use_ID,sel_ID,ite_ID,cat_ID,act_ID,time", LOG_TAOBAO },
		{ "1,2268318,2520377,pv,1511544070", LOG_USERBEHAVIOR },
		{ "timestamp,visitorid,event,itemid,transactionid", LOG_RETAILROCKET },
		{ "", LOG_CSV },
	};
	size_t k;
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++)
		OK(log_detect(cases[k].line, strlen(cases[k].line)) == cases[k].f,
		    "detected as %s: %.40s", log_format_name(cases[k].f), cases[k].line);
}

static void errors_return(void)
{
	static const char bad[] = "user_id,item_id,timestamp,click,like\nu1,i1,5,1,0\nu1,\"i";
	struct clicklog log;
	struct load_error err;
	OK(read_text(bad, strlen(bad), LOG_AUTO, &log, &err) == -1, "a malformed log returns -1");
	OK(err.code == HCR_EXIT_DATA, "with the data error code");
	OK(strcmp(err.msg, "mem: line 3, column 2: expected a closing quote, got the end of the "
	    "input") == 0, "and the place: %s", err.msg);
	OK(log.n == 1, "the rows before it were read");
	clicklog_free(&log);
}

static void blank_before_header(void)
{
	/* TSV keeps blanks, so a line of one blank is one field: not a column name */
	static const char text[] = " \nuser_id\titem_id\ttimestamp\tclick\tlike\nu1\ti1\t5\t1\t1\n";
	struct clicklog log;
	struct load_error err;
	int rc = read_text(text, strlen(text), LOG_TSV, &log, &err);
	OK(rc == 0 && log.n == 1 && log.flag[0] == CL_LIKE,
	    "a blank line before the header shifts no column: %s", rc ? err.msg : "ok");
	clicklog_free(&log);
}

static void chunks(void)
{
	/* 200k rows: about 4 MiB, so rows and a long quoted field straddle 64 KiB chunks */
	size_t cap = 8 << 20, len = 0, i;
	char *text = xmalloc(cap);
	struct clicklog log;
	struct load_error err;
	int rc;

	len += (size_t)sprintf(text, "user_id,item_id,timestamp,click,like\n");
	for (i = 0; i < 200000; i++) {
		if (i == 3000) {
			/* a quoted id of 100 kB holding commas and newlines */
			text[len++] = '"';
			memset(text + len, ',', 50000);
			len += 50000;
			memset(text + len, '\n', 50000);
			len += 50000;
			len += (size_t)sprintf(text + len, "\",i1,%zu,1,1\n", i);
			continue;
		}
		len += (size_t)sprintf(text + len, "u%zu,i%zu,%zu,1,%d\n", i % 1000, i % 777,
		    200000 - i, (int)(i % 3 == 0));
	}
	rc = read_text(text, len, LOG_AUTO, &log, &err);
	OK(rc == 0, "a 4 MiB csv reads: %s", rc ? err.msg : "ok");
	OK(log.rows == 200000 && log.n == 200000, "every row: %lld", (long long)log.rows);
	OK(log.users.n == 1001 && log.items.n == 777, "users %lld, items %lld",
	    (long long)log.users.n, (long long)log.items.n);
	{
		int64_t u = log.user[3000];
		const char *id = vocab_id(&log.users, u);
		OK(strlen(id) == 100000 && id[0] == ',' && id[99999] == '\n',
		    "the 100 kB quoted id came through whole");
	}
	OK(log.time[199999] == 1.0 && log.time[0] == 200000.0, "times in input order");
	{
		struct chrono_opts o = { .mode = CHRONO_GLOBAL, .num = 7, .den = 10 };
		struct chrono_counts c;
		struct split s;
		int64_t k;
		int ordered = 1;
		split_init(&s);
		chrono_split(&log, &o, &s, &c);
		for (k = 1; k < s.n; k++)
			ordered &= s.time[k] >= s.time[k - 1];
		OK(ordered, "records come in time order, the input reversed");
		OK(c.train_clicks == 140000, "round(0.7 * 200000) clicks train");
		OK(log.user == NULL && log.n == 0, "the click columns were freed, the vocab kept");
		split_free(&s);
	}
	clicklog_free(&log);

	/* the same straddling through the raw splitter (Tiktok) */
	len = 0;
	for (i = 0; i < 100000; i++)
		len += (size_t)sprintf(text + len, "%zu\t1\t%zu\t2\t3\t0\t%d\t0\t5\t6\t7\t8\n",
		    i % 500, i % 300, (int)(i % 2));
	rc = read_text(text, len - 1, LOG_TIKTOK, &log, &err);
	OK(rc == 0 && log.n == 100000, "a 2.5 MiB raw log reads, its last line unterminated");
	OK(log.time[99999] == 100000.0, "tiktok time is the line number");
	clicklog_free(&log);

	/* a field beyond 1 MiB is refused, not buffered without end */
	len = (size_t)sprintf(text, "user_id,item_id,timestamp,click,like\n\"");
	memset(text + len, 'x', 2 << 20);
	len += 2 << 20;
	rc = read_text(text, len, LOG_CSV, &log, &err);
	OK(rc == -1 && strstr(err.msg, "expected a field of at most 1048576 bytes"),
	    "a 2 MiB field is refused: %s", err.msg);
	clicklog_free(&log);
	free(text);
}

int main(void)
{
	fractions();
	detection();
	errors_return();
	blank_before_header();
	chunks();
	return tap_done();
}
