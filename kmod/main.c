// SPDX-License-Identifier: GPL-2.0
/*
 * kmod/main.c - faultline's kernel module: impl/ on the kernel backend, and
 * workloads that use what only the kernel has, driven through one root-only
 * debugfs file, /sys/kernel/debug/faultline/control (protocol: proto.h).
 *
 * Loading the module only creates that file.  A write validates a request
 * and starts it in a coordinator kernel thread; the open file keeps a
 * reference to the run and a read waits for its result.  The run does not
 * depend on the file staying open, so the module can be unloaded while one
 * is in progress: module_exit() stops it with kthread_stop() and waits.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/timex.h>
#include <linux/uaccess.h>

#include "fl_kmod.h"

#define FL_KMOD_MAX_WORKERS	64
#define FL_KMOD_TEXT_MAX	4096	/* the catalogue, or a rejection */
/* how often a waiting coordinator looks at the clock and for unload */
#define FL_KMOD_POLL		(HZ / 20)

/* The implementations of kmod/catalogue.c's workloads, found by their desc. */
static const struct fl_kmod_wl *const fl_kmod_wls[] = {
	&fl_kmod_wl_reaim_vunmap,
	&fl_kmod_wl_fork_vmap_stack,
	&fl_kmod_wl_vmalloc_sync_model,
	&fl_kmod_wl_spf_model,
	&fl_kmod_wl_nmi_stack_sampling,
	&fl_kmod_wl_notifier_invalidate,
	NULL,
};

/*
 * The last run started and its coordinator, each with a reference, under
 * fl_kmod_lock.  One run at a time: a write while it is in progress gets
 * EBUSY.
 */
static DEFINE_MUTEX(fl_kmod_lock);
static struct fl_kmod_run *fl_kmod_cur;
static struct task_struct *fl_kmod_task;
static long fl_kmod_next_id = 1;
static struct dentry *fl_kmod_dir;

/* What an open control file knows: the run it started, or why it could not. */
struct fl_kmod_file {
	struct mutex lock;
	struct fl_kmod_run *run;
	char err[FL_KMOD_ERR_MAX];	/* the last rejection, or "" */
	char *text;			/* catalogue or rejection, while read */
	size_t text_len;
};

int fl_kmod_fail(struct fl_kmod_run *run, int err, const char *fmt, ...)
{
	va_list ap;

	if (cmpxchg(&run->err_set, 0, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(run->err, sizeof(run->err), fmt, ap);
		va_end(ap);
	}
	atomic_set(&run->abort, 1);
	return -err;
}

bool fl_kmod_stopping(void)
{
	return kthread_should_stop();
}

int fl_kmod_find_target(struct fl_kmod_run *run, struct task_struct **out)
{
	long tid = fl_kmod_param(&run->req, "target");
	struct task_struct *t;
	struct pid *pid;

	if (!tid)
		return fl_kmod_fail(run, EINVAL, "target=0: %s acts on a thread that faultline "
				    "run starts and names", run->req.desc->name);
	pid = find_get_pid((pid_t)tid);
	t = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	put_pid(pid);
	if (!t)
		return fl_kmod_fail(run, ESRCH, "target=%ld: no such thread", tid);
	if (!t->mm || (t->flags & PF_KTHREAD)) {
		put_task_struct(t);
		return fl_kmod_fail(run, EINVAL, "target=%ld: not a user thread", tid);
	}
	*out = t;
	return 0;
}

static int fl_kmod_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

void fl_kmod_sort_u64(u64 *v, long n)
{
	sort(v, n, sizeof(*v), fl_kmod_cmp_u64, NULL);
}

u64 fl_kmod_percentile(const u64 *sorted, long n, long permille)
{
	long rank = (n * permille + 999) / 1000;

	if (!n)
		return 0;
	return sorted[rank ? rank - 1 : 0];
}

static void fl_kmod_run_release(struct kref *ref)
{
	struct fl_kmod_run *run = container_of(ref, struct fl_kmod_run, ref);

	kvfree(run->rounds_text);
	kvfree(run->out);
	kfree(run->workers);
	kfree(run);
}

static void fl_kmod_run_put(struct fl_kmod_run *run)
{
	if (run)
		kref_put(&run->ref, fl_kmod_run_release);
}

/* ---- workers ------------------------------------------------------------- */

static bool fl_kmod_round_started(struct fl_kmod_run *run, unsigned long seen)
{
	return READ_ONCE(run->gen) != seen || kthread_should_stop();
}

static int fl_kmod_worker_fn(void *arg)
{
	struct fl_kmod_worker *w = arg;
	struct fl_kmod_run *run = w->run;
	unsigned long seen = 0;
	long j;
	int err;

	for (;;) {
		wait_event_idle(run->start_wq, fl_kmod_round_started(run, seen));
		if (kthread_should_stop())
			break;
		seen = READ_ONCE(run->gen);
		for (j = 0; j < run->jobs && !atomic_read(&run->abort); j++) {
			err = run->wl->job(run, w->index);
			if (err) {
				fl_kmod_fail(run, -err, "worker %d job %ld failed (%d)",
					     w->index, j, err);
				break;
			}
			cond_resched();
		}
		if (atomic_dec_and_test(&run->pending))
			complete(&run->round_done);
	}
	return 0;
}

static void fl_kmod_stop_workers(struct fl_kmod_run *run)
{
	long i;

	for (i = 0; run->workers && i < run->nworkers; i++) {
		if (run->workers[i].task) {
			kthread_stop(run->workers[i].task);
			put_task_struct(run->workers[i].task);
			run->workers[i].task = NULL;
		}
	}
}

static int fl_kmod_start_workers(struct fl_kmod_run *run)
{
	struct task_struct *t;
	long i;

	run->workers = kcalloc(run->nworkers, sizeof(*run->workers), GFP_KERNEL);
	if (!run->workers)
		return fl_kmod_fail(run, ENOMEM, "no memory for %ld workers", run->nworkers);
	for (i = 0; i < run->nworkers; i++) {
		run->workers[i].run = run;
		run->workers[i].index = i;
		t = kthread_create(fl_kmod_worker_fn, &run->workers[i], "fl_kmod/%ld.%ld",
				   run->id, i);
		if (IS_ERR(t))
			return fl_kmod_fail(run, -PTR_ERR(t), "cannot start worker %ld (%ld)",
					    i, PTR_ERR(t));
		get_task_struct(t);
		run->workers[i].task = t;
		wake_up_process(t);
	}
	return 0;
}

/* ---- the coordinator ----------------------------------------------------- */

static void fl_kmod_append(struct fl_kmod_run *run, const char *line, int n)
{
	if (run->rounds_len + n >= FL_KMOD_OUT_MAX - 1024)
		return;
	memcpy(run->rounds_text + run->rounds_len, line, n);
	run->rounds_len += n;
}

/*
 * Waits for the workers to finish the round, looking every FL_KMOD_POLL at
 * the deadline and for an unload; either makes the workers stop early.
 */
static int fl_kmod_wait_round(struct fl_kmod_run *run, long r, u64 deadline)
{
	bool late = false, stop = false;

	while (!wait_for_completion_timeout(&run->round_done, FL_KMOD_POLL)) {
		if (!stop && kthread_should_stop()) {
			stop = true;
			atomic_set(&run->abort, 1);
		}
		if (!late && ktime_get_ns() > deadline) {
			late = true;
			atomic_set(&run->abort, 1);
		}
	}
	if (stop)
		return fl_kmod_fail(run, EINTR, "stopped in round %ld: module unloading", r);
	if (late)
		return fl_kmod_fail(run, ETIMEDOUT, "round %ld passed max_ms=%ld", r,
				    run->req.max_ms);
	return 0;
}

static int fl_kmod_round(struct fl_kmod_run *run, long r, u64 deadline)
{
	long long metric[FL_KMOD_MAX_METRICS] = { 0 };
	char line[512];	/* a round: up to FL_KMOD_MAX_METRICS name=value */
	u64 t0, t1;
	cycles_t c0, c1;
	int err, n;

	if (kthread_should_stop())
		return fl_kmod_fail(run, EINTR, "stopped before round %ld: module unloading", r);
	atomic_set(&run->pending, run->nworkers);
	reinit_completion(&run->round_done);
	t0 = ktime_get_ns();
	c0 = get_cycles();
	WRITE_ONCE(run->gen, run->gen + 1);
	wake_up_all(&run->start_wq);
	err = fl_kmod_wait_round(run, r, deadline);
	c1 = get_cycles();
	t1 = ktime_get_ns();
	if (err)
		return err;
	if (atomic_read(&run->abort))
		return -EIO;	/* a job failed and said why */
	run->wl->round_end(run, metric);
	n = fl_kmod_format_round(run->req.desc, r, t1 - t0, (u64)(c1 - c0), metric,
				 line, sizeof(line));
	fl_kmod_append(run, line, n);
	return 0;
}

static int fl_kmod_execute(struct fl_kmod_run *run)
{
	u64 deadline = ktime_get_ns() + (u64)run->req.max_ms * NSEC_PER_MSEC;
	long r;
	int err;

	run->priv = kzalloc(run->wl->priv_size, GFP_KERNEL);
	if (!run->priv)
		return fl_kmod_fail(run, ENOMEM, "out of memory");
	/* teardown() follows setup() even when it failed half-way */
	err = run->wl->setup(run);
	if (!err)
		err = fl_kmod_start_workers(run);
	for (r = 0; !err && r < run->req.rounds; r++)
		err = fl_kmod_round(run, r, deadline);
	fl_kmod_stop_workers(run);
	run->wl->teardown(run);
	kfree(run->priv);
	run->priv = NULL;
	return err;
}

/* The whole result text, built once the run is over (proto.h). */
static void fl_kmod_finish(struct fl_kmod_run *run, int err)
{
	char req[FL_KMOD_REQ_MAX + 64];
	size_t off = 0, len = FL_KMOD_OUT_MAX;
	char *out = run->out;

	if (!err)
		run->state = "done";
	else if (err == -EINTR)
		run->state = "stopped";
	else
		run->state = "failed";
	if (err && !run->err_set)
		fl_kmod_fail(run, -err, "failed (%d)", err);

	fl_kmod_format_request(&run->req, req, sizeof(req));
	off += scnprintf(out + off, len - off, "faultline-kmod %d\nrun %ld %s\nrequest %s\n",
			 FL_KMOD_PROTO_VERSION, run->id, run->state, req);
	memcpy(out + off, run->rounds_text, run->rounds_len);
	off += run->rounds_len;
	if (err)
		off += scnprintf(out + off, len - off, "error %s\n", run->err);
	off += scnprintf(out + off, len - off, "end\n");
	run->out_len = off;
	/* readers test finished, then read out */
	smp_store_release(&run->finished, true);
	wake_up_all(&run->done_wq);
}

static int fl_kmod_thread_fn(void *arg)
{
	struct fl_kmod_run *run = arg;

	fl_kmod_finish(run, fl_kmod_execute(run));
	return 0;
}

/* ---- runs ---------------------------------------------------------------- */

static long fl_kmod_req_count(const struct fl_kmod_req *req, const char *name)
{
	if (fl_kmod_param_index(req->desc, name) < 0)
		return 1;
	return fl_kmod_param(req, name);
}

static struct fl_kmod_run *fl_kmod_run_alloc(const struct fl_kmod_req *req)
{
	struct fl_kmod_run *run = kzalloc(sizeof(*run), GFP_KERNEL);
	int i;

	if (!run)
		return NULL;
	kref_init(&run->ref);
	run->req = *req;
	for (i = 0; fl_kmod_wls[i]; i++)
		if (fl_kmod_wls[i]->desc == req->desc)
			run->wl = fl_kmod_wls[i];
	/* a workload of the catalogue that nothing implements */
	if (WARN_ON_ONCE(!run->wl)) {
		kfree(run);
		return NULL;
	}
	if (run->wl->workers)
		run->nworkers = run->wl->workers(req);
	else
		run->nworkers = fl_kmod_req_count(req, "P");
	run->jobs = fl_kmod_req_count(req, "J");
	init_waitqueue_head(&run->start_wq);
	init_waitqueue_head(&run->done_wq);
	init_completion(&run->round_done);
	run->rounds_text = kvzalloc(FL_KMOD_OUT_MAX, GFP_KERNEL);
	run->out = kvzalloc(FL_KMOD_OUT_MAX, GFP_KERNEL);
	if (!run->rounds_text || !run->out) {
		fl_kmod_run_put(run);
		return NULL;
	}
	return run;
}

/*
 * Stops the last run's coordinator (at once if it finished; otherwise it
 * stops at its next look) and drops it.  fl_kmod_lock held.
 */
static void fl_kmod_reap(void)
{
	if (fl_kmod_task) {
		kthread_stop(fl_kmod_task);
		put_task_struct(fl_kmod_task);
		fl_kmod_task = NULL;
	}
	fl_kmod_run_put(fl_kmod_cur);
	fl_kmod_cur = NULL;
}

/* Starts req; returns the run with a reference for the caller. */
static struct fl_kmod_run *fl_kmod_start(const struct fl_kmod_req *req, char *err,
					 size_t errlen)
{
	struct fl_kmod_run *run;
	struct task_struct *t;

	mutex_lock(&fl_kmod_lock);
	if (fl_kmod_cur && !smp_load_acquire(&fl_kmod_cur->finished)) {
		snprintf(err, errlen, "run %ld is in progress", fl_kmod_cur->id);
		mutex_unlock(&fl_kmod_lock);
		return ERR_PTR(-EBUSY);
	}
	fl_kmod_reap();
	run = fl_kmod_run_alloc(req);
	if (!run) {
		mutex_unlock(&fl_kmod_lock);
		snprintf(err, errlen, "no memory for a run");
		return ERR_PTR(-ENOMEM);
	}
	run->id = fl_kmod_next_id++;
	t = kthread_create(fl_kmod_thread_fn, run, "fl_kmod/%ld", run->id);
	if (IS_ERR(t)) {
		mutex_unlock(&fl_kmod_lock);
		fl_kmod_run_put(run);
		snprintf(err, errlen, "cannot start the run's thread (%ld)", PTR_ERR(t));
		return ERR_CAST(t);
	}
	get_task_struct(t);
	fl_kmod_task = t;
	fl_kmod_cur = run;		/* the reference from kref_init() */
	kref_get(&run->ref);		/* the caller's */
	wake_up_process(t);
	mutex_unlock(&fl_kmod_lock);
	return run;
}

/* ---- the control file ---------------------------------------------------- */

static int fl_kmod_open(struct inode *inode, struct file *file)
{
	struct fl_kmod_file *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return -ENOMEM;
	mutex_init(&f->lock);
	file->private_data = f;
	return nonseekable_open(inode, file);
}

static int fl_kmod_release(struct inode *inode, struct file *file)
{
	struct fl_kmod_file *f = file->private_data;

	fl_kmod_run_put(f->run);
	kfree(f->text);
	kfree(f);
	return 0;
}

static ssize_t fl_kmod_write(struct file *file, const char __user *ubuf, size_t len,
			     loff_t *ppos)
{
	struct fl_kmod_file *f = file->private_data;
	char buf[FL_KMOD_REQ_MAX + 1];
	struct fl_kmod_req req;
	struct fl_kmod_run *run;
	int err;

	mutex_lock(&f->lock);
	fl_kmod_run_put(f->run);
	f->run = NULL;
	kfree(f->text);
	f->text = NULL;
	f->err[0] = '\0';
	if (len > FL_KMOD_REQ_MAX) {
		snprintf(f->err, sizeof(f->err), "request of %zu bytes is longer than %d",
			 len, FL_KMOD_REQ_MAX);
		err = -EINVAL;
		goto out;
	}
	if (copy_from_user(buf, ubuf, len)) {
		snprintf(f->err, sizeof(f->err), "request not readable");
		err = -EFAULT;
		goto out;
	}
	buf[len] = '\0';
	err = fl_kmod_parse_request(buf, len, fl_kmod_catalogue, &req, f->err, sizeof(f->err));
	if (err)
		goto out;
	run = fl_kmod_start(&req, f->err, sizeof(f->err));
	if (IS_ERR(run)) {
		err = PTR_ERR(run);
		goto out;
	}
	f->run = run;
	err = len;
out:
	mutex_unlock(&f->lock);
	return err;
}

/* The catalogue, or why the last write was rejected. */
static int fl_kmod_make_text(struct fl_kmod_file *f)
{
	size_t off, len = FL_KMOD_TEXT_MAX;
	int i;

	f->text = kzalloc(len, GFP_KERNEL);
	if (!f->text)
		return -ENOMEM;
	off = scnprintf(f->text, len, "faultline-kmod %d\n", FL_KMOD_PROTO_VERSION);
	if (f->err[0]) {
		off += scnprintf(f->text + off, len - off, "rejected\nerror %s\n", f->err);
	} else {
		off += scnprintf(f->text + off, len - off, "idle\n");
		for (i = 0; fl_kmod_catalogue[i]; i++)
			off += fl_kmod_format_desc(fl_kmod_catalogue[i], f->text + off, len - off);
	}
	off += scnprintf(f->text + off, len - off, "end\n");
	f->text_len = off;
	return 0;
}

static ssize_t fl_kmod_read(struct file *file, char __user *ubuf, size_t len,
			    loff_t *ppos)
{
	struct fl_kmod_file *f = file->private_data;
	struct fl_kmod_run *run;
	ssize_t ret;

	mutex_lock(&f->lock);
	run = f->run;
	if (!run) {
		ret = f->text ? 0 : fl_kmod_make_text(f);
		if (!ret)
			ret = simple_read_from_buffer(ubuf, len, ppos, f->text, f->text_len);
		mutex_unlock(&f->lock);
		return ret;
	}
	kref_get(&run->ref);
	mutex_unlock(&f->lock);

	if (!smp_load_acquire(&run->finished)) {
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			goto out;
		}
		ret = wait_event_interruptible(run->done_wq, smp_load_acquire(&run->finished));
		if (ret)
			goto out;
	}
	ret = simple_read_from_buffer(ubuf, len, ppos, run->out, run->out_len);
out:
	fl_kmod_run_put(run);
	return ret;
}

static const struct file_operations fl_kmod_fops = {
	.owner = THIS_MODULE,
	.open = fl_kmod_open,
	.release = fl_kmod_release,
	.read = fl_kmod_read,
	.write = fl_kmod_write,
};

static int __init fl_kmod_init(void)
{
	struct dentry *d;

	fl_kmod_dir = debugfs_create_dir("faultline", NULL);
	if (IS_ERR(fl_kmod_dir))
		return PTR_ERR(fl_kmod_dir);
	d = debugfs_create_file("control", 0600, fl_kmod_dir, NULL, &fl_kmod_fops);
	if (IS_ERR(d)) {
		debugfs_remove_recursive(fl_kmod_dir);
		return PTR_ERR(d);
	}
	return 0;
}

static void __exit fl_kmod_exit(void)
{
	/* no new opens; none is open, or the module would be in use */
	debugfs_remove_recursive(fl_kmod_dir);
	mutex_lock(&fl_kmod_lock);
	fl_kmod_reap();
	mutex_unlock(&fl_kmod_lock);
}

module_init(fl_kmod_init);
module_exit(fl_kmod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("faultline: mm/entry mechanisms, old and new, and a control file");
