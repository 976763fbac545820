/* nvnodes.c: make /dev/nvidia*, as nvidia-modprobe would, from the numbers
 * the loaded driver publishes in /proc: the GPUs' minors from their
 * information files, nvidia-uvm's and nvidia-caps' dynamic majors from
 * /proc/devices. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fileio.h"
#include "gpu.h"
#include "nvnodes.h"
#include "text.h"

/* procdevices_major: NAME's major among the "Character devices:" of
 * /proc/devices; -ENOENT when it is not there, -EINVAL for a malformed
 * line in that section. */
int procdevices_major(const char *buf, size_t len, const char *name)
{
	const char *p = buf, *end = buf + len, *nl, *q;
	size_t nlen = strlen(name);
	int in_char = 0;
	unsigned long long maj;
	char num[16];

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		if ((size_t)(nl - p) == 18 && memcmp(p, "Character devices:", 18) == 0) {
			in_char = 1;
		} else if (nl > p && p[(nl - p) - 1] == ':') {
			in_char = 0;	/* "Block devices:" */
		} else if (in_char && nl > p) {
			const char *d;

			q = p;
			while (q < nl && *q == ' ')
				q++;
			d = q;
			while (q < nl && *q >= '0' && *q <= '9')
				q++;
			if (q == d || q == nl || *q != ' ' || (size_t)(q - d) >= sizeof(num))
				return -EINVAL;
			memcpy(num, d, (size_t)(q - d));
			num[q - d] = '\0';
			q++;
			if ((size_t)(nl - q) == nlen && memcmp(q, name, nlen) == 0) {
				if (text_uint(num, 4095, &maj) < 0)
					return -EINVAL;
				return (int)maj;
			}
		}
		p = nl + 1;
	}
	return -ENOENT;
}

/* nvcap_parse: DeviceFileMinor and DeviceFileMode (decimal, as the
 * driver prints it) of a /proc/driver/nvidia/capabilities file. */
int nvcap_parse(const char *buf, size_t len, unsigned *minor, unsigned *mode)
{
	const char *p = buf, *end = buf + len, *nl, *colon;
	unsigned long long v;
	char val[24], *t;
	int have_minor = 0;

	*mode = 0400;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon != NULL) {
			size_t vlen = (size_t)(nl - colon - 1);

			if (vlen >= sizeof(val))
				return -EINVAL;
			memcpy(val, colon + 1, vlen);
			val[vlen] = '\0';
			t = text_trim(val);
#define KEY(k) ((size_t)(colon - p) == sizeof(k) - 1 && memcmp(p, k, sizeof(k) - 1) == 0)
			if (KEY("DeviceFileMinor")) {
				if (text_uint(t, 0xfffff, &v) < 0)
					return -EINVAL;
				*minor = (unsigned)v;
				have_minor = 1;
			} else if (KEY("DeviceFileMode")) {
				if (text_uint(t, 0777, &v) < 0)
					return -EINVAL;
				*mode = (unsigned)v;
			}
#undef KEY
		}
		p = nl + 1;
	}
	return have_minor ? 0 : -ENODATA;
}

/* node_make: ROOT+PATH a character device MAJ:MIN with MODE.  A right
 * node is kept (its mode set again); anything else there is replaced,
 * through a temporary name, so the path never names a wrong node. */
static int node_make(const char *root, const char *path, unsigned maj, unsigned min,
		     unsigned mode, struct nvnodes_report *r, struct perr *e)
{
	char full[512], tmp[520];
	struct stat st;

	if (gpu_path(full, sizeof(full), root, path) < 0)
		return perr(e, -EINVAL, "%s: path too long", path);
	if (lstat(full, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min)) {
		if ((st.st_mode & 07777) != mode && chmod(full, mode) < 0)
			return perr(e, -EINVAL, "%s: chmod: %s", full, strerror(errno));
		r->kept++;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", full);
	unlink(tmp);
	if (mknod(tmp, S_IFCHR | mode, makedev(maj, min)) < 0)
		return perr(e, -EINVAL, "%s: mknod c %u:%u: %s", full, maj, min, strerror(errno));
	if (chmod(tmp, mode) < 0 || rename(tmp, full) < 0) {
		int saved = errno;

		unlink(tmp);
		return perr(e, -EINVAL, "%s: %s", full, strerror(saved));
	}
	r->made++;
	return 0;
}

static int exists(const char *root, const char *path)
{
	char full[512];

	return gpu_path(full, sizeof(full), root, path) == 0 && access(full, F_OK) == 0;
}

/* caps_make: /dev/nvidia-caps/nvidia-capN for the MIG config and monitor
 * capabilities (what nvidia-modprobe -f makes at load). */
static int caps_make(const char *root, int maj, struct nvnodes_report *r, struct perr *e)
{
	static const char *const files[] = {
		"/proc/driver/nvidia/capabilities/mig/config",
		"/proc/driver/nvidia/capabilities/mig/monitor",
	};
	char path[512], buf[1024], node[64];
	unsigned minor, mode;
	size_t i, len;
	int rc;

	if (gpu_path(path, sizeof(path), root, "/dev/nvidia-caps") < 0)
		return perr(e, -EINVAL, "/dev/nvidia-caps: path too long");
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return perr(e, -EINVAL, "%s: %s", path, strerror(errno));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (gpu_path(path, sizeof(path), root, files[i]) < 0)
			return perr(e, -EINVAL, "%s: path too long", files[i]);
		rc = file_read(path, buf, sizeof(buf), &len);
		if (rc == -ENOENT)
			continue;
		if (rc < 0)
			return perr(e, -EINVAL, "%s: %s", files[i], strerror(-rc));
		if (nvcap_parse(buf, len, &minor, &mode) < 0)
			return perr(e, -EINVAL, "%s: no valid DeviceFileMinor", files[i]);
		snprintf(node, sizeof(node), "/dev/nvidia-caps/nvidia-cap%u", minor);
		rc = node_make(root, node, (unsigned)maj, minor, mode, r, e);
		if (rc < 0)
			return rc;
		r->caps++;
	}
	return 0;
}

/* nvnodes_make: every node the loaded driver has numbers for, under ROOT.
 * Fails when the driver is not loaded, or when a GPU it should know has
 * no readable information (gone, or the driver refused it): the nodes of
 * the other GPUs are still made. */
int nvnodes_make(const char *root, struct nvnodes_report *r, struct perr *e)
{
	static struct gpu gpus[GPU_MAX];
	char path[512], buf[8192], node[32];
	size_t len, n, i;
	int maj, uvm, caps, rc, scan, bad = 0;

	memset(r, 0, sizeof(*r));
	if (gpu_path(path, sizeof(path), root, "/proc/devices") < 0)
		return perr(e, -EINVAL, "/proc/devices: path too long");
	rc = file_read(path, buf, sizeof(buf), &len);
	if (rc < 0)
		return perr(e, -EINVAL, "%s: %s", path, strerror(-rc));
	maj = procdevices_major(buf, len, "nvidia-frontend");
	if (maj == -ENOENT)
		maj = procdevices_major(buf, len, "nvidia");
	if (maj == -ENOENT)
		return perr(e, -EINVAL, "the NVIDIA driver is not loaded (/proc/devices has no nvidia)");
	if (maj < 0)
		return perr(e, -EINVAL, "%s: malformed", path);
	uvm = procdevices_major(buf, len, "nvidia-uvm");
	caps = procdevices_major(buf, len, "nvidia-caps");

	scan = gpu_scan(root, gpus, GPU_MAX, &n);
	if (scan < 0 && scan != -E2BIG)
		return perr(e, -EINVAL, "finding GPUs: %s", strerror(-scan));
	for (i = 0; i < n; i++) {
		if (gpus[i].vendor != GPU_VENDOR_NVIDIA || gpus[i].excluded)
			continue;
		if (!gpus[i].has_info) {
			if (!bad)
				perr(e, -EINVAL, "GPU %s: the driver has no information for it (%s)",
				     gpus[i].pci, strerror(-gpus[i].info_rc));
			bad = 1;
			continue;
		}
		snprintf(node, sizeof(node), "/dev/nvidia%d", gpus[i].minor);
		rc = node_make(root, node, (unsigned)maj, (unsigned)gpus[i].minor, NV_NODE_MODE, r, e);
		if (rc < 0)
			return rc;
		r->gpus++;
	}
	rc = node_make(root, "/dev/nvidiactl", (unsigned)maj, NV_CTL_MINOR, NV_NODE_MODE, r, e);
	if (rc < 0)
		return rc;
	if (exists(root, "/sys/module/nvidia_modeset")) {
		rc = node_make(root, "/dev/nvidia-modeset", (unsigned)maj, NV_MODESET_MINOR,
			       NV_NODE_MODE, r, e);
		if (rc < 0)
			return rc;
	}
	if (uvm >= 0) {
		rc = node_make(root, "/dev/nvidia-uvm", (unsigned)uvm, 0, NV_NODE_MODE, r, e);
		if (rc == 0)
			rc = node_make(root, "/dev/nvidia-uvm-tools", (unsigned)uvm, 1, NV_NODE_MODE, r, e);
		if (rc < 0)
			return rc;
		r->uvm = 1;
	}
	if (caps >= 0) {
		rc = caps_make(root, caps, r, e);
		if (rc < 0)
			return rc;
	}
	if (scan == -E2BIG)
		return perr(e, -EINVAL, "more than %d GPUs: the rest got no node", GPU_MAX);
	return bad ? -ENODEV : 0;
}
