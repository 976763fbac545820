/* cdi_main.c: cairn-cdi, the CDI spec generator and its ld cache hook
 * (doc/cairn-cdi.md). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cdi.h"
#include "cli.h"
#include "fileio.h"
#include "gpu.h"
#include "ldhook.h"
#include "libfind.h"
#include "nvnodes.h"


static const char usage[] =
	"usage: cairn-cdi COMMAND [OPTIONS]\n"
	"\n"
	"  generate [OPTIONS]    write the CDI spec of this host's GPUs\n"
	"      --root DIR        read /proc, /sys, /dev and the paths below under DIR\n"
	"      --kind KIND       nvidia.com/gpu (default) or amd.com/gpu\n"
	"      --lib-path D:D    library directories searched first\n"
	"      --bin-path D:D    tool directories searched first\n"
	"      --ldcache FILE    the ld cache (default /etc/ld.so.cache)\n"
	"      --no-defaults     search only --lib-path, --bin-path and the cache\n"
	"      --hook-path PATH  cairn-cdi as containers' hooks run it (default: this one)\n"
	"      -o FILE           write the spec to FILE atomically (default: stdout)\n"
	"      --json-list       print the device names it defines, as a JSON list\n"
	"  list [--root DIR]     the GPUs found: index, vendor, PCI address, UUID, model\n"
	"  nodes [--root DIR]    make /dev/nvidia* from the loaded NVIDIA driver's\n"
	"                        numbers in /proc (after loading it: no uevent does)\n"
	"  hook update-ldcache --folder DIR...\n"
	"                        OCI createContainer hook: the container's ld cache\n"
	"                        gets DIRs (OCI state on stdin)\n"
	"  --help, --version\n"
	"\n"
	"Exit: 0 done, 1 no GPU or bad driver data, 100 usage, 111 system error.\n";

#if defined(__x86_64__)
#define MULTIARCH "x86_64-linux-gnu"
#elif defined(__aarch64__)
#define MULTIARCH "aarch64-linux-gnu"
#else
#define MULTIARCH "unknown"
#endif

static const char *const default_libs[] = {
	"/usr/lib/" MULTIARCH, "/lib/" MULTIARCH, "/usr/lib64", "/lib64", "/usr/lib", "/lib",
	"/usr/local/nvidia/lib64", "/usr/local/nvidia/lib",
};
static const char *const default_bins[] = {
	"/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/nvidia/bin",
};

static void warn_print(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "cairn-cdi: warning: %s\n", msg);
}

/* split_path: "A:B" into LIST after what is there; empty parts dropped. */
static int split_path(char *s, const char **list, size_t *n, size_t max)
{
	char *part;

	for (part = strtok(s, ":"); part != NULL; part = strtok(NULL, ":")) {
		if (*n >= max)
			return -E2BIG;
		if (part[0] != '/' || strlen(part) >= LIBFIND_PATH_MAX - 64)
			return -EINVAL;
		list[(*n)++] = part;
	}
	return 0;
}

static int print_names(const json_t *spec)
{
	const char *kind = json_string_value(json_object_get(spec, "kind"));
	const json_t *d;
	json_t *list = json_array();
	char name[CDI_NAME_MAX * 2];
	char *s;
	size_t i;

	if (list == NULL)
		return -ENOMEM;
	json_array_foreach(json_object_get(spec, "devices"), i, d) {
		snprintf(name, sizeof(name), "%s=%s", kind,
			 json_string_value(json_object_get(d, "name")));
		json_array_append_new(list, json_string(name));
	}
	s = json_dumps(list, JSON_COMPACT);
	json_decref(list);
	if (s == NULL)
		return -ENOMEM;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int cmd_generate(int argc, char **argv)
{
	static const char *libs[LIBFIND_DIRS], *bins[LIBFIND_DIRS];
	struct cdi_gen g;
	struct perr e;
	char self[PATH_MAX], *text;
	const char *out = NULL;
	size_t i;
	int defaults = 1, json_list = 0, rc;
	json_t *spec;

	memset(&g, 0, sizeof(g));
	g.kind = CDI_KIND_NVIDIA;
	g.ldcache = "/etc/ld.so.cache";
	g.lib_dirs = libs;
	g.bin_dirs = bins;
	g.warn = warn_print;
	for (i = 1; i < (size_t)argc; i++) {
		const char *a = argv[i];
		char *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--no-defaults") == 0) {
			defaults = 0;
			continue;
		}
		if (strcmp(a, "--json-list") == 0) {
			json_list = 1;
			continue;
		}
		if (v == NULL)
			return usage_error("an option needs a value");
		i++;
		if (strcmp(a, "--root") == 0)
			g.root = v;
		else if (strcmp(a, "--kind") == 0)
			g.kind = v;
		else if (strcmp(a, "--ldcache") == 0)
			g.ldcache = v;
		else if (strcmp(a, "--hook-path") == 0)
			g.hook_path = v;
		else if (strcmp(a, "-o") == 0)
			out = v;
		else if (strcmp(a, "--lib-path") == 0) {
			if (split_path(v, libs, &g.nlib_dirs, LIBFIND_DIRS - 8) < 0)
				return usage_error("--lib-path: absolute directories, at most 24");
		} else if (strcmp(a, "--bin-path") == 0) {
			if (split_path(v, bins, &g.nbin_dirs, LIBFIND_DIRS - 8) < 0)
				return usage_error("--bin-path: absolute directories, at most 24");
		} else
			return usage_error("generate: unknown option");
	}
	if (defaults) {
		for (i = 0; i < sizeof(default_libs) / sizeof(default_libs[0]); i++)
			libs[g.nlib_dirs++] = default_libs[i];
		for (i = 0; i < sizeof(default_bins) / sizeof(default_bins[0]); i++)
			bins[g.nbin_dirs++] = default_bins[i];
	}
	if (g.hook_path == NULL) {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n <= 0) {
			fprintf(stderr, "cairn-cdi: /proc/self/exe: %s: give --hook-path\n", strerror(errno));
			return EXIT_SYSTEM;
		}
		self[n] = '\0';
		g.hook_path = self;
	}
	rc = cdi_generate(&g, &spec, &e);
	if (rc == -ENOMEM) {
		fprintf(stderr, "cairn-cdi: generate: out of memory\n");
		return EXIT_SYSTEM;
	}
	if (rc < 0) {
		fprintf(stderr, "cairn-cdi: generate: %s\n", e.msg);
		return EXIT_DATA;
	}
	if (out != NULL && strcmp(out, "-") != 0) {
		rc = cdi_write(out, spec);
		if (rc < 0) {
			fprintf(stderr, "cairn-cdi: writing %s: %s\n", out, strerror(-rc));
			json_decref(spec);
			return EXIT_SYSTEM;
		}
	} else if (!json_list) {
		text = cdi_dump(spec);
		if (text == NULL || fputs(text, stdout) == EOF || fflush(stdout) == EOF) {
			fprintf(stderr, "cairn-cdi: writing the spec: %s\n", strerror(errno));
			free(text);
			json_decref(spec);
			return EXIT_SYSTEM;
		}
		free(text);
	}
	rc = json_list ? print_names(spec) : 0;
	json_decref(spec);
	if (rc < 0 || fflush(stdout) == EOF)
		return EXIT_SYSTEM;
	return 0;
}

static int cmd_list(int argc, char **argv)
{
	char path[512], buf[GPU_FILE_MAX], version[GPU_VERSION_MAX];
	const char *root = NULL;
	struct gpu *gpus;
	size_t n, i, len;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--root") == 0)
		root = argv[2];
	else if (argc != 1)
		return usage_error("list [--root DIR]");
	gpus = calloc(GPU_MAX, sizeof(*gpus));
	if (gpus == NULL)
		return EXIT_SYSTEM;
	rc = gpu_scan(root, gpus, GPU_MAX, &n);
	if (rc < 0) {
		fprintf(stderr, "cairn-cdi: list: %s\n", strerror(-rc));
		free(gpus);
		return EXIT_SYSTEM;
	}
	if (gpu_path(path, sizeof(path), root, "/proc/driver/nvidia/version") == 0 &&
	    file_read(path, buf, sizeof(buf), &len) == 0 &&
	    nvversion_parse(buf, len, version, sizeof(version)) == 0)
		printf("nvidia driver %s\n", version);
	for (i = 0; i < n; i++) {
		const struct gpu *g = &gpus[i];

		if (g->vendor == GPU_VENDOR_NVIDIA)
			printf("%zu\tnvidia\t%s\t%s\t%s%s\n", i, g->pci,
			       g->has_info ? g->uuid : "-", g->has_info ? g->model : "(no driver information)",
			       g->excluded ? " (excluded)" : "");
		else
			printf("%zu\tamd\t%s\t-\t%s\n", i, g->pci,
			       g->render[0] ? g->render : "(no render node)");
	}
	if (n == 0)
		printf("no GPU found\n");
	free(gpus);
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

static int cmd_nodes(int argc, char **argv)
{
	struct nvnodes_report r;
	const char *root = NULL;
	struct perr e;
	int rc;

	if (argc == 3 && strcmp(argv[1], "--root") == 0)
		root = argv[2];
	else if (argc != 1)
		return usage_error("nodes [--root DIR]");
	rc = nvnodes_make(root, &r, &e);
	if (r.made + r.kept > 0)
		printf("cairn-cdi: nodes: %d GPU%s, %d node%s made, %d already right%s%s\n", r.gpus,
		       r.gpus == 1 ? "" : "s", r.made, r.made == 1 ? "" : "s", r.kept,
		       r.uvm ? "" : "; nvidia-uvm is not loaded (no /dev/nvidia-uvm)",
		       r.caps ? ", with nvidia-caps" : "");
	if (rc < 0) {
		fprintf(stderr, "cairn-cdi: nodes: %s\n", e.msg);
		return EXIT_DATA;
	}
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

static int cmd_hook(int argc, char **argv)
{
	const char *folders[LIBFIND_DIRS];
	char rootfs[4096], *state;
	struct perr e;
	size_t n = 0, len = 0, cap = LDHOOK_STATE_MAX;
	ssize_t r;
	int i;

	if (argc < 2 || strcmp(argv[1], "update-ldcache") != 0)
		return usage_error("hook update-ldcache --folder DIR...");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--folder") != 0 || i + 1 >= argc || n == LIBFIND_DIRS)
			return usage_error("hook update-ldcache --folder DIR...");
		folders[n++] = argv[++i];
	}
	state = malloc(cap + 1);
	if (state == NULL)
		return EXIT_SYSTEM;
	while (len < cap && (r = read(0, state + len, cap - len)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "cairn-cdi: hook: reading the OCI state: %s\n", strerror(errno));
			free(state);
			return EXIT_SYSTEM;
		}
		len += (size_t)r;
	}
	if (ldhook_rootfs(state, len, rootfs, sizeof(rootfs), &e) < 0 ||
	    ldhook_update(rootfs, folders, n, &e) < 0) {
		fprintf(stderr, "cairn-cdi: hook update-ldcache: %s\n", e.msg);
		free(state);
		return EXIT_DATA;
	}
	free(state);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct cli self = { "cairn-cdi", usage };
	static const struct cli_cmd cmds[] = {
		{ "generate", cmd_generate }, { "list", cmd_list },
		{ "nodes", cmd_nodes }, { "hook", cmd_hook }, { NULL, NULL },
	};

	return cli_main(&self, cmds, argc, argv);
}
