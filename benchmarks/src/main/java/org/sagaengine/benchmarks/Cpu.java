package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time, all processes together (the services, the databases, the load generator), from
 * {@code /proc/stat}: the benchmark shares the machine with what it measures, and counts all of it.
 */
final class Cpu {

    /** Linux's USER_HZ: the unit of /proc/stat. */
    private static final long TICKS_PER_SECOND = 100;

    private Cpu() {
    }

    /** Milliseconds of CPU spent busy since boot, over every core; 0 where /proc/stat is not there. */
    static long busyMillis() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) {
                // user nice system idle iowait irq softirq steal: idle (4) and iowait (5) are not busy.
                if (i != 4 && i != 5) {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * 1000 / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException unavailable) {
            return 0;
        }
    }
}
