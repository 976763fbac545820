/*
 * netplan.c: from the node config and the interfaces the node has, the
 * steps that set its network up, in an order that works: NICs renamed to
 * their config names (by MAC, PCI address or kernel name: there is no
 * udev), bonds made and filled, VLANs on their parents, MTU, links up,
 * static addresses and default routes, then DHCP where asked.  Taking the
 * steps is netapply.c's job; here nothing is changed, so `cairn-agent net
 * plan` can show them and the tests can check them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "net/netplan.h"

static __attribute__((format(printf, 2, 3))) int add(struct netplan *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->n == NP_STEPS_MAX)
		return -E2BIG;
	va_start(ap, fmt);
	n = vsnprintf(p->step[p->n], NP_STEP, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= NP_STEP)
		return -E2BIG;
	p->n++;
	return 0;
}

static __attribute__((format(printf, 2, 3))) void warn(struct netplan *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nwarn == NP_WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(p->warn[p->nwarn++], NP_STEP, fmt, ap);
	va_end(ap);
}

static const struct nc_net *section(const struct nodeconf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nnet; i++)
		if (strcmp(c->net[i].name, name) == 0)
			return &c->net[i];
	return NULL;
}

static int exists(const struct inv_nic *ifs, int nifs, const char *name)
{
	int i;

	for (i = 0; i < nifs; i++)
		if (strcmp(ifs[i].name, name) == 0)
			return 1;
	return 0;
}

/* The interface a `match` names, or -1.  A MAC or PCI address names a
 * NIC, never a bond, VLAN or bridge that wears the same MAC. */
static int matched(const struct nc_net *n, const struct inv_nic *ifs, int nifs)
{
	int i;

	for (i = 0; i < nifs; i++) {
		if (ifs[i].stacked && n->match != NC_MATCH_NAME)
			continue;
		const char *v = n->match == NC_MATCH_MAC ? ifs[i].mac :
				n->match == NC_MATCH_PCI ? ifs[i].pci : ifs[i].name;

		if (strcasecmp(v, n->match_value) == 0)
			return i;
	}
	return -1;
}

static int is_member(const struct nodeconf *c, const char *name)
{
	int i, k;

	for (i = 0; i < c->nnet; i++)
		for (k = 0; k < c->net[i].nbond; k++)
			if (strcmp(c->net[i].bond[k], name) == 0)
				return 1;
	return 0;
}

static int is_vlan_parent(const struct nodeconf *c, const char *name)
{
	int i;

	for (i = 0; i < c->nnet; i++)
		if (c->net[i].vlan_id != 0 && strcmp(c->net[i].vlan_parent, name) == 0)
			return 1;
	return 0;
}

/* DHCP unless said otherwise, when the section has no address and carries
 * no other interface (a bond's member, a VLAN's trunk). */
static int wants_dhcp(const struct nodeconf *c, const struct nc_net *n)
{
	if (n->dhcp >= 0)
		return n->dhcp;
	return n->naddr == 0 && !is_member(c, n->name) && !is_vlan_parent(c, n->name);
}

/*
 * present[i]: section i's interface will exist once its steps are taken (a
 * NIC that was found, a bond with a member, a VLAN whose parent is there).
 * Sections come in any order, so this settles over a few passes.
 */
static void settle(const struct nodeconf *c, const int *nic, int *present)
{
	int pass, i, k;

	for (i = 0; i < c->nnet; i++)
		present[i] = nic[i] >= 0;
	for (pass = 0; pass < NC_NET_MAX; pass++)
		for (i = 0; i < c->nnet; i++) {
			const struct nc_net *n = &c->net[i];

			for (k = 0; k < n->nbond && !present[i]; k++) {
				const struct nc_net *m = section(c, n->bond[k]);

				present[i] = m != NULL && present[m - c->net];
			}
			if (n->vlan_id != 0 && !present[i]) {
				const struct nc_net *m = section(c, n->vlan_parent);

				present[i] = m != NULL && present[m - c->net];
			}
		}
}

static int renames(const struct nodeconf *c, const struct inv_nic *ifs, int nifs, const int *nic,
		   struct netplan *p, char *err, size_t errsz)
{
	int i, j, clash = 0, rc = 0;

	for (i = 0; i < c->nnet; i++) {
		if (nic[i] < 0 || strcmp(ifs[nic[i]].name, c->net[i].name) == 0)
			continue;
		for (j = 0; j < nifs; j++) {
			int taken_by_section = 0, k;

			if (j == nic[i] || strcmp(ifs[j].name, c->net[i].name) != 0)
				continue;
			for (k = 0; k < c->nnet; k++)
				taken_by_section |= nic[k] == j;
			if (!taken_by_section)
				return err_fail(err, errsz, "[net %s]: the name is taken by %s, which no [net] "
						"section matches", c->net[i].name, ifs[j].name);
			clash = 1;
		}
	}
	/* Two NICs trading names go through names no NIC has: cairnN. */
	for (i = 0; i < c->nnet && rc == 0; i++) {
		if (nic[i] < 0 || strcmp(ifs[nic[i]].name, c->net[i].name) == 0)
			continue;
		rc = add(p, "ip link set dev %s down", ifs[nic[i]].name);
		if (rc == 0 && clash)
			rc = add(p, "ip link set dev %s name cairn%d", ifs[nic[i]].name, i);
		else if (rc == 0)
			rc = add(p, "ip link set dev %s name %s", ifs[nic[i]].name, c->net[i].name);
	}
	for (i = 0; i < c->nnet && rc == 0 && clash; i++)
		if (nic[i] >= 0 && strcmp(ifs[nic[i]].name, c->net[i].name) != 0)
			rc = add(p, "ip link set dev cairn%d name %s", i, c->net[i].name);
	return rc;
}

static int addresses(const struct nc_net *n, struct netplan *p)
{
	int k, rc = 0;

	if (n->naddr > 0)
		rc = add(p, "ip addr flush dev %s scope global", n->name);
	for (k = 0; k < n->naddr && rc == 0; k++)
		rc = add(p, "ip addr add %s dev %s", n->addr[k], n->name);
	if (rc == 0 && n->gateway4[0] != '\0')
		rc = add(p, "ip route replace default via %s dev %s", n->gateway4, n->name);
	if (rc == 0 && n->gateway6[0] != '\0')
		rc = add(p, "ip -6 route replace default via %s dev %s", n->gateway6, n->name);
	return rc;
}

/*
 * netplan_make: the steps for config C on a node whose interfaces are IFS
 * (every one in /sys/class/net but lo, with MAC and PCI address).  A NIC
 * that no interface matches is a warning, and what is built only on it is
 * left out; a name clash is an error.  Returns 0 or -errno with err set.
 */
int netplan_make(const struct nodeconf *c, const struct inv_nic *ifs, int nifs, struct netplan *p,
		 char *err, size_t errsz)
{
	/* nic zeroed past c->nnet too: clang's analyzer, giving up on settle()'s
	 * loops, forgets how many sections there are. */
	int nic[NC_NET_MAX] = { 0 }, present[NC_NET_MAX], i, k, rc, pass;

	memset(p, 0, sizeof *p);
	if (c->nnet == 0) {
		/* No [net]: DHCP on every NIC (an interface with a device behind it). */
		for (i = 0, rc = 0; i < nifs && rc == 0; i++)
			if (!ifs[i].virtual)
				rc = add(p, "dhcp %s", ifs[i].name);
		return rc < 0 ? err_fail(err, errsz, "more than %d steps", NP_STEPS_MAX) : 0;
	}
	for (i = 0; i < c->nnet; i++) {
		const struct nc_net *n = &c->net[i];

		nic[i] = n->match != NC_MATCH_NONE ? matched(n, ifs, nifs) : -1;
		for (k = 0; k < i; k++)
			if (nic[i] >= 0 && nic[k] == nic[i])
				return err_fail(err, errsz, "[net %s] and [net %s] match the same NIC, %s",
						c->net[k].name, n->name, ifs[nic[i]].name);
		if (n->match != NC_MATCH_NONE && nic[i] < 0)
			warn(p, "[net %s]: no NIC has %s %s: left out", n->name,
			     n->match == NC_MATCH_MAC ? "MAC" : n->match == NC_MATCH_PCI ? "PCI address" : "the name",
			     n->match_value);
	}
	settle(c, nic, present);
	for (i = 0; i < c->nnet; i++)
		if (c->net[i].match == NC_MATCH_NONE && !present[i])
			warn(p, "[net %s]: built on interfaces the node does not have: left out", c->net[i].name);

	rc = renames(c, ifs, nifs, nic, p, err, errsz);
	if (rc < 0)
		return rc == -E2BIG ? err_fail(err, errsz, "more than %d steps", NP_STEPS_MAX) : rc;
	/* Bonds, then VLANs (a VLAN may ride on a bond, never the other way). */
	/* A bond already there (the service ran before) keeps its mode, which
	 * the kernel will not change while it has members, and its members. */
	for (i = 0; i < c->nnet && rc == 0; i++) {
		const struct nc_net *n = &c->net[i];
		int existed = exists(ifs, nifs, n->name);

		if (n->nbond == 0 || !present[i])
			continue;
		if (!existed)
			rc = add(p, "ip link add %s type bond", n->name);
		if (rc == 0 && !existed && n->bond_mode[0] != '\0')
			rc = add(p, "ip link set dev %s down", n->name);
		if (rc == 0 && !existed && n->bond_mode[0] != '\0')
			rc = add(p, "write /sys/class/net/%s/bonding/mode %s", n->name, n->bond_mode);
		for (k = 0; k < n->nbond && rc == 0; k++) {
			const struct nc_net *m = section(c, n->bond[k]);
			int mi = m != NULL ? (int)(m - c->net) : -1;

			if (mi < 0 || !present[mi] || (nic[mi] >= 0 && strcmp(ifs[nic[mi]].master, n->name) == 0))
				continue;
			rc = add(p, "ip link set dev %s down", m->name);
			if (rc == 0)
				rc = add(p, "write /sys/class/net/%s/bonding/slaves +%s", n->name, m->name);
		}
	}
	for (i = 0; i < c->nnet && rc == 0; i++) {
		const struct nc_net *n = &c->net[i];

		if (n->vlan_id != 0 && present[i] && !exists(ifs, nifs, n->name))
			rc = add(p, "ip link add link %s name %s type vlan id %u", n->vlan_parent, n->name,
				 n->vlan_id);
	}
	/* MTU and up: NICs, then bonds, then VLANs, whatever order the config
	 * lists them in: the kernel refuses a VLAN an MTU its parent lacks. */
	for (pass = 0; pass < 3 && rc == 0; pass++)
		for (i = 0; i < c->nnet && rc == 0; i++) {
			const struct nc_net *n = &c->net[i];
			int kind = n->vlan_id != 0 ? 2 : n->nbond > 0 ? 1 : 0;

			if (!present[i] || kind != pass)
				continue;
			if (n->mtu != 0)
				rc = add(p, "ip link set dev %s mtu %u", n->name, n->mtu);
			if (rc == 0)
				rc = add(p, "ip link set dev %s up", n->name);
		}
	for (i = 0; i < c->nnet && rc == 0; i++)
		if (present[i])
			rc = addresses(&c->net[i], p);
	for (i = 0; i < c->nnet && rc == 0; i++)
		if (present[i] && wants_dhcp(c, &c->net[i]))
			rc = add(p, "dhcp %s", c->net[i].name);
	return rc < 0 ? err_fail(err, errsz, "more than %d steps", NP_STEPS_MAX) : 0;
}

/* netplan_resolv: resolv.conf for the config's [dns]; 0 bytes when it has none. */
int netplan_resolv(const struct nodeconf *c, char *buf, size_t size)
{
	size_t n = 0;
	int i, w;

	buf[0] = '\0';
	if (c->ndns == 0)
		return 0;
	w = snprintf(buf, size, "# from the node config's [dns] (cairn-agent)\n");
	if (w < 0 || (size_t)w >= size)
		return -ENOSPC;
	n = (size_t)w;
	if (c->search[0] != '\0') {
		w = snprintf(buf + n, size - n, "search %s\n", c->search);
		if (w < 0 || (size_t)w >= size - n)
			return -ENOSPC;
		n += (size_t)w;
	}
	for (i = 0; i < c->ndns; i++) {
		w = snprintf(buf + n, size - n, "nameserver %s\n", c->dns[i]);
		if (w < 0 || (size_t)w >= size - n)
			return -ENOSPC;
		n += (size_t)w;
	}
	return (int)n;
}
