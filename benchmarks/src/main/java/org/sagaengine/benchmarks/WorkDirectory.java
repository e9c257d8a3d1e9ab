package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A speed run's temporary directory after the run. Its databases are large (a full run's history fills them to
 * about 14 GB) and of no use once the figures are recorded; its logs are small and are what a person reads when a
 * run went wrong. So the logs stay and the rest goes, unless the run is told to keep it.
 */
final class WorkDirectory {

    private WorkDirectory() {
    }

    /**
     * Deletes everything under {@code work} that is not a log: files named {@code *.log} and whatever lies in a
     * directory named {@code logs} stay, with the directories that hold them; {@code work} itself stays. Symbolic
     * links are deleted, never followed.
     */
    static void keepOnlyLogs(Path work) throws IOException {
        if (!Files.isDirectory(work)) {
            return;
        }
        Files.walkFileTree(work, new SimpleFileVisitor<>() {

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                if (!isLog(work.relativize(file))) {
                    Files.deleteIfExists(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failed) throws IOException {
                if (failed != null && !(failed instanceof NoSuchFileException)) {
                    throw failed;
                }
                if (!directory.equals(work) && isEmpty(directory)) {
                    Files.delete(directory);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static boolean isLog(Path relative) {
        if (relative.getFileName().toString().endsWith(".log")) {
            return true;
        }
        for (Path part : relative) {
            if (part.toString().equals("logs")) {
                return true;
            }
        }
        return false;
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (var entries = Files.list(directory)) {
            return entries.findAny().isEmpty();
        }
    }
}
