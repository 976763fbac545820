/* depgraph.h: the order services start in, from their `depends`. */
#ifndef CAIRN_INITD_DEPGRAPH_H
#define CAIRN_INITD_DEPGRAPH_H

#include <stddef.h>

#include "svcfile.h"

#define DEPGRAPH_MAX 128	/* services in one table */

int depgraph_order(struct svc *const svcs[], int n, int order[], int bad[],
		   char *err, size_t errsize);

#endif
