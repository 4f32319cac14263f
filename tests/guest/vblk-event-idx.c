/*
 * vblk-event-idx.c - VIRTIO_RING_F_EVENT_IDX on virtio-blk-pci at CPL 3,
 * through the legacy (modern=0) or the modern (modern=1) interface
 * (vblk-lib + vblk-xport).  MSI-X stays off and INTx is masked: whether
 * the device interrupted is ISR bit 0 (read-to-clear).  Only what the
 * spec fixes is printed, never counts that depend on timing.
 *
 *   used_event: the first completion interrupts; with used_event = old
 *   used idx + 2, the next two completions do not and the third does;
 *   used_event one behind: no interrupt; VRING_AVAIL_F_NO_INTERRUPT is
 *   ignored; three requests in one kick with used_event = old + 1: an
 *   interrupt.
 *   avail_event: once the device drained the queue it equals avail->idx;
 *   requests posted before a kick need one kick (vring_need_event against
 *   the avail_event the device published); eight requests posted one by
 *   one, kicked only when vring_need_event says so, all complete.
 *   Without EVENT_IDX: NO_INTERRUPT is honoured, used_event ignored, and
 *   used->flags has no NO_NOTIFY once the queue is drained.
 *
 * Command line: modern=0|1.  Exit 0 if every check passed.
 */
#include "vblk-xport.h"

#define ADDR(p) ((uint64_t)(uintptr_t)(p))
#define SLOTS 8
#define YES_WAIT 4000000000ull          /* ~2 s: an interrupt must come */
#define NO_WAIT 60000000ull             /* ~30 ms: none may come */

static uint8_t buf[SLOTS * 512] __attribute__((aligned(PAGE)));
static struct vblk_hdr hdr[SLOTS] __attribute__((aligned(16)));
static volatile uint8_t st[SLOTS];
static bool event_idx;

#define check vblk_check

static volatile uint16_t *used_event(void)
{
    return &vblk_avail[2 + vblk_qnum];
}

static uint16_t avail_event(void)
{
    return *(volatile uint16_t *)(vblk_used + 4 + 8 * vblk_qnum);
}

static uint16_t used_idx(void)
{
    return *(volatile uint16_t *)(vblk_used + 2);
}

static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* Slot k: a read of sector k at descriptors 3k..3k+2, posted, no kick. */
static void post(int k)
{
    hdr[k] = (struct vblk_hdr){ T_IN, 0, k };
    st[k] = 0xee;
    vblk_desc[3 * k] = (struct vring_desc){ ADDR(&hdr[k]), 16,
                                            VRING_DESC_F_NEXT, 3 * k + 1 };
    vblk_desc[3 * k + 1] = (struct vring_desc){
        ADDR(buf + 512 * k), 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE,
        3 * k + 2 };
    vblk_desc[3 * k + 2] = (struct vring_desc){ ADDR(&st[k]), 1,
                                                VRING_DESC_F_WRITE, 0 };
    vblk_post(3 * k, 0, false);
}

/* Wait for n completions, all with status 0. */
static bool wait_done(int n)
{
    uint32_t id, len;
    bool ok = true;

    for (int i = 0; i < n; i++) {
        if (!vblk_poll_used(20000000000ull, &id, &len)) {
            printf("timeout\n");
            vblk_failures++;
            return false;
        }
        ok &= id % 3 == 0 && id < 3 * SLOTS && st[id / 3] == 0;
    }
    return ok;
}

/* One request with used_event set to ev; did it interrupt? */
static bool one(uint16_t ev, bool expect)
{
    bool irq;

    (void)vblk_isr();
    *used_event() = ev;
    post(0);
    vblk_kick();
    check(wait_done(1), "request");
    irq = vblk_isr_wait(expect ? YES_WAIT : NO_WAIT);
    check(irq == expect, "interrupt");
    return irq;
}

static const char *yn(bool b)
{
    return b ? "yes" : "no";
}

static void with_event_idx(void)
{
    uint16_t u, a, old;
    bool kick, irq, ok;
    int kicks = 0;

    printf("interrupt for the first completion (used_event 0): %s\n",
           yn(one(0, true)));
    u = used_idx();
    printf("used_event = used idx + 2: interrupts %s", yn(one(u + 2, false)));
    printf(" %s", yn(one(u + 2, false)));
    printf(" %s\n", yn(one(u + 2, true)));
    u = used_idx();
    printf("used_event one behind the old used idx: interrupt %s\n",
           yn(one(u - 1, false)));
    u = used_idx();
    vblk_avail[0] = 1;                  /* VRING_AVAIL_F_NO_INTERRUPT */
    printf("NO_INTERRUPT set, used_event == old used idx: interrupt %s\n",
           yn(one(u, true)));
    vblk_avail[0] = 0;

    /* three in one kick, used_event = old + 1 */
    (void)vblk_isr();
    u = used_idx();
    *used_event() = u + 1;
    post(0);
    post(1);
    post(2);
    vblk_kick();
    ok = wait_done(3);
    irq = vblk_isr_wait(YES_WAIT);
    printf("3 requests in one kick, used_event == old used idx + 1: %s, "
           "interrupt %s\n", ok ? "all ok" : "FAILED", yn(irq));
    check(ok && irq, "three in one kick");

    /* avail_event */
    a = avail_event();
    printf("queue drained: avail_event == avail idx: %s\n",
           yn(a == vblk_avail_idx));
    check(a == vblk_avail_idx, "avail_event after drain");
    old = vblk_avail_idx;
    post(0);
    post(1);
    post(2);
    a = avail_event();
    printf("3 posted, no kick yet: kick needed for the three: %s, "
           "for the last alone: %s\n",
           yn(need_event(a, vblk_avail_idx, old)),
           yn(need_event(a, vblk_avail_idx, vblk_avail_idx - 1)));
    check(need_event(a, vblk_avail_idx, old), "kick needed");
    vblk_kick();
    ok = wait_done(3);
    printf("after one kick: %s, avail_event == avail idx: %s\n",
           ok ? "all ok" : "FAILED", yn(avail_event() == vblk_avail_idx));
    check(ok && avail_event() == vblk_avail_idx, "one kick");

    /* eight, each kicked only if vring_need_event says so */
    for (int k = 0; k < SLOTS; k++) {
        old = vblk_avail_idx;
        post(k);                        /* ends with mfence */
        kick = need_event(avail_event(), vblk_avail_idx, old);
        if (k == 0) {
            printf("8 posted one by one: the first needs a kick: %s\n",
                   yn(kick));
        }
        if (kick) {
            vblk_kick();
            kicks++;
        }
    }
    ok = wait_done(SLOTS);
    printf("8 posted one by one, kicked per avail_event: %s\n",
           ok ? "all ok" : "FAILED");
    check(ok && kicks >= 1, "kicks per avail_event");
}

static void without_event_idx(void)
{
    vblk_avail[0] = 1;
    printf("NO_INTERRUPT set: interrupt %s\n", yn(one(0, false)));
    vblk_avail[0] = 0;
    printf("NO_INTERRUPT clear, used_event far ahead (ignored): "
           "interrupt %s\n", yn(one(used_idx() + 100, true)));
    printf("queue drained: used flags %u\n",
           *(volatile uint16_t *)vblk_used);
}

int main(void)
{
    uint64_t f;

    if (!vblk_open(cmdline_uint("modern", 0))) {
        return 3;
    }
    for (int pass = 0; pass < 2; pass++) {
        f = vblk_setup(pass ? 0 : 1ull << F_EVENT_IDX);
        if (f == ~0ull) {
            return 4;
        }
        event_idx = f & (1ull << F_EVENT_IDX);
        printf("%s interface, queue size %u: event_idx offered %s, "
               "negotiated %s\n", vblk_xport_name(), vblk_qnum,
               yn(vblk_host_features & (1ull << F_EVENT_IDX)), yn(event_idx));
        if (event_idx) {
            with_event_idx();
        } else {
            without_event_idx();
        }
    }
    vblk_set_status(0);
    printf("%s\n", vblk_failures ? "vblk-event-idx: FAILED" : "vblk-event-idx: ok");
    return vblk_failures ? 1 : 0;
}
