/* methods.h: the table of training methods (table.c), by name. */
#ifndef HCR_METHODS_H
#define HCR_METHODS_H

#include "train/method.h"

/* Every method, in the order of train-mtl(1); NULL ends them. */
extern const struct method *const methods_table[];

const struct method *method_find(const char *name);
/* "hcr, hcr-ns, ct, ..." for messages. */
const char *method_names(void);

#endif
