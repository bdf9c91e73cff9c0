/* table.c: every training method, one row each.  A method is a file of this folder
 * defining `const struct method method_NAME` (train/method.h) and its row here. */
#include <stdio.h>
#include <string.h>

#include "train/methods/methods.h"

#define METHODS(X) \
	X(hcr)           \
	X(hcr_ns)        \
	X(ct)            \
	X(esmm)          \
	X(cr)            \
	X(multi_ipw)     \
	X(multi_dr)      \
	X(dcf)           \
	X(bpr)           \
	/* a row a method, each ending in a backslash */

#define DECLARE(id) extern const struct method method_##id;
#define ROW(id) &method_##id,
METHODS(DECLARE)
const struct method *const methods_table[] = { METHODS(ROW) NULL };

const struct method *method_find(const char *name)
{
	const struct method *const *m;
	for (m = methods_table; *m; m++)
		if (strcmp((*m)->name, name) == 0)
			return *m;
	return NULL;
}

const char *method_names(void)
{
	static char buf[256];
	const struct method *const *m;
	if (buf[0])
		return buf;
	for (m = methods_table; *m; m++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
		    m == methods_table ? "" : ", ", (*m)->name);
	return buf;
}
