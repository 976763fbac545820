/* gpu_scan.c: find NVIDIA and AMD GPUs in PCI sysfs and the NVIDIA
 * driver's /proc files, all under a root prefix. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "gpu.h"
#include "text.h"

/* gpu_path: ROOT + PATH ("/" or "" is the real root). */
int gpu_path(char *out, size_t size, const char *root, const char *path)
{
	int n;

	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	n = snprintf(out, size, "%s%s", root, path);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* read_hex: a sysfs attribute such as "0x10de\n". */
static int read_hex(const char *root, const char *dev, const char *attr, unsigned long *v)
{
	char path[512], buf[64], *end;
	int rc;

	if (snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/%s",
		     root, dev, attr) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = file_read(path, buf, sizeof(buf), NULL);
	if (rc < 0)
		return rc;
	text_trim(buf);
	if (strncmp(buf, "0x", 2) != 0 || buf[2] == '\0')
		return -EINVAL;
	errno = 0;
	*v = strtoul(buf + 2, &end, 16);
	if (errno != 0 || *end != '\0' || *v > 0xffffffUL)
		return -EINVAL;
	return 0;
}

/* pci_name_valid: DDDD:BB:DD.F, the only names sysfs gives PCI devices. */
static int pci_name_valid(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 7 || n >= GPU_PCI_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr("0123456789abcdefABCDEF:.", s[i]) == NULL)
			return 0;
	return 1;
}

static int render_node(const char *root, struct gpu *g)
{
	char path[512];
	struct dirent *e;
	DIR *d;

	if (snprintf(path, sizeof(path), "%s/sys/bus/pci/devices/%s/drm", root, g->pci) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (d == NULL)
		return -errno;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "renderD", 7) == 0 && strlen(e->d_name) < sizeof(g->render) &&
		    strspn(e->d_name + 7, "0123456789") == strlen(e->d_name + 7) &&
		    e->d_name[7] != '\0') {
			memcpy(g->render, e->d_name, strlen(e->d_name) + 1);
			break;
		}
	}
	closedir(d);
	return g->render[0] != '\0' ? 0 : -ENOENT;
}

static int nvidia_info(const char *root, struct gpu *g)
{
	char path[512], buf[GPU_FILE_MAX];
	size_t len;
	int rc;

	if (snprintf(path, sizeof(path), "%s/proc/driver/nvidia/gpus/%s/information",
		     root, g->pci) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	rc = file_read(path, buf, sizeof(buf), &len);
	if (rc < 0)
		return rc;
	return nvinfo_parse(buf, len, g);
}

static struct gpu *gpu_add(struct gpu *gpus, size_t max, size_t *n, unsigned vendor, const char *pci)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcasecmp(gpus[i].pci, pci) == 0)
			return NULL;
	if (*n >= max)
		return NULL;
	memset(&gpus[*n], 0, sizeof(gpus[*n]));
	gpus[*n].vendor = vendor;
	gpus[*n].minor = -1;
	snprintf(gpus[*n].pci, sizeof(gpus[*n].pci), "%s", pci);
	return &gpus[(*n)++];
}

static int by_pci(const void *a, const void *b)
{
	const struct gpu *x = a, *y = b;

	if (x->vendor != y->vendor)
		return x->vendor < y->vendor ? -1 : 1;
	return strcasecmp(x->pci, y->pci);
}

/* gpu_scan: every display-class PCI device of NVIDIA or AMD under ROOT,
 * plus any GPU the NVIDIA driver lists that sysfs did not show, sorted by
 * vendor and PCI address (the order nvidia-smi numbers them in).  A GPU
 * the driver has no information for keeps has_info 0 and the reason in
 * info_rc (-ENOENT: no file; -EINVAL, -ENODATA, -E2BIG: malformed).
 * -E2BIG: more than MAX GPUs. */
int gpu_scan(const char *root, struct gpu *gpus, size_t max, size_t *n)
{
	char path[512];
	unsigned long vendor, class;
	struct dirent *e;
	struct gpu *g;
	DIR *d;
	int over = 0;

	if (root == NULL || strcmp(root, "/") == 0)
		root = "";
	*n = 0;
	if (snprintf(path, sizeof(path), "%s/sys/bus/pci/devices", root) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!pci_name_valid(e->d_name))
				continue;
			if (read_hex(root, e->d_name, "vendor", &vendor) < 0 ||
			    read_hex(root, e->d_name, "class", &class) < 0)
				continue;
			if ((class >> 16) != 0x03)
				continue;
			if (vendor != GPU_VENDOR_NVIDIA && vendor != GPU_VENDOR_AMD)
				continue;
			if (*n >= max) {
				over = 1;
				continue;
			}
			g = gpu_add(gpus, max, n, (unsigned)vendor, e->d_name);
			if (g == NULL)
				continue;
			if (vendor == GPU_VENDOR_NVIDIA) {
				g->info_rc = nvidia_info(root, g);
			} else {
				render_node(root, g);
			}
		}
		closedir(d);
	} else if (errno != ENOENT) {
		return -errno;
	}
	/* The driver's own list: a GPU sysfs did not show (a container
	 * without /sys) is still found. */
	if (snprintf(path, sizeof(path), "%s/proc/driver/nvidia/gpus", root) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (!pci_name_valid(e->d_name))
				continue;
			g = gpu_add(gpus, max, n, GPU_VENDOR_NVIDIA, e->d_name);
			if (g == NULL) {
				size_t i;

				for (i = 0; i < *n && strcasecmp(gpus[i].pci, e->d_name) != 0; i++)
					;
				if (i == *n)
					over = 1;
				continue;
			}
			g->info_rc = nvidia_info(root, g);
		}
		closedir(d);
	}
	if (over)
		return -E2BIG;
	qsort(gpus, *n, sizeof(*gpus), by_pci);
	return 0;
}
