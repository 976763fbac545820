/* slurm_test: the slurm profile's decisions: slurmd's command line for a
 * dynamic and a static node, with GPUs and without; the [slurm] keys;
 * scontrol's node line read (state, reason without its [user@time], an
 * unknown node); who has joined; and the health check's drain and resume,
 * which never touch a drain someone else made. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "profile/slurm.h"

static struct nodeconf conf;

static int load(const char *slurm_extra)
{
	char text[1024], err[256];

	snprintf(text, sizeof text,
		 "[node]\nprofile = slurm\n[slurm]\ncontroller = 10.77.0.1:6817\n"
		 "munge-key = MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVm\n%s",
		 slurm_extra);
	return nodeconf_parse(&conf, "s.conf", text, strlen(text), err, sizeof err);
}

static char *join(char **argv)
{
	static char buf[512];
	size_t n = 0;

	buf[0] = '\0';
	for (; *argv != NULL; argv++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? "|" : "", *argv);
	return buf;
}

static void slurmd_args(void)
{
	char cf[128], *argv[12];

	CHECK(load("") == 0 && conf.slurm_static == 0);
	CHECK(slurm_slurmd_args(&conf, 0, cf, sizeof cf, argv, 12) == 5);
	CHECK(strcmp(join(argv), "/usr/sbin/slurmd|-D|--conf-server|10.77.0.1:6817|-Z") == 0);
	CHECK(slurm_slurmd_args(&conf, 8, cf, sizeof cf, argv, 12) == 7);
	CHECK(strcmp(join(argv), "/usr/sbin/slurmd|-D|--conf-server|10.77.0.1:6817|-Z|--conf|Gres=gpu:8") == 0);
	CHECK(load("features = h100,ib\n") == 0);
	CHECK(slurm_slurmd_args(&conf, 4, cf, sizeof cf, argv, 12) == 7);
	CHECK(strcmp(cf, "Gres=gpu:4 Feature=h100,ib") == 0);
	CHECK(slurm_slurmd_args(&conf, 0, cf, sizeof cf, argv, 12) == 7 && strcmp(cf, "Feature=h100,ib") == 0);
	CHECK(slurm_slurmd_args(&conf, 4, cf, 12, argv, 12) == -E2BIG);	/* too long for conf */
	CHECK(slurm_slurmd_args(&conf, 4, cf, sizeof cf, argv, 4) == -E2BIG);
	/* static: the controller's slurm.conf has the node and its GPUs. */
	CHECK(load("dynamic = no\n") == 0 && conf.slurm_static == 1);
	CHECK(slurm_slurmd_args(&conf, 8, cf, sizeof cf, argv, 12) == 4 && cf[0] == '\0');
	CHECK(strcmp(join(argv), "/usr/sbin/slurmd|-D|--conf-server|10.77.0.1:6817") == 0);
}

static void slurm_keys(void)
{
	CHECK(load("dynamic = maybe\n") < 0);
	CHECK(load("features = a b\n") < 0);
	CHECK(load("features = ,a\n") < 0);
	CHECK(load("features = a,\n") < 0);
	CHECK(load("features = a,,b\n") < 0);
	CHECK(load("features = a;reboot\n") < 0);
	CHECK(load("features = gpu,h100_80g,rack-3\n") == 0 && strcmp(conf.slurm_features, "gpu,h100_80g,rack-3") == 0);
}

static void node_line(void)
{
	static const char idle[] =
		"NodeName=vm-node-07 Arch=x86_64 CoresPerSocket=1 CPUAlloc=0 CPUEfctv=2 CPUTot=2 "
		"AvailableFeatures=(null) Gres=(null) NodeAddr=10.77.0.7 NodeHostName=vm-node-07 "
		"Version=22.05.8 State=IDLE+DYNAMIC_NORM ThreadsPerCore=1 SlurmdStartTime=2026-12-04T14:00:01 "
		"LastBusyTime=2026-12-04T14:00:02 CfgTRES=cpu=2,mem=985M,billing=2\n";
	static const char drained[] =
		"NodeName=n1 State=IDLE+DRAIN ThreadsPerCore=1 Reason=cairn: containerd: not answering "
		"[root@2026-12-04T14:05:00] Comment=(null)\n";
	static const char odd[] = "NodeName=n1 SlurmdStartTime=None State=DOWN* Reason=Not responding";
	struct slurm_node n;

	CHECK(slurm_node_parse(idle, strlen(idle), &n) == 0);
	CHECK(strcmp(n.state, "IDLE+DYNAMIC_NORM") == 0 && n.reason[0] == '\0' && slurm_joined(&n));
	CHECK(slurm_node_parse(drained, strlen(drained), &n) == 0);
	CHECK(strcmp(n.state, "IDLE+DRAIN") == 0 && strcmp(n.reason, "cairn: containerd: not answering") == 0);
	CHECK(slurm_joined(&n));		/* drained, still a member */
	CHECK(slurm_node_parse(odd, strlen(odd), &n) == 0);
	CHECK(strcmp(n.state, "DOWN*") == 0 && strcmp(n.reason, "Not responding") == 0 && !slurm_joined(&n));
	CHECK(slurm_node_parse("Node n9 not found\n", 18, &n) == -ENOENT && !slurm_joined(&n));
	CHECK(slurm_node_parse("State= x\n", 9, &n) == -ENOENT);
	CHECK(slurm_node_parse("NodeState=IDLE\n", 15, &n) == -ENOENT);	/* a field's tail is not State= */
	/* Only the first line counts. */
	CHECK(slurm_node_parse("NodeName=a\nState=IDLE\n", 22, &n) == -ENOENT);
	strcpy(n.state, "UNKNOWN");
	CHECK(!slurm_joined(&n));
	strcpy(n.state, "FUTURE");
	CHECK(!slurm_joined(&n));
	strcpy(n.state, "IDLE+NOT_RESPONDING");
	CHECK(!slurm_joined(&n));
	strcpy(n.state, "MIXED");
	CHECK(slurm_joined(&n));
	strcpy(n.state, "ALLOCATED+DRAIN");
	CHECK(slurm_joined(&n));
}

static void drain_and_resume(void)
{
	struct slurm_node n;
	char reason[300];

	memset(&n, 0, sizeof n);
	strcpy(n.state, "IDLE");
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_KEEP);
	CHECK(slurm_health_action(&n, 0, "containerd: not answering", reason, sizeof reason) == SLURM_DRAIN);
	CHECK(strcmp(reason, "cairn: containerd: not answering") == 0);
	/* drained for that already: nothing to do; for another failure: the new reason. */
	strcpy(n.state, "IDLE+DRAIN");
	strcpy(n.reason, "cairn: containerd: not answering");
	CHECK(slurm_health_action(&n, 0, "containerd: not answering", reason, sizeof reason) == SLURM_KEEP);
	CHECK(slurm_health_action(&n, 0, "disk: / 97% full", reason, sizeof reason) == SLURM_DRAIN);
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_RESUME);
	/* an operator's drain is theirs: neither replaced nor resumed. */
	strcpy(n.reason, "maintenance: PSU swap");
	CHECK(slurm_health_action(&n, 0, "containerd: not answering", reason, sizeof reason) == SLURM_KEEP);
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_KEEP);
	/* a reason that only looks like ours is not resumed unless tagged at the start */
	strcpy(n.reason, "see cairn: later");
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_KEEP);
	/* down after a reboot asked with nextstate=DOWN: that reason is the
	 * operator's until they resume it; a down node of ours is drained for
	 * a new failure. */
	strcpy(n.state, "DOWN");
	strcpy(n.reason, "cairn 2.1 : reboot complete");
	CHECK(slurm_health_action(&n, 0, "containerd: not answering", reason, sizeof reason) == SLURM_KEEP);
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_KEEP);
	strcpy(n.reason, "cairn: disk: / 97% full");
	CHECK(slurm_health_action(&n, 0, "containerd: not answering", reason, sizeof reason) == SLURM_DRAIN);
	/* healthy and not drained, but the reason left from a drain: nothing. */
	strcpy(n.state, "IDLE");
	strcpy(n.reason, "cairn: containerd: not answering");
	CHECK(slurm_health_action(&n, 1, "", reason, sizeof reason) == SLURM_KEEP);
}

int main(void)
{
	RUN(slurmd_args);
	RUN(slurm_keys);
	RUN(node_line);
	RUN(drain_and_resume);
	return CHECK_DONE();
}
