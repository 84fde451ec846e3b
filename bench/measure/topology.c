// SPDX-License-Identifier: GPL-2.0
/*
 * bench/measure/topology.c - the machine's topology and the pinning of workers, by
 * hwloc.
 *
 * The PUs we may use are the calling thread's affinity at fl_topo_init()
 * (what taskset or a cgroup gave the run), not the whole machine: workers are
 * pinned inside that set, and unpinning returns a thread to it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hwloc.h>

#include "bench/err.h"
#include "bench/measure/topology.h"

static hwloc_topology_t fl_topo;
static hwloc_bitmap_t fl_allowed;	/* read-only once fl_topo_init() returned */

int fl_topo_init(void)
{
	if (fl_topo)
		return 0;
	if (hwloc_topology_init(&fl_topo)) {
		fl_topo = NULL;
		return fl_fail(ENOMEM, "hwloc: topology init failed");
	}
	errno = 0;
	if (hwloc_topology_load(fl_topo)) {
		int err = errno ? errno : EINVAL;

		fl_topo_fini();
		return fl_fail(err, "hwloc: topology load: %s", strerror(err));
	}
	fl_allowed = hwloc_bitmap_alloc();
	if (!fl_allowed) {
		fl_topo_fini();
		return fl_fail(ENOMEM, "hwloc: out of memory");
	}
	if (hwloc_get_cpubind(fl_topo, fl_allowed, HWLOC_CPUBIND_THREAD)) {
		int err = errno;

		fl_topo_fini();
		return fl_fail(err, "hwloc: this thread's CPU binding: %s", strerror(err));
	}
	hwloc_bitmap_and(fl_allowed, fl_allowed, hwloc_topology_get_allowed_cpuset(fl_topo));
	if (hwloc_bitmap_iszero(fl_allowed)) {
		fl_topo_fini();
		return fl_fail(EINVAL, "hwloc: no PU of the topology is in this thread's affinity");
	}
	return 0;
}

int fl_topo_restrict(const char *list)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	int err = 0;

	if (!set)
		return fl_fail(ENOMEM, "hwloc: out of memory");
	if (hwloc_bitmap_list_sscanf(set, list) || hwloc_bitmap_iszero(set))
		err = fl_fail(EINVAL, "--cpus '%s': expected CPU numbers such as 1 or 0-1,3", list);
	else if (!hwloc_bitmap_isincluded(set, fl_allowed))
		err = fl_fail(EINVAL, "--cpus '%s': not all of them are CPUs this run may use", list);
	else if (hwloc_set_cpubind(fl_topo, set, HWLOC_CPUBIND_PROCESS))
		err = fl_fail(errno, "--cpus '%s': cannot bind to them: %s", list, strerror(errno));
	else
		hwloc_bitmap_copy(fl_allowed, set);
	hwloc_bitmap_free(set);
	return err;
}

void fl_topo_fini(void)
{
	if (fl_allowed)
		hwloc_bitmap_free(fl_allowed);
	fl_allowed = NULL;
	if (fl_topo)
		hwloc_topology_destroy(fl_topo);
	fl_topo = NULL;
}

int fl_topo_npus(void)
{
	if (!fl_allowed)
		return fl_fail(EINVAL, "topology: not initialised (fl_topo_init)");
	return hwloc_bitmap_weight(fl_allowed);
}

static int fl_nobjs(hwloc_obj_type_t type)
{
	return hwloc_get_nbobjs_by_type(fl_topo, type);
}

/* "32MiB", or "1408KiB" when it is not a whole number of MiB. */
static void fl_size(char *buf, size_t len, unsigned long long bytes)
{
	if (bytes >= 1ULL << 20 && !(bytes & ((1ULL << 20) - 1)))
		snprintf(buf, len, "%lluMiB", bytes >> 20);
	else
		snprintf(buf, len, "%lluKiB", bytes >> 10);
}

void fl_topo_describe(char *buf, size_t len)
{
	int packages, cores, pus, l3s, allowed;
	char l3[48] = "";
	hwloc_obj_t obj;
	size_t n;

	if (!len)
		return;
	if (!fl_topo) {
		snprintf(buf, len, "unknown (topology not initialised)");
		return;
	}
	packages = fl_nobjs(HWLOC_OBJ_PACKAGE);
	cores = fl_nobjs(HWLOC_OBJ_CORE);
	pus = fl_nobjs(HWLOC_OBJ_PU);
	l3s = fl_nobjs(HWLOC_OBJ_L3CACHE);
	obj = l3s > 0 ? hwloc_get_obj_by_type(fl_topo, HWLOC_OBJ_L3CACHE, 0) : NULL;
	if (obj && obj->attr) {
		char size[24];

		fl_size(size, sizeof(size), (unsigned long long)obj->attr->cache.size);
		if (l3s > 1)
			snprintf(l3, sizeof(l3), ", L3 %dx%s", l3s, size);
		else
			snprintf(l3, sizeof(l3), ", L3 %s", size);
	}
	snprintf(buf, len, "%d package%s, %d core%s, %d PU%s%s", packages,
		 packages == 1 ? "" : "s", cores, cores == 1 ? "" : "s", pus,
		 pus == 1 ? "" : "s", l3);
	allowed = hwloc_bitmap_weight(fl_allowed);
	n = strlen(buf);
	if (allowed != pus && n < len)
		snprintf(buf + n, len - n, ", %d allowed", allowed);
}

/* The OS index of the index-th allowed PU, wrapping round. */
static unsigned int fl_nth_pu(int index)
{
	int npus = hwloc_bitmap_weight(fl_allowed);
	int i = ((index % npus) + npus) % npus;
	int pu = hwloc_bitmap_first(fl_allowed);

	while (i--)
		pu = hwloc_bitmap_next(fl_allowed, pu);
	return (unsigned int)pu;
}

int fl_topo_pin_self(int index)
{
	hwloc_bitmap_t set;
	unsigned int pu;
	int err = 0;

	if (!fl_allowed)
		return fl_fail(EINVAL, "topology: not initialised (fl_topo_init)");
	pu = fl_nth_pu(index);
	set = hwloc_bitmap_alloc();
	if (!set)
		return fl_fail(ENOMEM, "hwloc: out of memory");
	hwloc_bitmap_only(set, pu);
	if (hwloc_set_cpubind(fl_topo, set, HWLOC_CPUBIND_THREAD))
		err = errno;
	hwloc_bitmap_free(set);
	if (err)
		return fl_fail(err, "pin thread to PU %u (worker %d): %s", pu, index,
			       strerror(err));
	return 0;
}

int fl_topo_unpin_self(void)
{
	if (!fl_allowed)
		return fl_fail(EINVAL, "topology: not initialised (fl_topo_init)");
	if (hwloc_set_cpubind(fl_topo, fl_allowed, HWLOC_CPUBIND_THREAD))
		return fl_fail(errno, "unpin thread: %s", strerror(errno));
	return 0;
}
