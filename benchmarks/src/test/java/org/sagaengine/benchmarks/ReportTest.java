package org.sagaengine.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab end to end on a tiny run: one database under load and in an outage, and two-phase commit's coordinator
 * killed between prepare and commit. Two-phase commit under load and the saga system belong to the benchmark command
 * (they need three more servers, or the whole system); {@code OrderWorkTest} checks that the XA path is real. Every
 * part measures something, and the report and its plots are written from what was measured.
 */
class ReportTest {

    @TempDir
    Path work;

    @Test
    void aTinyRunMeasuresEveryPartAndWritesTheReportWithItsPlots() throws Exception {
        Lab.Results results = new Lab(Lab.Settings.tiny(), work.resolve("lab")).run(false, null);

        assertThat(results.measured()).extracting(Lab.Measured::approach, Lab.Measured::mix)
                                      .containsExactly(tuple("one database", "uncontended"),
                                                       tuple("one database", "contended"));
        for (Lab.Measured measured : results.measured()) {
            assertThat(measured.ladder()).as("%s %s", measured.approach(), measured.mix()).isNotEmpty();
            assertThat(measured.atHalf().completed()).as("orders at half of %s", measured.approach()).isPositive();
            assertThat(measured.atHalf().p99()).isGreaterThanOrEqualTo(measured.atHalf().p50()).isPositive();
        }
        assertThat(results.outages()).hasSize(1).allSatisfy(outage -> {
            assertThat(outage.seconds()).hasSize(outage.sendingUntil() + Lab.Settings.tiny().outageDrain());
            assertThat(outage.errors()).as("%s: orders failed while the payments side was down", outage.approach())
                                       .isPositive();
            assertThat(outage.seconds().subList(0, outage.downAt()))
                    .as("%s: confirmed before the outage", outage.approach())
                    .anySatisfy(second -> assertThat(second.confirmed()).isPositive());
        });
        CoordinatorCrash.Result crash = results.crash();
        assertThat(crash.preparedAfterCrash()).as("prepared and in doubt after the coordinator died").isEqualTo(3);
        assertThat(crash.logRecords()).as("the coordinator's decision in its log").isPositive();
        assertThat(crash.blocked()).as("an order for the same product waits for the in-doubt locks").isTrue();
        assertThat(crash.preparedAfterRecovery()).isZero();
        assertThat(crash.orderAfterRecovery()).isEqualTo("CONFIRMED");
        assertThat(crash.stockCommitted()).isEqualTo(1);
        assertThat(crash.charged()).isEqualTo(100);

        Path docs = work.resolve("docs");
        Report.write(results, docs);
        String report = Files.readString(docs.resolve("tradeoff.md"));
        assertThat(report).contains("| one database | uncontended | ", "| one database | contended | ",
                                    "| transactions left prepared, in doubt | 3 ",
                                    "./mvnw -B -pl benchmarks -am verify -Pbench", results.machine(),
                                    "images/" + Report.THROUGHPUT, "images/" + Report.LATENCY);
        for (Lab.Outage outage : results.outages()) {
            assertThat(report).contains("images/" + Report.outageImage(outage));
            assertPng(docs.resolve("images").resolve(Report.outageImage(outage)));
        }
        assertPng(docs.resolve("images").resolve(Report.THROUGHPUT));
        assertPng(docs.resolve("images").resolve(Report.LATENCY));
    }

    private static void assertPng(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("%s is a PNG", file).isNotNull();
        assertThat(image.getWidth()).isGreaterThanOrEqualTo(900);
    }
}
