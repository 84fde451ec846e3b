// SPDX-License-Identifier: GPL-2.0
/* The workloads faultline knows: one line each. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bench/err.h"

#include "workload.h"

extern const struct fl_workload fl_wl_reaim_vunmap;
extern const struct fl_workload fl_wl_fork_vmap_stack;
extern const struct fl_workload fl_wl_ebizzy_like;
extern const struct fl_workload fl_wl_fault_scaling;
extern const struct fl_workload fl_wl_kernbench_like;
extern const struct fl_workload fl_wl_fault_cost;
extern const struct fl_workload fl_wl_page_fault_file;
extern const struct fl_workload fl_wl_syscall_cost;
extern const struct fl_workload fl_wl_nmi_stack_sampling;
extern const struct fl_workload fl_wl_notifier_invalidate;
extern const struct fl_workload fl_wl_irq_round_trip;
extern const struct fl_workload fl_wl_signal_cost;
extern const struct fl_workload fl_wl_irq_gaps;

const struct fl_workload *const fl_workloads[] = {
	&fl_wl_reaim_vunmap,
	&fl_wl_fork_vmap_stack,
	&fl_wl_ebizzy_like,
	&fl_wl_fault_scaling,
	&fl_wl_kernbench_like,
	&fl_wl_fault_cost,
	&fl_wl_page_fault_file,
	&fl_wl_syscall_cost,
	&fl_wl_nmi_stack_sampling,
	&fl_wl_notifier_invalidate,
	&fl_wl_irq_round_trip,
	&fl_wl_signal_cost,
	&fl_wl_irq_gaps,
	NULL,
};

const struct fl_workload *fl_workload_find(const char *name)
{
	for (int i = 0; fl_workloads[i]; i++)
		if (!strcmp(fl_workloads[i]->name, name))
			return fl_workloads[i];
	return NULL;
}

int fl_param_index(const struct fl_workload *w, const char *name)
{
	for (int i = 0; w->params[i].name; i++)
		if (!strcmp(w->params[i].name, name))
			return i;
	return -1;
}

int fl_metric_index(const struct fl_workload *w, const char *name)
{
	for (int i = 0; w->metrics[i].name; i++)
		if (!strcmp(w->metrics[i].name, name))
			return i;
	return -1;
}

bool fl_metric_measured(const struct fl_metric *m, enum fl_backend b)
{
	return m->backends & b;
}

int fl_nparams(const struct fl_workload *w)
{
	int n = 0;

	while (w->params[n].name)
		n++;
	return n;
}

int fl_nmetrics(const struct fl_workload *w)
{
	int n = 0;

	while (w->metrics[n].name)
		n++;
	return n;
}

bool fl_has_variant(const struct fl_workload *w, const char *variant)
{
	for (int i = 0; w->variants && w->variants[i]; i++)
		if (!strcmp(w->variants[i], variant))
			return true;
	return false;
}

long fl_workload_rounds(const struct fl_workload *w)
{
	return w->rounds ? w->rounds : 64;
}

int fl_instance_setup(struct fl_instance *in)
{
	int err;

	in->priv = calloc(1, in->w->priv_size ? in->w->priv_size : 1);
	if (!in->priv)
		return fl_fail(ENOMEM, "%s: out of memory", in->w->name);
	err = in->w->setup(in);
	if (err)
		fl_instance_teardown(in);
	return err;
}

void fl_instance_teardown(struct fl_instance *in)
{
	if (in->w->teardown)
		in->w->teardown(in->priv);
	free(in->priv);
	in->priv = NULL;
}

long fl_param(const struct fl_instance *in, const char *name)
{
	return in->param[fl_param_index(in->w, name)];
}

static const char *const backend_names[] = { "shim", "kmod", "live" };

const char *fl_backend_name(enum fl_backend b)
{
	switch (b) {
	case FL_SHIM:
		return "shim";
	case FL_KMOD:
		return "kmod";
	case FL_LIVE:
		return "live";
	}
	return "?";
}

int fl_backend_parse(const char *s, enum fl_backend *b)
{
	for (int i = 0; i < 3; i++) {
		if (!strcmp(s, backend_names[i])) {
			*b = 1 << i;
			return 0;
		}
	}
	return -EINVAL;
}
