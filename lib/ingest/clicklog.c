/* clicklog.c: the click columns, grown by doubling (realloc of large blocks remaps
 * pages, so the spare capacity costs address space, not memory). */
#include "ingest/clicklog.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void clicklog_init(struct clicklog *log)
{
	memset(log, 0, sizeof *log);
	vocab_init(&log->users);
	vocab_init(&log->items);
}

void clicklog_drop_clicks(struct clicklog *log)
{
	free(log->user);
	free(log->item);
	free(log->time);
	free(log->flag);
	free(log->grade);
	free(log->part);
	log->user = log->item = NULL;
	log->time = log->grade = NULL;
	log->flag = log->part = NULL;
	log->n = log->cap = 0;
}

void clicklog_free(struct clicklog *log)
{
	vocab_free(&log->users);
	vocab_free(&log->items);
	clicklog_drop_clicks(log);
	clicklog_init(log);
}

void clicklog_keep(struct clicklog *log)
{
	if (log->grade)
		return;
	log->grade = xcalloc((size_t)log->cap + 1, sizeof *log->grade);
	log->part = xcalloc((size_t)log->cap + 1, 1);
}

void clicklog_add(struct clicklog *log, int32_t user, int32_t item, double time, int flag)
{
	if (log->n == log->cap) {
		size_t c = log->cap ? (size_t)log->cap * 2 : 4096;
		log->user = xreallocarray(log->user, c, sizeof *log->user);
		log->item = xreallocarray(log->item, c, sizeof *log->item);
		log->time = xreallocarray(log->time, c, sizeof *log->time);
		log->flag = xreallocarray(log->flag, c, sizeof *log->flag);
		if (log->grade) {
			log->grade = xreallocarray(log->grade, c, sizeof *log->grade);
			log->part = xreallocarray(log->part, c, 1);
		}
		log->cap = (int64_t)c;
	}
	if (log->grade) {
		log->grade[log->n] = 0;
		log->part[log->n] = 0;
	}
	log->user[log->n] = user;
	log->item[log->n] = item;
	/* + 0.0 turns -0 into 0, so that the two sort as the equal times they are */
	log->time[log->n] = time + 0.0;
	log->flag[log->n] = (uint8_t)flag;
	log->n++;
}
