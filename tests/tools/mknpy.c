/* mknpy: writes a .npy file for the tests, well-formed or not.
 *   mknpy PATH VERSION DESCR SHAPE [VALUE ...]
 *       the header numpy would write ({'descr': DESCR, 'fortran_order': False,
 *       'shape': SHAPE, }), then the values as float64 if DESCR is '<f8', else float32
 *       (little-endian; nan and inf are accepted)
 *   mknpy -H HEADER PATH VERSION DESCR [VALUE ...]
 *       the same with HEADER written verbatim as the header dict
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void le(FILE *fp, unsigned long long v, int n)
{
	int i;
	for (i = 0; i < n; i++)
		fputc((int)(v >> (8 * i) & 0xff), fp);
}

int main(int argc, char **argv)
{
	char header[4096];
	const char *raw = NULL;
	size_t hlen, pre, total;
	int a = 1, version, f8, i;
	FILE *fp;

	if (argc > 2 && strcmp(argv[1], "-H") == 0) {
		raw = argv[2];
		a = 3;
	}
	if (argc - a < (raw ? 3 : 4)) {
		fprintf(stderr, "usage: mknpy [-H HEADER] PATH VERSION DESCR [SHAPE] [VALUE ...]\n");
		return 2;
	}
	version = atoi(argv[a + 1]);
	f8 = strcmp(argv[a + 2], "<f8") == 0;
	if (raw)
		snprintf(header, sizeof header, "%s", raw);
	else
		snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, "
		    "'shape': %s, }", argv[a + 2], argv[a + 3]);
	/* numpy pads the header with spaces and a newline to a multiple of 64 bytes */
	pre = version == 1 ? 10 : 12;
	hlen = strlen(header);
	total = (pre + hlen + 1 + 63) / 64 * 64;
	while (pre + hlen + 1 < total)
		header[hlen++] = ' ';
	header[hlen++] = '\n';
	header[hlen] = '\0';
	fp = fopen(argv[a], "wb");
	if (!fp) {
		perror(argv[a]);
		return 1;
	}
	fwrite("\x93NUMPY", 1, 6, fp);
	fputc(version, fp);
	fputc(0, fp);
	le(fp, hlen, version == 1 ? 2 : 4);
	fwrite(header, 1, hlen, fp);
	for (i = a + (raw ? 3 : 4); i < argc; i++) {
		double d = strtod(argv[i], NULL);
		unsigned long long u;
		if (f8) {
			memcpy(&u, &d, 8);
			le(fp, u, 8);
		} else {
			float f = (float)d;
			unsigned int w;
			memcpy(&w, &f, 4);
			le(fp, w, 4);
		}
	}
	return fclose(fp) == 0 ? 0 : 1;
}
