/* lists.h: comma-separated lists on the command line ("50,100", "hcr,hcr-t", "e,c"),
 * split by one parser for every tool. */
#ifndef HCR_LISTS_H
#define HCR_LISTS_H

/* Splits s in place at its commas into items[0 .. n) and returns n; empty items are
 * kept (each caller says what one means).  More than max items: returns -1, with the
 * first max in items. */
int list_split(char *s, char **items, int max);
/* Is name an item of the comma-separated list? */
int list_has(const char *list, const char *name);

#endif
