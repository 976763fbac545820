/* metrics.h: the node's figures in Prometheus' text format, GPU ones under
 * the names NVIDIA's dcgm-exporter gives them, so dashboards work as they are. */
#ifndef CAIRN_METRICS_H
#define CAIRN_METRICS_H

#include <stdio.h>

#include "health/health.h"
#include "health/inventory.h"

int metrics_write(FILE *out, const struct inventory *inv, const struct health *h, const struct xid *xids,
		  size_t nxids);

#endif
