package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the run ran on, for the report: the processor, cores, memory, system and Java. */
final class Machine {

    private Machine() {
    }

    static String describe() {
        String model = firstValue(Path.of("/proc/cpuinfo"), "model name");
        String memory = firstValue(Path.of("/proc/meminfo"), "MemTotal");
        return "%s, %d cores available to the JVM, %s memory; %s %s (%s); Java %s (%s)".formatted(
                model == null ? "an unknown processor" : model, Runtime.getRuntime().availableProcessors(),
                memory == null ? "unknown" : memory, System.getProperty("os.name"), System.getProperty("os.version"),
                System.getProperty("os.arch"), System.getProperty("java.version"), System.getProperty("java.vm.name"));
    }

    private static String firstValue(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            return lines.stream().filter(line -> line.startsWith(key)).findFirst()
                        .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse(null);
        } catch (IOException unavailable) {
            return null;
        }
    }
}
