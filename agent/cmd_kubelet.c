/* cmd_kubelet.c: cairn-agent kubelet: the kubernetes profile: kubelet's files rendered, then kubelet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "cmd.h"
#include "fileio.h"
#include "profile/kube.h"

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

int cmd_kubelet(int argc, char **argv)
{
	static const struct option opts[] = {
		OPT_CONFIG, { "out", required_argument, NULL, 'o' }, { "render-only", no_argument, NULL, 'R' },
		OPT_END,
	};
	static struct nodeconf c;
	const char *use = "kubelet [--config FILE] [--out DIR] [--render-only]";
	const char *config = DEFAULT_CONFIG, *dir = SETUP_OUT "/kubernetes";
	char boot[300], cfg[300], ca[300], *args[12], *ca_text = NULL;
	struct kube_paths p = {
		.kubelet = "/usr/bin/kubelet", .kubeconfig = "/var/lib/kubelet/kubeconfig",
		.root_dir = "/var/lib/kubelet", .cri_socket = "/run/containerd/containerd.sock",
	};
	struct kube_render k = { &c, &p, NULL, 0 };
	int opt, explicit = 0, render_only = 0, rc;

	cli_getopt_start();
	while ((opt = cli_getopt(argc, argv, opts)) != -1) {
		if (opt == 'R')
			render_only = 1;
		else if (opt == 'c')
			config = optarg, explicit = 1;
		else if (opt == 'o')
			dir = optarg;
		else
			return usage_error(use);
	}
	if (agent_conf_or_defaults(&c, config, explicit) < 0)
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
