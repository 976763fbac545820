/* cdi_test.c: GPU discovery and CDI spec generation against fake /proc,
 * /sys and /dev trees (several GPUs, none, missing libraries, odd driver
 * versions, an ld cache), the spec reader, the runtime shim's edits of
 * config.json (applied; unknown names, bad specs and vanished devices
 * refused with the file unchanged), who may ask for devices (a pod never;
 * CDI_DEVICES only with the node's switch), and the NVIDIA device nodes
 * made from /proc. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cdi.h"
#include "check.h"
#include "faketree.h"
#include "fileio.h"
#include "gpu.h"
#include "ldcache.h"
#include "ldhook.h"
#include "nvnodes.h"
#include "runcargs.h"
#include "shim.h"

static char root[256];
static int can_mknod;
static struct perr why;		/* what the last operation said */

static void put(const char *rel, const char *text)
{
	tree_put(root, rel, text);
}

static void link_at(const char *target, const char *rel)
{
	CHECK(tree_link(root, target, rel) == 0);
}

static void node(const char *rel, unsigned maj, unsigned min)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	put(rel, "");
	unlink(path);
	if (mknod(path, S_IFCHR | 0666, makedev(maj, min)) < 0)
		can_mknod = 0;
}

static void pci(const char *addr, const char *vendor, const char *class)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vendor", addr);
	put(rel, vendor);
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/class", addr);
	put(rel, class);
}

static void nv_gpu(const char *addr, const char *uuid, int minor)
{
	char rel[256], text[512];

	pci(addr, "0x10de\n", "0x030200\n");
	snprintf(rel, sizeof(rel), "proc/driver/nvidia/gpus/%s/information", addr);
	snprintf(text, sizeof(text),
		 "Model: \t\t NVIDIA H200\nIRQ:   \t\t 155\nGPU UUID: \t %s\n"
		 "Video BIOS: \t 96.00.99.00.01\nBus Type: \t PCIe\nDMA Size: \t 52 bits\n"
		 "DMA Mask: \t 0xfffffffffffff\nBus Location: \t %s\nDevice Minor: \t %d\n"
		 "GPU Firmware: \t 550.127.05\nGPU Excluded:\t No\n", uuid, addr, minor);
	put(rel, text);
	snprintf(rel, sizeof(rel), "dev/nvidia%d", minor);
	node(rel, 195, (unsigned)minor);
}

static void nv_libs(const char *dir, const char *ver)
{
	static const char *const libs[] = { "libcuda.so", "libnvidia-ml.so",
					    "libnvidia-ptxjitcompiler.so", "libnvidia-nvvm.so" };
	char rel[256], target[128];
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(rel, sizeof(rel), "%s/%s.%s", dir, libs[i], ver);
		put(rel, "ELF");
		snprintf(target, sizeof(target), "%s.%s", libs[i], ver);
		snprintf(rel, sizeof(rel), "%s/%s.1", dir, libs[i]);
		link_at(target, rel);
	}
}

static void fresh_root(void)
{
	if (root[0] != '\0')
		check_rmtree(root);
	tree_new(root, sizeof(root), "cdi_test");
	can_mknod = 1;
}

/* A host with two H200s, driver 550.127.05, its libraries in DIR. */
static void two_gpus(const char *dir)
{
	fresh_root();
	nv_gpu("0000:3b:00.0", "GPU-2c4f0a1b-7d3e-4f55-8a66-0123456789ab", 1);
	nv_gpu("0000:1a:00.0", "GPU-9e8d7c6b-5a49-3827-1605-fedcba987654", 0);
	pci("0000:00:02.0", "0x8086\n", "0x030000\n");	/* not a vendor of ours */
	pci("0000:05:00.0", "0x10de\n", "0x040300\n");	/* NVIDIA audio: not a GPU */
	put("proc/driver/nvidia/version",
	    "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.127.05  Release Build  (dvs-builder@U16-I3-B03-4-3)  Tue Sep 24 18:55:41 UTC 2024\n"
	    "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n");
	node("dev/nvidiactl", 195, 255);
	node("dev/nvidia-uvm", 510, 0);
	node("dev/nvidia-uvm-tools", 510, 1);
	if (dir != NULL)
		nv_libs(dir, "550.127.05");
	put("usr/local/nvidia/bin/nvidia-smi", "#!/bin/sh\n");
	chmod(strcat(strcpy((char[512]){ 0 }, root), "/usr/local/nvidia/bin/nvidia-smi"), 0755);
}

static char warnings[4096];

static void warn_keep(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static const char *const lib_dirs[] = { "/usr/local/nvidia/lib64", "/usr/lib/x86_64-linux-gnu" };
static const char *const bin_dirs[] = { "/usr/local/nvidia/bin", "/usr/bin" };

static int generate(const char *kind, const char *ldcache, json_t **spec, struct cdi_gen *g)
{
	memset(g, 0, sizeof(*g));
	g->root = root;
	g->kind = kind;
	g->lib_dirs = lib_dirs;
	g->nlib_dirs = 2;
	g->bin_dirs = bin_dirs;
	g->nbin_dirs = 2;
	g->ldcache = ldcache;
	g->hook_path = "/usr/bin/cairn-cdi";
	g->warn = warn_keep;
	warnings[0] = '\0';
	return cdi_generate(g, spec, &why);
}

static const json_t *device(const json_t *spec, const char *name)
{
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(spec, "devices"), i, d)
		if (strcmp(json_string_value(json_object_get(d, "name")), name) == 0)
			return d;
	return NULL;
}

static int has_mount(const json_t *spec, const char *path)
{
	const json_t *m;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(spec, "containerEdits"), "mounts"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "hostPath")), path) == 0)
			return 1;
	return 0;
}

static int info(const char *text, struct gpu *g)
{
	return nvinfo_parse(text, strlen(text), g);
}

static void test_info_parse(void)
{
	static const char good[] = "Model: \t\t NVIDIA H100 80GB HBM3\nGPU UUID: \t GPU-12345678-1234-1234-1234-123456789abc\nDevice Minor: \t 7\nGPU Excluded:\t Yes\n";
	struct gpu g;
	char big[600];

	CHECK(nvinfo_parse(good, strlen(good), &g) == 0);
	CHECK(strcmp(g.model, "NVIDIA H100 80GB HBM3") == 0 && g.minor == 7 && g.excluded == 1);
	CHECK(strcmp(g.uuid, "GPU-12345678-1234-1234-1234-123456789abc") == 0);
	CHECK(info("Model: X\nDevice Minor: 0\n", &g) == -ENODATA);
	CHECK(info("GPU UUID: GPU-1234abcd\nDevice Minor: 255\n", &g) == -EINVAL);
	CHECK(info("GPU UUID: GPU-1234abcd\nDevice Minor: -1\n", &g) == -EINVAL);
	CHECK(info("GPU UUID: GPU-12/../x\nDevice Minor: 1\n", &g) == -EINVAL);
	CHECK(info("GPU UUID: GPU-1234abcd\nDevice Minor: 1\nModel: a\033b\n", &g) == -EINVAL);
	memset(big, 'A', sizeof(big));
	memcpy(big, "Model: ", 7);
	CHECK(nvinfo_parse(big, sizeof(big), &g) == -E2BIG);
	/* an older driver's key, no trailing newline */
	CHECK(info("GPU UUID: GPU-1234abcd\nMinor Number: 3", &g) == 0 && g.minor == 3);
}

static void test_version_parse(void)
{
	static const struct {
		const char *text, *want;
		int rc;
	} cases[] = {
		{ "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.104.05  Sat Aug 19 01:15:15 UTC 2023\n", "535.104.05", 0 },
		{ "NVRM version: NVIDIA UNIX Open Kernel Module for aarch64  580.65.06  Release Build\n", "580.65.06", 0 },
		{ "NVRM version: NVIDIA UNIX x86_64 Kernel Module  470.256.02\n", "470.256.02", 0 },
		{ "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54\n", "550.54", 0 },
		{ "GCC version: gcc 12.2.0\nNVRM version: NVIDIA 560.28.03\n", "560.28.03", 0 },
		{ "NVRM version: NVIDIA UNIX x86_64 Kernel Module  v550-beta  (custom)\n", NULL, -EINVAL },
		{ "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550..1\n", NULL, -EINVAL },
		{ "NVRM version:\n", NULL, -EINVAL },
		{ "GCC version: gcc version 12.2.0\n", NULL, -ENODATA },
		{ "", NULL, -ENODATA },
		{ "NVRM version: NVIDIA  1.2.3.4.5.6.7.8.9.10.11.12.13.14.15\n", NULL, -EINVAL },
		{ "NVRM version: NVIDIA  1234567890123456789012345678901234.1\n", NULL, -E2BIG },
	};
	char v[GPU_VERSION_MAX];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = nvversion_parse(cases[i].text, strlen(cases[i].text), v, sizeof(v));

		CHECK(rc == cases[i].rc);
		if (rc != cases[i].rc)
			fprintf(stderr, "  case %zu: got %d\n", i, rc);
		if (cases[i].want != NULL)
			CHECK(rc == 0 && strcmp(v, cases[i].want) == 0);
	}
}

/* ldcache_make: a glibc 2.32+ cache of N entries (name, path, flags). */
static size_t ldcache_make(unsigned char *buf, size_t size, const char *const (*e)[2],
			   const uint32_t *flags, size_t n)
{
	size_t strs = 48 + n * 24, off = strs, i;
	uint32_t v;

	memset(buf, 0, size);
	memcpy(buf, "glibc-ld.so.cache1.1", 20);
	v = (uint32_t)n;
	memcpy(buf + 20, &v, 4);
	buf[28] = 2;	/* little endian */
	for (i = 0; i < n; i++) {
		unsigned char *ent = buf + 48 + i * 24;

		memcpy(ent, &flags[i], 4);
		v = (uint32_t)off;
		memcpy(ent + 4, &v, 4);
		strcpy((char *)buf + off, e[i][0]);
		off += strlen(e[i][0]) + 1;
		v = (uint32_t)off;
		memcpy(ent + 8, &v, 4);
		strcpy((char *)buf + off, e[i][1]);
		off += strlen(e[i][1]) + 1;
	}
	v = (uint32_t)(off - strs);
	memcpy(buf + 24, &v, 4);
	return off;
}

static int seen;

static int count_visit(void *ctx, const char *name, const char *path)
{
	(void)ctx;
	if (strcmp(name, "libcuda.so.1") == 0 && strcmp(path, "/usr/lib/x86_64-linux-gnu/libcuda.so.1") == 0)
		seen |= 1;
	if (strstr(path, "i386") != NULL)
		seen |= 2;
	return 0;
}

static const char *const cache_entries[][2] = {
	{ "libcuda.so.1", "/usr/lib/x86_64-linux-gnu/libcuda.so.1" },
	{ "libcuda.so.1", "/usr/lib/i386-linux-gnu/libcuda.so.1" },
	{ "libnvidia-ml.so.1", "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1" },
};
static const uint32_t cache_flags[] = { 0x0303, 0x0003, 0x0303 };

static void test_ldcache(void)
{
	static unsigned char buf[4096], old[4096];
	size_t n = ldcache_make(buf, sizeof(buf), cache_entries, cache_flags, 3);
	uint32_t bad;

	seen = 0;
	CHECK(ldcache_parse(buf, n, count_visit, NULL) == 0 && seen == 1);
	/* truncated: the entry table or a string cut off */
	CHECK(ldcache_parse(buf, 60, count_visit, NULL) == -EINVAL);
	CHECK(ldcache_parse(buf, n - 3, count_visit, NULL) == -EINVAL);
	CHECK(ldcache_parse(buf, 20, count_visit, NULL) == -ENOTSUP);
	/* an offset past the end, a count past the buffer */
	bad = 1u << 30;
	memcpy(buf + 48 + 4, &bad, 4);
	CHECK(ldcache_parse(buf, n, count_visit, NULL) == -EINVAL);
	n = ldcache_make(buf, sizeof(buf), cache_entries, cache_flags, 3);
	bad = 0xffffffffu;
	memcpy(buf + 20, &bad, 4);
	CHECK(ldcache_parse(buf, n, count_visit, NULL) == -EINVAL);
	CHECK(ldcache_parse((const unsigned char *)"ld.so-1.7.0", 11, count_visit, NULL) == -EINVAL);
	/* the old table first (glibc < 2.32 wrote both) */
	n = ldcache_make(buf, sizeof(buf), cache_entries, cache_flags, 3);
	memset(old, 0, sizeof(old));
	memcpy(old, "ld.so-1.7.0", 11);
	bad = 1;
	memcpy(old + 12, &bad, 4);
	memcpy(old + 32, buf, n);	/* 16 + 12, aligned to 8 */
	seen = 0;
	CHECK(ldcache_parse(old, 32 + n, count_visit, NULL) == 0 && seen == 1);
}

static int libc_visit(void *ctx, const char *name, const char *path)
{
	(void)ctx;
	(void)path;
	if (strcmp(name, "libc.so.6") == 0)
		seen |= 4;
	return 0;
}

/* This host's own cache, as glibc's ldconfig wrote it. */
static void test_host_ldcache(void)
{
	char *buf;
	size_t n;

	if (file_read_alloc("/etc/ld.so.cache", LDCACHE_MAX, &buf, &n) < 0) {
		printf("skip test_host_ldcache: no /etc/ld.so.cache\n");
		return;
	}
	seen = 0;
	CHECK(ldcache_parse((unsigned char *)buf, n, libc_visit, NULL) == 0 && seen == 4);
	free(buf);
}

static void test_two_gpus(void)
{
	struct cdi_gen g;
	const json_t *d, *n;
	json_t *spec = NULL;
	char *text;

	two_gpus("usr/local/nvidia/lib64");
	if (!can_mknod) {
		printf("skip test_two_gpus: cannot make device nodes here\n");
		return;
	}
	CHECK(generate(NULL, NULL, &spec, &g) == 0);
	if (spec == NULL) {
		fprintf(stderr, "  %s\n", why.msg);
		return;
	}
	CHECK(strcmp(json_string_value(json_object_get(spec, "cdiVersion")), "0.5.0") == 0);
	CHECK(strcmp(json_string_value(json_object_get(spec, "kind")), "nvidia.com/gpu") == 0);
	CHECK(json_array_size(json_object_get(spec, "devices")) == 5);
	/* index 0 is the lower PCI address, whatever its minor */
	d = device(spec, "0");
	n = json_array_get(json_object_get(json_object_get(d, "containerEdits"), "deviceNodes"), 0);
	CHECK(d != NULL && strcmp(json_string_value(json_object_get(n, "path")), "/dev/nvidia0") == 0);
	CHECK(json_integer_value(json_object_get(n, "major")) == 195);
	CHECK(device(spec, "GPU-2c4f0a1b-7d3e-4f55-8a66-0123456789ab") != NULL);
	CHECK(device(spec, "GPU-9e8d7c6b-5a49-3827-1605-fedcba987654") != NULL);
	d = device(spec, "all");
	CHECK(d != NULL && json_array_size(json_object_get(json_object_get(d, "containerEdits"), "deviceNodes")) == 2);
	CHECK(json_array_size(json_object_get(json_object_get(spec, "containerEdits"), "deviceNodes")) == 3);
	CHECK(has_mount(spec, "/usr/local/nvidia/lib64/libcuda.so.550.127.05"));
	CHECK(has_mount(spec, "/usr/local/nvidia/lib64/libcuda.so.1"));
	CHECK(has_mount(spec, "/usr/local/nvidia/bin/nvidia-smi"));
	text = cdi_dump(spec);
	CHECK(text != NULL && strstr(text, "\"update-ldcache\"") != NULL &&
	      strstr(text, "\"/usr/local/nvidia/lib64\"") != NULL &&
	      strstr(text, "\"createContainer\"") != NULL);
	free(text);
	CHECK(warnings[0] == '\0');
	json_decref(spec);
}

/* The libraries only through the ld cache, under another directory. */
static void test_ldcache_only(void)
{
	static unsigned char buf[4096];
	struct cdi_gen g;
	json_t *spec = NULL;
	size_t n;
	int fd;
	char path[512];

	two_gpus("opt/driver/lib");
	if (!can_mknod)
		return;
	n = ldcache_make(buf, sizeof(buf), (const char *const[][2]){
		{ "libcuda.so.1", "/opt/driver/lib/libcuda.so.1" },
		{ "libnvidia-ml.so.1", "/opt/driver/lib/libnvidia-ml.so.1" } },
		(const uint32_t[]){ 0x0303, 0x0303 }, 2);
	snprintf(path, sizeof(path), "%s/etc/ld.so.cache", root);
	put("etc/ld.so.cache", "");
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, buf, n) == (ssize_t)n);
	close(fd);
	CHECK(generate(NULL, "/etc/ld.so.cache", &spec, &g) == 0);
	CHECK(spec != NULL && has_mount(spec, "/opt/driver/lib/libcuda.so.550.127.05") &&
	      has_mount(spec, "/opt/driver/lib/libnvidia-ml.so.550.127.05"));
	/* the cache did not give ptxjitcompiler: warned by name */
	CHECK(strstr(warnings, "libnvidia-ptxjitcompiler.so: not found") != NULL);
	json_decref(spec);
}

static void test_no_libraries(void)
{
	struct cdi_gen g;
	json_t *spec = NULL;

	two_gpus(NULL);
	if (!can_mknod)
		return;
	CHECK(generate(NULL, "/etc/ld.so.cache", &spec, &g) < 0 && spec == NULL);
	CHECK(strstr(why.msg, "no NVIDIA driver library") != NULL &&
	      strstr(why.msg, "/usr/local/nvidia/lib64:/usr/lib/x86_64-linux-gnu") != NULL);
}

static void test_no_gpu(void)
{
	struct cdi_gen g;
	json_t *spec = NULL;

	fresh_root();
	pci("0000:00:02.0", "0x8086\n", "0x030000\n");
	CHECK(generate(NULL, NULL, &spec, &g) == -ENODEV && spec == NULL);
	CHECK(strstr(why.msg, "no NVIDIA GPU") != NULL);
	CHECK(generate(CDI_KIND_AMD, NULL, &spec, &g) == -ENODEV && strstr(why.msg, "no AMD GPU") != NULL);
	CHECK(generate("example.com/x", NULL, &spec, &g) == -EINVAL);
}

static void test_odd_driver_data(void)
{
	struct cdi_gen g;
	json_t *spec = NULL;

	two_gpus("usr/local/nvidia/lib64");
	if (!can_mknod)
		return;
	put("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Kernel Module  custom-build\n");
	CHECK(generate(NULL, NULL, &spec, &g) < 0 && strstr(why.msg, "no driver version") != NULL);
	put("proc/driver/nvidia/version", "garbage\n");
	CHECK(generate(NULL, NULL, &spec, &g) < 0 && strstr(why.msg, "NVRM version") != NULL);
	/* a version no library carries: any libcuda.so.* is taken */
	put("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Kernel Module  999.1\n");
	CHECK(generate(NULL, NULL, &spec, &g) == 0 && has_mount(spec, "/usr/local/nvidia/lib64/libcuda.so.550.127.05"));
	json_decref(spec);
	spec = NULL;
	put("proc/driver/nvidia/version", "NVRM version: NVIDIA UNIX Kernel Module  550.127.05\n");
	put("proc/driver/nvidia/gpus/0000:3b:00.0/information", "Model: NVIDIA H200\nGPU UUID: GPU-zz\n");
	CHECK(generate(NULL, NULL, &spec, &g) < 0 && strstr(why.msg, "0000:3b:00.0/information") != NULL);
	/* excluded: left out with a warning */
	put("proc/driver/nvidia/gpus/0000:3b:00.0/information",
	    "GPU UUID: GPU-2c4f0a1b-7d3e-4f55-8a66-0123456789ab\nDevice Minor: 1\nGPU Excluded: Yes\n");
	CHECK(generate(NULL, NULL, &spec, &g) == 0 && json_array_size(json_object_get(spec, "devices")) == 3);
	CHECK(strstr(warnings, "excluded") != NULL);
	json_decref(spec);
}

static void test_amd(void)
{
	struct cdi_gen g;
	json_t *spec = NULL;

	fresh_root();
	pci("0000:c1:00.0", "0x1002\n", "0x038000\n");
	put("sys/bus/pci/devices/0000:c1:00.0/drm/renderD128/dev", "226:128\n");
	put("sys/bus/pci/devices/0000:c1:00.0/drm/card0/dev", "226:0\n");
	node("dev/dri/renderD128", 226, 128);
	node("dev/kfd", 235, 0);
	if (!can_mknod)
		return;
	CHECK(generate(CDI_KIND_AMD, NULL, &spec, &g) == 0);
	CHECK(spec != NULL && strcmp(json_string_value(json_object_get(spec, "kind")), "amd.com/gpu") == 0);
	CHECK(device(spec, "0") != NULL && device(spec, "all") != NULL);
	json_decref(spec);
}

static void test_version_rule(void)
{
	json_t *s = json_loads("{\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"gpu0\",\"containerEdits\":{}}]}", 0, NULL);

	CHECK(strcmp(cdi_version(s), "0.3.0") == 0);
	json_object_set_new(s, "containerEdits", json_loads("{\"mounts\":[{\"hostPath\":\"/a\",\"containerPath\":\"/a\",\"type\":\"bind\"}]}", 0, NULL));
	CHECK(strcmp(cdi_version(s), "0.4.0") == 0);
	json_object_set_new(json_array_get(json_object_get(s, "devices"), 0), "name", json_string("0"));
	CHECK(strcmp(cdi_version(s), "0.5.0") == 0);
	json_object_set_new(s, "annotations", json_loads("{\"a\":\"b\"}", 0, NULL));
	CHECK(strcmp(cdi_version(s), "0.6.0") == 0);
	json_decref(s);
}

static void test_spec_parse(void)
{
	static const char *const bad[] = {
		"", "[]", "{\"cdiVersion\":\"0.5.0\"}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"nvidia\",\"devices\":[{\"name\":\"0\",\"containerEdits\":{}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"-x\",\"containerEdits\":{}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{}},{\"name\":\"x\",\"containerEdits\":{}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"kind\":\"a.com/c\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"env\":[\"NOEQUALS\"]}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"dev/x\"}]}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"deviceNodes\":[{\"path\":\"/dev/x\",\"major\":-1}]}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"hooks\":[{\"hookName\":\"later\",\"path\":\"/bin/x\"}]}}]}",
		"{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"mounts\":[{\"hostPath\":\"/a\"}]}}]}",
	};
	static const char good[] = "{\"cdiVersion\":\"0.5.0\",\"kind\":\"a.com/b\",\"devices\":[{\"name\":\"x\",\"containerEdits\":{\"env\":[\"A=1\"]}}]}";
	char err[CDI_ERR_MAX], kind[64];
	const char *name;
	json_t *spec;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		CHECK(cdi_spec_parse(bad[i], strlen(bad[i]), &spec, err, sizeof(err)) == -EINVAL && err[0] != '\0');
	}
	CHECK(cdi_spec_parse(good, strlen(good), &spec, err, sizeof(err)) == 0);
	json_decref(spec);
	CHECK(cdi_name_split("nvidia.com/gpu=0", kind, sizeof(kind), &name) == 0 &&
	      strcmp(kind, "nvidia.com/gpu") == 0 && strcmp(name, "0") == 0);
	CHECK(cdi_name_split("nvidia.com/gpu", kind, sizeof(kind), &name) == -EINVAL);
	CHECK(cdi_name_split("gpu=0", kind, sizeof(kind), &name) == -EINVAL);
	CHECK(cdi_name_split("nvidia.com/gpu=../x", kind, sizeof(kind), &name) == -EINVAL);
}

static const char config_text[] =
	"{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"/bin/true\"],\"env\":[\"PATH=/bin\",\"A=old\",\"CDI_DEVICES=nvidia.com/gpu=0\"]},"
	"\"root\":{\"path\":\"rootfs\"},\"annotations\":{\"cdi.k8s.io/x\":\"nvidia.com/gpu=all, nvidia.com/gpu=0\"},"
	"\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}}}";

/* node.conf [gpu] cdi-devices-env as the shim runs under it */
static int shim_env_on = 1;

static int shim_run(const char *spec_text, const char *config, char *out, size_t size, struct shim *s)
{
	static const char *dirs[2];
	static char d0[512], d1[512];
	char path[512];
	size_t n;
	int rc;

	snprintf(d0, sizeof(d0), "%s/etc/cdi", root);
	snprintf(d1, sizeof(d1), "%s/var/run/cdi", root);
	dirs[0] = d0;
	dirs[1] = d1;
	put("etc/cdi/README.yaml", "not read\n");
	if (spec_text != NULL)
		put("var/run/cdi/nvidia.json", spec_text);
	put("bundle/config.json", config);
	memset(s, 0, sizeof(*s));
	s->dirs = dirs;
	s->ndirs = 2;
	s->root = root;
	s->env_on = shim_env_on;
	s->warn = warn_keep;
	warnings[0] = '\0';
	snprintf(path, sizeof(path), "%s/bundle", root);
	rc = shim_edit(s, path, &why);
	snprintf(path, sizeof(path), "%s/bundle/config.json", root);
	if (file_read(path, out, size, &n) < 0)
		out[0] = '\0';
	return rc;
}

static void test_shim(void)
{
	static char out[65536];
	struct cdi_gen g;
	struct shim s;
	json_t *spec = NULL, *config;
	char *text;

	two_gpus("usr/local/nvidia/lib64");
	if (!can_mknod)
		return;
	CHECK(generate(NULL, NULL, &spec, &g) == 0);
	json_array_append_new(json_object_get(json_object_get(spec, "containerEdits"), "env") ?: 
		(json_object_set_new(json_object_get(spec, "containerEdits"), "env", json_array()),
		 json_object_get(json_object_get(spec, "containerEdits"), "env")), json_string("A=new"));
	text = cdi_dump(spec);
	json_decref(spec);

	CHECK(shim_run(text, config_text, out, sizeof(out), &s) == 0);
	CHECK(s.applied == 2);
	CHECK(strstr(warnings, "README.yaml: skipped") != NULL);
	config = json_loads(out, 0, NULL);
	CHECK(config != NULL);
	CHECK(json_array_size(json_object_get(json_object_get(config, "linux"), "devices")) == 5);
	/* the deny rule, then 2 GPUs + 3 common nodes allowed once each */
	CHECK(json_array_size(json_object_get(json_object_get(json_object_get(config, "linux"), "resources"), "devices")) == 6);
	CHECK(strstr(out, "\"A=new\"") != NULL && strstr(out, "\"A=old\"") == NULL);
	CHECK(strstr(out, "\"destination\": \"/usr/local/nvidia/lib64/libcuda.so.1\"") != NULL);
	CHECK(json_array_size(json_object_get(json_object_get(config, "hooks"), "createContainer")) == 1);
	json_decref(config);

	/* an unknown device: refused, config.json byte for byte as it was */
	CHECK(shim_run(text, "{\"process\":{\"env\":[\"CDI_DEVICES=nvidia.com/gpu=99\"]}}", out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "nvidia.com/gpu=99: unknown") != NULL);
	CHECK(strcmp(out, "{\"process\":{\"env\":[\"CDI_DEVICES=nvidia.com/gpu=99\"]}}") == 0);
	CHECK(shim_run(text, "{\"annotations\":{\"cdi.k8s.io/a\":\"amd.com/gpu=0\"}}", out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "no spec of its kind") != NULL);
	CHECK(shim_run(text, "{\"annotations\":{\"cdi.k8s.io/a\":\"gpu0\"}}", out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "not a name") != NULL);
	/* a malformed spec: named */
	CHECK(shim_run("{\"cdiVersion\": ", config_text, out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "var/run/cdi/nvidia.json: not JSON") != NULL && strcmp(out, config_text) == 0);
	/* no request: nothing read, nothing written */
	CHECK(shim_run("garbage", "{\"process\":{}}", out, sizeof(out), &s) == 0 && s.applied == 0);
	/* a second "annotations" that would hide CRI's mark behind the
	 * first: refused, not read as the last one */
	CHECK(shim_run(text, "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\"},"
		       "\"annotations\":{\"cdi.k8s.io/a\":\"nvidia.com/gpu=0\"}}", out, sizeof(out), &s) < 0);
	CHECK(s.applied == 0 && strstr(why.msg, "duplicate") != NULL);
	/* a GPU gone since the spec was written */
	node("dev/nvidia1", 195, 7);
	CHECK(shim_run(text, config_text, out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "/dev/nvidia1") != NULL && strstr(why.msg, "195:1") != NULL && strcmp(out, config_text) == 0);
	check_rmtree(strcat(strcpy((char[512]){ 0 }, root), "/dev/nvidia0"));
	CHECK(shim_run(text, config_text, out, sizeof(out), &s) < 0);
	CHECK(strstr(why.msg, "/dev/nvidia0") != NULL && strstr(why.msg, "No such file") != NULL);
	free(text);
}

/* A container made by containerd's CRI, as 1.7 writes its config.json:
 * what the pod author and the image put in its environment. */
#define CRI_ANNOTATIONS "\"io.kubernetes.cri.container-type\":\"container\"," \
	"\"io.kubernetes.cri.sandbox-namespace\":\"tenant-a\""

/* requests: cdi_requests on TEXT; the names, comma-joined, in GOT. */
static int requests(const char *text, int env_on, char *got, size_t size, char *err, size_t errsz)
{
	static char names[8][CDI_NAME_MAX];
	json_t *config = json_loads(text, 0, NULL);
	size_t n = 0, i;
	int rc;

	got[0] = err[0] = '\0';
	if (config == NULL)
		return -100;
	rc = cdi_requests(config, env_on, names, 8, &n, err, errsz);
	for (i = 0; rc == 0 && i < n; i++)
		snprintf(got + strlen(got), size - strlen(got), "%s%s", i ? "," : "", names[i]);
	json_decref(config);
	return rc;
}

static void test_requests(void)
{
	static char out[4096];
	char got[512], err[CDI_ERR_MAX], *long_env;
	struct shim s;

	/* outside the CRI: the annotation always, the variable with the switch */
	CHECK(requests(config_text, 1, got, sizeof(got), err, sizeof(err)) == 0 &&
	      strcmp(got, "nvidia.com/gpu=all,nvidia.com/gpu=0") == 0);
	CHECK(requests("{\"annotations\":{\"cdi.k8s.io/a\":\" nvidia.com/gpu=1 ,\"},"
		       "\"process\":{\"env\":[\"CDI_DEVICESX=nvidia.com/gpu=2\",\"CDI_DEVICES\"]}}",
		       0, got, sizeof(got), err, sizeof(err)) == 0 && strcmp(got, "nvidia.com/gpu=1") == 0);
	CHECK(requests(config_text, 0, got, sizeof(got), err, sizeof(err)) == -EPERM);
	CHECK(strstr(err, "its environment (CDI_DEVICES=nvidia.com/gpu=0): refused: CDI_DEVICES is off on "
		      "this node (node.conf [gpu] cdi-devices-env)") != NULL);
	CHECK(requests("{\"process\":{\"env\":[\"CDI_DEVICES= , \"]}}", 0, got, sizeof(got), err,
		       sizeof(err)) == 0 && got[0] == '\0');

	/* a pod's environment, switch off or on: refused */
	CHECK(requests("{\"annotations\":{" CRI_ANNOTATIONS "},\"process\":{\"env\":"
		       "[\"PATH=/bin\",\"CDI_DEVICES=nvidia.com/gpu=all\"]}}", 0, got, sizeof(got), err,
		       sizeof(err)) == -EPERM);
	CHECK(strstr(err, "a Kubernetes container asks for devices by its environment "
		      "(CDI_DEVICES=nvidia.com/gpu=all): refused: a pod's environment is never a device request") != NULL);
	CHECK(requests("{\"annotations\":{" CRI_ANNOTATIONS "},\"process\":{\"env\":"
		       "[\"CDI_DEVICES=nvidia.com/gpu=all\"]}}", 1, got, sizeof(got), err, sizeof(err)) == -EPERM &&
	      got[0] == '\0');
	/* a pod's annotation (pod_annotations passes it on): refused, named */
	CHECK(requests("{\"annotations\":{\"cdi.k8s.io/x\":\"nvidia.com/gpu=3\"," CRI_ANNOTATIONS "}}", 1, got,
		       sizeof(got), err, sizeof(err)) == -EPERM);
	CHECK(strstr(err, "by its annotation cdi.k8s.io/x (nvidia.com/gpu=3): refused: a pod's annotation") != NULL);
	/* the CRI's mark with any value still marks it */
	CHECK(requests("{\"annotations\":{\"io.kubernetes.cri.container-type\":7,\"cdi.k8s.io/x\":\"a.com/b=c\"}}",
		       1, got, sizeof(got), err, sizeof(err)) == -EPERM);
	/* a pod that asks nothing (the kubelet's devices came through containerd) */
	CHECK(requests("{\"annotations\":{" CRI_ANNOTATIONS ",\"cdi.k8s.io/x\":\",\"},\"process\":{\"env\":"
		       "[\"CDI_DEVICES=\"]}}", 0, got, sizeof(got), err, sizeof(err)) == 0 && got[0] == '\0');

	/* what the container wrote reaches the message tamed and cut */
	CHECK(requests("{\"process\":{\"env\":[\"CDI_DEVICES=a.com/b=\\n\\\"\\u00e9\"]}}", 0, got, sizeof(got),
		       err, sizeof(err)) == -EPERM && strstr(err, "(CDI_DEVICES=a.com/b=?\?\?\?)") != NULL);
	long_env = malloc(3000);
	CHECK(long_env != NULL);
	if (long_env != NULL) {
		snprintf(long_env, 3000, "{\"process\":{\"env\":[\"CDI_DEVICES=%02000d\"]}}", 0);
		CHECK(requests(long_env, 0, got, sizeof(got), err, sizeof(err)) == -EPERM &&
		      strstr(err, "00...): refused") != NULL && strlen(err) < 400);
		free(long_env);
	}

	/* through the shim: refused before any spec is read, config.json as it was */
	fresh_root();
	shim_env_on = 0;
	CHECK(shim_run("garbage", config_text, out, sizeof(out), &s) == -EPERM);
	CHECK(strstr(why.msg, "bundle/config.json: the container asks for devices by its environment") != NULL);
	CHECK(strcmp(out, config_text) == 0 && s.applied == 0);
	shim_env_on = 1;
}

static void test_runc_args(void)
{
	struct runc_args a;
	char *v1[] = { "runc", "--root", "/run/x", "--log", "/l.json", "--log-format", "json",
		       "--systemd-cgroup", "create", "--bundle", "/b", "--pid-file", "/p", "id", NULL };
	char *v2[] = { "runc", "run", "-d", "-b=/bb", "id", NULL };
	char *v3[] = { "runc", "--root=/r", "start", "--bundle", "/x", "id", NULL };
	char *v4[] = { "runc", "create", "--bundle", NULL };

	CHECK(runc_args_parse(14, v1, &a) == 0 && strcmp(a.command, "create") == 0 &&
	      strcmp(a.bundle, "/b") == 0 && strcmp(a.log, "/l.json") == 0 && a.log_json);
	CHECK(runc_args_parse(5, v2, &a) == 0 && strcmp(a.command, "run") == 0 && strcmp(a.bundle, "/bb") == 0);
	CHECK(runc_args_parse(6, v3, &a) == 0 && strcmp(a.command, "start") == 0 && a.bundle == NULL);
	CHECK(runc_args_parse(3, v4, &a) == -EINVAL);
}

static void test_hook_rootfs(void)
{
	char state[600], rootfs[512];

	fresh_root();
	put("b/config.json", "{\"root\":{\"path\":\"rootfs\"}}");
	snprintf(state, sizeof(state), "{\"ociVersion\":\"1.0.2\",\"id\":\"x\",\"pid\":1,\"bundle\":\"%s/b\"}", root);
	CHECK(ldhook_rootfs(state, strlen(state), rootfs, sizeof(rootfs), &why) == 0);
	CHECK(strstr(rootfs, "/b/rootfs") != NULL);
	CHECK(ldhook_rootfs("{\"bundle\":\"rel\"}", 17, rootfs, sizeof(rootfs), &why) < 0);
	CHECK(ldhook_rootfs("{", 1, rootfs, sizeof(rootfs), &why) < 0 && strstr(why.msg, "not JSON") != NULL);
}

static const char proc_devices[] =
	"Character devices:\n  1 mem\n  4 /dev/vc/0\n 10 misc\n195 nvidia-frontend\n"
	"226 drm\n234 nvidia-caps\n509 nvidia-nvswitch\n510 nvidia-uvm\n\n"
	"Block devices:\n  7 loop\n195 nvidia\n259 blkext\n";

static void test_proc_devices(void)
{
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "nvidia-frontend") == 195);
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "nvidia-uvm") == 510);
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "nvidia-caps") == 234);
	/* Names match whole, and only among character devices. */
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "nvidia") == -ENOENT);
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "nvidia-uv") == -ENOENT);
	CHECK(procdevices_major(proc_devices, strlen(proc_devices), "loop") == -ENOENT);
	CHECK(procdevices_major("Character devices:\nx nvidia\n", 27, "nvidia") == -EINVAL);
	CHECK(procdevices_major("Character devices:\n99999 nvidia\n", 31, "nvidia") == -EINVAL);
	CHECK(procdevices_major("", 0, "nvidia") == -ENOENT);
}

static void test_nvcap_parse(void)
{
	static const char cfg[] = "DeviceFileMinor: 1\nDeviceFileMode: 256\nDeviceFileModify: 1\n";
	unsigned minor = 99, mode = 0;

	CHECK(nvcap_parse(cfg, strlen(cfg), &minor, &mode) == 0 && minor == 1 && mode == 0400);
	CHECK(nvcap_parse("DeviceFileMinor: 2\n", 19, &minor, &mode) == 0 && minor == 2 && mode == 0400);
	CHECK(nvcap_parse("DeviceFileMode: 256\n", 20, &minor, &mode) == -ENODATA);
	CHECK(nvcap_parse("DeviceFileMinor: -1\n", 20, &minor, &mode) == -EINVAL);
	CHECK(nvcap_parse("DeviceFileMinor: 1\nDeviceFileMode: 4096\n", 40, &minor, &mode) == -EINVAL);
}

/* rdev_of: ROOT/REL's device numbers and mode, or -1 for no char device. */
static long rdev_of(const char *rel, unsigned *mode)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lstat(path, &st) < 0 || !S_ISCHR(st.st_mode))
		return -1;
	*mode = st.st_mode & 07777;
	return (long)st.st_rdev;
}

static void test_nodes(void)
{
	struct nvnodes_report r;
	char path[512];
	unsigned mode = 0;

	if (geteuid() != 0) {
		printf("skip test_nodes: mknod needs root\n");
		return;
	}
	fresh_root();
	/* The driver is loaded with two GPUs, nothing under /dev yet. */
	nv_gpu("0000:3b:00.0", "GPU-2c4f0a1b-7d3e-4f55-8a66-0123456789ab", 1);
	nv_gpu("0000:1a:00.0", "GPU-9e8d7c6b-5a49-3827-1605-fedcba987654", 0);
	snprintf(path, sizeof(path), "%s/dev/nvidia0", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/dev/nvidia1", root);
	unlink(path);
	put("proc/devices", proc_devices);
	put("proc/driver/nvidia/capabilities/mig/config", "DeviceFileMinor: 1\nDeviceFileMode: 256\nDeviceFileModify: 1\n");
	put("proc/driver/nvidia/capabilities/mig/monitor", "DeviceFileMinor: 2\nDeviceFileMode: 292\nDeviceFileModify: 1\n");
	CHECK(nvnodes_make(root, &r, &why) == 0);
	CHECK(r.gpus == 2 && r.made == 7 && r.kept == 0 && r.uvm && r.caps == 2);
	CHECK(rdev_of("dev/nvidia0", &mode) == (long)makedev(195, 0) && mode == 0666);
	CHECK(rdev_of("dev/nvidia1", &mode) == (long)makedev(195, 1) && mode == 0666);
	CHECK(rdev_of("dev/nvidiactl", &mode) == (long)makedev(195, 255) && mode == 0666);
	CHECK(rdev_of("dev/nvidia-uvm", &mode) == (long)makedev(510, 0));
	CHECK(rdev_of("dev/nvidia-uvm-tools", &mode) == (long)makedev(510, 1));
	CHECK(rdev_of("dev/nvidia-caps/nvidia-cap1", &mode) == (long)makedev(234, 1) && mode == 0400);
	CHECK(rdev_of("dev/nvidia-caps/nvidia-cap2", &mode) == (long)makedev(234, 2) && mode == 0444);
	CHECK(rdev_of("dev/nvidia-modeset", &mode) == -1);	/* nvidia-modeset not loaded */

	/* Again: all kept.  A wrong node (uvm's major changed on a reload)
	 * is replaced, and a wrong mode fixed. */
	node("dev/nvidia-uvm", 511, 0);
	snprintf(path, sizeof(path), "%s/dev/nvidia0", root);
	chmod(path, 0600);
	put("sys/module/nvidia_modeset/refcnt", "0\n");
	CHECK(nvnodes_make(root, &r, &why) == 0);
	CHECK(r.made == 2 && r.kept == 6);
	CHECK(rdev_of("dev/nvidia-uvm", &mode) == (long)makedev(510, 0));
	CHECK(rdev_of("dev/nvidia0", &mode) == (long)makedev(195, 0) && mode == 0666);
	CHECK(rdev_of("dev/nvidia-modeset", &mode) == (long)makedev(195, 254));

	/* A GPU vanished between the driver's load and now: the others get
	 * their nodes, and the missing one is named. */
	snprintf(path, sizeof(path), "%s/proc/driver/nvidia/gpus/0000:3b:00.0/information", root);
	unlink(path);
	CHECK(nvnodes_make(root, &r, &why) < 0);
	CHECK(strstr(why.msg, "0000:3b:00.0") != NULL);
	CHECK(r.gpus == 1);

	/* No driver: nothing made, said so. */
	put("proc/devices", "Character devices:\n  1 mem\n\nBlock devices:\n  7 loop\n");
	CHECK(nvnodes_make(root, &r, &why) < 0);
	CHECK(strstr(why.msg, "not loaded") != NULL && r.made == 0);
	/* nvidia-uvm not loaded: the rest still made. */
	put("proc/devices", "Character devices:\n195 nvidia\n");
	snprintf(path, sizeof(path), "%s/proc/driver/nvidia/capabilities", root);
	check_rmtree(path);
	CHECK(nvnodes_make(root, &r, &why) < 0);	/* still the vanished GPU */
	CHECK(!r.uvm && r.caps == 0 && r.gpus == 1);
}

int main(void)
{
	RUN(test_info_parse);
	RUN(test_version_parse);
	RUN(test_ldcache);
	RUN(test_host_ldcache);
	RUN(test_two_gpus);
	RUN(test_ldcache_only);
	RUN(test_no_libraries);
	RUN(test_no_gpu);
	RUN(test_odd_driver_data);
	RUN(test_amd);
	RUN(test_version_rule);
	RUN(test_spec_parse);
	RUN(test_shim);
	RUN(test_requests);
	RUN(test_runc_args);
	RUN(test_hook_rootfs);
	RUN(test_proc_devices);
	RUN(test_nvcap_parse);
	RUN(test_nodes);
	if (root[0] != '\0')
		check_rmtree(root);
	return CHECK_DONE();
}
