/* A fault injector for the fault suite, loaded with LD_PRELOAD into the actas binary or a test.
 *
 * While the file $ACTAS_FAULT_DIR/eio exists, fsync and fdatasync of regular files fail with EIO (a disk
 * that loses writes); while $ACTAS_FAULT_DIR/enospc exists, writes to regular files fail with ENOSPC (a
 * full disk). Sockets, pipes and terminals are never touched, so the server keeps answering. A test turns
 * the faults on and off on a running process by creating and removing those files; each injected fault
 * is counted in $ACTAS_FAULT_DIR/injected (one byte appended per fault, written with the real write) so
 * a test can tell that the faults were actually met.
 *
 * $ACTAS_CLOCK_OFFSET_S (read once per process) moves the wall clock (CLOCK_REALTIME and its coarse form,
 * gettimeofday, time) by that many seconds, as if the machine's clock had been set; the monotonic and
 * boot clocks are left alone, as a real clock change leaves them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

typedef int (*sync_fn)(int);
typedef ssize_t (*write_fn)(int, const void*, size_t);
typedef ssize_t (*pwrite_fn)(int, const void*, size_t, off_t);
typedef ssize_t (*writev_fn)(int, const struct iovec*, int);
typedef ssize_t (*pwritev_fn)(int, const struct iovec*, int, off_t);

/* The next definition of `name` after this library (libc's). */
static void* real(const char* name) { return dlsym(RTLD_NEXT, name); }

static int switched_on(const char* fault) {
  const char* dir = getenv("ACTAS_FAULT_DIR");
  if (!dir) return 0;
  char path[4096];
  if (snprintf(path, sizeof path, "%s/%s", dir, fault) >= (int)sizeof path) return 0;
  return access(path, F_OK) == 0;
}

static void count_injection(void) {
  const char* dir = getenv("ACTAS_FAULT_DIR");
  char path[4096];
  if (!dir || snprintf(path, sizeof path, "%s/injected", dir) >= (int)sizeof path) return;
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  static write_fn write_real;
  if (!write_real) write_real = (write_fn)real("write");
  if (write_real(fd, "x", 1) < 0) { /* counting is best effort */ }
  close(fd);
}

/* Whether a call on `fd` fails with `fault` now; sets errno when it does. */
static int inject(int fd, const char* fault, int err) {
  struct stat st;
  if (!switched_on(fault) || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  count_injection();
  errno = err;
  return 1;
}

int fsync(int fd) {
  static sync_fn next;
  if (!next) next = (sync_fn)real("fsync");
  return inject(fd, "eio", EIO) ? -1 : next(fd);
}

int fdatasync(int fd) {
  static sync_fn next;
  if (!next) next = (sync_fn)real("fdatasync");
  return inject(fd, "eio", EIO) ? -1 : next(fd);
}

ssize_t write(int fd, const void* buf, size_t n) {
  static write_fn next;
  if (!next) next = (write_fn)real("write");
  return inject(fd, "enospc", ENOSPC) ? -1 : next(fd, buf, n);
}

ssize_t pwrite(int fd, const void* buf, size_t n, off_t at) {
  static pwrite_fn next;
  if (!next) next = (pwrite_fn)real("pwrite");
  return inject(fd, "enospc", ENOSPC) ? -1 : next(fd, buf, n, at);
}

ssize_t pwrite64(int fd, const void* buf, size_t n, off_t at) {
  static pwrite_fn next;
  if (!next) next = (pwrite_fn)real("pwrite64");
  return inject(fd, "enospc", ENOSPC) ? -1 : next(fd, buf, n, at);
}

ssize_t writev(int fd, const struct iovec* iov, int n) {
  static writev_fn next;
  if (!next) next = (writev_fn)real("writev");
  return inject(fd, "enospc", ENOSPC) ? -1 : next(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec* iov, int n, off_t at) {
  static pwritev_fn next;
  if (!next) next = (pwritev_fn)real("pwritev");
  return inject(fd, "enospc", ENOSPC) ? -1 : next(fd, iov, n, at);
}

/* Seconds added to the wall clock; read from the environment the first time it is needed. A race between
 * two first calls is harmless: both compute the same value. */
static long long wall_offset_s(void) {
  static int known;
  static long long offset;
  if (!known) {
    const char* text = getenv("ACTAS_CLOCK_OFFSET_S");
    offset = text ? strtoll(text, NULL, 10) : 0;
    known = 1;
  }
  return offset;
}

typedef int (*clock_gettime_fn)(clockid_t, struct timespec*);
typedef int (*gettimeofday_fn)(struct timeval*, void*);

int clock_gettime(clockid_t id, struct timespec* ts) {
  static clock_gettime_fn next;
  if (!next) next = (clock_gettime_fn)real("clock_gettime");
  int rc = next(id, ts);
  if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += wall_offset_s();
  return rc;
}

int gettimeofday(struct timeval* tv, void* tz) {
  static gettimeofday_fn next;
  if (!next) next = (gettimeofday_fn)real("gettimeofday");
  int rc = next(tv, tz);
  if (rc == 0) tv->tv_sec += wall_offset_s();
  return rc;
}

time_t time(time_t* out) {
  struct timespec ts;
  if (clock_gettime(CLOCK_REALTIME, &ts) != 0) return (time_t)-1;
  if (out) *out = ts.tv_sec;
  return ts.tv_sec;
}

/* Lets a test check that the shim is really loaded (dlsym(RTLD_DEFAULT, ...)). */
int actas_fault_shim_loaded(void) { return 1; }
