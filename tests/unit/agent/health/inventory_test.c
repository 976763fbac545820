/* inventory_test.c: the node inventory against fake /proc and /sys trees:
 * a two-socket server with hyper-threads, NUMA, NVMe and a loop device,
 * two NICs (one without link) beside lo and a bridge, two GPUs on two NUMA
 * nodes; a VM without topology; odd and missing values. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "faketree.h"
#include "health/inventory.h"

#include <jansson.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	tree_put(root, rel, text);
}

static void link_at(const char *target, const char *rel)
{
	CHECK(tree_link(root, target, rel) == 0);
}

/* cpuinfo of SOCKETS x CORES x 2 threads. */
static void cpuinfo(int sockets, int cores)
{
	static char text[65536];
	size_t n = 0;
	int s, c, t, cpu = 0;

	for (t = 0; t < 2; t++)
		for (s = 0; s < sockets; s++)
			for (c = 0; c < cores; c++)
				n += (size_t)snprintf(text + n, sizeof(text) - n,
					"processor\t: %d\nvendor_id\t: GenuineIntel\n"
					"model name\t: Intel(R) Xeon(R) Platinum 8480+\nphysical id\t: %d\n"
					"siblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\nflags\t\t: fpu vme\n\n",
					cpu++, s, cores * 2, c * 2, cores);
	put("proc/cpuinfo", text);
}

static void server(void)
{
	tree_new(root, sizeof(root), "inventory_test");
	cpuinfo(2, 4);
	put("proc/meminfo", "MemTotal:       2113567104 kB\nMemFree:        2000000000 kB\n");
	put("sys/devices/system/node/node0/cpulist", "0-7\n");
	put("sys/devices/system/node/node1/cpulist", "8-15\n");
	put("sys/devices/system/node/possible", "0-1\n");
	put("sys/block/nvme0n1/size", "7501476528\n");
	put("sys/block/nvme0n1/queue/rotational", "0\n");
	put("sys/block/nvme0n1/device/model", "SAMSUNG MZQL27T6HBLA-00A07    \n");
	put("sys/block/loop0/size", "1024\n");
	put("sys/block/sda/size", "not a number\n");	/* left out */
	put("sys/devices/pci0000:00/0000:17:00.0/net/ens1f0np0/address", "b8:3f:d2:12:34:56\n");
	put("sys/class/net/.keep", "");
	link_at("../../devices/pci0000:00/0000:17:00.0/net/ens1f0np0", "sys/class/net/ens1f0np0");
	link_at("../../../0000:17:00.0", "sys/devices/pci0000:00/0000:17:00.0/net/ens1f0np0/device");
	put("sys/devices/pci0000:00/0000:17:00.0/net/ens1f0np0/operstate", "up\n");
	put("sys/devices/pci0000:00/0000:17:00.0/net/ens1f0np0/speed", "200000\n");
	put("sys/devices/pci0000:00/0000:17:00.1/net/ens1f1np1/address", "b8:3f:d2:12:34:57\n");
	link_at("../../devices/pci0000:00/0000:17:00.1/net/ens1f1np1", "sys/class/net/ens1f1np1");
	link_at("../../../0000:17:00.1", "sys/devices/pci0000:00/0000:17:00.1/net/ens1f1np1/device");
	put("sys/devices/pci0000:00/0000:17:00.1/net/ens1f1np1/operstate", "down\n");
	put("sys/devices/pci0000:00/0000:17:00.1/net/ens1f1np1/speed", "-1\n");	/* no link */
	put("sys/devices/virtual/net/lo/address", "00:00:00:00:00:00\n");
	link_at("../../devices/virtual/net/lo", "sys/class/net/lo");
	put("sys/devices/virtual/net/cairn0/address", "aa:bb:cc:dd:ee:ff\n");
	link_at("../../devices/virtual/net/cairn0", "sys/class/net/cairn0");	/* a bridge: no device */
	put("sys/bus/pci/devices/0000:1b:00.0/vendor", "0x10de\n");
	put("sys/bus/pci/devices/0000:1b:00.0/class", "0x030200\n");
	put("sys/bus/pci/devices/0000:1b:00.0/numa_node", "0\n");
	put("sys/bus/pci/devices/0000:9a:00.0/vendor", "0x10de\n");
	put("sys/bus/pci/devices/0000:9a:00.0/class", "0x030200\n");
	put("sys/bus/pci/devices/0000:9a:00.0/numa_node", "-1\n");	/* firmware gave none */
	put("proc/driver/nvidia/gpus/0000:1b:00.0/information",
	    "Model: \t\t NVIDIA H100 80GB HBM3\nGPU UUID: \t GPU-11111111-2222-3333-4444-555555555555\nDevice Minor: \t 0\n");
	put("proc/driver/nvidia/gpus/0000:9a:00.0/information",
	    "Model: \t\t NVIDIA H100 80GB HBM3\nGPU UUID: \t GPU-66666666-2222-3333-4444-555555555555\nDevice Minor: \t 1\n");
	put("proc/driver/nvidia/version",
	    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.163.01  Release Build\n");
	/* The BMC's watchdog on the plain node, armed by initd; the chipset's. */
	put("sys/devices/virtual/misc/watchdog/dev", "10:130\n");
	link_at("../../devices/virtual/misc/watchdog", "sys/class/misc/watchdog");
	put("sys/module/ipmi_watchdog/parameters/timeout", "60\n");
	put("sys/devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1/dev", "247:1\n");
	link_at("../../devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1", "sys/class/watchdog/watchdog1");
	link_at("../../../iTCO_wdt.0.auto", "sys/devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1/device");
	put("sys/bus/platform/drivers/iTCO_wdt/bind", "");
	link_at("../../../bus/platform/drivers/iTCO_wdt", "sys/devices/platform/iTCO_wdt.0.auto/driver");
	put("sys/devices/platform/iTCO_wdt.0.auto/watchdog/watchdog1/identity", "iTCO_wdt\n");
	put("run/initd.watchdog", "device = /dev/watchdog\nidentity = IPMI\ntimeout = 60\nchosen = auto\n");
}

static void test_server(void)
{
	static struct inventory inv;
	struct perr e;
	json_t *o;
	char *text;

	server();
	CHECK(inventory_read(root, &inv, &e) == 0);
	CHECK(strcmp(inv.cpu.model, "Intel(R) Xeon(R) Platinum 8480+") == 0);
	CHECK(inv.cpu.sockets == 2 && inv.cpu.cores == 8 && inv.cpu.threads == 16);
	CHECK(inv.cpu.numa_nodes == 2);
	CHECK(inv.mem_kb == 2113567104ULL);
	CHECK(inv.ndisks == 1 && strcmp(inv.disks[0].name, "nvme0n1") == 0);
	CHECK(inv.disks[0].bytes == 7501476528ULL * 512 && inv.disks[0].rotational == 0);
	CHECK(strcmp(inv.disks[0].model, "SAMSUNG MZQL27T6HBLA-00A07") == 0);
	CHECK(inv.nnics == 2);
	CHECK(strcmp(inv.nics[0].name, "ens1f0np0") == 0 && inv.nics[0].speed_mbps == 200000);
	CHECK(strcmp(inv.nics[0].pci, "0000:17:00.0") == 0 && strcmp(inv.nics[0].state, "up") == 0);
	CHECK(strcmp(inv.nics[0].mac, "b8:3f:d2:12:34:56") == 0);
	CHECK(inv.nics[1].speed_mbps == -1 && strcmp(inv.nics[1].state, "down") == 0);
	CHECK(inv.ngpus == 2 && inv.gpus[0].numa_node == 0 && inv.gpus[1].numa_node == -1);
	CHECK(strcmp(inv.gpus[1].g.uuid, "GPU-66666666-2222-3333-4444-555555555555") == 0);
	CHECK(strcmp(inv.nvidia_driver, "550.163.01") == 0);
	o = inventory_json(&inv);
	CHECK(o != NULL);
	text = json_dumps(o, JSON_COMPACT);
	CHECK(text != NULL && strstr(text, "\"speed_mbps\":null") != NULL);
	CHECK(strstr(text, "\"numa_node\":null") != NULL && strstr(text, "\"sockets\":2") != NULL);
	CHECK(strstr(text, "\"watchdog\":{\"armed\":{\"device\":\"/dev/watchdog\",\"identity\":\"IPMI\","
			   "\"timeout_s\":60,\"chosen\":\"auto\"},\"found\":[{\"device\":\"/dev/watchdog\","
			   "\"driver\":\"ipmi_watchdog\",\"identity\":null,\"kind\":\"bmc\"},"
			   "{\"device\":\"/dev/watchdog1\",\"driver\":\"iTCO_wdt\",\"identity\":\"iTCO_wdt\","
			   "\"kind\":\"hardware\"}]}") != NULL);
	free(text);
	json_decref(o);
	check_rmtree(root);
}

static void test_vm_and_odd(void)
{
	static struct inventory inv;
	struct inv_cpu cpu;
	struct perr e;
	unsigned long long kb;
	static const char vm[] = "processor\t: 0\nmodel name\t: QEMU Virtual CPU\n\nprocessor\t: 1\nmodel name\t: QEMU Virtual CPU";

	/* No topology lines, no final newline. */
	CHECK(cpuinfo_parse(vm, strlen(vm), &cpu) == 0);
	CHECK(cpu.threads == 2 && cpu.sockets == 1 && cpu.cores == 2);
	CHECK(cpuinfo_parse("", 0, &cpu) == -ENODATA);
	CHECK(cpuinfo_parse("processor : x\n", 14, &cpu) == -EINVAL);
	CHECK(cpuinfo_parse("processor : 0\nphysical id : 99999\n", 35, &cpu) == -EINVAL);
	CHECK(meminfo_total("MemTotal: 1024 kB\n", 18, &kb) == 0 && kb == 1024);
	CHECK(meminfo_total("MemTotal: 1024 MB\n", 18, &kb) == -EINVAL);
	CHECK(meminfo_total("MemFree: 1 kB\n", 14, &kb) == -ENODATA);

	tree_new(root, sizeof(root), "inventory_test");
	CHECK(inventory_read(root, &inv, &e) < 0 && strstr(e.msg, "/proc/cpuinfo") != NULL);
	put("proc/cpuinfo", vm);
	CHECK(inventory_read(root, &inv, &e) < 0 && strstr(e.msg, "/proc/meminfo") != NULL);
	put("proc/meminfo", "MemTotal: 1048576 kB\n");
	/* Nothing else there: no disks, NICs or GPUs, one NUMA node. */
	CHECK(inventory_read(root, &inv, &e) == 0);
	CHECK(inv.ndisks == 0 && inv.nnics == 0 && inv.ngpus == 0 && inv.cpu.numa_nodes == 1);
	CHECK(inv.nvidia_driver[0] == '\0');
	check_rmtree(root);
}

int main(void)
{
	RUN(test_server);
	RUN(test_vm_and_odd);
	return CHECK_DONE();
}
