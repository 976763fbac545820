/* bootent_test.c: the slots' boot entries (systemd-boot's counting in
 * their names), blessing one, the OS state files, os-release, cairn.slot=,
 * and when initd's services count as ready for an OS's health. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootent.h"
#include "check.h"
#include "os/osboot.h"
#include "osstate.h"

static void test_parse(void)
{
	static const char *const bad[] = {
		"cairn-c.efi", "cairn-a.EFI", "cairn-a+.efi", "cairn-a+3-.efi", "cairn-a+10.efi", "cairn-a+3-1-1.efi",
		"cairn-ab.efi", "cairn-a.efi.tmp", "linux.efi", "cairn-.efi", "cairn-a+x.efi", "",
		"cairn-a+3-12345678901234567890.efi",
	};
	struct bootent b;
	size_t i;

	CHECK(bootent_parse("cairn-a.efi", &b) == 0 && b.slot == 'a' && b.left == -1 && b.done == -1);
	CHECK(bootent_parse("cairn-b+3.efi", &b) == 0 && b.slot == 'b' && b.left == 3 && b.done == 0);
	CHECK(bootent_parse("cairn-b+2-1.efi", &b) == 0 && b.left == 2 && b.done == 1 &&
	      strcmp(b.name, "cairn-b+2-1.efi") == 0);
	CHECK(bootent_parse("cairn-a+0-3.efi", &b) == 0 && b.left == 0 && b.done == 3);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(bootent_parse(bad[i], &b) == -EINVAL);
}

static int touch(int dirfd, const char *name)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
	return fd;
}

static void test_find_bless(void)
{
	char dir[] = "/tmp/bootent-XXXXXX";
	struct bootent b;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(bootent_find(fd, 'a', &b) == -ENOENT);
	touch(fd, "cairn-a.efi");
	touch(fd, "cairn-b+2-1.efi");
	touch(fd, "cairn-b.efi.tmp");
	touch(fd, "linux.efi");
	CHECK(bootent_find(fd, 'a', &b) == 0 && b.left == -1);
	CHECK(bootent_find(fd, 'b', &b) == 0 && b.left == 2 && b.done == 1);
	CHECK(bootent_bless(fd, &b) == 0);
	CHECK(faccessat(fd, "cairn-b.efi", F_OK, 0) == 0 && faccessat(fd, "cairn-b+2-1.efi", F_OK, 0) < 0);
	CHECK(bootent_find(fd, 'b', &b) == 0 && b.left == -1);
	/* A blessed entry stays as it is. */
	CHECK(bootent_bless(fd, &b) == 0 && faccessat(fd, "cairn-b.efi", F_OK, 0) == 0);
	/* Two entries for one slot: not one to go by. */
	touch(fd, "cairn-a+1-2.efi");
	CHECK(bootent_find(fd, 'a', &b) == -ENOTUNIQ);
	/* Removed, both, after a find left the shared offset at the end;
	 * the other slot's entry and other files stay. */
	touch(fd, "cairn-a.efi.tmp");
	CHECK(bootent_find(fd, 'b', &b) == 0);
	CHECK(bootent_remove(fd, 'a') == 0);
	CHECK(bootent_find(fd, 'a', &b) == -ENOENT && faccessat(fd, "cairn-a.efi.tmp", F_OK, 0) < 0);
	CHECK(bootent_find(fd, 'b', &b) == 0 && faccessat(fd, "linux.efi", F_OK, 0) == 0 &&
	      faccessat(fd, "cairn-b.efi.tmp", F_OK, 0) == 0);
	CHECK(bootent_remove(fd, 'a') == 0);
	close(fd);
	check_rmtree(dir);
}

/* A staged UKI: not an entry until armed; armed once, into a slot with no entry. */
static void test_staged_arm(void)
{
	char dir[] = "/tmp/bootent-XXXXXX";
	struct bootent b;
	int fd, tries = 0;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(bootent_arm(fd, 'b') == -ENOENT);
	touch(fd, "cairn-a.efi");
	touch(fd, "cairn-b+3.efi.staged");
	/* Names that are not a staged UKI of slot b. */
	touch(fd, "cairn-b+0.efi.staged");
	touch(fd, "cairn-b.efi.staged");
	touch(fd, "cairn-a+3.efi.stagedx");
	CHECK(bootent_find(fd, 'b', &b) == -ENOENT);
	CHECK(bootent_staged(fd, 'a', &tries) == -ENOENT);
	CHECK(bootent_staged(fd, 'b', &tries) == 0 && tries == 3);
	CHECK(bootent_arm(fd, 'b') == 0);
	CHECK(bootent_find(fd, 'b', &b) == 0 && b.left == 3 && b.done == 0);
	CHECK(bootent_staged(fd, 'b', &tries) == -ENOENT && bootent_arm(fd, 'b') == -ENOENT);
	/* Never beside an entry of its slot. */
	touch(fd, "cairn-b+2.efi.staged");
	CHECK(bootent_arm(fd, 'b') == -EEXIST && faccessat(fd, "cairn-b+2.efi.staged", F_OK, 0) == 0);
	/* Removed with the slot's entry. */
	CHECK(bootent_remove(fd, 'b') == 0);
	CHECK(faccessat(fd, "cairn-b+2.efi.staged", F_OK, 0) < 0 && faccessat(fd, "cairn-b+3.efi", F_OK, 0) < 0);
	CHECK(faccessat(fd, "cairn-a.efi", F_OK, 0) == 0);
	close(fd);
	check_rmtree(dir);
}

static void test_state(void)
{
	char dir[] = "/tmp/osstate-XXXXXX", path[64], v[OS_VERSION_MAX], slot = 0;
	struct os_pending p = { 'b', "0.94.1", 3 }, q;
	FILE *f;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(osstate_get(fd, "pending", &q) == -ENOENT);
	CHECK(osstate_put(fd, "pending", &p) == 0);
	CHECK(osstate_get(fd, "pending", &q) == 0 && q.slot == 'b' && strcmp(q.version, "0.94.1") == 0 &&
	      q.tries == 3);
	snprintf(path, sizeof path, "%s/pending", dir);
	f = fopen(path, "w");
	fputs("slot c\nversion 1\ntries 3\n", f);
	fclose(f);
	CHECK(osstate_get(fd, "pending", &q) == -EINVAL);
	f = fopen(path, "w");
	fputs("slot a\nversion 1\ntries 3\nmore\n", f);
	fclose(f);
	CHECK(osstate_get(fd, "pending", &q) == -EINVAL);
	CHECK(osstate_log(fd, "update %s to slot %c", "1", 'a') == 0 && osstate_log(fd, "two") == 0);

	snprintf(path, sizeof path, "%s/os-release", dir);
	f = fopen(path, "w");
	fputs("NAME=\"Cairn\"\nID=cairn\nIMAGE_VERSION=\"0.94\"\nVERSION=\n", f);
	fclose(f);
	CHECK(osrel_get(path, "IMAGE_VERSION", v, sizeof v) == 0 && strcmp(v, "0.94") == 0);
	CHECK(osrel_get(path, "ID", v, sizeof v) == 0 && strcmp(v, "cairn") == 0);
	CHECK(osrel_get(path, "VERSION", v, sizeof v) == -EINVAL);
	CHECK(osrel_get(path, "IMAGE_ID", v, sizeof v) == -ENOENT);

	snprintf(path, sizeof path, "%s/cmdline", dir);
	f = fopen(path, "w");
	fputs("console=ttyS0 root=/dev/dm-0 cairn.slot=b cairn.var=PARTLABEL=cairn-data\n", f);
	fclose(f);
	CHECK(os_slot_running(path, &slot) == 0 && slot == 'b');
	f = fopen(path, "w");
	fputs("console=ttyS0 cairn.slot=c\n", f);
	fclose(f);
	CHECK(os_slot_running(path, &slot) == -EINVAL);
	f = fopen(path, "w");
	fputs("console=ttyS0\n", f);
	fclose(f);
	CHECK(os_slot_running(path, &slot) == -ENOENT);
	close(fd);
	check_rmtree(dir);
}

static void test_services(void)
{
	char why[256] = "";

	CHECK(os_services_ready("SERVICE          STATE     PID     UPTIME     RESTARTS LAST\n"
				"network          up        120     2.0s       0        -\n"
				"images           down      0       -          0        exit:0\n"
				"install          skipped   0       -          0        -\n"
				"node-config      done      0       -          0        exit:0\n"
				"os-check         starting  130     1.0s       0        -\n", "os-check", why, sizeof why) == 1);
	CHECK(os_services_ready("containerd       backoff   0       -          3        exit:1\n", "os-check", why,
				sizeof why) == 0 && strstr(why, "containerd is backoff") != NULL);
	CHECK(os_services_ready("images           down      0       -          0        exit:2\n", "os-check", why,
				sizeof why) == 0 && strstr(why, "images") != NULL);
	CHECK(os_services_ready("slurmd           waiting   0       -          0        -\n", "os-check", why,
				sizeof why) == 0);
	/* Joining the cluster (the controller may be down): running is enough. */
	CHECK(os_services_ready("slurmd           starting  140     30.0s      0        -\n"
				"kubelet          starting  141     30.0s      0        -\n", "os-check", why,
				sizeof why) == 1);
	CHECK(os_services_ready("network          starting  120     2.0s       0        -\n", "os-check", why,
				sizeof why) == 0 && strstr(why, "network is starting") != NULL);
	CHECK(os_services_ready("agent-api        failed    0       -          5        signal:9\n", "os-check", why,
				sizeof why) == 0);
	CHECK(os_services_ready("", "os-check", why, sizeof why) == 1);
}

int main(void)
{
	RUN(test_parse);
	RUN(test_find_bless);
	RUN(test_staged_arm);
	RUN(test_state);
	RUN(test_services);
	return CHECK_DONE();
}
