/* cli.c: shared option handling, so every tool answers --help, --version and bad
 * options the same way. */
#include "common/cli.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CLI_MAX_OPTIONS = 64, CLI_HELP_COLUMN = 30 };

void cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", hcr_tool.name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s", usage);
	if (usage[0] && usage[strlen(usage) - 1] != '\n')
		fputc('\n', stderr);
	exit(HCR_EXIT_USAGE);
}

int cli_common(int opt, const char *arg, char **argv, const char *usage)
{
	switch (opt) {
	case CLI_HELP:
		printf("usage: %s", usage);
		if (usage[0] && usage[strlen(usage) - 1] != '\n')
			putchar('\n');
		printf("See %s(1).\n", hcr_tool.name);
		if (fflush(stdout) != 0)
			die_write("standard output", 0);
		exit(HCR_EXIT_OK);
	case CLI_VERSION:
		printf("%s (hcr) %s\n", hcr_tool.name, HCR_VERSION);
		if (fflush(stdout) != 0)
			die_write("standard output", 0);
		exit(HCR_EXIT_OK);
	case CLI_PROGRESS:
		hcr_tool.progress = 1;
		return 1;
	case 'j':
		tool_set_threads((int)opt_long("-j", arg, 1, 256));
		return 1;
	case 'v':
		hcr_tool.verbose = 1;
		return 1;
	case ':':
		cli_usage_error(usage, "option %s needs an argument", argv[optind - 1]);
	case '?':
		if (optopt && optopt < 0x100)
			cli_usage_error(usage, "unknown option -%c", optopt);
		cli_usage_error(usage, "unknown option %s", argv[optind - 1]);
	}
	return 0;
}

static int is_shared(int code)
{
	return code == CLI_HELP || code == CLI_VERSION || code == CLI_PROGRESS || code == 'j' ||
	    code == 'v';
}

static int is_letter(int code)
{
	return code > 0 && code < 0x100 && isalnum(code);
}

/* "  -k, --kind click|like", "  -k K", "      --baseline LABEL": the option's column. */
static int option_spec(const struct cli_option *o, char *buf, size_t size)
{
	int n;
	if (is_letter(o->code) && o->name)
		n = snprintf(buf, size, "  -%c, --%s", o->code, o->name);
	else if (is_letter(o->code))
		n = snprintf(buf, size, "  -%c", o->code);
	else
		n = snprintf(buf, size, "      --%s", o->name ? o->name : "?");
	if (o->arg && n >= 0 && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, " %s", o->arg);
	return n < 0 ? 0 : n;
}

/* The usage, then a line an option as GNU tools print them: the option in a column,
 * what it does beside it, or below it when the option is wider than the column. */
static void print_help(const char *usage, const struct cli_option *opts)
{
	static const struct cli_option always[] = {
		{ CLI_HELP, "help", NULL, "print this help and exit" },
		{ CLI_VERSION, "version", NULL, "print the version and exit" },
		{ 0, NULL, NULL, NULL },
	};
	const struct cli_option *tables[2] = { opts, always };
	char spec[256];
	int width = 0, pass, t, k;
	printf("usage: %s", usage);
	if (usage[0] && usage[strlen(usage) - 1] != '\n')
		putchar('\n');
	putchar('\n');
	for (pass = 0; pass < 2; pass++)
		for (t = 0; t < 2; t++)
			for (k = 0; tables[t][k].code; k++) {
				const struct cli_option *o = &tables[t][k];
				int n = option_spec(o, spec, sizeof spec);
				if (pass == 0)
					width = n > width && n <= CLI_HELP_COLUMN ? n : width;
				else if (n > width)
					printf("%s\n%*s%s\n", spec, width + 2, "", o->help);
				else
					printf("%-*s  %s\n", width, spec, o->help);
			}
	printf("\nEvery option in full: %s(1).\n", hcr_tool.name);
}

/* getopt_long's tables from the tool's: the shared options, then its own. */
static void build(const struct cli_option *opts, struct option *longs, char *shorts)
{
	static const struct option shared[] = { CLI_LONG_OPTIONS };
	size_t nl = 0, ns = 0, k;
	for (k = 0; k < sizeof shared / sizeof shared[0]; k++)
		longs[nl++] = shared[k];
	ns += (size_t)sprintf(shorts, ":hj:v");
	for (k = 0; opts[k].code; k++) {
		const struct cli_option *o = &opts[k];
		if (is_shared(o->code))
			continue;
		if (nl == CLI_MAX_OPTIONS)
			die(HCR_EXIT_FAIL, "internal: more than %d options", CLI_MAX_OPTIONS);
		if (o->name)
			longs[nl++] = (struct option){ o->name, o->arg ? required_argument :
			    no_argument, NULL, o->code };
		if (is_letter(o->code)) {
			shorts[ns++] = (char)o->code;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
}

int cli_getopt(int argc, char **argv, const char *usage, const struct cli_option *opts)
{
	static const struct cli_option *built;
	static struct option longs[CLI_MAX_OPTIONS + 1];
	static char shorts[2 * CLI_MAX_OPTIONS + 8];
	int c;
	if (built != opts) {
		build(opts, longs, shorts);
		built = opts;
	}
	while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
		if (c == CLI_HELP) {
			print_help(usage, opts);
			if (fflush(stdout) != 0)
				die_write("standard output", 0);
			exit(HCR_EXIT_OK);
		}
		if (!cli_common(c, optarg, argv, usage))
			return c;
	}
	return -1;
}
