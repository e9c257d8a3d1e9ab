package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a speed run leaves behind: its logs, wherever they are, and nothing of its databases. */
class WorkDirectoryTest {

    @TempDir
    Path work;

    @TempDir
    Path elsewhere;

    @Test
    void onlyTheLogsAndTheDirectoriesThatHoldThemStay() throws IOException {
        write("saga/logs/order-saga.log");
        write("saga/logs/postgres-orders.log.1");
        write("saga/postgres-orders/base/16384/1259");
        write("saga/postgres-orders/PG_VERSION");
        write("saga/db-password");
        write("one-database/one-database/global/pg_control");
        write("one-database/logs/one-database.log");
        write("axonserver/axonserver.log");
        write("axonserver/events/default/00000000000000000000.events");
        Files.createDirectories(work.resolve("saga/postgres-events/pg_wal/archive_status"));

        WorkDirectory.keepOnlyLogs(work);

        assertThat(files()).containsExactlyInAnyOrder("axonserver/axonserver.log", "one-database/logs/one-database.log",
                                                      "saga/logs/order-saga.log", "saga/logs/postgres-orders.log.1");
        assertThat(work.resolve("saga/postgres-orders")).doesNotExist();
        assertThat(work.resolve("saga/postgres-events")).doesNotExist();
        assertThat(work.resolve("axonserver/events")).doesNotExist();
    }

    @Test
    void aLinkOutOfTheDirectoryIsDeletedAndWhatItPointsAtIsNot() throws IOException {
        Path precious = Files.writeString(elsewhere.resolve("precious"), "not the run's");
        Files.createDirectories(work.resolve("saga"));
        Files.createSymbolicLink(work.resolve("saga/data"), elsewhere);

        WorkDirectory.keepOnlyLogs(work);

        assertThat(work.resolve("saga")).doesNotExist();
        assertThat(precious).hasContent("not the run's");
    }

    @Test
    void aDirectoryThatIsNotThereIsLeftAlone() throws IOException {
        WorkDirectory.keepOnlyLogs(work.resolve("never-made"));

        assertThat(work.resolve("never-made")).doesNotExist();
        assertThat(work).isEmptyDirectory();
    }

    private void write(String path) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, path);
    }

    private List<String> files() throws IOException {
        try (Stream<Path> all = Files.walk(work)) {
            return all.filter(Files::isRegularFile).map(file -> work.relativize(file).toString()).toList();
        }
    }
}
