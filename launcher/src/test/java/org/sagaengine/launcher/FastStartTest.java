package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.sagaengine.launcher.EmbeddedSystem.INVENTORY;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;
import static org.sagaengine.launcher.EmbeddedSystem.PAYMENT;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The services run from their unpacked jars, with the class-data archive that the system's first start wrote: the
 * JVM has mapped it, which it does only when it accepts it.
 */
@ExtendWith(RunningSystem.class)
class FastStartTest {

    private static final String ARCHIVE_OPTION = "-XX:SharedArchiveFile=";

    @Test
    void eachServiceRunsUnpackedWithItsClassDataArchiveMapped() throws Exception {
        assumeThat(Path.of("/proc/self/maps")).as("the process's memory map, on Linux").exists();
        EmbeddedSystem system = RunningSystem.system();
        for (String service : List.of(ORDER_SAGA, INVENTORY, PAYMENT)) {
            long pid = system.pid(service);
            List<String> arguments = Arrays.asList(ProcessHandle.of(pid).orElseThrow().info().arguments()
                                                                .orElseThrow());

            String jar = arguments.get(arguments.indexOf("-jar") + 1);
            assertThat(jar).as(service).contains("/.prepared/").endsWith("/" + service + ".jar");
            String archive = arguments.stream().filter(argument -> argument.startsWith(ARCHIVE_OPTION))
                                      .map(argument -> argument.substring(ARCHIVE_OPTION.length()))
                                      .findFirst().orElseThrow(() -> new AssertionError(service + " has no archive"));
            assertThat(Path.of(archive).getParent()).isEqualTo(Path.of(jar).getParent());
            assertThat(Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps")))
                    .as("%s has mapped %s", service, archive)
                    .anyMatch(mapping -> mapping.endsWith(archive));
        }
    }
}
