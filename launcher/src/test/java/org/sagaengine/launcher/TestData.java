package org.sagaengine.launcher;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The data directories the end-to-end tests' systems write (PostgreSQL's files and the services' logs, some hundred
 * megabytes a run): removed when the run is over, unless a test failed, when they are kept and named, for the logs and
 * the databases to be read.
 */
public class TestData implements BeforeAllCallback, TestWatcher {

    private static final List<Path> DIRECTORIES = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    /** A fresh directory for a test's system, removed at the end of the run if every test passed. */
    static Path newDirectory(String name) throws IOException {
        Path directory = Files.createTempDirectory("saga-engine-" + name);
        DIRECTORIES.add(directory);
        return directory;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (REGISTERED.compareAndSet(false, true)) {
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                   .put(TestData.class, (ExtensionContext.Store.CloseableResource) TestData::cleanUp);
        }
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        FAILED.set(true);
    }

    private static void cleanUp() {
        if (FAILED.get()) {
            System.out.println("[test data] a test failed: kept the systems' data and logs in " + DIRECTORIES);
            return;
        }
        for (Path directory : DIRECTORIES) {
            try {
                delete(directory);
            } catch (IOException e) {
                System.out.println("[test data] could not remove " + directory + ": " + e.getMessage());
            }
        }
    }

    private static void delete(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        Files.walkFileTree(directory, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException failure) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
