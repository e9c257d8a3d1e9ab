package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's CPU time, all processes together (the services, the databases, the load generator), from
 * {@code /proc/stat}: the benchmark shares the machine with what it measures, and counts all of it. On a virtual
 * machine, the time the hypervisor gave another guest while this one had work ("steal") is not this machine's work,
 * and is counted apart from it.
 */
final class Cpu {

    /** Linux's USER_HZ: the unit of /proc/stat. */
    private static final long TICKS_PER_SECOND = 100;

    /** Fields of the first line of /proc/stat, after "cpu": user nice system idle iowait irq softirq steal. */
    private static final int IDLE = 4;
    private static final int IOWAIT = 5;
    private static final int STEAL = 8;

    private Cpu() {
    }

    /** Milliseconds of CPU spent busy since boot, over every core, steal not included; 0 without /proc/stat. */
    static long busyMillis() {
        return busyMillis(statLine());
    }

    /** Milliseconds since boot that the hypervisor ran someone else while this machine waited; 0 where unknown. */
    static long stolenMillis() {
        return stolenMillis(statLine());
    }

    static long busyMillis(String statLine) {
        String[] fields = fields(statLine);
        long busy = 0;
        for (int i = 1; i < fields.length && i < STEAL; i++) {
            if (i != IDLE && i != IOWAIT) {
                busy += Long.parseLong(fields[i]);
            }
        }
        return busy * 1000 / TICKS_PER_SECOND;
    }

    static long stolenMillis(String statLine) {
        String[] fields = fields(statLine);
        return fields.length > STEAL ? Long.parseLong(fields[STEAL]) * 1000 / TICKS_PER_SECOND : 0;
    }

    private static String[] fields(String statLine) {
        return statLine.trim().split("\\s+");
    }

    private static String statLine() {
        try {
            return Files.readAllLines(Path.of("/proc/stat")).get(0);
        } catch (IOException | RuntimeException unavailable) {
            return "cpu";
        }
    }
}
