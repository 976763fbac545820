/* agent_main.c: cairn-agent, the node agent (doc/cairn-agent.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "api.h"
#include "cli.h"
#include "cmdline.h"
#include "datapart.h"
#include "fileio.h"
#include "health.h"
#include "inventory.h"
#include "kube.h"
#include "netapply.h"
#include "netplan.h"
#include "nvsmi.h"
#include "nodeconf.h"
#include "bootent.h"
#include "osboot.h"
#include "osstate.h"
#include "setup.h"
#include "slurm.h"
#include "runcap.h"
#include "gpu.h"
#include "text.h"

#include <jansson.h>

#define DEFAULT_CONFIG SETUP_CONFIG

static const char usage[] =
	"usage: cairn-agent COMMAND [ARGS]\n"
	"\n"
	"  setup [--cmdline FILE] [--root DIR] [--out DIR] [--medium DIR] [--wait S]\n"
	"        [--no-system]   find the node config (command line, boot medium,\n"
	"                        image), check it, write it to " SETUP_OUT "\n"
	"  config check [FILE]   check a node config (default " DEFAULT_CONFIG ")\n"
	"  config show [FILE]    the config as understood, secrets not shown\n"
	"  net plan [--config FILE] [--root DIR]\n"
	"                        the steps that set the config's network up\n"
	"  net up [--config FILE] [--notify FD] [--wait S] [--resolv FILE]\n"
	"                        take them, and keep DHCP clients running\n"
	"  ntpd [--config FILE]  BusyBox ntpd on the config's [time] servers\n"
	"  kubelet [--config FILE] [--out DIR] [--render-only]\n"
	"                        the kubernetes profile: kubelet's files, then kubelet\n"
	"  serve [--config FILE] [--root DIR] [--kmsg FILE] [--notify FD] [--user NAME]\n"
	"                        the control API ([api]: HTTPS, mutual TLS; its network\n"
	"                        side runs as NAME, cairn-api by default)\n"
	"  inventory [--root DIR]\n"
	"                        CPUs, memory, disks, NICs and GPUs, as JSON\n"
	"  health [--config FILE] [--root DIR] [--kmsg FILE] [--nvidia-smi PATH]\n"
	"                        the node's health checks; exit 1 when one fails\n"
	"  slurm munged|slurmd [--config FILE]\n"
	"                        the slurm profile: MUNGE's daemon, then slurmd\n"
	"  slurm joined [--wait S]\n"
	"                        0 once the controller has this node (initd's check)\n"
	"  slurm health [--config FILE] [--kmsg FILE]\n"
	"                        the checks; drain the node on a failure, resume it\n"
	"  os status             the root slots: which runs, its version, whether it is\n"
	"                        on trial, the update pending, the last rollback\n"
	"  os check [--timeout S]\n"
	"                        a trial boot: wait for local health, then make this\n"
	"                        slot the default; none in S seconds (node.conf\n"
	"                        [update] health-timeout): note why and reboot\n"
	"  os migrate [--dir DIR]\n"
	"                        the data migrations this OS carries that /var has\n"
	"                        not had, once each, before /var's readers start\n"
	"  os auto [--spread S]  unattended updates: in node.conf [update] window,\n"
	"                        pkg os-update from its repo, and a reboot into what\n"
	"                        it wrote (after up to S s at random, 1800)\n"
	"  data init DEV [--label L] [--sys DIR]\n"
	"                        the data partition's first boot: grow DEV to the end\n"
	"                        of its disk, make its ext4 (never over data)\n"
	"  --help, --version\n"
	"\n"
	"Exit: 0 done, 1 bad config or unhealthy, 100 usage, 111 system error.\n";

static int cmd_config(int argc, char **argv)
{
	static struct nodeconf c;
	const char *path = argc == 3 ? argv[2] : DEFAULT_CONFIG;
	char err[512];
	int rc;

	if (argc < 2 || argc > 3 || (strcmp(argv[1], "check") != 0 && strcmp(argv[1], "show") != 0))
		return usage_error("config check|show [FILE]");
	if (nodeconf_load(&c, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: %s\n", err);
		return EXIT_DATA;
	}
	if (strcmp(argv[1], "check") == 0) {
		printf("%s: ok (profile %s, %d interface%s)\n", path, nodeconf_profile_name(c.profile),
		       c.nnet, c.nnet == 1 ? "" : "s");
		rc = 0;
	} else {
		rc = nodeconf_show(&c, stdout);
	}
	memset(&c, 0, sizeof(c));
	return rc < 0 || fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

static int cmd_inventory(int argc, char **argv)
{
	static struct inventory inv;
	static struct gpu_live live[GPU_MAX];
	int nlive = 0;
	const char *root = NULL;
	char err[512], *text;
	json_t *o;

	if (argc == 3 && strcmp(argv[1], "--root") == 0)
		root = argv[2];
	else if (argc != 1)
		return usage_error("inventory [--root DIR]");
	if (inventory_read(root, &inv, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: inventory: %s\n", err);
		return EXIT_DATA;
	}
	o = inventory_json(&inv);
	if (o != NULL && root == NULL && inv.nvidia_driver[0] != '\0' &&
	    nvsmi_read("nvidia-smi", live, GPU_MAX, &nlive, err, sizeof(err)) == 0)
		inventory_add_live(o, live, nlive);
	text = o != NULL ? json_dumps(o, JSON_INDENT(2)) : NULL;
	json_decref(o);
	if (text == NULL) {
		fprintf(stderr, "cairn-agent: inventory: out of memory\n");
		return EXIT_SYSTEM;
	}
	puts(text);
	free(text);
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

/* --kmsg FILE: a kernel log to read instead of the kernel's (tests). */
static int read_kmsg(const char *cmd, const char *path, char **text, size_t *len)
{
	int rc = file_read_alloc(path, 64 << 20, text, len);

	if (rc < 0)
		fprintf(stderr, "cairn-agent: %s: %s: %s\n", cmd, path, strerror(-rc));
	return rc;
}

static const char *const health_disks[] = { "/", "/var", NULL };
/* The node's checks as health and slurm health run them. */
static const struct health_opts health_defaults = {
	.disks = health_disks, .min_free_pct = 10,
	.containerd_sock = "/run/containerd/containerd.sock", .time_synced = -1,
	.nvidia_smi = "nvidia-smi", .drain_file = API_DRAIN_FILE,
};

/*
 * The node config at path: 1 loaded, 0 none (path, not named on the command
 * line, does not exist), -1 bad (said on stderr, after "what: " if given).
 */
static int node_config_load(struct nodeconf *c, const char *path, int explicit, const char *what)
{
	char err[512];

	if (nodeconf_load(c, path, err, sizeof(err)) == 0)
		return 1;
	if (!explicit && access(path, F_OK) < 0)
		return 0;
	fprintf(stderr, "cairn-agent: %s%s%s\n", what != NULL ? what : "", what != NULL ? ": " : "", err);
	return -1;
}

/* The node's health checks with the config at path (none there, and not
 * named: the checks that need none still run).  -1: the config is bad. */
static int node_health(const char *config, int explicit, struct health_opts *o, const char *kmsg,
		       struct health *h)
{
	static struct nodeconf conf;
	char *text = NULL;
	size_t len = 0;
	int rc = node_config_load(&conf, config, explicit, "health");

	if (rc < 0)
		return -1;
	if (rc > 0)
		o->conf = &conf;
	if (kmsg != NULL && read_kmsg("health", kmsg, &text, &len) < 0)
		return -1;
	o->kmsg = text;
	o->kmsg_len = len;
	health_run(o, h);
	free(text);
	o->kmsg = NULL;
	o->conf = NULL;
	OPENSSL_cleanse(&conf, sizeof(conf));
	return 0;
}

static int cmd_health(int argc, char **argv)
{
	static struct health h;
	const char *use = "health [--config FILE] [--root DIR] [--kmsg FILE] [--nvidia-smi PATH]";
	struct health_opts o = health_defaults;
	const char *config = DEFAULT_CONFIG, *kmsg = NULL;
	int i, explicit = 0;

	for (i = 1; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (strcmp(argv[i], "--root") == 0)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--kmsg") == 0)
			kmsg = argv[++i];
		else if (strcmp(argv[i], "--nvidia-smi") == 0)
			o.nvidia_smi = argv[++i];
		else
			return usage_error(use);
	}
	if (node_health(config, explicit, &o, kmsg, &h) < 0)
		return EXIT_DATA;
	for (i = 0; i < h.n; i++)
		printf("%-4s %s: %s\n", h.checks[i].ok > 0 ? "ok" : h.checks[i].ok == 0 ? "FAIL" : "skip",
		       h.checks[i].name, h.checks[i].detail);
	printf("%s\n", h.healthy ? "healthy" : "unhealthy");
	if (fflush(stdout) == EOF)
		return EXIT_SYSTEM;
	return h.healthy ? 0 : EXIT_DATA;
}

static int cmd_setup(int argc, char **argv)
{
	struct setup_opts o = {
		.cmdline = "/proc/cmdline", .root = "", .out = SETUP_OUT, .find_medium = 1,
		.set_clock = 1, .set_hostname = 1, .wait_s = 120,
	};
	const char *use = "setup [--cmdline FILE] [--root DIR] [--out DIR] [--medium DIR] [--wait S] "
			  "[--no-system]";
	unsigned long long wait;
	char err[1536];
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--no-system") == 0) {
			o.find_medium = o.set_clock = o.set_hostname = 0;
			continue;
		}
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--cmdline") == 0)
			o.cmdline = argv[++i];
		else if (strcmp(argv[i], "--root") == 0)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--out") == 0)
			o.out = argv[++i];
		else if (strcmp(argv[i], "--medium") == 0)
			o.medium_dir = argv[++i];
		else if (strcmp(argv[i], "--wait") == 0 && text_uint(argv[++i], 3600, &wait) == 0)
			o.wait_s = (int)wait;
		else
			return usage_error(use);
	}
	if (setup_run(&o, stdout, err, sizeof(err)) < 0) {
		fflush(stdout);
		fprintf(stderr, "cairn-agent: setup: %s\n", err);
		return EXIT_DATA;
	}
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

/* The config at path, or the defaults where none is (and none was named). */
static int load_or_default(struct nodeconf *c, const char *path, int explicit)
{
	char err[512];
	int rc = node_config_load(c, path, explicit, NULL);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (nodeconf_parse(c, "(defaults)", "", 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: %s\n", err);
		return -1;
	}
	return 0;
}

static int cmd_net(int argc, char **argv)
{
	static struct nodeconf c;
	static struct netplan p;
	static struct inv_nic ifs[NP_IF_MAX];
	const char *use = "net plan [--config FILE] [--root DIR] | net up [--config FILE] [--notify FD] [--wait S] "
			  "[--resolv FILE]";
	const char *config = DEFAULT_CONFIG, *root = "", *resolv_path = "/run/resolv.conf";
	unsigned long long v;
	char err[512], cmdline[CMDLINE_MAX], resolv[1024];
	int i, up, explicit = 0, notify = -1, wait_s = 30, nifs, rc;

	if (argc < 2 || (strcmp(argv[1], "plan") != 0 && strcmp(argv[1], "up") != 0))
		return usage_error(use);
	up = strcmp(argv[1], "up") == 0;
	for (i = 2; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (!up && strcmp(argv[i], "--root") == 0)
			root = argv[++i];
		else if (up && strcmp(argv[i], "--notify") == 0 && text_uint(argv[++i], 1023, &v) == 0)
			notify = (int)v;
		else if (up && strcmp(argv[i], "--wait") == 0 && text_uint(argv[++i], 3600, &v) == 0)
			wait_s = (int)v;
		else if (up && strcmp(argv[i], "--resolv") == 0)
			resolv_path = argv[++i];
		else
			return usage_error(use);
	}
	if (load_or_default(&c, config, explicit) < 0)
		return EXIT_DATA;
	nifs = nics_read(root, ifs, NP_IF_MAX, 1);
	if (nifs < 0) {
		fprintf(stderr, "cairn-agent: net: %s/sys/class/net: %s\n", root, strerror(-nifs));
		return EXIT_SYSTEM;
	}
	/* With no [net], DHCP that initd runs for cairn.dhcp is all there is. */
	if (c.nnet == 0 && cmdline_read("/proc/cmdline", cmdline, sizeof(cmdline)) >= 0 &&
	    cmdline_has(cmdline, "cairn.dhcp"))
		nifs = 0;
	if (netplan_make(&c, ifs, nifs, &p, err, sizeof(err)) < 0) {
		fprintf(stderr, "cairn-agent: net: %s: %s\n", config, err);
		return EXIT_DATA;
	}
	for (i = 0; i < p.nwarn; i++)
		fprintf(up ? stdout : stderr, "%s%s\n", up ? "net: warning: " : "cairn-agent: net: warning: ",
			p.warn[i]);
	if (!up) {
		for (i = 0; i < p.n; i++)
			printf("%s\n", p.step[i]);
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	if (netapply_steps(&p, "ip", stdout, err, sizeof(err)) < 0) {
		fflush(stdout);
		fprintf(stderr, "cairn-agent: net: %s\n", err);
		return EXIT_SYSTEM;
	}
	rc = netplan_resolv(&c, resolv, sizeof(resolv));
	if (rc > 0 && (rc = file_write_atomic(resolv_path, resolv, (size_t)rc, 0644)) < 0) {
		fprintf(stderr, "cairn-agent: net: %s: %s\n", resolv_path, strerror(-rc));
		return EXIT_SYSTEM;
	}
	return netapply_dhcp(&p, "udhcpc", c.ndns > 0, notify, wait_s, stdout) < 0 ? EXIT_SYSTEM : 0;
}

static int cmd_ntpd(int argc, char **argv)
{
	static struct nodeconf c;
	const char *config = DEFAULT_CONFIG;
	char *args[3 + 2 * NC_LIST_MAX + 1];
	int i, n = 0, explicit = 0;

	if (argc == 3 && strcmp(argv[1], "--config") == 0)
		config = argv[2], explicit = 1;
	else if (argc != 1)
		return usage_error("ntpd [--config FILE]");
	if (load_or_default(&c, config, explicit) < 0)
		return EXIT_DATA;
	if (c.nntp == 0) {
		printf("ntpd: no [time] server in the config: the clock is left as it is\n");
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	args[n++] = (char *)"ntpd";
	args[n++] = (char *)"-n";	/* in the foreground, for initd */
	for (i = 0; i < c.nntp; i++) {
		args[n++] = (char *)"-p";
		args[n++] = c.ntp[i];
	}
	args[n] = NULL;
	fflush(stdout);
	execvp("ntpd", args);
	fprintf(stderr, "cairn-agent: ntpd: %s\n", strerror(errno));
	return EXIT_SYSTEM;
}

static int cmd_serve(int argc, char **argv)
{
	static struct nodeconf c;
	const char *use = "serve [--config FILE] [--root DIR] [--kmsg FILE] [--notify FD] [--user NAME]";
	struct api_opts o = { .conf = &c, .root = "", .notify = -1, .log = stdout };
	const char *config = DEFAULT_CONFIG, *kmsg = NULL;
	unsigned long long v;
	char err[512], *text = NULL;
	size_t len = 0;
	int i, explicit = 0, rc;

	for (i = 1; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (strcmp(argv[i], "--root") == 0)
			o.root = argv[++i];
		else if (strcmp(argv[i], "--kmsg") == 0)
			kmsg = argv[++i];
		else if (strcmp(argv[i], "--notify") == 0 && text_uint(argv[++i], 1023, &v) == 0)
			o.notify = (int)v;
		else if (strcmp(argv[i], "--user") == 0)
			o.user = argv[++i];
		else
			return usage_error(use);
	}
	if (load_or_default(&c, config, explicit) < 0)
		return EXIT_DATA;
	if (!c.api) {
		printf("serve: no [api] section in the node config: the API is off, nothing listens\n");
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	if (kmsg != NULL && read_kmsg("serve", kmsg, &text, &len) < 0)
		return EXIT_DATA;
	o.kmsg = text;
	o.kmsg_len = len;
	o.scratch = getenv("TMPDIR") != NULL ? getenv("TMPDIR") : SETUP_OUT;
	rc = api_serve(&o, err, sizeof(err));
	free(text);
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: serve: %s\n", err);
		return EXIT_DATA;
	}
	return 0;
}

/* One rendered file: what write_fn prints, into dir/name with mode. */
static int render_file(const char *dir, const char *name, mode_t mode, int (*write_fn)(FILE *, const void *),
		       const void *arg)
{
	char path[512], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc;

	if (f == NULL)
		return -ENOMEM;
	rc = write_fn(f, arg);
	if (fclose(f) != 0 && rc == 0)
		rc = -ENOMEM;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (rc == 0)
		rc = file_write_atomic(path, text, len, mode);
	if (text != NULL)
		OPENSSL_cleanse(text, len);
	free(text);
	if (rc < 0)
		fprintf(stderr, "cairn-agent: kubelet: %s: %s\n", path, strerror(-rc));
	return rc;
}

struct kube_render {
	const struct nodeconf *c;
	const struct kube_paths *p;
	const char *ca;
	size_t ca_len;
};

static int put_bootstrap(FILE *f, const void *arg)
{
	const struct kube_render *k = arg;

	return kube_bootstrap_kubeconfig(f, k->c, k->ca, k->ca_len);
}

static int put_config(FILE *f, const void *arg)
{
	return kube_kubelet_config(f, ((const struct kube_render *)arg)->p);
}

static int put_ca(FILE *f, const void *arg)
{
	const struct kube_render *k = arg;

	return fwrite(k->ca, 1, k->ca_len, f) == k->ca_len ? 0 : -EIO;
}

static int cmd_kubelet(int argc, char **argv)
{
	static struct nodeconf c;
	const char *use = "kubelet [--config FILE] [--out DIR] [--render-only]";
	const char *config = DEFAULT_CONFIG, *dir = SETUP_OUT "/kubernetes";
	char boot[300], cfg[300], ca[300], *args[12], *ca_text = NULL;
	struct kube_paths p = {
		.kubelet = "/usr/bin/kubelet", .kubeconfig = "/var/lib/kubelet/kubeconfig",
		.root_dir = "/var/lib/kubelet", .cri_socket = "/run/containerd/containerd.sock",
	};
	struct kube_render k = { &c, &p, NULL, 0 };
	int i, explicit = 0, render_only = 0, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--render-only") == 0)
			render_only = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (i + 1 < argc && strcmp(argv[i], "--out") == 0)
			dir = argv[++i];
		else
			return usage_error(use);
	}
	if (load_or_default(&c, config, explicit) < 0)
		return EXIT_DATA;
	if (c.profile != NC_KUBERNETES) {
		printf("kubelet: profile %s: not started\n", nodeconf_profile_name(c.profile));
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	if (c.ca_pem[0] != '\0') {
		k.ca = c.ca_pem;
		k.ca_len = strlen(c.ca_pem);
	} else if ((rc = file_read_alloc(c.ca_file, NC_PEM_MAX, &ca_text, &k.ca_len)) < 0) {
		fprintf(stderr, "cairn-agent: kubelet: [trust] ca-file %s: %s\n", c.ca_file, strerror(-rc));
		return EXIT_DATA;
	} else {
		k.ca = ca_text;
	}
	snprintf(boot, sizeof(boot), "%s/bootstrap-kubeconfig", dir);
	snprintf(cfg, sizeof(cfg), "%s/kubelet.yaml", dir);
	snprintf(ca, sizeof(ca), "%s/ca.crt", dir);
	p.bootstrap = boot;
	p.config = cfg;
	p.ca = ca;
	if ((mkdir(dir, 0700) < 0 && errno != EEXIST) ||
	    render_file(dir, "bootstrap-kubeconfig", 0600, put_bootstrap, &k) < 0 ||
	    render_file(dir, "kubelet.yaml", 0644, put_config, &k) < 0 ||
	    render_file(dir, "ca.crt", 0644, put_ca, &k) < 0) {
		free(ca_text);
		return EXIT_SYSTEM;
	}
	free(ca_text);
	printf("kubelet: %s, %s and %s written for %s\n", boot, cfg, ca, c.kube_server);
	if (render_only)
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	if (access(p.kubelet, X_OK) < 0) {
		printf("kubelet: %s is not installed: the kubernetes profile needs the site's kubelet "
		       "package (pkg install kubelet, from the site's repository); the node runs containers "
		       "but does not join\n", p.kubelet);
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	}
	kube_kubelet_args(&c, &p, args, sizeof(args) / sizeof(args[0]));
	fflush(stdout);
	execv(p.kubelet, args);
	fprintf(stderr, "cairn-agent: kubelet: %s: %s\n", p.kubelet, strerror(errno));
	return EXIT_SYSTEM;
}

/* ---- the slurm profile ---------------------------------------------------- */

#define MUNGE_DIR "/run/munge"		/* munged's socket, pid and key */
#define MUNGE_KEY MUNGE_DIR "/munge.key"
#define SLURMD_SPOOL "/var/spool/slurmd"

/* The profile's config, or a line saying this is not a slurm node. */
static int slurm_config(struct nodeconf *c, const char *config, int explicit, const char *what)
{
	if (load_or_default(c, config, explicit) < 0)
		return -1;
	if (c->profile != NC_SLURM) {
		printf("slurm %s: profile %s: not started\n", what, nodeconf_profile_name(c->profile));
		return 1;
	}
	return 0;
}

/* A directory of user pw, mode, made if missing. */
static int own_dir(const char *path, const struct passwd *pw, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0 || chmod(path, mode) < 0)
		return -errno;
	return 0;
}

/*
 * slurm munged: MUNGE's daemon as the munge user, with the cluster's key
 * (setup's copy in /run/cairn/secrets) given to that user alone.
 */
static int slurm_munged(const char *config, int explicit)
{
	static struct nodeconf c;
	static const char *const dirs[] = { MUNGE_DIR, "/var/lib/munge", NULL };
	char secret[64], *key = NULL, *args[12];
	const struct passwd *pw;
	size_t len = 0;
	int rc, i, n = 0;

	if ((rc = slurm_config(&c, config, explicit, "munged")) != 0)
		return rc < 0 ? EXIT_DATA : fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	OPENSSL_cleanse(&c, sizeof(c));
	mkdir("/var/lib", 0755);	/* /var may be a fresh data partition */
	pw = getpwnam("munge");
	if (pw == NULL) {
		fprintf(stderr, "cairn-agent: slurm munged: no user munge in /etc/passwd\n");
		return EXIT_SYSTEM;
	}
	for (i = 0; dirs[i] != NULL; i++)
		if ((rc = own_dir(dirs[i], pw, i == 0 ? 0755 : 0700)) < 0) {
			fprintf(stderr, "cairn-agent: slurm munged: %s: %s\n", dirs[i], strerror(-rc));
			return EXIT_SYSTEM;
		}
	snprintf(secret, sizeof(secret), "%s/secrets/munge.key", SETUP_OUT);
	rc = file_read_alloc(secret, NC_SECRET_MAX, &key, &len);
	if (rc == 0) {
		rc = file_write_atomic(MUNGE_KEY, key, len, 0400);
		OPENSSL_cleanse(key, len);
		free(key);
	}
	if (rc == 0 && chown(MUNGE_KEY, pw->pw_uid, pw->pw_gid) < 0)
		rc = -errno;
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: slurm munged: the MUNGE key (%s to %s): %s\n", secret, MUNGE_KEY,
			strerror(-rc));
		return EXIT_SYSTEM;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		fprintf(stderr, "cairn-agent: slurm munged: becoming munge: %s\n", strerror(errno));
		return EXIT_SYSTEM;
	}
	args[n++] = (char *)"/usr/sbin/munged";
	args[n++] = (char *)"--foreground";	/* for initd; it logs to stderr */
	args[n++] = (char *)"--key-file=" MUNGE_KEY;
	args[n++] = (char *)"--log-file=/dev/null";
	args[n] = NULL;
	fflush(stdout);
	execv(args[0], args);
	fprintf(stderr, "cairn-agent: slurm munged: %s: %s\n", args[0], strerror(errno));
	return EXIT_SYSTEM;
}

/*
 * What Slurm's cgroup/v2 plugin expects of a node without systemd
 * (cgroup.conf IgnoreSystemd=yes): /sys/fs/cgroup/system.slice, where it
 * makes its own scope for slurmstepd, and the controllers it uses
 * enabled down to it.  A controller the kernel lacks is left out.
 */
static void slurm_cgroups(void)
{
	static const char *const ctl[] = { "+cpuset", "+cpu", "+memory", "+pids" };
	static const char *const dirs[] = { "/sys/fs/cgroup", "/sys/fs/cgroup/system.slice" };
	char path[128];
	size_t i, k;
	int fd;

	mkdir(dirs[1], 0755);
	for (k = 0; k < sizeof(dirs) / sizeof(dirs[0]); k++) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dirs[k]);
		for (i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
			fd = open(path, O_WRONLY | O_CLOEXEC);
			if (fd < 0)
				break;
			if (write(fd, ctl[i], strlen(ctl[i])) < 0)
				fprintf(stderr, "cairn-agent: slurm slurmd: %s %s: %s\n", path, ctl[i],
					strerror(errno));
			close(fd);
		}
	}
}

/* slurm slurmd: slurmd in configless mode, a dynamic node declaring the
 * NVIDIA GPUs found here (doc/cairn-agent.md, SLURM). */
static int slurm_slurmd(const char *config, int explicit, const char *root)
{
	static struct nodeconf c;
	static struct gpu gpus[GPU_MAX];
	char conf[256], *args[12];
	size_t n = 0, i;
	unsigned ngpu = 0;
	int rc;

	if ((rc = slurm_config(&c, config, explicit, "slurmd")) != 0)
		return rc < 0 ? EXIT_DATA : fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	if (gpu_scan(root, gpus, GPU_MAX, &n) == 0)
		for (i = 0; i < n; i++)
			ngpu += gpus[i].vendor == GPU_VENDOR_NVIDIA && !gpus[i].excluded;
	if (slurm_slurmd_args(&c, ngpu, conf, sizeof(conf), args, sizeof(args) / sizeof(args[0])) < 0) {
		fprintf(stderr, "cairn-agent: slurm slurmd: [slurm] features too long\n");
		return EXIT_DATA;
	}
	if (root[0] == '\0')
		slurm_cgroups();
	mkdir("/var/spool", 0755);	/* /var may be a fresh data partition */
	if (mkdir(SLURMD_SPOOL, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "cairn-agent: slurm slurmd: %s: %s\n", SLURMD_SPOOL, strerror(errno));
		return EXIT_SYSTEM;
	}
	printf("slurm slurmd: controller %s, %s node%s%s\n", c.slurm_controller,
	       c.slurm_static ? "static" : "dynamic", conf[0] ? ", " : "", conf);
	fflush(stdout);
	execv(args[0], args);
	fprintf(stderr, "cairn-agent: slurm slurmd: %s: %s\n", args[0], strerror(errno));
	return EXIT_SYSTEM;
}

/*
 * What the controller says of this node (slurm.conf: the copy slurmd
 * fetched in configless mode).  0, -ENOENT (the controller has no such
 * node, or cannot be asked), or -errno.
 */
static int slurm_ask(const char *name, struct slurm_node *node)
{
	static const char *const confs[] = {
		"/run/slurm/conf/slurm.conf", SLURMD_SPOOL "/conf-cache/slurm.conf", NULL,
	};
	char node_name[256], *argv[] = { (char *)"/usr/bin/scontrol", (char *)"show", (char *)"node",
					 node_name, (char *)"-o", NULL };
	char *out = NULL;
	size_t len = 0;
	int i, rc;

	snprintf(node_name, sizeof(node_name), "%s", name);
	for (i = 0; getenv("SLURM_CONF") == NULL && confs[i] != NULL; i++)
		if (access(confs[i], R_OK) == 0)
			setenv("SLURM_CONF", confs[i], 1);
	rc = run_capture(argv, 65536, 30, &out, &len);
	if (rc == 0)
		rc = slurm_node_parse(out, len, node);
	else if (rc > 0)
		rc = -ENOENT;
	free(out);
	return rc;
}

/* The node's name in Slurm: its short host name. */
static void slurm_name(char *name, size_t size)
{
	if (gethostname(name, size) < 0)
		name[0] = '\0';
	name[size - 1] = '\0';
	name[strcspn(name, ".")] = '\0';
}

/*
 * slurm health: the HealthCheckProgram (/usr/libexec/cairn/slurm-health):
 * the node's checks; a failure drains the node with it as the reason, and
 * once healthy again a node this drained is resumed.
 */
static int slurm_health(const char *config, int explicit, const char *kmsg)
{
	static struct health h;
	struct health_opts o = health_defaults;
	struct slurm_node node;
	char name[256], failure[300] = "", reason[320], nodearg[300], reasonarg[340];
	char *argv[] = { (char *)"/usr/bin/scontrol", (char *)"update", nodearg, NULL, NULL, NULL };
	char *out = NULL;
	size_t len;
	int i, rc;

	if (node_health(config, explicit, &o, kmsg, &h) < 0)
		return EXIT_DATA;
	for (i = 0; i < h.n && failure[0] == '\0'; i++)
		if (h.checks[i].ok == 0)
			snprintf(failure, sizeof(failure), "%s: %s", h.checks[i].name, h.checks[i].detail);
	slurm_name(name, sizeof(name));
	rc = slurm_ask(name, &node);
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: slurm health: %s is %s; scontrol show node %s: %s\n", name,
			h.healthy ? "healthy" : failure, name, rc == -ENOENT ? "no answer" : strerror(-rc));
		return EXIT_SYSTEM;
	}
	snprintf(nodearg, sizeof(nodearg), "NodeName=%s", name);
	switch (slurm_health_action(&node, h.healthy, failure, reason, sizeof(reason))) {
	case SLURM_KEEP:
		printf("slurm health: %s %s, state %s: left as it is\n", name, h.healthy ? "healthy" : failure,
		       node.state);
		return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	case SLURM_DRAIN:
		snprintf(reasonarg, sizeof(reasonarg), "Reason=%s", reason);
		argv[3] = (char *)"State=DRAIN";
		argv[4] = reasonarg;
		printf("slurm health: %s drained: %s\n", name, reason);
		break;
	case SLURM_RESUME:
		argv[3] = (char *)"State=RESUME";
		printf("slurm health: %s healthy again: resumed (was %s: %s)\n", name, node.state, node.reason);
		break;
	}
	fflush(stdout);
	rc = run_capture(argv, 4096, 30, &out, &len);
	if (rc != 0)
		fprintf(stderr, "cairn-agent: slurm health: scontrol update %s %s failed: %.*s\n", nodearg,
			argv[3], out != NULL ? (int)len : 0, out != NULL ? out : "");
	free(out);
	return rc == 0 ? 0 : EXIT_SYSTEM;
}

/* slurm joined: initd's ready check for slurmd: 0 once the controller has
 * the node and hears it.  It asks every 2 s for up to wait_s, so that a
 * rack booting at once does not ask the controller 4 times a second. */
static int slurm_joined_check(unsigned wait_s)
{
	struct slurm_node node;
	char name[256];
	long long until = (long long)time(NULL) + wait_s;

	slurm_name(name, sizeof(name));
	for (;;) {
		if (slurm_ask(name, &node) == 0 && slurm_joined(&node))
			break;
		if ((long long)time(NULL) + 2 > until)
			return EXIT_DATA;
		sleep(2);
	}
	printf("slurm: %s joined its cluster (state %s)\n", name, node.state);
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

static int cmd_slurm(int argc, char **argv)
{
	const char *use = "slurm munged|slurmd|joined|health [--config FILE] [--root DIR] [--kmsg FILE] "
			  "[--wait S]";
	const char *config = DEFAULT_CONFIG, *root = "", *kmsg = NULL;
	unsigned long long wait_s = 0;
	int i, explicit = 0;

	if (argc < 2)
		return usage_error(use);
	for (i = 2; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (strcmp(argv[i], "--root") == 0)
			root = argv[++i];
		else if (strcmp(argv[i], "--kmsg") == 0)
			kmsg = argv[++i];
		else if (strcmp(argv[i], "--wait") == 0 && text_uint(argv[++i], 3600, &wait_s) == 0)
			;
		else
			return usage_error(use);
	}
	if (strcmp(argv[1], "munged") == 0)
		return slurm_munged(config, explicit);
	if (strcmp(argv[1], "slurmd") == 0)
		return slurm_slurmd(config, explicit, root);
	if (strcmp(argv[1], "joined") == 0)
		return slurm_joined_check((unsigned)wait_s);
	if (strcmp(argv[1], "health") == 0)
		return slurm_health(config, explicit, kmsg);
	return usage_error(use);
}

/* os status|check|migrate|auto: the root slots (doc/update.md). */
static int cmd_os(int argc, char **argv)
{
	static const char use[] = "os status | os check [--config FILE] [--timeout S] | os migrate [--dir DIR] | "
				  "os auto [--config FILE] [--spread S] [--root DIR]";
	/* The options each takes. */
	static const char *const cmds[][2] = {
		{ "status", "" }, { "check", "--config --timeout" }, { "migrate", "--dir" },
		{ "auto", "--config --spread --root" },
	};
	static struct nodeconf conf;
	struct osboot_opts o = {
		.sys = "/sys", .cmdline = "/proc/cmdline", .osrel = "/etc/os-release", .esp = ESP_DIR,
		.state = OS_STATE_DIR, .initctl = "/sbin/initctl", .self = "os-check", .migrate = OS_MIGRATE_DIR,
		.health = health_defaults,
	};
	const char *config = DEFAULT_CONFIG, *cmd = argc > 1 ? argv[1] : "", *takes = NULL;
	unsigned long long timeout = 0, spread = 1800;
	char state[4096];
	size_t c;
	int i, explicit = 0, rc;

	for (c = 0; c < sizeof cmds / sizeof cmds[0]; c++)
		if (strcmp(cmd, cmds[c][0]) == 0)
			takes = cmds[c][1];
	if (takes == NULL)
		return usage_error(use);
	for (i = 2; i < argc; i++) {
		const char *opt = argv[i];
		size_t n = strlen(opt);
		const char *at = n > 2 ? strstr(takes, opt) : NULL;

		if (i + 1 == argc || at == NULL || (at[n] != ' ' && at[n] != '\0'))
			return usage_error(use);
		if (strcmp(opt, "--config") == 0)
			config = argv[++i], explicit = 1;
		else if (strcmp(opt, "--timeout") == 0 && text_uint(argv[++i], 86400, &timeout) == 0 && timeout > 0)
			;
		else if (strcmp(opt, "--spread") == 0 && text_uint(argv[++i], 86400, &spread) == 0)
			;
		else if (strcmp(opt, "--dir") == 0)
			o.migrate = argv[++i];
		else if (strcmp(opt, "--root") == 0) {
			snprintf(state, sizeof state, "%s%s", argv[++i], OS_STATE_DIR);
			o.state = state;
			o.initctl = "initctl";
		} else
			return usage_error(use);
	}
	if (strcmp(cmd, "status") == 0)
		return os_status(&o, stdout) < 0 || fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
	if (strcmp(cmd, "migrate") == 0)
		return os_migrate_boot(&o, stdout) < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
	rc = node_config_load(&conf, config, explicit, "os");
	if (rc < 0)
		return EXIT_DATA;
	if (strcmp(cmd, "auto") == 0) {
		if (rc == 0 || conf.window_start < 0) {
			printf("os: no [update] window in the node config: unattended updates are off\n");
			return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
		}
		rc = os_auto(&o, conf.update_repo, conf.window_start, conf.window_end, (unsigned)spread, stdout);
		OPENSSL_cleanse(&conf, sizeof(conf));
		return rc < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
	}
	o.health.conf = rc > 0 ? &conf : NULL;
	o.timeout = rc > 0 ? conf.health_timeout : NC_HEALTH_TIMEOUT;
	if (timeout > 0)
		o.timeout = (unsigned)timeout;
	/* An operator's drain is not the OS's health. */
	o.health.drain_file = NULL;
	rc = os_check(&o, stdout);
	OPENSSL_cleanse(&conf, sizeof(conf));
	return rc < 0 || fflush(stdout) == EOF ? EXIT_DATA : 0;
}

/* data init: what initd runs when the data partition has no file system. */
static int cmd_data(int argc, char **argv)
{
	static const char use[] = "data init DEV [--label L] [--sys DIR]";
	const char *label = "cairn-data", *sys = "/sys";
	struct perr e = { "" };
	int i, rc;

	if (argc < 3 || strcmp(argv[1], "init") != 0)
		return usage_error(use);
	for (i = 3; i < argc; i++) {
		if (i + 1 == argc)
			return usage_error(use);
		if (strcmp(argv[i], "--label") == 0)
			label = argv[++i];
		else if (strcmp(argv[i], "--sys") == 0)
			sys = argv[++i];
		else
			return usage_error(use);
	}
	if (label[0] == '\0' || strlen(label) > 16)
		return usage_error("data: --label: 1 to 16 characters (ext4's limit)");
	rc = data_init(sys, argv[2], label, &e);
	if (rc < 0) {
		fprintf(stderr, "cairn-agent: data: %s\n", e.msg);
		return rc == -EEXIST || rc == -EINVAL ? EXIT_DATA : EXIT_SYSTEM;
	}
	return fflush(stdout) == EOF ? EXIT_SYSTEM : 0;
}

int main(int argc, char **argv)
{
	static const struct cli self = { "cairn-agent", usage };
	static const struct cli_cmd cmds[] = {
		{ "setup", cmd_setup }, { "config", cmd_config }, { "net", cmd_net }, { "ntpd", cmd_ntpd },
		{ "inventory", cmd_inventory }, { "health", cmd_health }, { "serve", cmd_serve },
		{ "kubelet", cmd_kubelet }, { "slurm", cmd_slurm }, { "data", cmd_data }, { "os", cmd_os },
		{ NULL, NULL },
	};

	return cli_main(&self, cmds, argc, argv);
}
