/* N sleeping threads with small stacks: the live benchmark's 10,000 threads.
 * Usage: sleepers NTHREADS [NPROCS [FILE]]. Prints "ready" on stdout once every thread exists, then
 * sleeps until killed. Small stacks (64 KiB) keep 10,000 threads at ~640 MB of address space
 * and a few MB resident. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>

/* With a FILE (third argument) every thread writes to it instead: on a frozen filesystem each
 * one then sleeps in D (sb_start_write), which gives the bench thousands of blocked tasks. */
static const char *target;

static void *sleeper(void *arg) {
  (void)arg;
  if (target) {
    int fd = open(target, O_WRONLY | O_APPEND | O_CREAT, 0600);
    if (fd >= 0) {
      if (write(fd, "x", 1) < 0) { /* nothing to do: the point was the wait */ }
      close(fd); /* after the thaw: nothing keeps the mount busy */
    }
  }
  for (;;) pause();
  return NULL;
}

static int spawn_threads(int n) {
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setstacksize(&a, 65536);
  for (int i = 0; i < n; i++) {
    pthread_t t;
    if (pthread_create(&t, &a, sleeper, NULL) != 0) {
      fprintf(stderr, "sleepers: pthread_create failed after %d threads\n", i);
      return -1;
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 10000;
  int procs = argc > 2 ? atoi(argv[2]) : 1;
  target = argc > 3 ? argv[3] : NULL;
  if (procs < 1) procs = 1;
  int per = threads / procs;
  /* Each process counts itself as one of its threads. */
  int fds[2];
  if (pipe(fds) != 0) return 1;
  for (int p = 0; p < procs; p++) {
    pid_t c = fork();
    if (c < 0) return 1;
    if (c == 0) {
      close(fds[0]);
      if (spawn_threads(per - 1) != 0) _exit(1);
      if (write(fds[1], "r", 1) != 1) _exit(1);
      for (;;) pause();
    }
  }
  close(fds[1]);
  char ch;
  int ready = 0;
  while (ready < procs && read(fds[0], &ch, 1) == 1) ready++;
  if (ready < procs) {
    fprintf(stderr, "sleepers: only %d of %d processes ready\n", ready, procs);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  /* The parent waits: killing its process group ends everything. */
  for (;;) pause();
}
