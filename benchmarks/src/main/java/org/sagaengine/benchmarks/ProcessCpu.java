package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * CPU time per process, from {@code /proc/<pid>/stat}: the named processes one by one, every PostgreSQL process
 * together, the whole machine as "machine", and the hypervisor's steal beside it. Read once before and once after a
 * measurement; the difference is what each spent.
 */
final class ProcessCpu {

    /** What the hypervisor gave other guests while this machine had work: not in "machine", reported beside it. */
    static final String STOLEN = "stolen by the hypervisor";

    private static final long TICKS_PER_SECOND = 100;

    private final Map<String, Long> named;

    /** @param named display name to process id, such as the three services and the benchmark itself */
    ProcessCpu(Map<String, Long> named) {
        this.named = named;
    }

    /**
     * Milliseconds of CPU each has spent so far: the named processes, "PostgreSQL", "machine" (all of this machine's
     * work), and {@link #STOLEN}.
     */
    Map<String, Long> sample() {
        Map<String, Long> spent = new LinkedHashMap<>();
        named.forEach((name, pid) -> spent.put(name, millis(pid)));
        long postgres = 0;
        try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
            for (Path process : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String[] stat = stat(process);
                if (stat != null && stat[1].equals("(postgres)")) {
                    postgres += ticks(stat);
                }
            }
        } catch (IOException unavailable) {
            // No /proc: nothing to count.
        }
        spent.put("PostgreSQL", postgres * 1000 / TICKS_PER_SECOND);
        spent.put("machine", Cpu.busyMillis());
        spent.put(STOLEN, Cpu.stolenMillis());
        return spent;
    }

    /** What each spent between two samples. */
    static Map<String, Long> between(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> spent = new LinkedHashMap<>();
        after.forEach((name, millis) -> spent.put(name, millis - before.getOrDefault(name, 0L)));
        return spent;
    }

    private static long millis(long pid) {
        String[] stat = stat(Path.of("/proc", Long.toString(pid)));
        return stat == null ? 0 : ticks(stat) * 1000 / TICKS_PER_SECOND;
    }

    /** utime and stime, fields 14 and 15 of the stat line. */
    private static long ticks(String[] stat) {
        return Long.parseLong(stat[13]) + Long.parseLong(stat[14]);
    }

    private static String[] stat(Path process) {
        try {
            String line = Files.readString(process.resolve("stat"));
            // The command name is in parentheses and may hold spaces; split what follows it.
            int close = line.lastIndexOf(')');
            String[] rest = line.substring(close + 2).trim().split(" ");
            String[] fields = new String[rest.length + 2];
            fields[0] = line.substring(0, line.indexOf(' '));
            fields[1] = line.substring(line.indexOf('('), close + 1);
            System.arraycopy(rest, 0, fields, 2, rest.length);
            return fields;
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
