/* cdi_gen.c: a CDI spec for the GPUs under a root: NVIDIA (nvidia.com/gpu:
 * one device per GPU by index and by UUID, plus "all"; the control nodes,
 * driver libraries, tools and an ld cache hook for every container) or AMD
 * (amd.com/gpu: each GPU's render node, /dev/kfd for every container). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cdi.h"
#include "devnode.h"
#include "fileio.h"
#include "gpu.h"
#include "libfind.h"

/* The driver's compute and utility libraries, as NVIDIA's container
 * toolkit mounts them for NVIDIA_DRIVER_CAPABILITIES=compute,utility. */
static const char *const nvidia_libs[] = {
	"libnvidia-ml.so", "libnvidia-cfg.so", "libnvidia-nscq.so",
	"libcuda.so", "libcudadebugger.so", "libnvidia-opencl.so",
	"libnvidia-gpucomp.so", "libnvidia-ptxjitcompiler.so",
	"libnvidia-fatbinaryloader.so", "libnvidia-allocator.so",
	"libnvidia-compiler.so", "libnvidia-pkcs11.so",
	"libnvidia-pkcs11-openssl3.so", "libnvidia-nvvm.so",
};
/* Libraries every driver since 450 has: their absence is worth a warning. */
static const char *const nvidia_libs_core[] = {
	"libnvidia-ml.so", "libcuda.so", "libnvidia-ptxjitcompiler.so",
};
static const char *const nvidia_bins[] = {
	"nvidia-smi", "nvidia-debugdump", "nvidia-persistenced",
	"nvidia-cuda-mps-control", "nvidia-cuda-mps-server",
};

__attribute__((format(printf, 2, 3)))
static void warn(struct cdi_gen *g, const char *fmt, ...)
{
	char msg[CDI_ERR_MAX];
	va_list ap;

	if (g->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	g->warn(g->warn_ctx, msg);
}

static const char *root_name(const struct cdi_gen *g)
{
	return g->root == NULL || g->root[0] == '\0' ? "/" : g->root;
}

static json_t *node_json(const struct devnode *d)
{
	char type[2] = { d->type, '\0' };

	return json_pack("{s:s, s:s, s:I, s:I}", "path", d->path, "type", type,
			 "major", (json_int_t)d->major, "minor", (json_int_t)d->minor);
}

static json_t *edits_new(void)
{
	return json_pack("{s:[]}", "deviceNodes");
}

static int add_node(json_t *edits, const struct devnode *d)
{
	json_t *n = node_json(d);

	if (n == NULL)
		return -ENOMEM;
	return json_array_append_new(json_object_get(edits, "deviceNodes"), n) < 0 ? -ENOMEM : 0;
}

static int add_mount(json_t *edits, const char *path)
{
	json_t *mounts = json_object_get(edits, "mounts"), *m;

	if (mounts == NULL) {
		mounts = json_array();
		if (mounts == NULL || json_object_set_new(edits, "mounts", mounts) < 0)
			return -ENOMEM;
	}
	m = json_pack("{s:s, s:s, s:[s,s,s,s], s:s}", "hostPath", path, "containerPath", path,
		      "options", "ro", "nosuid", "nodev", "bind", "type", "bind");
	if (m == NULL || json_array_append_new(mounts, m) < 0)
		return -ENOMEM;
	return 0;
}

/* device_add: a device NAME whose edits are one copy of NODES. */
static int device_add(json_t *devices, const char *name, json_t *nodes)
{
	json_t *d = json_pack("{s:s, s:{s:O}}", "name", name, "containerEdits",
			      "deviceNodes", nodes);

	if (d == NULL || json_array_append_new(devices, d) < 0)
		return -ENOMEM;
	return 0;
}

static int has_dir(char dirs[][LIBFIND_PATH_MAX], size_t n, const char *d)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(dirs[i], d) == 0)
			return 1;
	return 0;
}

/* nvidia_files: the libraries and tools as mounts, the hook naming the
 * libraries' directories.  -ENOENT: not one library. */
static int nvidia_files(struct cdi_gen *g, const char *version, json_t *edits)
{
	static char dirs[LIBFIND_DIRS][LIBFIND_PATH_MAX];
	struct libsearch s = { .root = g->root, .dirs = g->lib_dirs, .ndirs = g->nlib_dirs,
			       .ldcache = g->ldcache, .version = version };
	struct libfile *lf;
	char path[LIBFIND_PATH_MAX], *slash;
	json_t *hook, *args;
	size_t i, j, k, ndirs = 0, found = 0;
	int rc = 0;

	lf = malloc(sizeof(*lf));
	if (lf == NULL)
		return -ENOMEM;
	for (i = 0; i < sizeof(nvidia_libs) / sizeof(nvidia_libs[0]); i++) {
		if (lib_find(&s, nvidia_libs[i], lf) < 0) {
			for (k = 0; k < sizeof(nvidia_libs_core) / sizeof(nvidia_libs_core[0]); k++)
				if (strcmp(nvidia_libs[i], nvidia_libs_core[k]) == 0)
					warn(g, "%s: not found: containers get the driver without it",
					     nvidia_libs[i]);
			continue;
		}
		found++;
		if ((rc = add_mount(edits, lf->path)) < 0)
			goto out;
		for (j = 0; j < lf->nlinks; j++)
			if ((rc = add_mount(edits, lf->links[j])) < 0)
				goto out;
		snprintf(path, sizeof(path), "%s", lf->path);
		slash = strrchr(path, '/');
		if (slash != NULL && slash != path)
			*slash = '\0';
		if (!has_dir(dirs, ndirs, path) && ndirs < LIBFIND_DIRS)
			snprintf(dirs[ndirs++], sizeof(dirs[0]), "%s", path);
	}
	if (found == 0) {
		rc = -ENOENT;
		goto out;
	}
	for (i = 0; i < sizeof(nvidia_bins) / sizeof(nvidia_bins[0]); i++) {
		if (bin_find(g->root, g->bin_dirs, g->nbin_dirs, nvidia_bins[i], path,
			     sizeof(path)) < 0) {
			if (i == 0)
				warn(g, "nvidia-smi: not found in the binary path");
			continue;
		}
		if ((rc = add_mount(edits, path)) < 0)
			goto out;
	}
	if (g->hook_path != NULL) {
		args = json_pack("[s,s,s]", "cairn-cdi", "hook", "update-ldcache");
		if (args == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < ndirs; i++) {
			json_array_append_new(args, json_string("--folder"));
			json_array_append_new(args, json_string(dirs[i]));
		}
		hook = json_pack("[{s:s, s:s, s:o}]", "hookName", "createContainer",
				 "path", g->hook_path, "args", args);
		if (hook == NULL || json_object_set_new(edits, "hooks", hook) < 0) {
			rc = -ENOMEM;
			goto out;
		}
	}
out:
	lib_search_free(&s);
	free(lf);
	return rc;
}

static int path_list(char *out, size_t size, const char *const *dirs, size_t n)
{
	size_t i, off = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + off, size - off, "%s%s", i ? ":" : "", dirs[i]);
		if (w < 0 || (size_t)w >= size - off)
			return -ENAMETOOLONG;
		off += (size_t)w;
	}
	return 0;
}

static int nvidia_spec(struct cdi_gen *g, struct gpu *gpus, size_t n, json_t *spec, struct perr *e)
{
	static const char *const optional[] = { "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools",
						"/dev/nvidia-modeset" };
	char path[512], buf[GPU_FILE_MAX], version[GPU_VERSION_MAX], name[64];
	json_t *devices = json_object_get(spec, "devices"), *all, *one, *edits;
	struct devnode d;
	size_t i, k, len, used = 0;
	int rc;

	for (i = 0; i < n; i++) {
		if (gpus[i].vendor != GPU_VENDOR_NVIDIA)
			continue;
		if (!gpus[i].has_info) {
			if (gpus[i].info_rc == -ENOENT) {
				warn(g, "GPU at PCI %s: the nvidia driver has no information on it (not bound to nvidia?): left out",
				     gpus[i].pci);
				continue;
			}
			return perr(e, -ENODEV, "%s/proc/driver/nvidia/gpus/%s/information: %s",
				    strcmp(root_name(g), "/") ? root_name(g) : "", gpus[i].pci,
				    gpus[i].info_rc == -ENODATA ? "no GPU UUID or Device Minor" :
				    gpus[i].info_rc == -E2BIG ? "a value too long" :
				    gpus[i].info_rc == -EINVAL ? "malformed" : strerror(-gpus[i].info_rc));
		}
		if (gpus[i].excluded) {
			warn(g, "GPU at PCI %s (%s) is excluded by the driver: left out",
			     gpus[i].pci, gpus[i].uuid);
			continue;
		}
		gpus[used++] = gpus[i];
	}
	if (used == 0)
		return perr(e, -ENODEV, "no NVIDIA GPU with the driver loaded under %s (looked in /sys/bus/pci/devices and /proc/driver/nvidia/gpus)",
			    root_name(g));
	if (gpu_path(path, sizeof(path), g->root, "/proc/driver/nvidia/version") < 0)
		return perr(e, -ENODEV, "root path too long");
	if ((rc = file_read(path, buf, sizeof(buf), &len)) < 0)
		return perr(e, -ENODEV, "%s: %s: the driver version is needed", path, strerror(-rc));
	rc = nvversion_parse(buf, len, version, sizeof(version));
	if (rc == -ENODATA)
		return perr(e, -ENODEV, "%s: no \"NVRM version:\" line", path);
	if (rc < 0)
		return perr(e, -ENODEV, "%s: no driver version (N.N or N.N.N) on its NVRM line", path);

	all = json_array();
	if (all == NULL)
		return -ENOMEM;
	for (i = 0, k = 0; k < used; k++) {
		snprintf(name, sizeof(name), "/dev/nvidia%d", gpus[k].minor);
		rc = devnode_stat(g->root, name, &d);
		if (rc == -ENOENT) {
			/* a container given some of the host's GPUs sees the
			 * driver's list of all of them */
			warn(g, "%s: missing: GPU %s at PCI %s left out", name, gpus[k].uuid, gpus[k].pci);
			continue;
		}
		if (rc < 0) {
			json_decref(all);
			return perr(e, -ENODEV, "%s (GPU %s at PCI %s): %s", name, gpus[k].uuid, gpus[k].pci,
				    rc == -ENODEV ? "not a device node" : strerror(-rc));
		}
		if (k != i)
			gpus[i] = gpus[k];
		one = json_array();
		if (one == NULL || json_array_append_new(one, node_json(&d)) < 0 ||
		    json_array_append_new(all, node_json(&d)) < 0) {
			json_decref(one);
			json_decref(all);
			return -ENOMEM;
		}
		snprintf(name, sizeof(name), "%zu", i);
		if (device_add(devices, name, one) < 0 || device_add(devices, gpus[i].uuid, one) < 0) {
			json_decref(one);
			json_decref(all);
			return -ENOMEM;
		}
		json_decref(one);
		i++;
	}
	if (i == 0) {
		json_decref(all);
		return perr(e, -ENODEV, "no /dev/nvidiaN node for any of the %zu GPUs the driver lists under %s",
			    used, root_name(g));
	}
	rc = device_add(devices, "all", all);
	json_decref(all);
	if (rc < 0)
		return rc;

	edits = edits_new();
	if (edits == NULL || json_object_set_new(spec, "containerEdits", edits) < 0)
		return -ENOMEM;
	rc = devnode_stat(g->root, "/dev/nvidiactl", &d);
	if (rc < 0)
		return perr(e, -ENODEV, "/dev/nvidiactl: %s", rc == -ENODEV ? "not a device node" : strerror(-rc));
	if (add_node(edits, &d) < 0)
		return -ENOMEM;
	for (i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		rc = devnode_stat(g->root, optional[i], &d);
		if (rc < 0) {
			if (i == 0)
				warn(g, "/dev/nvidia-uvm: %s: CUDA in containers needs it (modprobe nvidia-uvm, then make the node)",
				     strerror(-rc));
			continue;
		}
		if (add_node(edits, &d) < 0)
			return -ENOMEM;
	}
	rc = nvidia_files(g, version, edits);
	if (rc == -ENOENT) {
		char dirs[2048];

		path_list(dirs, sizeof(dirs), g->lib_dirs, g->nlib_dirs);
		return perr(e, -ENODEV, "no NVIDIA driver library (libcuda.so, libnvidia-ml.so, ...) for driver %s in %s%s%s%s",
			    version, dirs[0] ? dirs : "(no directories)",
			    g->ldcache ? " or " : "", g->ldcache ? g->ldcache : "",
			    strcmp(root_name(g), "/") ? " under the root" : "");
	}
	return rc;
}

static int amd_spec(struct cdi_gen *g, struct gpu *gpus, size_t n, json_t *spec, struct perr *e)
{
	json_t *devices = json_object_get(spec, "devices"), *all, *one, *edits;
	char path[64], name[32];
	struct devnode d;
	size_t i, used = 0;
	int rc;

	all = json_array();
	if (all == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (gpus[i].vendor != GPU_VENDOR_AMD)
			continue;
		if (gpus[i].render[0] == '\0') {
			warn(g, "GPU at PCI %s has no render node (amdgpu not bound?): left out",
			     gpus[i].pci);
			continue;
		}
		snprintf(path, sizeof(path), "/dev/dri/%s", gpus[i].render);
		rc = devnode_stat(g->root, path, &d);
		if (rc < 0) {
			json_decref(all);
			return perr(e, -ENODEV, "%s (GPU at PCI %s): %s", path, gpus[i].pci,
				    rc == -ENODEV ? "not a device node" : strerror(-rc));
		}
		one = json_array();
		if (one == NULL || json_array_append_new(one, node_json(&d)) < 0 ||
		    json_array_append_new(all, node_json(&d)) < 0) {
			json_decref(one);
			json_decref(all);
			return -ENOMEM;
		}
		snprintf(name, sizeof(name), "%zu", used++);
		rc = device_add(devices, name, one);
		json_decref(one);
		if (rc < 0) {
			json_decref(all);
			return rc;
		}
	}
	if (used == 0) {
		json_decref(all);
		return perr(e, -ENODEV, "no AMD GPU with a render node under %s", root_name(g));
	}
	rc = device_add(devices, "all", all);
	json_decref(all);
	if (rc < 0)
		return rc;
	rc = devnode_stat(g->root, "/dev/kfd", &d);
	if (rc < 0)
		return perr(e, -ENODEV, "/dev/kfd: %s", rc == -ENODEV ? "not a device node" : strerror(-rc));
	edits = edits_new();
	if (edits == NULL || json_object_set_new(spec, "containerEdits", edits) < 0)
		return -ENOMEM;
	return add_node(edits, &d);
}

/* cdi_generate: the spec of G's kind for the GPUs under G's root.  On
 * failure E says why. */
int cdi_generate(struct cdi_gen *g, json_t **out, struct perr *e)
{
	struct gpu *gpus;
	json_t *spec;
	size_t n;
	int rc, amd;

	e->msg[0] = '\0';
	amd = g->kind != NULL && strcmp(g->kind, CDI_KIND_AMD) == 0;
	if (g->kind != NULL && !amd && strcmp(g->kind, CDI_KIND_NVIDIA) != 0) {
		return perr(e, -EINVAL, "%s: unknown kind (%s or %s)", g->kind, CDI_KIND_NVIDIA,
			    CDI_KIND_AMD);
	}
	gpus = calloc(GPU_MAX, sizeof(*gpus));
	if (gpus == NULL)
		return -ENOMEM;
	rc = gpu_scan(g->root, gpus, GPU_MAX, &n);
	if (rc < 0) {
		perr(e, rc, "finding GPUs under %s: %s", root_name(g),
		     rc == -E2BIG ? "more than 64 GPUs" : strerror(-rc));
		free(gpus);
		return rc;
	}
	spec = json_pack("{s:s, s:s, s:[]}", "cdiVersion", "0.3.0", "kind",
			 amd ? CDI_KIND_AMD : CDI_KIND_NVIDIA, "devices");
	if (spec == NULL) {
		free(gpus);
		return -ENOMEM;
	}
	rc = amd ? amd_spec(g, gpus, n, spec, e) : nvidia_spec(g, gpus, n, spec, e);
	free(gpus);
	if (rc == 0)
		rc = json_object_set_new(spec, "cdiVersion", json_string(cdi_version(spec))) < 0 ?
			-ENOMEM : 0;
	if (rc < 0) {
		if (rc == -ENOMEM && e->msg[0] == '\0')
			perr(e, rc, "out of memory");
		json_decref(spec);
		return rc;
	}
	*out = spec;
	return 0;
}
