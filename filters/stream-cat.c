/* stream-cat: prints hcr streams as JSON lines, one object a line. */
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "common/mpjson.h"
#include "common/stream.h"

static const char usage[] =
    "stream-cat [-l] [-H] [--full] [-n N] [--section NAME] [-o FILE] [FILE ...]\n";

enum { OPT_FULL = CLI_FIRST_TOOL_OPTION, OPT_SECTION };

struct opts {
	int list, headers, full;
	long max_records;
	const char *section;
};

static void cat_input(FILE *out, const char *path, const struct opts *o)
{
	struct hs_in *in = hs_in_open(path);
	struct hs_section sec;
	int found = 0;
	while (hs_next_section(in, &sec)) {
		const msgpack_object *rec;
		int64_t n = 0;
		int show = !o->section || strcmp(o->section, sec.name) == 0;
		found |= show;
		if (o->list) {
			/* The meta is printed before the records are read: it lives until then. */
			fprintf(out, "{\"input\":");
			mpjson_string(out, hs_in_name(in), strlen(hs_in_name(in)));
			fprintf(out, ",\"section\":");
			mpjson_string(out, sec.name, strlen(sec.name));
			fprintf(out, ",\"version\":%d,\"tool\":", sec.version);
			mpjson_string(out, sec.tool, strlen(sec.tool));
			fprintf(out, ",\"offset\":%llu,\"meta\":", (unsigned long long)sec.offset);
			mpjson_write(out, sec.meta, 0);
			while (hs_next_record(in))
				n++;
			fprintf(out, ",\"records\":%lld}\n", (long long)n);
			continue;
		}
		if (show) {
			mpjson_write(out, sec.header, o->full);
			fputc('\n', out);
		}
		while ((rec = hs_next_record(in))) {
			if (show && !o->headers && (o->max_records < 0 || n < o->max_records)) {
				mpjson_write(out, rec, o->full);
				fputc('\n', out);
			}
			n++;
		}
		if (show)
			fprintf(out, "{\"end\":\"%s\",\"records\":%lld}\n", sec.name, (long long)n);
	}
	if (o->section && !found)
		hs_missing(in, o->section, NULL);
	hs_in_close(in);
}

/* --help lists these, a line each; the man page is the full reference. */
static const struct cli_option options[] = {
	{ 'l', "list", NULL, "a line a section: input, name, tool, meta, records" },
	{ 'H', "headers", NULL, "headers and trailers only" },
	{ 'n', "records", "N", "at most N records of each section" },
	{ OPT_SECTION, "section", "NAME", "only the sections called NAME" },
	{ OPT_FULL, "full", NULL, "every value of a block, not a preview" },
	CLI_OPTION_OUTPUT,
	{ 0, NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	struct opts o = { 0, 0, 0, -1, NULL };
	const char *output = NULL;
	FILE *out;
	int c, i;

	tool_init("stream-cat", argc, argv);
	while ((c = cli_getopt(argc, argv, usage, options)) != -1) {
		switch (c) {
		case 'l': o.list = 1; break;
		case 'H': o.headers = 1; break;
		case OPT_FULL: o.full = 1; break;
		case 'n': o.max_records = opt_long("-n", optarg, 0, 1L << 62); break;
		case OPT_SECTION: o.section = optarg; break;
		case 'o': output = optarg; break;
		default: cli_usage_error(usage, "unexpected option");
		}
	}
	out = out_open(output, 0);
	setvbuf(out, NULL, _IOFBF, (size_t)1 << 16);
	if (optind == argc)
		cat_input(out, "-", &o);
	for (i = optind; i < argc; i++)
		cat_input(out, argv[i], &o);
	out_close(out);
	return HCR_EXIT_OK;
}
