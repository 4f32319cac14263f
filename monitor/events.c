/*
 * events.c - QMP's run state events (QEMU 7.2's qapi/run-state.json
 * STOP, RESUME, RESET, SHUTDOWN), from the run state listener of
 * system/runstate.c, and the block layer's BLOCK_IO_ERROR
 * (block_event_set_handler), to every negotiated QMP monitor.  None is
 * rate limited: QEMU 7.2 limits only RTC_CHANGE, WATCHDOG,
 * BALLOON_CHANGE, QUORUM_*, VSERPORT_CHANGE and
 * MEMORY_DEVICE_SIZE_CHANGE (monitor_qapi_event_conf).
 *
 *   {"timestamp": {"seconds": S, "microseconds": U}, "event": "STOP"}
 *   {"timestamp": ..., "event": "SHUTDOWN",
 *    "data": {"guest": false, "reason": "host-qmp-quit"}}
 *   {"timestamp": ..., "event": "BLOCK_IO_ERROR",
 *    "data": {"device": "d0", "nospace": false, "node-name": "#block123",
 *             "reason": "Input/output error", "operation": "write",
 *             "action": "stop"}}
 */
#include "util/osdep.h"
#include "block/block-backend.h"
#include "system/runstate.h"
#include "monitor/qmp-commands.h"
#include "monitor-internal.h"

/* RESET and SHUTDOWN carry {"guest": bool, "reason": ShutdownCause}. */
static GVariant *shutdown_data(ShutdownCause cause)
{
    QmpDict d;

    qmp_dict_init(&d);
    qmp_dict_add_bool(&d, "guest", shutdown_caused_by_guest(cause));
    qmp_dict_add_str(&d, "reason", shutdown_cause_name(cause));
    return qmp_dict_end(&d);
}

static void monitor_runstate_event(RunStateEvent event, ShutdownCause cause,
                                   void *opaque)
{
    switch (event) {
    case RUNSTATE_EVENT_STOP:
        monitor_qapi_event_emit("STOP", NULL);
        break;
    case RUNSTATE_EVENT_RESUME:
        monitor_qapi_event_emit("RESUME", NULL);
        break;
    case RUNSTATE_EVENT_RESET:
        monitor_qapi_event_emit("RESET", shutdown_data(cause));
        break;
    case RUNSTATE_EVENT_SHUTDOWN:
        monitor_qapi_event_emit("SHUTDOWN", shutdown_data(cause));
        break;
    }
}

/* The block layer's events (BLOCK_IO_ERROR): @data is borrowed. */
static void monitor_block_event(const char *name, GVariant *data,
                                void *opaque)
{
    monitor_qapi_event_emit(name, data);
}

void monitor_events_init(void)
{
    static bool done;

    if (!done) {
        done = true;
        runstate_add_event_listener(monitor_runstate_event, NULL);
        block_event_set_handler(monitor_block_event, NULL);
    }
}
