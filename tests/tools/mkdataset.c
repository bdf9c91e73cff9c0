/* mkdataset: writes the vocab and split sections of a small data set given as text,
 * standing in for split-chrono in tests and examples.  Reads standard input:
 *   USER ITEM TIME LIKE PART   a record; PART is train, valid, test (or 0, 1, 2)
 *   user ID | item ID          an id with no record (an isolated node)
 *   # ...                      a comment; blank lines are skipped
 * Ids are numbered in order of first appearance, as split-chrono numbers them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/dataset.h"

static int part_of(const char *s)
{
	if (!strcmp(s, "train") || !strcmp(s, "0"))
		return PART_TRAIN;
	if (!strcmp(s, "valid") || !strcmp(s, "1"))
		return PART_VALID;
	if (!strcmp(s, "test") || !strcmp(s, "2"))
		return PART_TEST;
	return -1;
}

int main(int argc, char **argv)
{
	struct vocab users, items;
	struct split s;
	struct hs_out *out;
	char *line = NULL, f[5][256];
	size_t cap = 0;
	long lineno = 0;

	tool_init("mkdataset", argc, argv);
	vocab_init(&users);
	vocab_init(&items);
	split_init(&s);
	snprintf(s.format, sizeof s.format, "mkdataset");
	while (getline(&line, &cap, stdin) > 0) {
		int n, part, added;
		double t, like;
		lineno++;
		n = sscanf(line, "%255s %255s %255s %255s %255s", f[0], f[1], f[2], f[3], f[4]);
		if (n <= 0 || f[0][0] == '#')
			continue;
		if (n == 2 && !strcmp(f[0], "user")) {
			vocab_intern(&users, f[1], strlen(f[1]), &added);
			continue;
		}
		if (n == 2 && !strcmp(f[0], "item")) {
			vocab_intern(&items, f[1], strlen(f[1]), &added);
			continue;
		}
		if (n != 5 || parse_double(f[2], strlen(f[2]), &t) || parse_double(f[3],
		    strlen(f[3]), &like) || (like != 0 && like != 1) || (part = part_of(f[4])) < 0)
			die(HCR_EXIT_DATA, "line %ld: expected USER ITEM TIME LIKE PART", lineno);
		split_add(&s, (int32_t)vocab_intern(&users, f[0], strlen(f[0]), &added),
		    (int32_t)vocab_intern(&items, f[1], strlen(f[1]), &added), t, (int)like, part);
	}
	free(line);
	out = hs_out_open("-");
	vocab_write(out, &users, &items);
	split_write(out, &s, users.n, items.n);
	hs_out_close(out);
	vocab_free(&users);
	vocab_free(&items);
	split_free(&s);
	return 0;
}
