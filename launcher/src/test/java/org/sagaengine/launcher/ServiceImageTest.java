package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a service's jar is prepared to start fast: unpacked once per build, with an archive kept from its training. */
class ServiceImageTest {

    private static final String SERVICE = EmbeddedSystem.PAYMENT;
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
    private static final List<String> OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC");

    @TempDir
    Path services;

    @Test
    void aJarIsUnpackedOnceAndItsCopyIsWhatRuns() throws Exception {
        Path fatJar = copyOfTheServiceJar();

        ServiceImage first = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());
        assertThat(first.jar()).isNotEqualTo(fatJar).isRegularFile();
        assertThat(first.jar().getParent().getParent()).isEqualTo(services.resolve(".prepared"));
        try (var libraries = Files.list(first.jar().resolveSibling("lib"))) {
            assertThat(libraries.filter(library -> library.getFileName().toString().startsWith("spring-core-")))
                    .hasSize(1);
        }
        FileTime unpackedAt = Files.getLastModifiedTime(first.jar().getParent());

        ServiceImage again = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());
        assertThat(again.jar()).isEqualTo(first.jar());
        assertThat(Files.getLastModifiedTime(again.jar().getParent())).isEqualTo(unpackedAt);
        try (var prepared = Files.list(services.resolve(".prepared"))) {
            assertThat(prepared).hasSize(1);
        }
    }

    @Test
    void aNewBuildIsUnpackedAgainAndTheOldCopyRemoved() throws Exception {
        Path fatJar = copyOfTheServiceJar();
        ServiceImage old = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());

        Files.setLastModifiedTime(fatJar, FileTime.from(Instant.now().plusSeconds(60)));
        ServiceImage rebuilt = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());

        assertThat(rebuilt.jar()).isNotEqualTo(old.jar()).isRegularFile();
        assertThat(old.jar().getParent()).doesNotExist();
    }

    @Test
    void aJarThatCannotBeUnpackedRunsAsItIsWithoutAnArchive() throws Exception {
        Path notAJar = Files.writeString(services.resolve(SERVICE + ".jar"), "not a jar");

        ServiceImage image = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());

        assertThat(image.jar()).isEqualTo(notAJar);
        assertThat(image.needsTraining()).isFalse();
        assertThat(image.runOptions()).isEmpty();
        try (var prepared = Files.list(services.resolve(".prepared"))) {
            assertThat(prepared).as("nothing half unpacked is left").isEmpty();
        }
    }

    @Test
    void whereNothingCanBeUnpackedTheJarRunsAsItIs() throws Exception {
        Path fatJar = copyOfTheServiceJar();
        Files.writeString(services.resolve(".prepared"), "a file where the directory would go");

        ServiceImage image = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());

        assertThat(image.jar()).isEqualTo(fatJar);
        assertThat(image.runOptions()).isEmpty();
        assertThat(log()).content().contains("Could not prepare");
    }

    @Test
    void anArchiveIsUsedOnlyOnceATrainingStartHasWrittenOne() throws Exception {
        copyOfTheServiceJar();
        ServiceImage image = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());
        assertThat(image.needsTraining()).isTrue();
        assertThat(image.runOptions()).isEmpty();

        assertThat(image.adoptTrainingArchive()).as("the training wrote nothing").isFalse();
        assertThat(image.runOptions()).isEmpty();

        Path written = Path.of(image.trainingOptions().get(0).substring("-XX:ArchiveClassesAtExit=".length()));
        assertThat(image.trainingOptions()).contains("-Dspring.context.exit=onRefresh");
        Files.write(written, new byte[] {1, 2, 3});
        assertThat(image.adoptTrainingArchive()).isTrue();

        assertThat(image.needsTraining()).isFalse();
        assertThat(written).doesNotExist();
        assertThat(image.runOptions()).singleElement().asString().startsWith("-XX:SharedArchiveFile=")
                                     .endsWith(".jsa");
        assertThat(Path.of(image.runOptions().get(0).substring("-XX:SharedArchiveFile=".length()))).isRegularFile();

        ServiceImage otherOptions = ServiceImage.prepare(SERVICE, services, JAVA, List.of("-Xmx512m"), log());
        assertThat(otherOptions.needsTraining()).as("an archive is the JVM's options' own").isTrue();
        assertThat(otherOptions.runOptions()).isEmpty();
    }

    @Test
    void whatAFailedTrainingLeftIsDiscarded() throws Exception {
        copyOfTheServiceJar();
        ServiceImage image = ServiceImage.prepare(SERVICE, services, JAVA, OPTIONS, log());
        Path written = Path.of(image.trainingOptions().get(0).substring("-XX:ArchiveClassesAtExit=".length()));
        Files.write(written, new byte[] {1});

        image.discardTrainingArchive();

        assertThat(written).doesNotExist();
        assertThat(image.needsTraining()).isTrue();
        assertThat(image.runOptions()).isEmpty();
    }

    private Path copyOfTheServiceJar() throws IOException {
        Path built = Path.of(System.getProperty("sagaengine.services", "target/services")).resolve(SERVICE + ".jar");
        return Files.copy(built, services.resolve(SERVICE + ".jar"));
    }

    private Path log() {
        return services.resolve("prepare.log");
    }
}
