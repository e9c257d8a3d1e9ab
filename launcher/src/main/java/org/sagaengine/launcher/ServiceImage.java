package org.sagaengine.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How a service's executable jar is run so that it starts quickly: unpacked once per build into a plain jar with its
 * libraries beside it (Spring Boot's {@code extract}), and with a class-data archive (CDS) written by one training
 * start of it. Loading classes from a nested jar, and loading and verifying them at all, is most of what a service
 * does while it starts; on two cores the three services took 25 s together from their fat jars.
 * <p>
 * Both live in {@code .prepared/} beside the jars, under a name made of the jar's size and modification time, so a
 * new build is unpacked and trained again and the old copy is removed. The archive is also named for the JVM and its
 * options, because the JVM refuses an archive written with others. Nothing here is needed to run: a jar that cannot
 * be unpacked runs as it is, and a service without an archive starts without one.
 */
final class ServiceImage {

    private static final String PREPARED = ".prepared";
    private static final long EXTRACT_TIMEOUT_SECONDS = 120;

    private final String service;
    private final Path jar;
    private final Path archive;

    private ServiceImage(String service, Path jar, Path archive) {
        this.service = service;
        this.jar = jar;
        this.archive = archive;
    }

    /**
     * The image of {@code service} from its executable jar in {@code servicesDirectory}, unpacked if it was not yet.
     * {@code jvmOptions} are those the service runs with.
     */
    static ServiceImage prepare(String service, Path servicesDirectory, Path java, List<String> jvmOptions,
                                Path workLog) throws IOException, InterruptedException {
        Path fatJar = servicesDirectory.resolve(service + ".jar");
        try {
            Path home = servicesDirectory.resolve(PREPARED).resolve(service + "-" + buildOf(fatJar));
            Path extracted = home.resolve(service + ".jar");
            if (!Files.isRegularFile(extracted) && !extract(java, fatJar, home, workLog)) {
                return new ServiceImage(service, fatJar, null);
            }
            removeOtherBuilds(servicesDirectory.resolve(PREPARED), service, home);
            return new ServiceImage(service, extracted,
                                    home.resolve("classes-" + digest(jvmIdentity(java, jvmOptions)) + ".jsa"));
        } catch (IOException cannot) {
            // A services directory that cannot be written to, say: the jar runs as it is.
            Files.writeString(workLog, "Could not prepare " + fatJar + ": " + cannot + System.lineSeparator(),
                              StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            return new ServiceImage(service, fatJar, null);
        }
    }

    /** The jar to run. */
    Path jar() {
        return jar;
    }

    /** Whether a training start would give this image an archive it does not have yet. */
    boolean needsTraining() {
        return archive != null && !Files.isRegularFile(archive);
    }

    /** The JVM options that use the archive, if there is one. */
    List<String> runOptions() {
        return archive != null && Files.isRegularFile(archive)
               ? List.of("-XX:SharedArchiveFile=" + archive)
               : List.of();
    }

    /**
     * The JVM options of a training start, which writes the archive into {@code trainingArchive()} as the JVM exits,
     * right after the application context is refreshed: every class the start needs, and none of the work after it.
     */
    List<String> trainingOptions() {
        return List.of("-XX:ArchiveClassesAtExit=" + trainingArchive(), "-Xlog:cds*=error",
                       "-Dspring.context.exit=onRefresh");
    }

    /** Keeps what a training start that ended well wrote, under the name the next starts look for. */
    boolean adoptTrainingArchive() throws IOException {
        Path written = trainingArchive();
        if (!Files.isRegularFile(written) || Files.size(written) == 0) {
            return false;
        }
        try {
            Files.move(written, archive, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException notAtomic) {
            Files.move(written, archive, StandardCopyOption.REPLACE_EXISTING);
        }
        return true;
    }

    /** Removes what a training start that failed left. */
    void discardTrainingArchive() throws IOException {
        Files.deleteIfExists(trainingArchive());
    }

    String service() {
        return service;
    }

    private Path trainingArchive() {
        return archive.resolveSibling(archive.getFileName() + ".training-" + ProcessHandle.current().pid());
    }

    /** Unpacks the jar with Spring Boot's own tool into a new directory that only then takes its place. */
    private static boolean extract(Path java, Path fatJar, Path home, Path workLog)
            throws IOException, InterruptedException {
        Files.createDirectories(home.getParent());
        Path unpacking = Files.createTempDirectory(home.getParent(), home.getFileName() + ".unpacking-");
        // Readable by whoever may run the jar it replaces, not by its owner only as a temporary directory is.
        if (unpacking.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(unpacking, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Process extract = new ProcessBuilder(java.toString(), "-Djarmode=tools", "-jar", fatJar.toString(),
                                             "extract", "--destination", unpacking.toString(), "--force")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(workLog.toFile()))
                .start();
        boolean done = extract.waitFor(EXTRACT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!done) {
            extract.destroyForcibly().waitFor();
        }
        if (!done || extract.exitValue() != 0 || !Files.isRegularFile(unpacking.resolve(fatJar.getFileName()))) {
            deleteTree(unpacking);
            return false;
        }
        try {
            Files.move(unpacking, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException unpackedMeanwhile) {
            deleteTree(unpacking);
        }
        return Files.isRegularFile(home.resolve(fatJar.getFileName()));
    }

    private static void removeOtherBuilds(Path prepared, String service, Path keep) throws IOException {
        List<Path> others = new ArrayList<>();
        try (Stream<Path> entries = Files.list(prepared)) {
            entries.filter(entry -> !entry.equals(keep))
                   .filter(entry -> entry.getFileName().toString().startsWith(service + "-"))
                   .filter(entry -> !entry.getFileName().toString().contains(".unpacking-"))
                   .forEach(others::add);
        }
        for (Path other : others) {
            deleteTree(other);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** A build of the jar: its size and modification time, which every build changes. */
    private static String buildOf(Path jar) throws IOException {
        return digest(Files.size(jar) + "/" + Files.getLastModifiedTime(jar).toMillis());
    }

    private static String jvmIdentity(Path java, List<String> jvmOptions) {
        return java.toAbsolutePath() + "/" + System.getProperty("java.vm.version") + "/" + String.join(" ", jvmOptions);
    }

    private static String digest(String text) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
