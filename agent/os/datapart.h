/* datapart.h: the data partition (/var): grown and formatted on first boot. */
#ifndef CAIRN_DATAPART_H
#define CAIRN_DATAPART_H

#include "blkdev.h"
#include "perr.h"

int data_probe(const char *dev, int *kind, struct perr *e);
int data_init(const char *sys, const char *dev, const char *label, struct perr *e);

#endif
