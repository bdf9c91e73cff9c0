/* loaderr.c: a failing reader's message, and a value as the message may show it: input
 * bytes are never printed raw, since a terminal would act on control bytes. */
#include "common/loaderr.h"

#include <stdarg.h>
#include <stdio.h>

int load_fail(struct load_error *e, int code, const char *fmt, ...)
{
	va_list ap;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

const char *load_shown(const char *s, size_t len, char *buf, size_t n)
{
	size_t i, k = 0, lim = len < 40 ? len : 40;
	for (i = 0; i < lim && k + 6 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\t')
			buf[k++] = '\\', buf[k++] = 't';
		else if (c == '\r')
			buf[k++] = '\\', buf[k++] = 'r';
		else if (c == '\n')
			buf[k++] = '\\', buf[k++] = 'n';
		else if (c < 0x20 || c == 0x7f)
			k += (size_t)snprintf(buf + k, n - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	if (i < len && k + 4 < n)
		k += (size_t)snprintf(buf + k, n - k, "...");
	buf[k < n ? k : n - 1] = '\0';
	return buf;
}
