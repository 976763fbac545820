/* nvnodes.h: the NVIDIA driver's device nodes, made after it loads (no
 * uevent creates them; doc/nvidia.md). */
#ifndef CAIRN_NVNODES_H
#define CAIRN_NVNODES_H

#include <stddef.h>

#include "perr.h"

/* The driver's fixed numbers: every /dev/nvidiaN, nvidiactl and
 * nvidia-modeset share major 195 (NV_MAJOR_DEVICE_NUMBER). */
#define NV_CTL_MINOR 255
#define NV_MODESET_MINOR 254
#define NV_NODE_MODE 0666

struct nvnodes_report {
	int made;		/* nodes created or replaced */
	int kept;		/* nodes already right */
	int uvm;		/* nvidia-uvm loaded: its two nodes handled */
	int caps;		/* nvidia-caps nodes handled */
	int gpus;		/* GPUs given a node */
};

int procdevices_major(const char *buf, size_t len, const char *name);
int nvcap_parse(const char *buf, size_t len, unsigned *minor, unsigned *mode);
int nvnodes_make(const char *root, struct nvnodes_report *r, struct perr *e);

#endif
