/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/measure/vm.h - faultline run --vm: the same run inside guest kernels that
 * ci/vm boots under qemu, stored in the host's results.db.
 *
 * For each kernel, ci/vm boots a busybox initramfs holding build/faultline
 * and the shared libraries it needs (and faultline.ko for backend kmod) and
 * runs `faultline run ARGS --db /out/results.db` there; the guest's
 * faultline records its own kernel release, /proc/cmdline, the config
 * fingerprint (ci/vm puts /boot/config-KVER in the guest) and virt ("tcg"
 * or "kvm", from FAULTLINE_VIRT).  ci/vm brings the database back; its run
 * gets the host's git commit, branch and dirty flag.  Nothing is stored
 * unless every guest succeeded.
 */
#ifndef FL_BENCH_VM_H
#define FL_BENCH_VM_H

#include <stdbool.h>

#include "bench/results.h"
#include "bench/store/store.h"

struct fl_vm_opts {
	const char *kernels;	/* "6.1,6.12" or releases: "6.1.0-56-amd64,..." */
	const char *append;	/* more kernel command line ("nohz_full=1"), or NULL */
	bool module;		/* backend kmod: build and load faultline.ko */
	bool exact;		/* ci/vm --exact: instruction-counted guests */
	int timeout_s;		/* per guest; 0: 900 */
	const char *runner;	/* ci/vm; NULL: $FL_VM_RUNNER, else ../ci/vm beside the binary */
	const char *out_dir;	/* where guests' files go; NULL: build/vm/<kernel> */
};

/*
 * Runs `faultline run argv[0..argc-1]` (without --vm, --append or --db) in
 * each guest and saves each guest's run into st.  host supplies the git
 * fields.  ids, if not NULL, gets the stored run ids (one per kernel, at most
 * max_ids).  Returns 0 or a negative errno after fl_fail(): a guest that
 * fails to boot, panics, hangs or whose run fails stores nothing at all.
 */
int fl_vm_run(const struct fl_vm_opts *o, int argc, char *const *argv,
	      const struct fl_run_meta *host, struct fl_store *st,
	      long long *ids, int max_ids);

/* Shell-quotes s into buf ('...' with ' as '\''); -ENOSPC if it does not fit. */
int fl_vm_quote(const char *s, char *buf, size_t len);

#endif
