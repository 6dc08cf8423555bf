/*
 * par: runs n independent jobs on up to n threads, the first on the
 * calling thread.  A job whose thread cannot be started runs on the calling
 * thread afterwards, so every job runs exactly once and the caller needs
 * no error path; results are whatever the jobs write into their own slots.
 */
#ifndef RASTRO_PAR_H
#define RASTRO_PAR_H

#include <stddef.h>

#define PAR_MAX_JOBS 64

/* jobs: an array of n job structs of job_size bytes each; fn is called with
 * a pointer to each.  n is capped at PAR_MAX_JOBS (the rest run inline). */
void par_run(void *jobs, size_t job_size, int n, void *(*fn)(void *));

#endif
