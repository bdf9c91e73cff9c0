/* lists.c: splitting in place, so that the items are the caller's argv strings and
 * need no freeing. */
#include "common/lists.h"

#include <string.h>

int list_split(char *s, char **items, int max)
{
	int n = 0;
	for (;;) {
		char *comma = strchr(s, ',');
		if (n == max)
			return -1;
		if (comma)
			*comma = '\0';
		items[n++] = s;
		if (!comma)
			return n;
		s = comma + 1;
	}
}

int list_has(const char *list, const char *name)
{
	size_t n = strlen(name);
	const char *p = list;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, name, n) == 0)
			return 1;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}
