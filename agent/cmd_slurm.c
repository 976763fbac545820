/* cmd_slurm.c: cairn-agent slurm munged|slurmd|joined|health: the slurm profile's daemons and checks. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cmd.h"
#include "fileio.h"
#include "gpu.h"
#include "profile/slurm.h"
#include "runcap.h"
#include "text.h"

#define MUNGE_DIR "/run/munge"		/* munged's socket, pid and key */
#define MUNGE_KEY MUNGE_DIR "/munge.key"
#define SLURMD_SPOOL "/var/spool/slurmd"

/* The profile's config, or a line saying this is not a slurm node. */
static int slurm_config(struct nodeconf *c, const char *config, int explicit, const char *what)
{
	if (agent_conf_or_defaults(c, config, explicit) < 0)
		return -1;
	if (c->profile != NC_SLURM) {
		printf("slurm %s: profile %s: not started\n", what, nodeconf_profile_name(c->profile));
		return 1;
	}
	return 0;
}

/* Exec a profile daemon; a daemon not here is, on a netbooted node, one
 * whose layer it was not given (doc/netboot.md, "Layers"). */
static int slurm_exec(const char *what, char *const args[])
{
	int e;

	execv(args[0], args);
	e = errno;
	fprintf(stderr, "cairn-agent: slurm %s: %s: %s%s\n", what, args[0], strerror(e),
		e == ENOENT ? " (a netbooted node has it with the layer slurm)" : "");
	return EXIT_SYSTEM;
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
	return slurm_exec("munged", args);
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
	return slurm_exec("slurmd", args);
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
	struct health_opts o = agent_health_defaults;
	struct slurm_node node;
	char name[256], failure[300] = "", reason[320], nodearg[300], reasonarg[340];
	char *argv[] = { (char *)"/usr/bin/scontrol", (char *)"update", nodearg, NULL, NULL, NULL };
	char *out = NULL;
	size_t len;
	int i, rc;

	if (agent_health(config, explicit, &o, kmsg, &h) < 0)
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


int cmd_slurm(int argc, char **argv)
{
	static const struct option opts[] = { OPT_CONFIG, OPT_ROOT, OPT_KMSG, OPT_WAIT, OPT_END };
	const char *use = "slurm munged|slurmd|joined|health [--config FILE] [--root DIR] [--kmsg FILE] "
			  "[--wait S]";
	const char *config = DEFAULT_CONFIG, *root = "", *kmsg = NULL;
	unsigned long long wait_s = 0;
	int opt, explicit = 0;

	if (argc < 2)
		return usage_error(use);
	cli_getopt_start();
	while ((opt = cli_getopt(argc - 1, argv + 1, opts)) != -1) {
		if (opt == 'c')
			config = optarg, explicit = 1;
		else if (opt == 'r')
			root = optarg;
		else if (opt == 'k')
			kmsg = optarg;
		else if (opt != 'w' || text_uint(optarg, 3600, &wait_s) < 0)
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
