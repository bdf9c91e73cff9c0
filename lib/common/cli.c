/* cli.c: shared option handling, so every tool answers --help, --version and bad
 * options the same way. */
#include "common/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
