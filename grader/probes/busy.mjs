// netgrade: a busy loop the grader runs (several copies, see load.ts) to keep every core busy
// while a check runs the submission under load; killed by the grader when the runs are done.
for (;;) {
  // Spin: no I/O, no timers.
}
