package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The machine's busy time from /proc/stat: what a virtual machine's hypervisor gave other guests is not in it. */
class CpuTest {

    // user nice system idle iowait irq softirq steal guest guest_nice, in ticks of 10 ms
    static final String STAT = "cpu  2000 10 300 90000 120 0 40 3400 0 0";

    @Test
    void busyCountsUserNiceSystemIrqAndSoftirqButNotIdleIowaitOrSteal() {
        assertThat(Cpu.busyMillis(STAT)).isEqualTo((2000 + 10 + 300 + 0 + 40) * 10L);
    }

    @Test
    void stealIsCountedOnItsOwn() {
        assertThat(Cpu.stolenMillis(STAT)).isEqualTo(3400 * 10L);
    }

    @Test
    void aKernelThatReportsNoStealHasNoneAndAMissingFileCountsNothing() {
        assertThat(Cpu.stolenMillis("cpu 2000 10 300 90000 120 0 40")).isZero();
        assertThat(Cpu.busyMillis("cpu 2000 10 300 90000 120 0 40")).isEqualTo(2350 * 10L);
        assertThat(Cpu.busyMillis("cpu")).isZero();
        assertThat(Cpu.stolenMillis("cpu")).isZero();
    }
}
