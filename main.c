/*
 * main.c - qomu's entry point: the life of the process, in order.
 *
 *   1. parse the command line (system/options.c): QEMU 7.2's options,
 *      spelling and messages; help and errors end here;
 *   2. build the machine it describes (machine/machine-init.c): machine
 *      type and properties, accelerator, board, -device;
 *   3. start the vCPUs unless -S, and run the main loop
 *      (system/runstate.c) until a shutdown: the guest's, a signal's
 *      (SIGTERM, SIGINT, SIGHUP), or isa-debug-exit's with its status;
 *   4. tear everything down and exit with that status.
 *
 * Everything else lives in its own file; QEMU's vl.c has no equivalent
 * here on purpose.
 */
#include "util/osdep.h"
#include "util/bql.h"
#include "util/error-report.h"
#include "machine/machine-init.h"
#include "system/options.h"
#include "system/runstate.h"

/*
 * Build and run the machine described by @o; returns the exit status.
 * The big lock is held throughout, as in QEMU's main thread: the main
 * loop releases it while it waits, vCPU threads take it to dispatch.
 */
static int run(QomuOptions *o)
{
    int status;

    bql_lock();
    status = qomu_machine_init(o);
    if (status < 0) {
        if (o->autostart) {
            vm_start();
        }
        status = qomu_main_loop();
    }
    qomu_machine_teardown();
    bql_unlock();
    return status;
}

int main(int argc, char **argv)
{
    QomuOptions o;
    int status;

    error_init(argv[0]);
    /* A signal during start-up must end the VMM too, as in QEMU. */
    runstate_init();
    qomu_options_init(&o);

    status = qomu_options_parse(&o, argc, argv);
    if (status < 0) {
        status = qomu_options_finish(&o) ? run(&o) : 1;
    }

    qomu_options_free(&o);
    fflush(stdout);
    return status;
}
