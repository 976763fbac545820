/* inventory.c: CPUs, memory, disks, NICs and GPUs from /proc and /sys.
 * Every file is read bounded, and an odd value is left unknown rather
 * than guessed. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "gpu.h"
#include "health/inventory.h"
#include "nvsmi.h"
#include "text.h"

#include <jansson.h>

/* field: the value of "KEY<blanks>: VALUE" on the line [p, nl), or NULL. */
static const char *field(const char *p, const char *nl, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *q;

	if ((size_t)(nl - p) <= klen || memcmp(p, key, klen) != 0)
		return NULL;
	for (q = p + klen; q < nl && (*q == ' ' || *q == '\t'); q++)
		;
	if (q == nl || *q != ':')
		return NULL;
	for (q++; q < nl && (*q == ' ' || *q == '\t'); q++)
		;
	*vlen = (size_t)(nl - q);
	return q;
}

static int num(const char *v, size_t n, unsigned long long max, unsigned long long *out)
{
	char tmp[24];

	if (n == 0 || n >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, v, n);
	tmp[n] = '\0';
	return text_uint(text_trim(tmp), max, out);
}

struct topo {
	unsigned long long pairs[INV_CPUS_MAX];
	unsigned npairs;
	unsigned long long sockets[64];	/* bit sets of physical ids 0..4095 */
	int seen;
};

/* block_end: one processor's physical id and core id counted. */
static void block_end(struct topo *t, unsigned long long *phys, unsigned long long *core)
{
	unsigned long long key;
	unsigned i;

	if (*phys != ULLONG_MAX && *core != ULLONG_MAX) {
		key = *phys << 32 | *core;
		for (i = 0; i < t->npairs && t->pairs[i] != key; i++)
			;
		if (i == t->npairs && t->npairs < INV_CPUS_MAX)
			t->pairs[t->npairs++] = key;
		t->sockets[*phys / 64] |= 1ULL << (*phys % 64);
		t->seen = 1;
	}
	*phys = *core = ULLONG_MAX;
}

/*
 * cpuinfo_parse: model, sockets (distinct physical ids), cores (distinct
 * physical id and core id pairs) and threads (processor entries) from
 * /proc/cpuinfo.  A kernel that gives no topology (no physical id, as in
 * some VMs) counts one socket and one core per thread.
 */
int cpuinfo_parse(const char *buf, size_t len, struct inv_cpu *cpu)
{
	static struct topo t;
	unsigned long long phys = ULLONG_MAX, core = ULLONG_MAX, v;
	const char *p = buf, *end = buf + len, *nl, *val;
	size_t vlen, i;

	memset(cpu, 0, sizeof(*cpu));
	memset(&t, 0, sizeof(t));
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if (nl == p) {
			block_end(&t, &phys, &core);	/* a blank line ends a processor */
		} else if ((val = field(p, nl, "processor", &vlen)) != NULL) {
			if (num(val, vlen, INV_CPUS_MAX - 1, &v) < 0)
				return -EINVAL;
			cpu->threads++;
		} else if ((val = field(p, nl, "physical id", &vlen)) != NULL) {
			if (num(val, vlen, 64 * 64 - 1, &phys) < 0)
				return -EINVAL;
		} else if ((val = field(p, nl, "core id", &vlen)) != NULL) {
			if (num(val, vlen, 0xffffffffULL, &core) < 0)
				return -EINVAL;
		} else if (cpu->model[0] == '\0' && (val = field(p, nl, "model name", &vlen)) != NULL) {
			if (vlen >= sizeof(cpu->model))
				vlen = sizeof(cpu->model) - 1;
			for (i = 0; i < vlen; i++) {
				unsigned char ch = (unsigned char)val[i];

				if (ch < 0x20 || ch > 0x7e)
					cpu->model[i] = '?';
				else
					cpu->model[i] = val[i];
			}
			cpu->model[vlen] = '\0';
		}
		p = nl + 1;
	}
	block_end(&t, &phys, &core);
	if (cpu->threads == 0)
		return -ENODATA;
	if (t.seen) {
		for (i = 0; i < 64; i++)
			cpu->sockets += (unsigned)__builtin_popcountll(t.sockets[i]);
		cpu->cores = t.npairs;
	} else {
		cpu->sockets = 1;
		cpu->cores = cpu->threads;
	}
	return 0;
}

/* meminfo_total: MemTotal in kB from /proc/meminfo. */
int meminfo_total(const char *buf, size_t len, unsigned long long *kb)
{
	const char *p = buf, *end = buf + len, *nl, *val;
	size_t vlen;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((val = field(p, nl, "MemTotal", &vlen)) != NULL) {
			if (vlen < 4 || memcmp(val + vlen - 3, " kB", 3) != 0)
				return -EINVAL;
			return num(val, vlen - 3, 1ULL << 50, kb);
		}
		p = nl + 1;
	}
	return -ENODATA;
}

/* attr: ROOT/DIR/NAME/ATTR's first line, trimmed, into OUT; <0 when missing. */
static int attr(const char *root, const char *dir, const char *name, const char *a, char *out, size_t size)
{
	char path[PATH_MAX];
	char *t;
	int rc;

	if (snprintf(path, sizeof(path), "%s%s/%s/%s", root, dir, name, a) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = file_read(path, out, size, NULL);
	if (rc < 0)
		return rc;
	out[strcspn(out, "\n")] = '\0';
	t = text_trim(out);
	memmove(out, t, strlen(t) + 1);
	return 0;
}

/* scopy: SRC into DST, cut to fit (sysfs names and values are short). */
static void scopy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void disks_read(const char *root, struct inventory *inv)
{
	char path[PATH_MAX], buf[128];
	unsigned long long sectors;
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/block", root);
	d = opendir(path);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && inv->ndisks < INV_DISK_MAX) {
		struct inv_disk *k = &inv->disks[inv->ndisks];

		/* Not disks: loop and RAM devices, the kernel's zram. */
		if (e->d_name[0] == '.' || strncmp(e->d_name, "loop", 4) == 0 ||
		    strncmp(e->d_name, "ram", 3) == 0 || strncmp(e->d_name, "zram", 4) == 0 ||
		    strlen(e->d_name) >= sizeof(k->name))
			continue;
		if (attr(root, "/sys/block", e->d_name, "size", buf, sizeof(buf)) < 0 ||
		    text_uint(buf, 1ULL << 54, &sectors) < 0)
			continue;
		memset(k, 0, sizeof(*k));
		scopy(k->name, sizeof(k->name), e->d_name);
		k->bytes = sectors * 512;
		k->rotational = -1;
		if (attr(root, "/sys/block", e->d_name, "queue/rotational", buf, sizeof(buf)) == 0)
			k->rotational = strcmp(buf, "1") == 0 ? 1 : strcmp(buf, "0") == 0 ? 0 : -1;
		if (attr(root, "/sys/block", e->d_name, "device/model", buf, sizeof(buf)) == 0 &&
		    text_printable(buf))
			scopy(k->model, sizeof(k->model), buf);
		inv->ndisks++;
	}
	closedir(d);
}

/* The PCI function behind a NIC: the device link's last name, or, for a
 * virtio NIC (device -> .../0000:00:03.0/virtio1), the one before it. */
static void nic_pci(const char *devlink, char *pci, size_t size)
{
	char real[PATH_MAX], *base;
	ssize_t n;

	if (realpath(devlink, real) == NULL) {
		n = readlink(devlink, real, sizeof(real) - 1);
		if (n < 0)
			return;
		real[n] = '\0';
	}
	while ((base = strrchr(real, '/')) != NULL && strncmp(base + 1, "virtio", 6) == 0)
		*base = '\0';
	base = base != NULL ? base + 1 : real;
	if (strlen(base) == 12 && base[4] == ':' && base[7] == ':' && base[10] == '.')
		scopy(pci, size, base);
}

/* A bond (its bonding/ directory, even with no member yet), or a VLAN or
 * bridge (a lower_IFACE link to what it is built on). */
static int stacked(const char *root, const char *name)
{
	char path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int found = 0;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/sys/class/net/%s/bonding", root, name) < (int)sizeof(path) &&
	    stat(path, &st) == 0)
		return 1;
	if (snprintf(path, sizeof(path), "%s/sys/class/net/%s", root, name) >= (int)sizeof(path))
		return 0;
	d = opendir(path);
	while (d != NULL && !found && (e = readdir(d)) != NULL)
		found = strncmp(e->d_name, "lower_", 6) == 0;
	if (d != NULL)
		closedir(d);
	return found;
}

/* nics_read: every NIC under ROOT/sys/class/net, at most MAX, unsorted;
 * with ALL, the virtual interfaces too (but lo). */
int nics_read(const char *root, struct inv_nic *nics, int max, int all)
{
	char path[PATH_MAX], buf[128];
	unsigned long long speed;
	struct dirent *e;
	struct stat st;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/sys/class/net", root);
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL && n < max) {
		struct inv_nic *c = &nics[n];

		if (e->d_name[0] == '.' || strcmp(e->d_name, "lo") == 0 ||
		    strlen(e->d_name) >= sizeof(c->name))
			continue;
		/* A NIC has a device behind it; bridges, veths and bonds do not. */
		if (snprintf(path, sizeof(path), "%s/sys/class/net/%s/device", root, e->d_name) >=
		    (int)sizeof(path))
			continue;
		memset(c, 0, sizeof(*c));
		c->virtual = lstat(path, &st) < 0 || !S_ISLNK(st.st_mode);
		if (c->virtual && !all)
			continue;
		scopy(c->name, sizeof(c->name), e->d_name);
		/* A bond's member may wear the bond's MAC: its own is kept apart. */
		if ((attr(root, "/sys/class/net", e->d_name, "bonding_slave/perm_hwaddr", buf, sizeof(buf)) == 0 ||
		     attr(root, "/sys/class/net", e->d_name, "address", buf, sizeof(buf)) == 0) &&
		    strlen(buf) == 17)
			scopy(c->mac, sizeof(c->mac), buf);
		if (attr(root, "/sys/class/net", e->d_name, "operstate", buf, sizeof(buf)) == 0 &&
		    text_printable(buf))
			scopy(c->state, sizeof(c->state), buf);
		/* speed: Mb/s, unreadable (EINVAL) without a link, -1 on some drivers. */
		c->speed_mbps = -1;
		if (attr(root, "/sys/class/net", e->d_name, "speed", buf, sizeof(buf)) == 0 &&
		    text_uint(buf, 10000000, &speed) == 0)
			c->speed_mbps = (int)speed;
		nic_pci(path, c->pci, sizeof(c->pci));
		c->stacked = stacked(root, e->d_name);
		if (snprintf(path, sizeof(path), "%s/sys/class/net/%s/master", root, e->d_name) < (int)sizeof(path)) {
			char link[PATH_MAX];
			ssize_t k = readlink(path, link, sizeof(link) - 1);
			const char *base;

			if (k > 0) {
				link[k] = '\0';
				base = strrchr(link, '/');
				base = base != NULL ? base + 1 : link;
				if (strlen(base) < sizeof(c->master))
					scopy(c->master, sizeof(c->master), base);
			}
		}
		n++;
	}
	closedir(d);
	return n;
}

static int by_disk(const void *a, const void *b)
{
	return strcmp(((const struct inv_disk *)a)->name, ((const struct inv_disk *)b)->name);
}

static int by_nic(const void *a, const void *b)
{
	return strcmp(((const struct inv_nic *)a)->name, ((const struct inv_nic *)b)->name);
}

/* inventory_read: INV from ROOT ("/" or NULL: this machine).  Fails only
 * without /proc/cpuinfo or /proc/meminfo; whatever else is missing is
 * left out or unknown. */
int inventory_read(const char *root, struct inventory *inv, struct perr *e)
{
	static struct gpu gpus[GPU_MAX];
	char path[PATH_MAX], buf[GPU_FILE_MAX];
	char *text;
	size_t len, n, i;
	int rc;

	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	memset(inv, 0, sizeof(*inv));
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	rc = file_read_alloc(path, 16 << 20, &text, &len);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
	rc = cpuinfo_parse(text, len, &inv->cpu);
	free(text);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: no processor found, or a malformed entry", path);
	inv->cpu.numa_nodes = 0;
	snprintf(path, sizeof(path), "%s/sys/devices/system/node", root);
	{
		DIR *d = opendir(path);
		struct dirent *de;

		while (d != NULL && (de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "node", 4) == 0 && de->d_name[4] >= '0' && de->d_name[4] <= '9')
				inv->cpu.numa_nodes++;
		if (d != NULL)
			closedir(d);
	}
	if (inv->cpu.numa_nodes == 0)
		inv->cpu.numa_nodes = 1;
	snprintf(path, sizeof(path), "%s/proc/meminfo", root);
	rc = file_read(path, buf, sizeof(buf), &len);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
	if (meminfo_total(buf, len, &inv->mem_kb) < 0)
		return perr(e, -EINVAL, "%s: no valid MemTotal", path);

	disks_read(root, inv);
	qsort(inv->disks, (size_t)inv->ndisks, sizeof(inv->disks[0]), by_disk);
	rc = nics_read(root, inv->nics, INV_NIC_MAX, 0);
	inv->nnics = rc > 0 ? rc : 0;
	qsort(inv->nics, (size_t)inv->nnics, sizeof(inv->nics[0]), by_nic);

	gpu_scan(root, gpus, GPU_MAX, &n);
	for (i = 0; i < n && i < GPU_MAX; i++) {
		struct inv_gpu *g = &inv->gpus[inv->ngpus++];
		unsigned long long node;
		char v[32];

		g->g = gpus[i];
		g->numa_node = -1;
		if (attr(root, "/sys/bus/pci/devices", gpus[i].pci, "numa_node", v, sizeof(v)) == 0 &&
		    text_uint(v, 1023, &node) == 0)
			g->numa_node = (int)node;
	}
	snprintf(path, sizeof(path), "%s/proc/driver/nvidia/version", root);
	if (file_read(path, buf, sizeof(buf), &len) == 0)
		nvversion_parse(buf, len, inv->nvidia_driver, sizeof(inv->nvidia_driver));

	snprintf(path, sizeof(path), "%s/sys", root);
	inv->nwatchdogs = wdt_scan(path, inv->watchdogs, WDT_MAX);
	snprintf(path, sizeof(path), "%s%s", root, WDT_RECORD);
	if (file_read(path, buf, sizeof(buf), &len) != 0 ||
	    wdt_record_parse(buf, len, &inv->watchdog) < 0)
		memset(&inv->watchdog, 0, sizeof(inv->watchdog));
	return 0;
}

static json_t *str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *int_or_null(long long v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* inventory_json: INV as one JSON object; unknown values are null. */
json_t *inventory_json(const struct inventory *inv)
{
	json_t *o, *a;
	int i;

	o = json_pack("{s:{s:o, s:i, s:i, s:i, s:i}, s:I, s:o}", "cpu",
		      "model", str_or_null(inv->cpu.model), "sockets", (int)inv->cpu.sockets,
		      "cores", (int)inv->cpu.cores, "threads", (int)inv->cpu.threads,
		      "numa_nodes", (int)inv->cpu.numa_nodes,
		      "memory_kb", (json_int_t)inv->mem_kb, "nvidia_driver", str_or_null(inv->nvidia_driver));
	if (o == NULL)
		return NULL;
	a = json_array();
	for (i = 0; i < inv->ndisks; i++) {
		const struct inv_disk *k = &inv->disks[i];

		json_array_append_new(a, json_pack("{s:s, s:I, s:o, s:o}", "name", k->name,
			"bytes", (json_int_t)k->bytes,
			"rotational", k->rotational < 0 ? json_null() : json_boolean(k->rotational),
			"model", str_or_null(k->model)));
	}
	json_object_set_new(o, "disks", a);
	a = json_array();
	for (i = 0; i < inv->nnics; i++) {
		const struct inv_nic *c = &inv->nics[i];

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", c->name,
			"mac", str_or_null(c->mac), "state", str_or_null(c->state),
			"speed_mbps", int_or_null(c->speed_mbps), "pci", str_or_null(c->pci)));
	}
	json_object_set_new(o, "nics", a);
	a = json_array();
	for (i = 0; i < inv->ngpus; i++) {
		const struct inv_gpu *g = &inv->gpus[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}",
			"vendor", g->g.vendor == GPU_VENDOR_NVIDIA ? "nvidia" : "amd",
			"pci", g->g.pci, "model", str_or_null(g->g.has_info ? g->g.model : ""),
			"uuid", str_or_null(g->g.has_info ? g->g.uuid : ""),
			"minor", int_or_null(g->g.has_info ? g->g.minor : -1),
			"numa_node", int_or_null(g->numa_node)));
	}
	json_object_set_new(o, "gpus", a);
	a = json_array();
	for (i = 0; i < inv->nwatchdogs; i++) {
		const struct wdt *w = &inv->watchdogs[i];

		json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:s}", "device", w->dev,
			"driver", str_or_null(w->driver), "identity", str_or_null(w->identity),
			"kind", wdt_kind_name(w->kind)));
	}
	json_object_set_new(o, "watchdog", json_pack("{s:o, s:o}", "armed",
		inv->watchdog.dev[0] == '\0' ? json_null() :
		json_pack("{s:s, s:o, s:i, s:s}", "device", inv->watchdog.dev,
			  "identity", str_or_null(inv->watchdog.identity), "timeout_s", (int)inv->watchdog.timeout_s,
			  "chosen", inv->watchdog.chosen),
		"found", a));
	return o;
}

/* A figure: whole numbers as integers (MiB, C, %), the rest as reals (W). */
static json_t *num_or_null(double v)
{
	if (isnan(v))
		return json_null();
	return v == floor(v) && v < 9007199254740992.0 ? json_integer((json_int_t)v) : json_real(v);
}

/*
 * inventory_add_live: nvidia-smi's live figures into the inventory's
 * "gpus", each under "live" of the GPU with the same PCI address
 * (memory in MiB, temperature in C, power in W, utilisation in %);
 * a figure the GPU does not give is null.
 */
void inventory_add_live(json_t *o, const struct gpu_live *live, int n)
{
	json_t *gpus = json_object_get(o, "gpus"), *g;
	size_t i;
	int k;

	json_array_foreach(gpus, i, g) {
		const char *pci = json_string_value(json_object_get(g, "pci"));

		char id[48];

		if (pci == NULL)
			continue;
		nvsmi_bus_id(pci, id, sizeof(id));
		for (k = 0; k < n; k++) {
			if (strcasecmp(live[k].bus_id, id) != 0)
				continue;
			json_object_set_new(g, "live", json_pack("{s:o, s:o, s:o, s:o, s:o}",
				"memory_total_mib", num_or_null(live[k].mem_total_mib),
				"memory_used_mib", num_or_null(live[k].mem_used_mib),
				"temperature_c", num_or_null(live[k].temp_c),
				"power_w", num_or_null(live[k].power_w),
				"utilization_pct", num_or_null(live[k].util_pct)));
		}
	}
}
