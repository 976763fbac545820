/* inventory.h: what a node is made of, from /proc and /sys under a root
 * (the real one, or a test's fake tree). */
#ifndef CAIRN_INVENTORY_H
#define CAIRN_INVENTORY_H

#include <stddef.h>

#include "gpu.h"
#include "perr.h"
#include "wdt.h"

#define INV_DISK_MAX 64
#define INV_NIC_MAX 64
#define INV_CPUS_MAX 8192	/* the kernel's NR_CPUS for MAXSMP */

struct inv_cpu {
	char model[128];
	unsigned sockets, cores, threads, numa_nodes;
};

struct inv_disk {
	char name[32];
	unsigned long long bytes;
	int rotational;			/* -1 unknown */
	char model[64];
};

struct inv_nic {
	char name[16];
	char mac[18];
	char state[16];			/* operstate: up, down, unknown... */
	int speed_mbps;			/* -1 unknown (no link, or not reported) */
	char pci[32];			/* "" when not a PCI device */
	int virtual;			/* no device behind it: bridge, veth, bond, VLAN */
	char master[16];		/* the bond or bridge it is enslaved to, or "" */
	int stacked;			/* a bond, VLAN or bridge: built on other interfaces */
};

struct inv_gpu {
	struct gpu g;
	int numa_node;			/* -1 unknown */
};

struct inventory {
	struct inv_cpu cpu;
	unsigned long long mem_kb;
	struct inv_disk disks[INV_DISK_MAX];
	int ndisks;
	struct inv_nic nics[INV_NIC_MAX];
	int nnics;
	struct inv_gpu gpus[GPU_MAX];
	int ngpus;
	char nvidia_driver[GPU_VERSION_MAX];	/* "" without the driver */
	struct wdt watchdogs[WDT_MAX];		/* best first */
	int nwatchdogs;
	struct wdt_armed watchdog;		/* initd's record; dev "" when none */
};

int cpuinfo_parse(const char *buf, size_t len, struct inv_cpu *cpu);
int meminfo_total(const char *buf, size_t len, unsigned long long *kb);
int nics_read(const char *root, struct inv_nic *nics, int max, int all);
int inventory_read(const char *root, struct inventory *inv, struct perr *e);

struct json_t;
struct gpu_live;
struct json_t *inventory_json(const struct inventory *inv);
void inventory_add_live(struct json_t *o, const struct gpu_live *live, int n);

#endif
