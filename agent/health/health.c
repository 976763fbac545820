/* health.c: GPUs present as configured, no GPU Xid errors in the kernel
 * log, disk space, time synchronised, containerd answering. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <sys/un.h>
#include <unistd.h>

#include "conf/clock.h"
#include "fileio.h"
#include "health/health.h"
#include "nvsmi.h"
#include "conf/setup.h"
#include "text.h"

/*
 * xid_scan: the NVIDIA driver's Xid reports in a kernel log, "NVRM: Xid
 * (PCI:0000:1b:00): 79, pid=..., GPU has fallen off the bus." (older
 * drivers print no "PCI:").  Returns how many there were; OUT gets the
 * first MAX.
 */
int xid_scan(const char *log, size_t len, struct xid *out, size_t max, size_t *n)
{
	static const char key[] = "NVRM: Xid (";
	const char *p = log, *end = log + len, *q, *close;
	unsigned long long code;
	char num[12];
	int count = 0;
	size_t k;

	*n = 0;
	while (p < end && (q = memmem(p, (size_t)(end - p), key, sizeof(key) - 1)) != NULL) {
		p = q + sizeof(key) - 1;
		if ((size_t)(end - p) >= 4 && memcmp(p, "PCI:", 4) == 0)
			p += 4;
		close = memchr(p, ')', (size_t)(end - p));
		if (close == NULL || close - p >= 16 || close - p < 7)
			continue;
		for (k = 0; p + k < close && strchr("0123456789abcdefABCDEF:.", p[k]) != NULL && p[k]; k++)
			;
		if (p + k != close)
			continue;	/* not a PCI address */
		q = close + 1;
		if (end - q < 3 || q[0] != ':' || q[1] != ' ')
			continue;
		q += 2;
		for (k = 0; q + k < end && k < sizeof(num) - 1 && q[k] >= '0' && q[k] <= '9'; k++)
			num[k] = q[k];
		num[k] = '\0';
		if (k == 0 || text_uint(num, 100000, &code) < 0)
			continue;
		if (*n < max) {
			memcpy(out[*n].pci, p, (size_t)(close - p));
			out[*n].pci[close - p] = '\0';
			out[*n].code = (unsigned)code;
			(*n)++;
		}
		count++;
	}
	return count;
}

static __attribute__((format(printf, 4, 5))) void add(struct health *h, const char *name, int ok,
						      const char *fmt, ...)
{
	struct health_check *c;
	va_list ap;

	if (h->n == HEALTH_MAX)
		return;
	c = &h->checks[h->n++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->ok = ok;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	if (ok == 0)
		h->healthy = 0;
}

/* Whether the checks need the GPU list: an expectation, or live figures to read. */
static int wants_gpus(const struct health_opts *o)
{
	const struct nodeconf *c = o->conf;

	return o->nvidia_smi != NULL || (c != NULL && (c->gpu_count != 0 || c->gpu_model[0] != '\0'));
}

/* GPUS: the GPUs alone (gpu_scan, its rc): what the rest of the inventory
 * needs (cpuinfo, meminfo) must not fail this check. */
static void check_gpus(const struct health_opts *o, struct health *h, const struct gpu *gpus, size_t n, int rc)
{
	const struct nodeconf *c = o->conf;
	unsigned nv = 0, right = 0;
	size_t i;

	if (c == NULL || (c->gpu_count == 0 && c->gpu_model[0] == '\0')) {
		add(h, "gpus", -1, "no [gpu] expectation in the node config");
		return;
	}
	if (rc < 0 && rc != -E2BIG) {
		add(h, "gpus", 0, "finding GPUs: %s", strerror(-rc));
		return;
	}
	for (i = 0; i < n; i++) {
		const struct gpu *g = &gpus[i];

		if (g->vendor != GPU_VENDOR_NVIDIA && g->vendor != GPU_VENDOR_AMD)
			continue;
		nv++;
		if (g->vendor == GPU_VENDOR_NVIDIA && !g->has_info) {
			add(h, "gpus", 0, "GPU %s: the driver has no information for it", g->pci);
			return;
		}
		if (c->gpu_model[0] == '\0' || (g->has_info && strstr(g->model, c->gpu_model) != NULL))
			right++;
	}
	if (c->gpu_count != 0 && nv != c->gpu_count)
		add(h, "gpus", 0, "%u GPUs found, the config expects %u", nv, c->gpu_count);
	else if (right != nv)
		add(h, "gpus", 0, "%u of %u GPUs are not a '%s'", nv - right, nv, c->gpu_model);
	else
		add(h, "gpus", 1, "%u GPUs%s%s", nv, c->gpu_model[0] ? ", each a " : "", c->gpu_model);
}

/* kernel_log: the kernel's log buffer whole (klogctl), malloc'd. */
int kernel_log(char **buf, size_t *len)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *b;

	if (size <= 0)
		return size < 0 ? -errno : -ENODATA;
	b = malloc((size_t)size);
	if (b == NULL)
		return -ENOMEM;
	size = klogctl(3, b, size);		/* SYSLOG_ACTION_READ_ALL */
	if (size < 0) {
		int rc = -errno;

		free(b);
		return rc;
	}
	*buf = b;
	*len = (size_t)size;
	return 0;
}

static void check_xid(const struct health_opts *o, struct health *h)
{
	struct xid x[XID_MAX];
	char *buf = NULL;
	const char *log = o->kmsg;
	size_t len = o->kmsg_len, n;
	int count, rc;

	if (log == NULL) {
		rc = kernel_log(&buf, &len);
		if (rc < 0) {
			add(h, "xid", 0, "the kernel log cannot be read: %s", strerror(-rc));
			return;
		}
		log = buf;
	}
	count = xid_scan(log, len, x, XID_MAX, &n);
	if (count == 0)
		add(h, "xid", 1, "no GPU Xid error in the kernel log");
	else
		add(h, "xid", 0, "%d GPU Xid error%s in the kernel log, the last: Xid %u on %s", count,
		    count == 1 ? "" : "s", x[n - 1].code, x[n - 1].pci);
	free(buf);
}

static void check_disks(const struct health_opts *o, struct health *h)
{
	const char *const *d;
	char path[512];
	struct statvfs st;
	unsigned long long pct;

	for (d = o->disks; d != NULL && *d != NULL; d++) {
		snprintf(path, sizeof(path), "%s%s", o->root ? o->root : "", *d);
		if (statvfs(path, &st) < 0) {
			add(h, "disk", 0, "%s: %s", *d, strerror(errno));
			continue;
		}
		/* A read-only file system (a disk's root slot) never fills. */
		if (st.f_flag & ST_RDONLY) {
			add(h, "disk", 1, "%s: read-only", *d);
			continue;
		}
		pct = st.f_blocks ? (unsigned long long)st.f_bavail * 100 / st.f_blocks : 100;
		if (pct < o->min_free_pct)
			add(h, "disk", 0, "%s: %llu%% free, below %u%%", *d, pct, o->min_free_pct);
		else
			add(h, "disk", 1, "%s: %llu%% free", *d, pct);
	}
}

/*
 * The time.  A clock that read before the image's build was set to the
 * build and is unsure until an NTP server sets it (setup.c, clock.c):
 * certificates and release expiry are then judged against a guess that
 * is only known to be no earlier than the build.  A node may stay so for
 * [time] max-unsure; after that it fails, whether or not it has servers
 * (none: nothing will ever confirm it).
 */
static void check_time(const struct health_opts *o, struct health *h)
{
	const struct nodeconf *c = o->conf;
	unsigned bound = c != NULL ? c->max_unsure : NC_MAX_UNSURE;
	long long boot = o->boot_now > 0 ? o->boot_now : clock_boottime(), age = 0;
	int servers = c != NULL && c->nntp > 0, synced = o->time_synced, unsure;
	char mark[512];

	if (synced < 0)
		synced = clock_synced();
	snprintf(mark, sizeof mark, "%s%s/%s", o->root ? o->root : "", SETUP_OUT, SETUP_CLOCK_MARK);
	unsure = !synced && clock_mark_age(mark, boot, &age) == 0;
	if (unsure && age >= bound)
		add(h, "time", 0, "the clock has not been confirmed for %lld minutes (max-unsure = %u): it read "
		    "before the image's build and no NTP server has set it; certificates and release expiry "
		    "are judged against a guess", age / 60, bound);
	else if (unsure)
		add(h, "time", servers ? 0 : -1, "the clock has been unsure for %lld minutes (it read before the "
		    "image's build; unhealthy at max-unsure = %u) and %s", age / 60, bound,
		    servers ? "is not synchronised to the configured servers" : "no [time] server can confirm it");
	else if (!servers)
		add(h, "time", -1, "no [time] servers in the node config");
	else if (synced)
		add(h, "time", 1, "the clock is synchronised");
	else
		add(h, "time", 0, "the clock is not synchronised to the configured servers");
}

static void check_containerd(const struct health_opts *o, struct health *h)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (o->containerd_sock == NULL)
		return;
	if (strlen(o->containerd_sock) >= sizeof(a.sun_path)) {
		add(h, "containerd", 0, "%s: path too long", o->containerd_sock);
		return;
	}
	memcpy(a.sun_path, o->containerd_sock, strlen(o->containerd_sock) + 1);
	/* Non-blocking: a containerd that stopped accepting (its backlog
	 * full) must fail the check, not hang it. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		add(h, "containerd", 0, "%s: %s", o->containerd_sock,
		    errno == EAGAIN ? "not accepting connections (backlog full)" : strerror(errno));
	else
		add(h, "containerd", 1, "%s answers", o->containerd_sock);
	if (fd >= 0)
		close(fd);
}

/*
 * The GPUs' memory, from nvidia-smi (what NVML knows): no uncorrectable
 * ECC error since the driver loaded, and no row remapping pending (the
 * GPU needs a reset to use its spare rows) or failed (out of spare rows:
 * replace it).  Ampere and newer remap rows; older GPUs report nothing
 * there, and retired pages are not asked for (unsupported since Ampere).
 */
static void check_gpu_memory(const struct health_opts *o, struct health *h)
{
	struct gpu_live *g = h->live;
	int i, known = 0;

	if (o->nvidia_smi == NULL || h->nlive < 0) {
		add(h, "ecc", -1, "%s", h->live_err[0] ? h->live_err : "no NVIDIA GPU");
		add(h, "rowremap", -1, "%s", h->live_err[0] ? h->live_err : "no NVIDIA GPU");
		return;
	}
	for (i = 0; i < h->nlive; i++)
		if (g[i].ecc_uncorrected > 0) {
			add(h, "ecc", 0, "GPU %d (%s): %.0f uncorrectable ECC error%s since the driver loaded",
			    g[i].index, g[i].bus_id, g[i].ecc_uncorrected, g[i].ecc_uncorrected == 1 ? "" : "s");
			break;
		}
	if (i == h->nlive)
		add(h, "ecc", 1, "no uncorrectable ECC error on %d GPU%s", h->nlive, h->nlive == 1 ? "" : "s");
	for (i = 0; i < h->nlive; i++) {
		if (g[i].remap_failure == 1) {
			add(h, "rowremap", 0, "GPU %d (%s): row remapping failed: no spare rows left, replace it",
			    g[i].index, g[i].bus_id);
			return;
		}
		if (g[i].remap_pending == 1) {
			add(h, "rowremap", 0, "GPU %d (%s): a row remapping is pending: reset the GPU",
			    g[i].index, g[i].bus_id);
			return;
		}
		known += g[i].remap_pending == 0;
	}
	if (known == 0)
		add(h, "rowremap", -1, "no GPU reports row remapping (older than Ampere)");
	else
		add(h, "rowremap", 1, "none pending or failed on %d GPU%s", known, known == 1 ? "" : "s");
}

/* The live figures, when there is an NVIDIA GPU to ask about. */
static void read_live(const struct health_opts *o, struct health *h, const struct gpu *gpus, size_t n)
{
	size_t i;

	h->nlive = -1;
	if (o->nvidia_smi == NULL)
		return;
	for (i = 0; i < n && gpus[i].vendor != GPU_VENDOR_NVIDIA; i++)
		;
	if (i == n)
		return;
	if (nvsmi_read(o->nvidia_smi, h->live, GPU_MAX, &h->nlive, h->live_err, sizeof(h->live_err)) < 0)
		h->nlive = -1;
}

/* An operator's drain (POST /v1/drain): a failure of its own, first, so
 * that a scheduler's health check passes the operator's reason on. */
static void check_drain(const struct health_opts *o, struct health *h)
{
	char reason[200];
	size_t len = 0;

	if (o->drain_file == NULL || file_read(o->drain_file, reason, sizeof(reason), &len) < 0)
		return;
	reason[len < sizeof(reason) ? len : sizeof(reason) - 1] = '\0';
	reason[strcspn(reason, "\n")] = '\0';
	add(h, "drain", 0, "drained by an operator: %s", reason[0] ? reason : "(no reason)");
}

/* A rollback of the OS (doc/update.md): held out of service until an
 * operator has seen it, so that no job lands on a node in doubt. */
static void check_hold(const struct health_opts *o, struct health *h)
{
	char why[240];
	size_t len = 0;

	/* Held while the file is there, however long its record. */
	if (o->hold_file == NULL || file_read_head(o->hold_file, why, sizeof(why), &len) < 0)
		return;
	why[strcspn(why, "\n")] = '\0';
	add(h, "os", 0, "rolled back: %s (POST /v1/resume clears it)", why[0] ? why : "(no reason kept)");
}

/* health_run: every check; H->healthy is 0 when any failed. */
int health_run(const struct health_opts *o, struct health *h)
{
	static struct gpu gpus[GPU_MAX];
	size_t n = 0;
	int rc = 0;

	memset(h, 0, sizeof(*h));
	h->healthy = 1;
	check_drain(o, h);
	check_hold(o, h);
	if (wants_gpus(o))
		rc = gpu_scan(o->root, gpus, GPU_MAX, &n);
	check_gpus(o, h, gpus, n, rc);
	read_live(o, h, gpus, n);
	check_gpu_memory(o, h);
	check_xid(o, h);
	check_disks(o, h);
	check_time(o, h);
	check_containerd(o, h);
	return h->healthy ? 0 : 1;
}
