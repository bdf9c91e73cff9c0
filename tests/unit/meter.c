/* meter: durations as people read them, and no line where there is no terminal. */
#include <string.h>
#include <unistd.h>

#include "common/meter.h"
#include "tap.h"

static void durations(void)
{
	static const struct {
		double s;
		const char *want;
	} cases[] = {
		{ 0, "0s" }, { 0.4, "0s" }, { 44.6, "45s" }, { 59.4, "59s" }, { 59.6, "1m00s" },
		{ 185, "3m05s" }, { 3599, "59m59s" }, { 3600, "1h00m" }, { 3720, "1h02m" },
		{ 100 * 3600 + 59, "100h00m" }, { -3, "0s" },
	};
	char buf[24];
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
		OK(strcmp(meter_duration(cases[k].s, buf), cases[k].want) == 0,
		    "%g s reads %s (got %s)", cases[k].s, cases[k].want, buf);
}

static void times(void)
{
	char buf[64];
	/* a quarter done in (about) 0 s: about 0 s left; none done: no estimate */
	meter_times(now_seconds(), 0.25, buf, sizeof buf);
	OK(strcmp(buf, "0s, about 0s left") == 0, "a share done gives the time left (got %s)", buf);
	meter_times(now_seconds(), 0, buf, sizeof buf);
	OK(strcmp(buf, "0s") == 0, "none done gives the time so far only (got %s)", buf);
	meter_times(now_seconds() - 90, 1, buf, sizeof buf);
	OK(strcmp(buf, "1m30s") == 0, "all done gives the time it took (got %s)", buf);
}

int main(void)
{
	/* tests/run sends standard error to a file: progress on or not, no line is drawn */
	hcr_tool.progress = 1;
	OK(meter_on() == isatty(STDERR_FILENO), "an in-place line only where standard error "
	    "is a terminal (it is%s here)", isatty(STDERR_FILENO) ? "" : " not");
	hcr_tool.progress = 0;
	OK(!meter_on(), "and only with progress on");
	durations();
	times();
	return tap_done();
}
