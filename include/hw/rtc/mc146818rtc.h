/*
 * mc146818rtc.h - the PC's real-time clock and CMOS RAM, "mc146818rtc"
 * (QEMU 7.2's include/hw/rtc/mc146818rtc.h and mc146818rtc_regs.h).
 * See hw/rtc/mc146818rtc.c.
 *
 * The state is public so that a board can fill the CMOS bytes its
 * firmware reads (memory size, equipment, boot order...) with the inline
 * helpers below, which need no link-time dependency on the device.
 */
#ifndef HW_RTC_MC146818RTC_H
#define HW_RTC_MC146818RTC_H

#include "hw/isa/isa.h"
#include "util/main-loop.h"

#define TYPE_MC146818_RTC "mc146818rtc"
OBJECT_DECLARE_SIMPLE_TYPE(MC146818RtcState, MC146818_RTC)

#define RTC_ISA_IRQ             8
#define RTC_ISA_BASE            0x70
#define MC146818_CMOS_SIZE      128

/* Register indexes (MC146818A datasheet, "Address Map") */
#define RTC_SECONDS             0
#define RTC_SECONDS_ALARM       1
#define RTC_MINUTES             2
#define RTC_MINUTES_ALARM       3
#define RTC_HOURS               4
#define RTC_HOURS_ALARM         5
#define RTC_DAY_OF_WEEK         6
#define RTC_DAY_OF_MONTH        7
#define RTC_MONTH               8
#define RTC_YEAR                9
#define RTC_REG_A               10
#define RTC_REG_B               11
#define RTC_REG_C               12
#define RTC_REG_D               13
/* PC CMOS layout */
#define RTC_CENTURY             0x32
#define RTC_IBM_PS2_CENTURY_BYTE 0x37

#define REG_A_UIP               0x80    /* update in progress */
#define REG_B_SET               0x80    /* time frozen for setting */
#define REG_B_PIE               0x40    /* periodic interrupt enable */
#define REG_B_AIE               0x20    /* alarm interrupt enable */
#define REG_B_UIE               0x10    /* update-ended interrupt enable */
#define REG_B_SQWE              0x08
#define REG_B_DM                0x04    /* binary (1) or BCD (0) */
#define REG_B_24H               0x02    /* 24-hour (1) or 12-hour mode */
#define REG_C_IRQF              0x80    /* an enabled flag is set */
#define REG_C_PF                0x40    /* periodic */
#define REG_C_AF                0x20    /* alarm */
#define REG_C_UF                0x10    /* update ended */
#define REG_C_MASK              0x70

/* QEMU's LostTickPolicy (qapi/common.json) */
typedef enum LostTickPolicy {
    LOST_TICK_POLICY_DISCARD,
    LOST_TICK_POLICY_DELAY,
    LOST_TICK_POLICY_SLEW,
    LOST_TICK_POLICY__MAX,
} LostTickPolicy;

struct MC146818RtcState {
    ISADevice parent_obj;

    uint8_t cmos_data[MC146818_CMOS_SIZE];  /* registers and CMOS RAM */
    uint8_t cmos_index;         /* selected byte, 0..127 (port 0x70) */

    /* Time: the guest's clock reads base_rtc (seconds since the epoch,
     * UTC, when the registers were last loaded) plus the virtual time
     * elapsed since last_update, plus offset. */
    int64_t base_rtc;           /* seconds */
    int64_t last_update;        /* QEMU_CLOCK_VIRTUAL ns */
    int64_t offset;             /* ns, 0..999999999 */

    /* Periodic interrupt (register A rate, register B PIE) */
    QomuTimer *periodic_timer;
    int64_t next_periodic_time; /* virtual ns of the next tick */
    uint32_t period;            /* 32768 Hz cycles; 0: off */

    /* Update-ended and alarm interrupts */
    QomuTimer *update_timer;
    int64_t next_update_time;   /* virtual ns it is armed for */
    int64_t next_alarm_time;    /* virtual ns of the next alarm */

    int32_t base_year;          /* "base_year": 1980 (2000 means 0) */
    uint16_t io_base;           /* "iobase": 0x70 */
    uint8_t isairq;             /* "irq": ISA IRQ, 8 */
    LostTickPolicy lost_tick_policy;    /* "lost_tick_policy": discard */
    qemu_irq irq;               /* GPIO output 0 */
    MemoryRegion io;            /* 2 ports: index, data */
};

/* QEMU's mc146818rtc_set_cmos_data / rtc_get_memory, for boards. */
static inline void mc146818rtc_set_cmos_data(MC146818RtcState *s,
                                             unsigned addr, uint8_t val)
{
    if (addr < MC146818_CMOS_SIZE) {
        s->cmos_data[addr] = val;
    }
}

static inline uint8_t mc146818rtc_get_cmos_data(MC146818RtcState *s,
                                                unsigned addr)
{
    assert(addr < MC146818_CMOS_SIZE);
    return s->cmos_data[addr];
}

#endif /* HW_RTC_MC146818RTC_H */
