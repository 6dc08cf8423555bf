/*
 * par: a fixed set of jobs over threads (see par.h).  Threads are started
 * for jobs 1..n-1 while job 0 runs here; jobs whose thread did not start
 * run here after the joins, in order.
 */
#include "par.h"

#include <pthread.h>

void par_run(void *jobs, size_t job_size, int n, void *(*fn)(void *))
{
	pthread_t th[PAR_MAX_JOBS];
	char *job = jobs;
	int t, started = 0;

	if (n < 1)
		return;
	for (t = 1; t < n && t < PAR_MAX_JOBS; t++) {
		if (pthread_create(&th[t], NULL, fn, job + (size_t)t * job_size) != 0)
			break;
		started = t;
	}
	fn(job);
	for (t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	for (t = started + 1; t < n; t++)
		fn(job + (size_t)t * job_size);
}
