// netgrade: a busy loop the ticket-sale grader runs (several copies) to keep every core busy
// while sales.under-load runs the submission; killed by the grader when the runs are done.
for (;;) {
  // Spin: no I/O, no timers.
}
