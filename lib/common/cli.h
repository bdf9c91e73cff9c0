/* cli.h: the options every tool shares (--help, --version, --progress, -j, -v). */
#ifndef HCR_CLI_H
#define HCR_CLI_H

#include <getopt.h>

#include "common/util.h"

/* Long-option codes of the shared options, outside the range of short options. */
enum { CLI_HELP = 'h', CLI_VERSION = 0x100, CLI_PROGRESS, CLI_FIRST_TOOL_OPTION = 0x200 };

#define CLI_LONG_OPTIONS                                   \
	{ "help", no_argument, 0, CLI_HELP },              \
	{ "version", no_argument, 0, CLI_VERSION },        \
	{ "progress", no_argument, 0, CLI_PROGRESS },      \
	{ "threads", required_argument, 0, 'j' },          \
	{ "verbose", no_argument, 0, 'v' }

/* One option of a tool, as --help lists it: its letter or long-only code (CLI_PROGRESS,
 * CLI_FIRST_TOOL_OPTION + n), its long name (NULL: none), its argument's name (NULL:
 * it takes none) and one line saying what it does.  A tool's table holds its own
 * options and the shared ones its man page lists (-j, -v, --progress), and ends with
 * { 0 }; --help and --version are every tool's and need no entry. */
struct cli_option {
	int code;
	const char *name;
	const char *arg;
	const char *help;
};

/* Entries that several tools' tables share word for word. */
#define CLI_OPTION_OUTPUT { 'o', "output", "FILE", "write to FILE, which appears only once complete" }
#define CLI_OPTION_NO_PROGRESS { CLI_PROGRESS, "progress", NULL, "accepted; nothing to show" }

/* getopt_long over the table and the shared options: handles the shared ones (--help
 * prints the usage, then every option of the table, a line each) and returns the
 * tool's next option, or -1 after the last. */
int cli_getopt(int argc, char **argv, const char *usage, const struct cli_option *opts);

/* Handles a shared option (help, version, progress, -j, -v, and getopt's '?' and ':'
 * errors): exits where the option asks to, returns 1 if opt was shared, else 0.
 * usage is the synopsis printed by --help and after a usage error. */
int cli_common(int opt, const char *arg, char **argv, const char *usage);
/* "tool: message" and the usage on stderr, exit HCR_EXIT_USAGE. */
HCR_NORETURN void cli_usage_error(const char *usage, const char *fmt, ...) HCR_PRINTF(2, 3);

#endif
