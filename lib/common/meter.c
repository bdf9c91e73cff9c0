/* meter.c: the progress line a terminal shows in place (meter.h). */
#include "common/meter.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int tty;                 /* standard error is a terminal */
static double interval;         /* seconds between draws (HCR_METER_INTERVAL) */
static double step_t0;          /* the first meter() of this step; 0: none yet */
static double last_draw;
static int drawn;               /* the line was drawn in this step */
static int shown;               /* it is on the screen now */
static int hidden;              /* meter_hide took it off, meter_show puts it back */
static int atexit_set;
static char text[1024];

static void around(int after)
{
	if (after)
		meter_show();
	else
		meter_hide();
}

/* Once, whichever thread asks first: ranking's workers draw too. */
static void init(void)
{
	hcr_stderr_around = around;
	const char *e = getenv("HCR_METER_INTERVAL");
	double v;
	tty = isatty(STDERR_FILENO);
	interval = 0.25;
	if (e && parse_double(e, strlen(e), &v) == 0 && v >= 0)
		interval = v;
}

int meter_on(void)
{
	pthread_once(&once, init);
	return hcr_tool.progress && tty;
}

static int columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 8)
		return ws.ws_col;
	return 80;
}

static void put(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* "\r", "tool: " and the text, cut to fit the width (whole UTF-8 characters) or whole
 * with a newline, then clear to the end of the line. */
static void draw(int final)
{
	char line[1200];
	size_t n, cut;
	int k = snprintf(line, sizeof line, "\r%s: %s", hcr_tool.name, text);
	n = k < 0 ? 0 : (size_t)k < sizeof line ? (size_t)k : sizeof line - 1;
	if (!final) {
		/* the terminal's last column would wrap; "\r" does not count */
		cut = (size_t)columns();
		if (n > cut) {
			while (cut > 1 && ((unsigned char)line[cut] & 0xc0) == 0x80)
				cut--;
			n = cut;
		}
	}
	line[n] = '\0';
	put(line, n);
	put(final ? "\033[K\n" : "\033[K", final ? 4 : 3);
}

static void erase(void)
{
	put("\r\033[K", 4);
}

static void at_exit(void)
{
	pthread_mutex_lock(&lock);
	if (shown)
		erase();
	shown = 0;
	pthread_mutex_unlock(&lock);
}

/* The text of a line: control bytes (from file names, say) would drive the terminal. */
static void set_text(const char *fmt, va_list ap)
{
	char *p;
	vsnprintf(text, sizeof text, fmt, ap);
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

void meter(const char *fmt, ...)
{
	va_list ap;
	double now;
	if (!meter_on())
		return;
	now = now_seconds();
	pthread_mutex_lock(&lock);
	if (step_t0 == 0)
		step_t0 = now;
	/* not yet due, or hidden while a message prints */
	if (now - (drawn ? last_draw : step_t0) < interval || hidden)
		goto out;
	va_start(ap, fmt);
	set_text(fmt, ap);
	va_end(ap);
	draw(0);
	last_draw = now;
	drawn = shown = 1;
	hidden = 0;
	if (!atexit_set) {
		atexit(at_exit);
		atexit_set = 1;
	}
out:
	pthread_mutex_unlock(&lock);
}

/* The step is over: its line, if shown, becomes final (with a newline) or goes. */
static void end_step(const char *fmt, va_list *ap)
{
	pthread_mutex_lock(&lock);
	if (drawn && fmt) {
		set_text(fmt, *ap);
		draw(1);
	} else if (shown) {
		erase();
	}
	step_t0 = 0;
	drawn = shown = hidden = 0;
	pthread_mutex_unlock(&lock);
}

void meter_end(const char *fmt, ...)
{
	va_list ap;
	if (!meter_on())
		return;
	va_start(ap, fmt);
	end_step(fmt, &ap);
	va_end(ap);
}

void meter_clear(void)
{
	if (meter_on())
		end_step(NULL, NULL);
}

void meter_hide(void)
{
	if (!meter_on())
		return;
	pthread_mutex_lock(&lock);
	if (shown) {
		erase();
		shown = 0;
		hidden = 1;
	}
	pthread_mutex_unlock(&lock);
}

void meter_show(void)
{
	if (!meter_on())
		return;
	pthread_mutex_lock(&lock);
	if (hidden) {
		draw(0);
		shown = 1;
		hidden = 0;
	}
	pthread_mutex_unlock(&lock);
}

const char *meter_duration(double seconds, char buf[24])
{
	long s = seconds > 0 && seconds < 1e9 ? (long)(seconds + 0.5) : 0;
	if (s < 60)
		snprintf(buf, 24, "%lds", s);
	else if (s < 3600)
		snprintf(buf, 24, "%ldm%02lds", s / 60, s % 60);
	else
		snprintf(buf, 24, "%ldh%02ldm", s / 3600, s % 3600 / 60);
	return buf;
}

const char *meter_times(double t0, double share, char *buf, size_t size)
{
	double spent = now_seconds() - t0;
	char a[24], b[24];
	if (share > 0 && share < 1)
		snprintf(buf, size, "%s, about %s left", meter_duration(spent, a),
		    meter_duration(spent * (1 - share) / share, b));
	else
		snprintf(buf, size, "%s", meter_duration(spent, a));
	return buf;
}

void epoch_meter_start(struct epoch_meter *em, int epochs, int patience)
{
	memset(em, 0, sizeof *em);
	em->t0 = em->epoch_t0 = now_seconds();
	em->epochs = epochs;
	em->patience = patience;
}

void epoch_meter(struct epoch_meter *em, int epoch, int64_t batch, int64_t batches,
    double best, int best_epoch, int since_best)
{
	double now, per_epoch, rest, share;
	int after_hi, after_lo;
	char spent[24], lo[24], hi[24], left[64], best_s[64] = "", batch_s[48];
	if (!meter_on())
		return;
	now = now_seconds();
	if (epoch < em->epoch)            /* a second stage starts again from epoch 1 */
		em->t0 = now;
	if (epoch != em->epoch) {
		em->epoch = epoch;
		em->epoch_t0 = now;
	}
	share = batches > 0 ? (double)batch / (double)batches : 1;
	/* an epoch's time: the mean of those done (validation included), or in the first
	 * epoch what its batches so far foretell */
	if (epoch > 1)
		per_epoch = (em->epoch_t0 - em->t0) / (epoch - 1);
	else
		per_epoch = share > 0 ? (now - em->t0) / share : 0;
	rest = per_epoch * (1 - share);
	if (rest < 0)
		rest = 0;
	/* after this epoch: at most up to the limit; at least until patience would stop a
	 * training that gains no more */
	after_hi = em->epochs - epoch;
	after_lo = em->patience - since_best - 1;
	if (after_lo < 0)
		after_lo = 0;
	if (after_lo > after_hi)
		after_lo = after_hi;
	meter_duration(rest + after_lo * per_epoch, lo);
	meter_duration(rest + after_hi * per_epoch, hi);
	if (strcmp(lo, hi) == 0)
		snprintf(left, sizeof left, "left about %s", hi);
	else
		snprintf(left, sizeof left, "left %s-%s", lo, hi);
	if (best_epoch > 0)
		snprintf(best_s, sizeof best_s, ", best %.4f at %d", best, best_epoch);
	if (batch >= batches)
		snprintf(batch_s, sizeof batch_s, "validating");
	else
		snprintf(batch_s, sizeof batch_s, "batch %lld/%lld", (long long)batch,
		    (long long)batches);
	meter("epoch %d of at most %d, %s, %s, %s%s", epoch, em->epochs, batch_s,
	    meter_duration(now - em->t0, spent), left, best_s);
}
