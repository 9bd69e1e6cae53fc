// jobs: reports activity the way Station modules do and counts completed jobs.
//   station run --json jobs.wasm 5          (5 jobs; default 3)
//   station run --json jobs.wasm --fail     (also reports an example error)
// Sends an info "starting", then per job an info message and job_completed(), printing one line
// per job on stdout. Activity messages over the host's rate limit are dropped by the host; the
// module carries on (job counts are never dropped).
// Exit status: 0, 1 when job_completed fails, 2 for a usage error.
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "station.h"

/// Reports an activity message; a rate-limited (dropped) message is not a failure.
static void report(int level, const char *message) {
    int32_t result = level == STATION_ACTIVITY_ERROR ? station_log_error(message) : station_log_info(message);
    if (result < 0 && result != STATION_E_LIMIT_REACHED) {
        char error[256];
        fprintf(stderr, "jobs: activity failed: %s: %s\n", station_error_name(result),
                station_last_error_str(error, sizeof error));
    }
}

int main(int argc, char **argv) {
    unsigned long jobs = 3;
    int fail = 0;
    for (int i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--fail") == 0) {
            fail = 1;
        } else if (argv[i][0] >= '0' && argv[i][0] <= '9' && (jobs = strtoul(argv[i], &end, 10), *end == '\0')) {
            continue;
        } else {
            fprintf(stderr, "usage: jobs [--fail] [JOBS]   (JOBS: default 3)\n");
            return 2;
        }
    }
    report(STATION_ACTIVITY_INFO, "starting");
    if (fail) report(STATION_ACTIVITY_ERROR, "example error: the job source did not answer (given --fail)");
    for (unsigned long job = 1; job <= jobs; job++) {
        char message[64];
        snprintf(message, sizeof message, "job %lu of %lu done", job, jobs);
        report(STATION_ACTIVITY_INFO, message);
        int32_t counted = station_job_completed();
        if (counted < 0) {
            char error[256];
            fprintf(stderr, "jobs: job_completed failed: %s: %s\n", station_error_name(counted),
                    station_last_error_str(error, sizeof error));
            return 1;
        }
        printf("job %lu completed\n", job);
    }
    return 0;
}
