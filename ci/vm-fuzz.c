// SPDX-License-Identifier: GPL-2.0
/*
 * ci/vm-fuzz.c - hammer the module's control file from several processes at
 * once (run in a guest by ci/vm-test; built static, needs nothing else).
 *
 *   vm-fuzz PROCS REQUESTS SEED
 *
 * Each process writes REQUESTS requests: random bytes, random key=value
 * soup, boundary values (every bound, one past it), and valid small runs;
 * sometimes it reads the answer, sometimes without waiting (O_NONBLOCK),
 * sometimes it closes the file with a run in progress.  Every answer must
 * be well formed: a write either starts a run whose answer is "run N done|
 * failed|stopped ... end", or fails with EINVAL or EBUSY and the same file
 * then says "rejected" with one printable error line.
 * Prints one summary line; exits non-zero on the first malformed answer.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CONTROL		"/sys/kernel/debug/faultline/control"
#define REQ_MAX		512
#define ANSWER_MAX	(1 << 17)

struct tally {
	long started, rejected, busy, nonblock, abandoned, done, failed;
};

static unsigned int seed;

static int rnd(int n)
{
	return rand_r(&seed) % n;
}

static const char *const workloads[] = {
	"reaim_vunmap", "fork_vmap_stack", "vmalloc_sync_model", "spf_model", "nope", "",
	"reaim_vunmapX", "nmi_stack_sampling", "notifier_invalidate",
};
static const char *const keys[] = {
	"workload", "variant", "rounds", "max_ms", "M", "P", "J", "T", "S", "L", "lazy",
	"m", "bogus", "_", "A0", "W", "G", "debug", "target", "R", "N", "H", "D",
	"F", "target_addr",
};
static const char *const values[] = {
	"0", "1", "-1", "2", "4", "5", "16", "63", "64", "65", "256", "257", "65536", "65537",
	"100000", "100001", "600000", "600001", "999999999999999", "9999999999999999",
	"-9223372036854775808", "18446744073709551616", "0x10", "1e3", "+1", "--1", "old",
	"new", "live", "", "00000000000000000001", "classic", "speculative", "2048", "2049",
};

/* A valid run that ends quickly, so that many of them get to start. */
static int small_run(char *s)
{
	static const char *const w[] = { "reaim_vunmap", "fork_vmap_stack", "vmalloc_sync_model" };
	int i = rnd(4);

	if (i == 3)
		return sprintf(s, "workload=spf_model variant=%s rounds=%d T=%d W=%d P=%d G=%d "
			       "max_ms=%d\n", rnd(2) ? "classic" : "speculative", 1 + rnd(3),
			       1 + rnd(4), rnd(3), 1 + rnd(64), 1 + rnd(16), 50 + rnd(400));
	return sprintf(s, "workload=%s variant=%s rounds=%d M=%d P=%d J=%d max_ms=%d%s\n", w[i],
		       rnd(2) ? "old" : "new", 1 + rnd(3), rnd(64), 1 + rnd(2), 1 + rnd(32),
		       50 + rnd(400), i < 2 && rnd(2) ? " lazy=8" : "");
}

static int soup(char *s)
{
	int n = 0, i, tokens = rnd(20);

	if (rnd(4))
		n += sprintf(s + n, "workload=%s ",
			     workloads[rnd((int)(sizeof(workloads) / sizeof(workloads[0])))]);
	for (i = 0; i < tokens && n < REQ_MAX + 40; i++)
		n += sprintf(s + n, "%s%s=%s", i ? (rnd(8) ? " " : "\t") : "",
			     keys[rnd((int)(sizeof(keys) / sizeof(keys[0])))],
			     values[rnd((int)(sizeof(values) / sizeof(values[0])))]);
	if (rnd(2))
		s[n++] = '\n';
	return n;
}

static int garbage(char *s)
{
	int n = 1 + rnd(REQ_MAX + 64), i;

	for (i = 0; i < n; i++)
		s[i] = (char)rnd(256);
	return n;
}

/* Each bound of the heavy workloads, and one past it; max_ms keeps them short. */
static int boundary(char *s)
{
	static const char *const b[] = {
		"M=65536 P=1 J=1 rounds=1", "M=65537", "P=64 J=1 M=0", "P=65", "J=100000 P=1",
		"J=100001", "rounds=256 J=1 P=1", "rounds=257", "T=256 S=100000 J=1", "T=257",
		"S=100001", "lazy=1048576", "lazy=1048577", "max_ms=0", "max_ms=600001",
		"M=-1", "rounds=0",
	};

	return sprintf(s, "workload=%s variant=old max_ms=%d %s\n",
		       rnd(2) ? "reaim_vunmap" : "fork_vmap_stack", 1 + rnd(100),
		       b[rnd((int)(sizeof(b) / sizeof(b[0])))]);
}

static int bad(const char *why, const char *text)
{
	fprintf(stderr, "vm-fuzz: %s: '%.300s'\n", why, text);
	return 1;
}

/* "faultline-kmod 1\nrejected\nerror TEXT\nend\n", TEXT printable. */
static int check_rejection(const char *a)
{
	const char *e;

	if (strncmp(a, "faultline-kmod 1\nrejected\nerror ", 32))
		return bad("a rejected write's file does not say why", a);
	for (e = a + 32; *e && *e != '\n'; e++)
		if (*e < 0x20 || *e > 0x7e)
			return bad("error text not printable", a);
	if (e - (a + 32) < 4 || strcmp(e, "\nend\n"))
		return bad("malformed rejection", a);
	return 0;
}

static int check_result(const char *a, struct tally *t)
{
	long id;
	char state[16];

	if (sscanf(a, "faultline-kmod 1\nrun %ld %15s", &id, state) != 2)
		return bad("malformed result", a);
	if (!strstr(a, "\nrequest workload=") || strcmp(a + strlen(a) - 4, "end\n"))
		return bad("result without request or end", a);
	if (!strcmp(state, "done")) {
		t->done++;
		return strstr(a, "\nround 0 ns=") ? 0 : bad("done without rounds", a);
	}
	if (strcmp(state, "failed") && strcmp(state, "stopped"))
		return bad("unknown state", a);
	t->failed++;
	return strstr(a, "\nerror ") ? 0 : bad("failed without error", a);
}

static ssize_t read_all(int fd, char *buf)
{
	ssize_t n, len = 0;

	while ((n = read(fd, buf + len, ANSWER_MAX - 1 - len)) > 0)
		len += n;
	if (n < 0)
		return -errno;
	buf[len] = '\0';
	return len;
}

/*
 * Writes req on a new open file; a valid request that finds the module busy
 * is tried again a few times, so that many runs start, not just the first.
 */
static int submit(const char *req, int len, bool retry, int *fd)
{
	ssize_t n;
	int tries;

	for (tries = 0;; tries++) {
		*fd = open(CONTROL, O_RDWR | (rnd(8) ? 0 : O_NONBLOCK));
		if (*fd < 0)
			return -errno;
		n = write(*fd, req, (size_t)len);
		if (n >= 0)
			return n == len ? 0 : -EIO;
		if (errno != EBUSY || !retry || tries == 4)
			return -errno;
		close(*fd);
		usleep(5000 + rnd(40000));
	}
}

static int one(struct tally *t, char *buf)
{
	char req[REQ_MAX + 128];
	int k = rnd(10), len, fd, err;
	ssize_t n;

	len = k < 3 ? small_run(req) : k < 6 ? soup(req) : k < 8 ? boundary(req) : garbage(req);
	err = submit(req, len, k < 3 || (k < 8 && rnd(2)), &fd);
	if (err == -EINVAL || err == -EBUSY) {
		err == -EBUSY ? t->busy++ : t->rejected++;
		n = read_all(fd, buf);
		err = n < 0 ? bad("read after a rejection failed", strerror((int)-n))
			    : check_rejection(buf);
		close(fd);
		return err;
	}
	if (err) {
		if (fd >= 0)
			close(fd);
		return bad("open or write failed unexpectedly", strerror(-err));
	}
	t->started++;
	if (!rnd(6)) {
		t->abandoned++;		/* the run goes on without its file */
		close(fd);
		return 0;
	}
	n = read_all(fd, buf);
	if (n == -EAGAIN) {
		t->nonblock++;
		fcntl(fd, F_SETFL, 0);
		n = read_all(fd, buf);
	}
	err = n < 0 ? bad("read of a result failed", strerror((int)-n)) : check_result(buf, t);
	close(fd);
	return err;
}

static int child(int index, int requests)
{
	struct tally t = { 0 };
	char *buf = malloc(ANSWER_MAX);
	int i;

	seed += (unsigned int)index * 7919;
	for (i = 0; i < requests; i++)
		if (!buf || one(&t, buf))
			return 1;
	printf("vm-fuzz: process %d: %d requests, %ld runs (%ld done, %ld failed, %ld "
	       "abandoned, %ld nonblocking), %ld rejected, %ld busy\n", index, requests,
	       t.started, t.done, t.failed, t.abandoned, t.nonblock, t.rejected, t.busy);
	return 0;
}

int main(int argc, char **argv)
{
	int procs, requests, i, status, fails = 0;

	if (argc != 4) {
		fprintf(stderr, "usage: vm-fuzz PROCS REQUESTS SEED\n");
		return 2;
	}
	procs = atoi(argv[1]);
	requests = atoi(argv[2]);
	seed = (unsigned int)atoi(argv[3]);
	fflush(stdout);
	for (i = 0; i < procs; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("vm-fuzz: fork");
			return 1;
		}
		if (!pid)
			_exit(child(i, requests));
	}
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fails++;
	printf("vm-fuzz: %d processes x %d requests: %s\n", procs, requests,
	       fails ? "FAILED" : "ok");
	return fails ? 1 : 0;
}
