/* Common main() of every Check suite: prints the seed, runs por_test_suite(), and exits
 * non-zero when any test failed. */
#include "por_test.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t g_seed;

uint64_t por_test_seed(void) { return g_seed; }

int por_test_run_cli(const char *args, const char *out_file)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' %s >'%s' 2>&1 </dev/null", POR_BINARY, args,
             out_file ? out_file : "/dev/null");
    int st = system(cmd);
    if (st == -1 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

char *por_test_slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

char *por_test_slurp_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *s = por_test_slurp(path);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    return s;
}

pid_t por_test_spawn(char *const argv[], const char *log)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        execv(POR_BINARY, argv);
        _exit(127);
    }
    return pid;
}

void por_test_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

bool por_test_porsim_catches(pid_t pid, int sig)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    bool exec_done = fgets(line, sizeof line, f) != NULL && strcmp(line, "porsim\n") == 0;
    fclose(f);
    if (!exec_done)
        return false;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    if (!(f = fopen(path, "r")))
        return false;
    unsigned long long mask = 0;
    bool found = false;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "SigCgt: %llx", &mask) == 1)
            found = true;
    fclose(f);
    return found && (mask >> (sig - 1) & 1u);
}

const char *por_test_tmpdir(const char *tag)
{
    static char path[512];
    snprintf(path, sizeof path, "/tmp/porsim-test-%s-%ld", tag, (long)getpid());
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        return NULL;
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return NULL;
    return path;
}

int main(void)
{
    const char *env = getenv("POR_TEST_SEED");
    g_seed = env && *env ? strtoull(env, NULL, 10) : 20261126u;
    printf("seed=%" PRIu64 " (rerun: POR_TEST_SEED=%" PRIu64 " %s)\n", g_seed, g_seed,
           "<this test binary>");
    fflush(stdout);
    SRunner *sr = srunner_create(por_test_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
