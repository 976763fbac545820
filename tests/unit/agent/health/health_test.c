/* health_test.c: the health checks against a fake /proc and /sys, a
 * kernel log given as text, a forced clock state and a real socket:
 * each check passes when it should and fails naming why. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "faketree.h"
#include "health/health.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	tree_put(root, rel, text);
}

static void gpu(const char *pci, const char *model, const char *uuid, int minor)
{
	char rel[256], text[256];

	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/vendor", pci);
	put(rel, "0x10de\n");
	snprintf(rel, sizeof(rel), "sys/bus/pci/devices/%s/class", pci);
	put(rel, "0x030200\n");
	snprintf(rel, sizeof(rel), "proc/driver/nvidia/gpus/%s/information", pci);
	snprintf(text, sizeof(text), "Model: \t\t %s\nGPU UUID: \t %s\nDevice Minor: \t %d\n", model, uuid, minor);
	put(rel, text);
}

static const struct health_check *find(const struct health *h, const char *name)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->checks[i].name, name) == 0)
			return &h->checks[i];
	return NULL;
}

static void test_xid_scan(void)
{
	static const char log[] =
		"<4>[ 1.0] NVRM: loading NVIDIA UNIX Open Kernel Module\n"
		"<4>[ 20.1] NVRM: Xid (PCI:0000:1b:00): 79, pid=1234, name=python, GPU has fallen off the bus.\n"
		"<4>[ 20.2] NVRM: Xid (0000:9a:00): 48, An uncorrectable double bit error\n"
		"<4>[ 20.3] NVRM: Xid (PCI:0000:1b:00): x, garbage\n"
		"<4>[ 20.4] NVRM: Xid (PCI:0000:1b:00-too-long-address): 13\n"
		"NVRM: Xid (PCI:0000:3b:00): 94";
	struct xid x[2];
	size_t n;

	CHECK(xid_scan(log, strlen(log), x, 2, &n) == 3);
	CHECK(n == 2 && strcmp(x[0].pci, "0000:1b:00") == 0 && x[0].code == 79);
	CHECK(strcmp(x[1].pci, "0000:9a:00") == 0 && x[1].code == 48);
	CHECK(xid_scan("", 0, x, 2, &n) == 0 && n == 0);
	CHECK(xid_scan("NVRM: Xid (", 11, x, 2, &n) == 0);
}

static void test_checks(void)
{
	static struct nodeconf conf;
	static struct health h;
	static const char *const disks[] = { "/", NULL };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char sock[128], path[256];
	const struct health_check *c;
	int fd;
	struct health_opts o = {
		.conf = &conf, .kmsg = "", .kmsg_len = 0, .disks = disks, .min_free_pct = 0,
		.containerd_sock = sock, .time_synced = 1,
	};

	tree_new(root, sizeof(root), "health_test");
	o.root = root;
	put("proc/cpuinfo", "processor\t: 0\n");
	put("proc/meminfo", "MemTotal: 1048576 kB\n");
	gpu("0000:1b:00.0", "NVIDIA H100 80GB HBM3", "GPU-11111111-2222-3333-4444-555555555555", 0);
	gpu("0000:9a:00.0", "NVIDIA H100 80GB HBM3", "GPU-66666666-2222-3333-4444-555555555555", 1);
	CHECK(nodeconf_parse(&conf, "t", "[gpu]\ncount = 2\nmodel = H100\n[time]\nserver = 10.0.0.1\n", 52,
			     path, sizeof(path)) == 0);
	snprintf(sock, sizeof(sock), "%s/containerd.sock", root);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(a.sun_path, sock, strlen(sock) + 1);
	CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 && listen(fd, 64) == 0);

	/* All well. */
	CHECK(health_run(&o, &h) == 0 && h.healthy);
	CHECK((c = find(&h, "gpus")) != NULL && c->ok == 1 && strstr(c->detail, "2 GPUs") != NULL);
	CHECK((c = find(&h, "xid")) != NULL && c->ok == 1);
	CHECK((c = find(&h, "disk")) != NULL && c->ok == 1);
	CHECK((c = find(&h, "time")) != NULL && c->ok == 1);
	CHECK((c = find(&h, "containerd")) != NULL && c->ok == 1);

	/* Each failure named. */
	conf.gpu_count = 3;
	CHECK(health_run(&o, &h) == 1 && !h.healthy);
	CHECK(strcmp(find(&h, "gpus")->detail, "2 GPUs found, the config expects 3") == 0);
	conf.gpu_count = 2;
	strcpy(conf.gpu_model, "H200");
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "gpus")->detail, "2 of 2 GPUs are not a 'H200'") != NULL);
	strcpy(conf.gpu_model, "H100");
	snprintf(path, sizeof(path), "%s/proc/driver/nvidia/gpus/0000:9a:00.0/information", root);
	unlink(path);	/* the driver lost it */
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "gpus")->detail, "GPU 0000:9a:00.0") != NULL);
	gpu("0000:9a:00.0", "NVIDIA H100 80GB HBM3", "GPU-66666666-2222-3333-4444-555555555555", 1);
	o.kmsg = "NVRM: Xid (PCI:0000:9a:00): 79, pid=1, GPU has fallen off the bus.\n";
	o.kmsg_len = strlen(o.kmsg);
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "xid")->detail, "1 GPU Xid error in the kernel log, the last: Xid 79 on 0000:9a:00") != NULL);
	o.kmsg = "";
	o.kmsg_len = 0;
	o.min_free_pct = 101;
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "disk")->detail, "below 101%") != NULL);
	o.min_free_pct = 0;
	o.time_synced = 0;
	CHECK(health_run(&o, &h) == 1 && find(&h, "time")->ok == 0);
	o.time_synced = 1;
	/* A containerd that accepts nothing more fails the check, at once. */
	{
		int full = socket(AF_UNIX, SOCK_STREAM, 0), k;
		char busy[160];
		struct sockaddr_un b = { .sun_family = AF_UNIX };

		snprintf(busy, sizeof(busy), "%s/busy.sock", root);
		memcpy(b.sun_path, busy, strlen(busy) + 1);
		CHECK(bind(full, (struct sockaddr *)&b, sizeof(b)) == 0 && listen(full, 0) == 0);
		for (k = 0; k < 4; k++) {
			int cl = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);

			if (connect(cl, (struct sockaddr *)&b, sizeof(b)) < 0 && errno != EAGAIN)
				perror("connect");
		}
		o.containerd_sock = busy;
		CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "containerd")->detail, "backlog full") != NULL);
		o.containerd_sock = sock;
		close(full);
	}
	close(fd);
	unlink(sock);
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "containerd")->detail, "No such file") != NULL);
	/* Without expectations: skipped, not failed. */
	o.conf = NULL;
	o.containerd_sock = NULL;
	CHECK(health_run(&o, &h) == 0 && find(&h, "gpus")->ok == -1 && find(&h, "time")->ok == -1);
	check_rmtree(root);
}

/*
 * The attack: a node whose battery is flat boots with its clock set to
 * the build, and someone on the network drops its NTP; certificates and
 * release expiry stay judged against that guess.  Health must not call
 * the node healthy past [time] max-unsure, servers or none.
 */
static void test_clock_bound(void)
{
	static const char bound[] = "the clock has not been confirmed for 30 minutes (max-unsure = 1800): "
				    "it read before the image's build";
	static struct nodeconf conf;
	static struct health h;
	const struct health_check *c;
	char err[256];
	struct health_opts o = { .conf = &conf, .kmsg = "", .time_synced = 0 };

	tree_new(root, sizeof(root), "health_test");
	o.root = root;
	CHECK(nodeconf_parse(&conf, "t", "", 0, err, sizeof(err)) == 0);
	/* Sure: no mark, no servers. */
	o.boot_now = 100000;
	CHECK(health_run(&o, &h) == 0 && find(&h, "time")->ok == -1);
	/* Setup found the clock behind the build at 100 s on the boot clock. */
	put("run/cairn/clock-unsure", "100\n");
	o.boot_now = 100 + 1799;
	CHECK(health_run(&o, &h) == 0);
	c = find(&h, "time");
	CHECK(c != NULL && c->ok == -1 && strstr(c->detail, "unsure for 29 minutes") != NULL &&
	      strstr(c->detail, "no [time] server can confirm it") != NULL);
	o.boot_now = 100 + 1800;
	CHECK(health_run(&o, &h) == 1);
	c = find(&h, "time");
	CHECK(c != NULL && c->ok == 0 && strncmp(c->detail, bound, sizeof(bound) - 1) == 0 &&
	      strstr(c->detail, "certificates and release expiry are judged against a guess") != NULL);
	/* The same with servers that never answer. */
	CHECK(nodeconf_parse(&conf, "t", "[time]\nserver = 10.0.0.1\nmax-unsure = 600\n", 42, err,
			     sizeof(err)) == 0);
	o.boot_now = 100 + 599;
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "time")->detail, "is not synchronised") != NULL);
	o.boot_now = 100 + 3600;
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "time")->detail, "not been confirmed for 60 minutes "
							 "(max-unsure = 600)") != NULL);
	/* NTP set it: the mark no longer counts. */
	o.time_synced = 1;
	CHECK(health_run(&o, &h) == 0 && strcmp(find(&h, "time")->detail, "the clock is synchronised") == 0);
	/* A mark that says no time counts from boot. */
	o.time_synced = 0;
	put("run/cairn/clock-unsure", "");
	o.boot_now = 600;
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "time")->detail, "for 10 minutes") != NULL);
	put("run/cairn/clock-unsure", "99999999999\n");
	CHECK(health_run(&o, &h) == 1 && strstr(find(&h, "time")->detail, "for 10 minutes") != NULL);
	check_rmtree(root);
}

int main(void)
{
	RUN(test_xid_scan);
	RUN(test_checks);
	RUN(test_clock_bound);
	return CHECK_DONE();
}
