/* fuzz_itemcols: the item columns score-frontdoor --effects compares a model's item
 * effects with (lib/rank/outside.c, item_columns_read): a CSV or TSV told by its
 * header, the id column by name or first, numbers, NA or nothing.  The reader never
 * dies: an error comes back naming the input; what it accepts holds a row of every
 * column for every item of the vocabulary, each value a finite number or NaN. */
#include <math.h>
#include <string.h>

#include "featfuzz.h"
#include "rank/outside.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *volatile fp = NULL;
	const struct vocab *items = fuzz_items();
	struct item_columns c;
	struct load_error e;
	int rc;

	if (FUZZ_TRY()) {
		fuzz_die_codes = 0;
		fp = fuzz_file(data, size);
		rc = item_columns_read(fp, "mem", items, &c, &e);
		fclose(fp);
		fp = NULL;
		if (rc != 0) {
			if (e.code != HCR_EXIT_DATA)
				fuzz_fail("an item-columns error of exit code %d", e.code);
			fuzz_check_error("item columns", e.msg, "mem");
		} else {
			if (c.ncols < 1 || c.rows < c.unknown + c.repeated || c.unknown < 0 || c.repeated < 0)
				fuzz_fail("item columns read with %d columns, %lld rows, %lld unknown, "
				    "%lld repeated", c.ncols, (long long)c.rows, (long long)c.unknown,
				    (long long)c.repeated);
			for (int k = 0; k < c.ncols; k++)
				if (!c.names[k])
					fuzz_fail("item column %d without a name", k);
			for (int64_t i = 0; i < items->n * c.ncols; i++)
				if (isinf(c.v[i]))
					fuzz_fail("an item column value that is infinite");
			item_columns_free(&c);
		}
		fuzz_end();
	} else {
		fuzz_release_file(fp);
	}
	return 0;
}
