/* gpu.h: GPUs found under a root (the real one, or a test's fake tree). */
#ifndef CAIRN_GPU_H
#define CAIRN_GPU_H

#include <stddef.h>

#define GPU_MAX 64
#define GPU_VENDOR_NVIDIA 0x10de
#define GPU_VENDOR_AMD 0x1002
#define GPU_PCI_MAX 32
#define GPU_MODEL_MAX 128
#define GPU_UUID_MAX 80
#define GPU_VERSION_MAX 32
/* Outside files read whole are at most this long. */
#define GPU_FILE_MAX 16384

struct gpu {
	unsigned vendor;
	char pci[GPU_PCI_MAX];		/* 0000:3b:00.0, as sysfs names it */
	char model[GPU_MODEL_MAX];	/* NVIDIA: "Model:" of the information file */
	char uuid[GPU_UUID_MAX];	/* NVIDIA: GPU-xxxxxxxx-... */
	int minor;			/* NVIDIA: /dev/nvidiaMINOR; -1 unknown */
	int has_info;			/* NVIDIA: the driver's information file was read */
	int info_rc;			/* NVIDIA: why not: -errno of reading or parsing it */
	int excluded;			/* NVIDIA: "GPU Excluded: Yes" */
	char render[32];		/* AMD: renderD128 */
};

int gpu_scan(const char *root, struct gpu *gpus, size_t max, size_t *n);
int nvinfo_parse(const char *buf, size_t len, struct gpu *g);
int nvversion_parse(const char *buf, size_t len, char *version, size_t size);
int gpu_path(char *out, size_t size, const char *root, const char *path);

#endif
