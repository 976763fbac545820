/* health.h: the node's local health checks, in the spirit of LBNL NHC
 * (doc/cairn-agent.md): what a scheduler should know before it sends work. */
#ifndef CAIRN_HEALTH_H
#define CAIRN_HEALTH_H

#include <stddef.h>

#include "gpu.h"
#include "conf/nodeconf.h"
#include "nvsmi.h"

#define HEALTH_MAX 16
#define XID_MAX 64

struct xid {
	char pci[16];		/* 0000:1b:00, as the driver prints it */
	unsigned code;
};

struct health_check {
	char name[24];
	int ok;			/* 1 ok, 0 failed, -1 not checked */
	char detail[256];
};

struct health_opts {
	const char *root;		/* /proc, /sys and the paths under it */
	const struct nodeconf *conf;	/* expected GPUs, time servers */
	const char *kmsg;		/* the kernel log as text; NULL: read it */
	size_t kmsg_len;
	const char *const *disks;	/* mount points to check, NULL-ended */
	unsigned min_free_pct;		/* below this much free space: failed */
	const char *containerd_sock;	/* NULL: not checked */
	int time_synced;		/* -1: ask the kernel (adjtimex) */
	long long boot_now;		/* seconds on the boot clock; 0: read it */
	const char *nvidia_smi;		/* NULL: GPU memory not checked */
	const char *drain_file;		/* an operator's drain (API), its reason; NULL: not checked */
	const char *hold_file;		/* an OS rollback not yet acknowledged; NULL: not checked */
};

struct health {
	struct health_check checks[HEALTH_MAX];
	int n;
	int healthy;
	struct gpu_live live[GPU_MAX];	/* nvidia-smi's figures, read once for the checks */
	int nlive;			/* -1: none read */
	char live_err[256];		/* why not */
};

int xid_scan(const char *log, size_t len, struct xid *out, size_t max, size_t *n);
int health_run(const struct health_opts *o, struct health *h);
int kernel_log(char **buf, size_t *len);

#endif
