/* netplan_test: the network steps a config gives on a node's interfaces,
 * golden; and how NICs are read from sysfs (MAC, PCI behind virtio). */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "faketree.h"
#include "net/netplan.h"

static struct nodeconf conf;
static struct netplan plan;

static const struct inv_nic node[] = {
	{ "eth0", "52:54:00:ab:cd:01", "up", 25000, "0000:3b:00.0", 0, "", 0 },
	{ "eth1", "52:54:00:ab:cd:02", "up", 25000, "0000:3b:00.1", 0, "", 0 },
	{ "eth2", "52:54:00:ab:cd:03", "down", -1, "0000:5e:00.0", 0, "", 0 },
	{ "docker0", "02:42:ac:11:00:01", "down", -1, "", 1, "", 1 },
};

/* The plan for TEXT on NODE as one string, a line a step; warnings after "--". */
static int plan_of(const char *text, const struct inv_nic *ifs, int n, char *out, size_t size)
{
	char err[512];
	size_t len = 0;
	int i, rc;

	rc = nodeconf_parse(&conf, "t.conf", text, strlen(text), err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return rc;
	}
	rc = netplan_make(&conf, ifs, n, &plan, err, sizeof err);
	if (rc < 0) {
		snprintf(out, size, "error: %s", err);
		return rc;
	}
	out[0] = '\0';
	for (i = 0; i < plan.n; i++)
		len += (size_t)snprintf(out + len, size - len, "%s\n", plan.step[i]);
	for (i = 0; i < plan.nwarn; i++)
		len += (size_t)snprintf(out + len, size - len, "-- %s\n", plan.warn[i]);
	return 0;
}

static void test_no_net_sections(void)
{
	char out[4096];

	CHECK(plan_of("[node]\nhostname = n1\n", node, 4, out, sizeof out) == 0);
	/* DHCP on each NIC; never on an interface with no device behind it. */
	CHECK(strcmp(out, "dhcp eth0\ndhcp eth1\ndhcp eth2\n") == 0);
}

static void test_bond_vlan_static(void)
{
	static const char text[] =
		"[net p0]\nmatch = mac 52:54:00:AB:CD:01\n"
		"[net p1]\nmatch = pci 0000:3b:00.1\n"
		"[net bond0]\nbond = p0 p1\nbond-mode = 802.3ad\nmtu = 9000\n"
		"[net mgmt]\nvlan = bond0 100\naddress = 10.1.0.5/16\naddress = fd00::5/64\n"
		"gateway = 10.1.0.1\ngateway = fd00::1\n"
		"[dns]\nserver = 10.1.0.2\nsearch = hpc.example.org\n";
	char out[4096], resolv[512];

	CHECK(plan_of(text, node, 4, out, sizeof out) == 0);
	CHECK(strcmp(out,
		     "ip link set dev eth0 down\n"
		     "ip link set dev eth0 name p0\n"
		     "ip link set dev eth1 down\n"
		     "ip link set dev eth1 name p1\n"
		     "ip link add bond0 type bond\n"
		     "ip link set dev bond0 down\n"
		     "write /sys/class/net/bond0/bonding/mode 802.3ad\n"
		     "ip link set dev p0 down\n"
		     "write /sys/class/net/bond0/bonding/slaves +p0\n"
		     "ip link set dev p1 down\n"
		     "write /sys/class/net/bond0/bonding/slaves +p1\n"
		     "ip link add link bond0 name mgmt type vlan id 100\n"
		     "ip link set dev p0 up\n"
		     "ip link set dev p1 up\n"
		     "ip link set dev bond0 mtu 9000\n"
		     "ip link set dev bond0 up\n"
		     "ip link set dev mgmt up\n"
		     "ip addr flush dev mgmt scope global\n"
		     "ip addr add 10.1.0.5/16 dev mgmt\n"
		     "ip addr add fd00::5/64 dev mgmt\n"
		     "ip route replace default via 10.1.0.1 dev mgmt\n"
		     "ip -6 route replace default via fd00::1 dev mgmt\n") == 0);
	if (check_failures)
		fputs(out, stderr);
	CHECK(netplan_resolv(&conf, resolv, sizeof resolv) > 0);
	CHECK(strstr(resolv, "search hpc.example.org\nnameserver 10.1.0.2\n") != NULL);
}

static void test_missing_nic_left_out(void)
{
	static const char text[] =
		"[net p0]\nmatch = mac 52:54:00:ab:cd:01\n"
		"[net gone]\nmatch = mac 52:54:00:00:00:99\n"
		"[net v7]\nvlan = gone 7\naddress = 10.7.0.5/24\n"
		"[net lan]\nmatch = name eth2\ndhcp = yes\nmtu = 1400\n";
	char out[4096];

	CHECK(plan_of(text, node, 4, out, sizeof out) == 0);
	CHECK(strcmp(out,
		     "ip link set dev eth0 down\n"
		     "ip link set dev eth0 name p0\n"
		     "ip link set dev eth2 down\n"
		     "ip link set dev eth2 name lan\n"
		     "ip link set dev p0 up\n"
		     "ip link set dev lan mtu 1400\n"
		     "ip link set dev lan up\n"
		     "dhcp p0\n"
		     "dhcp lan\n"
		     "-- [net gone]: no NIC has MAC 52:54:00:00:00:99: left out\n"
		     "-- [net v7]: built on interfaces the node does not have: left out\n") == 0);
	if (check_failures)
		fputs(out, stderr);
}

static void test_names_traded(void)
{
	/* eth0 and eth1 swap names: through names no NIC has. */
	static const char text[] =
		"[net eth1]\nmatch = mac 52:54:00:ab:cd:01\ndhcp = no\n"
		"[net eth0]\nmatch = mac 52:54:00:ab:cd:02\ndhcp = no\n";
	char out[4096];

	CHECK(plan_of(text, node, 4, out, sizeof out) == 0);
	CHECK(strcmp(out,
		     "ip link set dev eth0 down\n"
		     "ip link set dev eth0 name cairn0\n"
		     "ip link set dev eth1 down\n"
		     "ip link set dev eth1 name cairn1\n"
		     "ip link set dev cairn0 name eth1\n"
		     "ip link set dev cairn1 name eth0\n"
		     "ip link set dev eth1 up\n"
		     "ip link set dev eth0 up\n") == 0);
	if (check_failures)
		fputs(out, stderr);
}

static void test_again(void)
{
	/* The service restarted: names taken, the bond and VLAN there, its
	 * members in it.  Only links up and addresses again. */
	static const struct inv_nic again[] = {
		{ "p0", "52:54:00:ab:cd:01", "up", 25000, "0000:3b:00.0", 0, "bond0", 0 },
		{ "p1", "52:54:00:ab:cd:02", "up", 25000, "0000:3b:00.1", 0, "bond0", 0 },
		{ "bond0", "52:54:00:ab:cd:01", "up", -1, "", 1, "", 1 },
		{ "mgmt", "52:54:00:ab:cd:01", "up", -1, "", 1, "", 1 },
	};
	/* The bond and its VLAN wear p0's MAC, listed first: still p0 matches. */
	static const struct inv_nic again_virtual_first[] = {
		{ "bond0", "52:54:00:ab:cd:01", "up", -1, "", 1, "", 1 },
		{ "mgmt", "52:54:00:ab:cd:01", "up", -1, "", 1, "", 1 },
		{ "p0", "52:54:00:ab:cd:01", "up", 25000, "0000:3b:00.0", 0, "bond0", 0 },
		{ "p1", "52:54:00:ab:cd:02", "up", 25000, "0000:3b:00.1", 0, "bond0", 0 },
	};
	char out2[4096];
	static const char text[] =
		"[net mgmt]\nvlan = bond0 100\nmtu = 9000\naddress = 10.1.0.5/16\n"
		"[net bond0]\nbond = p0 p1\nbond-mode = 802.3ad\nmtu = 9000\n"
		"[net p0]\nmatch = mac 52:54:00:ab:cd:01\n"
		"[net p1]\nmatch = pci 0000:3b:00.1\n";
	char out[4096];

	CHECK(plan_of(text, again, 4, out, sizeof out) == 0);
	/* The VLAN listed first still gets its MTU after its bond. */
	CHECK(strcmp(out,
		     "ip link set dev p0 up\n"
		     "ip link set dev p1 up\n"
		     "ip link set dev bond0 mtu 9000\n"
		     "ip link set dev bond0 up\n"
		     "ip link set dev mgmt mtu 9000\n"
		     "ip link set dev mgmt up\n"
		     "ip addr flush dev mgmt scope global\n"
		     "ip addr add 10.1.0.5/16 dev mgmt\n") == 0);
	if (check_failures)
		fputs(out, stderr);
	CHECK(plan_of(text, again_virtual_first, 4, out2, sizeof out2) == 0 && strcmp(out, out2) == 0);
}

static void test_errors(void)
{
	char out[4096];

	/* A name held by an interface no section renames. */
	CHECK(plan_of("[net docker0]\nmatch = name eth0\n", node, 4, out, sizeof out) == -EINVAL);
	CHECK(strstr(out, "[net docker0]: the name is taken by docker0") != NULL);
	/* Two sections on one NIC. */
	CHECK(plan_of("[net a]\nmatch = name eth0\n[net b]\nmatch = mac 52:54:00:ab:cd:01\n", node, 4, out,
		      sizeof out) == -EINVAL);
	CHECK(strstr(out, "[net a] and [net b] match the same NIC, eth0") != NULL);
}

static void test_nics_from_sysfs(void)
{
	struct inv_nic nics[8];
	char root[128], dev[256];
	int n, i, seen = 0;

	tree_new(root, sizeof root, "netplan");
	/* A virtio NIC: device -> .../0000:00:03.0/virtio1. */
	tree_put(root, "sys/devices/pci0000:00/0000:00:03.0/virtio1/.keep", "");
	tree_put(root, "sys/class/net/eth0/address", "52:54:00:12:34:56\n");
	tree_put(root, "sys/class/net/eth0/operstate", "up\n");
	snprintf(dev, sizeof dev, "%s/sys/devices/pci0000:00/0000:00:03.0/virtio1", root);
	CHECK(tree_link(root, dev, "sys/class/net/eth0/device") == 0);
	/* A bridge: no device. */
	tree_put(root, "sys/class/net/br0/address", "02:00:00:00:00:01\n");
	n = nics_read(root, nics, 8, 0);
	CHECK(n == 1 && strcmp(nics[0].name, "eth0") == 0);
	CHECK(strcmp(nics[0].pci, "0000:00:03.0") == 0 && strcmp(nics[0].mac, "52:54:00:12:34:56") == 0);
	n = nics_read(root, nics, 8, 1);
	CHECK(n == 2);
	for (i = 0; i < n; i++)
		if (strcmp(nics[i].name, "br0") == 0 && nics[i].virtual && nics[i].pci[0] == '\0')
			seen = 1;
	CHECK(seen);
	check_rmtree(root);
}

int main(void)
{
	RUN(test_no_net_sections);
	RUN(test_bond_vlan_static);
	RUN(test_missing_nic_left_out);
	RUN(test_names_traded);
	RUN(test_again);
	RUN(test_errors);
	RUN(test_nics_from_sysfs);
	return CHECK_DONE();
}
