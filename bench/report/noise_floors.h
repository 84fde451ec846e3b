/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench/report/noise_floors.h - the listing of the noise floors learned on a host:
 * those of comparisons judged by pairs of runs and those of pooled ones
 * apart, since paired A/A changes are several times smaller.
 */
#ifndef FL_NOISE_FLOORS_H
#define FL_NOISE_FLOORS_H

#include "bench/store/store.h"

/*
 * Prints them for host (NULL: this one), per claim, with each benchmark's
 * smallest detectable change (never below min_change).  -ENOENT, after
 * fl_fail(), when db holds no A/A comparison for the host.
 */
int fl_print_noise_floors(struct fl_store *st, const char *db, const char *host,
			  double min_change);

#endif
