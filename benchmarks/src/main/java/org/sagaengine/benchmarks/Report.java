package org.sagaengine.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/**
 * Writes {@code tradeoff.md} and its plots (PNG, under {@code images/}) from a run's results. Every figure in it is
 * one the run measured; the words around them say only what the figures show.
 */
final class Report {

    static final String THROUGHPUT = "tradeoff-throughput.png";
    static final String LATENCY = "tradeoff-latency.png";

    private Report() {
    }

    static void write(Lab.Results results, Path docs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Path images = docs.resolve("images");
        Files.createDirectories(images);
        throughputChart(results).ifPresent(chart -> save(chart, images.resolve(THROUGHPUT)));
        save(latencyChart(results), images.resolve(LATENCY));
        for (Lab.Outage outage : results.outages()) {
            save(outageChart(outage), images.resolve(outageImage(outage)));
        }
        Files.writeString(docs.resolve("tradeoff.md"), markdown(results));
    }

    static String outageImage(Lab.Outage outage) {
        return "tradeoff-outage-" + outage.approach().replace(' ', '-') + ".png";
    }

    private static String markdown(Lab.Results results) {
        StringBuilder md = new StringBuilder();
        md.append("# The trade-off, measured: saga, two-phase commit, one database\n\n");
        md.append("""
                  The same order work, done three ways on one machine and measured the same way: reserve one unit of \
                  each of 1-2 products, charge the account, commit the stock, confirm the order.

                  - **One database**: one local ACID transaction over one schema holding orders, stock and accounts.
                  - **Two-phase commit**: orders, inventory and payments in three databases, each on its own \
                  PostgreSQL server; one coordinator runs each order as a JTA transaction across the three with \
                  Narayana: each database prepares (`PREPARE TRANSACTION`), the coordinator logs its decision, each \
                  commits. Its recovery manager runs every 5 s, as it would in production.
                  - **Saga**: the real system, started as the launcher starts it (three service processes, the order \
                  saga), with the payment service's database on a PostgreSQL server of its own so that it can stop \
                  alone, driven over its REST API. An order counts when it has ended, confirmed or rejected.

                  The first two run the same SQL (`OrderWork`) from a pool of %d connections (or sessions of three \
                  connections); every database is durable (fsync and synchronous commit on), as the saga system's is.
                  """.formatted(results.settings().workers()));
        md.append("\n## How it was run\n\n");
        md.append("- Machine: ").append(results.machine()).append(".\n");
        md.append("- **Everything shares it**: the PostgreSQL servers, the services or the coordinator, and the load "
                          + "generator. CPU per order is the whole machine's busy time over the orders that ended, "
                          + "load generator included; time the hypervisor of a virtual machine gave other guests "
                          + "(steal) is not in it.\n");
        md.append("- Run on ").append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(
                results.at().atOffset(ZoneOffset.UTC).withNano(0))).append(" UTC; it took ")
          .append(results.took().toMinutes()).append(" min.\n");
        md.append("- Load is open-loop: order *i* is due at *start + i/rate* whatever happened before it, and its "
                          + "latency counts from that moment to its outcome (HdrHistogram, 3 significant digits), so a "
                          + "stall counts against every order due during it.\n");
        md.append("- Each approach first runs %d s at its first rate, not counted, to warm up. "
                          .formatted(results.settings().warmUp().toSeconds())
                          + "Arrival rates then climb by 50%% a step, each held for %d s. A rate is **kept up with** when every "
                          .formatted(results.settings().step().toSeconds())
                          + "order of it ended, none failed, and p99 was at most " + Lab.KEPT_P99_MILLIS
                          + " ms; the highest such rate is the maximum sustainable, known to within one step: on a "
                          + "shared 2-core machine two runs can differ by a step. Latency and CPU are then measured "
                          + "at half of it for " + results.settings().atHalf().toSeconds() + " s.\n");
        md.append("- Uncontended: %d products and %d accounts, so two orders rarely touch the same row. Contended: %d "
                          .formatted(Mix.UNCONTENDED.products(), Mix.UNCONTENDED.accounts(),
                                     Mix.CONTENDED.products())
                          + "products and %d accounts, so every order touches hot rows.\n"
                                  .formatted(Mix.CONTENDED.accounts()));
        md.append("- The saga's outcomes are seen by polling the pending orders every ")
          .append(SagaApproach.POLL_MILLIS).append(" ms, which adds up to that much to its latencies.\n");
        md.append("\nTo regenerate this page and its plots (about 25 minutes):\n\n```sh\n")
          .append("./mvnw -B -pl benchmarks -am verify -Pbench -DskipTests\n```\n");

        md.append("\n## Throughput and latency\n\n");
        md.append("| approach | mix | max sustainable orders/s | at half: p50 | p99 | p99.9 | CPU per order |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Lab.Measured m : results.measured()) {
            md.append("| %s | %s | %s | %s | %s | %s | %s |\n".formatted(
                    m.approach(), m.mix(), rate(m.maxSustainable()), ms(m.atHalf().p50()), ms(m.atHalf().p99()),
                    ms(m.atHalf().p999()), "%.2f ms".formatted(m.cpuMillisPerOrder())));
        }
        md.append("\n![Maximum sustainable orders per second](images/").append(THROUGHPUT).append(")\n");
        md.append("\n![Latency at half the maximum, uncontended](images/").append(LATENCY).append(")\n");
        md.append("\nEach rate tried:\n\n| approach | mix | offered/s | ended | failed | p50 | p99 | kept up |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
        for (Lab.Measured m : results.measured()) {
            for (Lab.Step step : m.ladder()) {
                md.append("| %s | %s | %s | %d of %d | %d | %s | %s | %s |\n".formatted(
                        m.approach(), m.mix(), rate(step.offered()), step.completed(), step.sent(), step.failed(),
                        ms(step.p50()), ms(step.p99()), step.keptUp() ? "yes" : "no"));
            }
        }

        md.append("\n## When the payments side is down\n\n");
        md.append("""
                  Load at half the uncontended maximum. The payments side goes down, and comes back; orders are sent \
                  until a while after, and the run goes on until they have all ended (or for %d s more).

                  """.formatted(results.settings().outageDrain()));
        md.append("| approach | payments side | down for | confirmed while down | rejected, whole run | errors seen by "
                          + "the client | most in doubt at once | confirming at 90% of the rate again | in doubt "
                          + "back to its level before |\n");
        md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (Lab.Outage o : results.outages()) {
            md.append("| %s | %s | %d s | %d | %d | %d | %d | %s | %s |\n".formatted(
                    o.approach(), o.paymentsSide(), o.upAt() - o.downAt(), o.confirmedWhileDown(), o.rejected(),
                    o.errors(), o.mostInDoubt(), after(o.recoveredAfter(), "not while orders were sent"),
                    after(o.backToNormalAfter(), "not within the run")));
        }
        md.append("\nTimes count from when the payments side was back. The *down* and *back* marks are when the lab "
                          + "began to stop it and began to start it again: stopping and starting take time of their "
                          + "own (a PostgreSQL server; for the saga, also a service's JVM, about 20 s here), which the "
                          + "seconds after the mark include.\n");
        md.append("\nWhat is counted as in doubt:\n\n");
        for (Lab.Outage o : results.outages()) {
            md.append("- ").append(o.approach()).append(": ").append(o.inDoubtMeaning()).append(".\n");
        }
        for (Lab.Outage o : results.outages()) {
            md.append("\n### ").append(o.approach()).append("\n\n![").append(o.approach())
              .append(": each second of the outage](images/").append(outageImage(o)).append(")\n\n");
            md.append("| second | sent | confirmed | rejected | errors | refused | in doubt |\n"
                      + "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
            for (Timeline.Second s : o.seconds()) {
                String mark = s.second() == o.downAt() ? " (down)" : s.second() == o.upAt() ? " (back)"
                        : s.second() == o.sendingUntil() ? " (no more sent)" : "";
                md.append("| %d%s | %d | %d | %d | %d | %d | %d |\n".formatted(
                        s.second(), mark, s.sent(), s.confirmed(), s.rejected(), s.failed(), s.refused(),
                        s.inDoubt()));
            }
        }

        CoordinatorCrash.Result crash = results.crash();
        md.append("\n## Two-phase commit: the coordinator killed between prepare and commit\n\n");
        md.append("""
                  A coordinator process places one order across the three databases and is killed (`halt`, as \
                  SIGKILL) at the moment it starts to commit: every database has prepared, its log holds the \
                  decision, nothing is committed.

                  | what | seen |
                  | --- | --- |
                  | transactions left prepared, in doubt | %d (`pg_prepared_xacts` over the three databases) |
                  | records in the coordinator's log | %d |
                  | another order for the same product | %s |
                  | a new coordinator on the same log, recovering | %d ms, then %d left prepared |
                  | time in doubt, crash to recovered | %d ms (the new coordinator was started at once) |
                  | the order after recovery | %s; %d unit committed, %d charged |
                  """.formatted(crash.preparedAfterCrash(), crash.logRecords(),
                                crash.blocked() ? "waited for the in-doubt locks, and gave up after 2 s: "
                                        + crash.blockedBy().replace('\n', ' ').replace("|", "\\|")
                                        : "went through",
                                crash.recoveryMillis(), crash.preparedAfterRecovery(), crash.inDoubtMillis(),
                                crash.orderAfterRecovery(), crash.stockCommitted(), crash.charged()));
        md.append("""

                  Until a coordinator with the log comes back, the prepared transactions hold their locks, and \
                  nothing else can change those rows; no database can decide alone, since another may have \
                  committed.
                  """);

        md.append("\n## What the figures mean\n\n");
        md.append(meaning(results));
        return md.toString();
    }

    /** Only what the figures above show, stated from them. */
    private static String meaning(Lab.Results results) {
        StringBuilder text = new StringBuilder();
        Optional<Lab.Measured> one = find(results, "one database", "uncontended");
        Optional<Lab.Measured> xa = find(results, "two-phase commit", "uncontended");
        Optional<Lab.Measured> saga = find(results, "saga", "uncontended");
        if (one.isPresent() && xa.isPresent()) {
            text.append("- **Throughput.** Uncontended, one database kept up with %s orders/s and two-phase commit "
                                .formatted(rate(one.get().maxSustainable()))
                                + "with %s".formatted(rate(xa.get().maxSustainable())));
            saga.ifPresent(s -> text.append(", the saga with %s".formatted(rate(s.maxSustainable()))));
            text.append(". The CPU each order costs, whole machine, was %.2f ms, %.2f ms".formatted(
                    one.get().cpuMillisPerOrder(), xa.get().cpuMillisPerOrder()));
            saga.ifPresent(s -> text.append(" and %.2f ms".formatted(s.cpuMillisPerOrder())));
            text.append(": on a machine that runs everything, that is what bounds throughput.");
            saga.ifPresent(s -> text.append(" The saga's is measured at its half rate, %s/s, where the services' "
                                                    .formatted(rate(s.maxSustainable() / 2))
                                                    + "constant work (each polls the event store every 50 ms) is "
                                                    + "shared by few orders."));
            text.append("\n");
        }
        if (one.isPresent() && xa.isPresent()) {
            text.append("- **Latency** at half each maximum: p99 %s for one database, %s for two-phase commit"
                                .formatted(ms(one.get().atHalf().p99()), ms(xa.get().atHalf().p99())));
            saga.ifPresent(s -> text.append(", %s for the saga, whose order crosses three services and is "
                                                    .formatted(ms(s.atHalf().p99()))
                                                    + "visible as `PENDING` meanwhile"));
            text.append(".\n");
        }
        for (Lab.Outage o : results.outages()) {
            text.append("- **%s, payments side down %d s**: confirmed while it was down, %d; rejected in the whole "
                                .formatted(capitalised(o.approach()), o.upAt() - o.downAt(), o.confirmedWhileDown())
                                + "run, %d; errors seen by the client, %d; ".formatted(o.rejected(), o.errors())
                                + (o.refused() == 0 ? "" : "refused at admission (503 with Retry-After, nothing "
                                        + "stored), %d; ".formatted(o.refused()))
                                + "most in doubt at once, %d; ".formatted(o.mostInDoubt())
                                + (o.recoveredAfter() == null ? "it did not confirm at 90% of the rate again while "
                                        + "orders were sent"
                                   : "confirming at 90%% of the rate again %d s after the payments side was back"
                                           .formatted(o.recoveredAfter()))
                                + (o.backToNormalAfter() == null ? "; more was in doubt than before when the run ended.\n"
                                   : "; in doubt back to its level before %d s after.\n".formatted(
                                           o.backToNormalAfter())));
        }
        text.append(choosing(results, one, xa, saga));
        return text.toString();
    }

    /** The choice, in the figures' own terms: what each approach cost and what it did in the outage. */
    private static String choosing(Lab.Results results, Optional<Lab.Measured> one, Optional<Lab.Measured> xa,
                                   Optional<Lab.Measured> saga) {
        Optional<Lab.Outage> xaOutage = results.outages().stream()
                                               .filter(o -> o.approach().equals("two-phase commit")).findFirst();
        Optional<Lab.Outage> sagaOutage = results.outages().stream().filter(o -> o.approach().equals("saga"))
                                                 .findFirst();
        StringBuilder text = new StringBuilder("- **Choosing.** The figures put a price on each approach; they do "
                                                       + "not make the choice.");
        if (one.isPresent() && xa.isPresent()) {
            text.append(" Where the data can live in one database, one local transaction is the cheapest here. "
                                + "Two-phase commit keeps one atomic outcome across three databases at %.1f times "
                                .formatted(xa.get().cpuMillisPerOrder() / one.get().cpuMillisPerOrder())
                                + "the CPU per order");
            xaOutage.ifPresent(o -> text.append(o.confirmedWhileDown() <= o.rate()
                    ? "; while one of its databases was down, orders failed, and the client saw it" : ""));
            text.append("; and a coordinator that dies between prepare and commit leaves rows locked until it "
                                + "recovers.");
        }
        if (saga.isPresent() && one.isPresent()) {
            text.append(" The saga keeps each service's database its own, at %.0f times the CPU per order of one "
                                .formatted(saga.get().cpuMillisPerOrder() / one.get().cpuMillisPerOrder())
                                + "database on this machine (three services, their event processing and polling)");
            sagaOutage.ifPresent(o -> text.append(o.errors() > 0
                    ? "; while payments was down the client saw %d errors".formatted(o.errors())
                    : o.refused() == 0
                    ? "; while payments was down it went on taking orders with no error seen by the client, "
                            + "confirmed %d of them while down, and rejected %d in the whole run".formatted(
                                    o.confirmedWhileDown(), o.rejected())
                    : ("; while payments was down it took orders until as many were in flight as its admission "
                            + "allows, then refused %d with 503 and Retry-After, nothing stored, and no error was "
                            + "seen by the client; it confirmed %d while down, and rejected %d in the whole run")
                            .formatted(o.refused(), o.confirmedWhileDown(), o.rejected())));
            text.append(". Its orders are visible as `PENDING` until they end, and every step needs an undo.");
        }
        return text.append("\n").toString();
    }

    private static String after(Integer seconds, String otherwise) {
        return seconds == null ? otherwise : seconds + " s after";
    }

    private static Optional<Lab.Measured> find(Lab.Results results, String approach, String mix) {
        return results.measured().stream().filter(m -> m.approach().equals(approach) && m.mix().equals(mix))
                      .findFirst();
    }

    private static String capitalised(String text) {
        return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }

    private static String rate(double perSecond) {
        return perSecond >= 100 ? "%.0f".formatted(perSecond) : "%.1f".formatted(perSecond);
    }

    private static String ms(double millis) {
        return millis >= 100 ? "%.0f ms".formatted(millis) : "%.1f ms".formatted(millis);
    }

    private static Optional<CategoryChart> throughputChart(Lab.Results results) {
        List<String> approaches = results.measured().stream().map(Lab.Measured::approach).distinct().toList();
        if (approaches.isEmpty()) {
            return Optional.empty();
        }
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                                                        .title("Maximum sustainable orders per second")
                                                        .xAxisTitle("approach").yAxisTitle("orders/s (log scale)")
                                                        .build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.1);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        for (String mix : List.of("uncontended", "contended")) {
            List<Double> values = new ArrayList<>();
            for (String approach : approaches) {
                values.add(Math.max(0.1, find(results, approach, mix).map(Lab.Measured::maxSustainable).orElse(0.1)));
            }
            chart.addSeries(mix, approaches, values);
        }
        return Optional.of(chart);
    }

    private static CategoryChart latencyChart(Lab.Results results) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500)
                                                        .title("Latency, due to outcome, at half the maximum (uncontended)")
                                                        .xAxisTitle("percentile").yAxisTitle("ms (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.01);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<String> percentiles = List.of("p50", "p99", "p99.9");
        for (Lab.Measured m : results.measured()) {
            if (m.mix().equals("uncontended")) {
                chart.addSeries(m.approach(), percentiles, List.of(Math.max(0.01, m.atHalf().p50()),
                                                                   Math.max(0.01, m.atHalf().p99()),
                                                                   Math.max(0.01, m.atHalf().p999())));
            }
        }
        return chart;
    }

    private static XYChart outageChart(Lab.Outage outage) {
        XYChart chart = new XYChartBuilder().width(900).height(450)
                                            .title(capitalised(outage.approach()) + ": payments side down from second "
                                                           + outage.downAt() + " to " + outage.upAt()
                                                           + ", orders sent until " + outage.sendingUntil())
                                            .xAxisTitle("second")
                                            .yAxisTitle("orders per second; in doubt: orders at that moment").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<Integer> x = outage.seconds().stream().map(Timeline.Second::second).toList();
        addLine(chart, "sent", x, outage.seconds().stream().map(s -> (double) s.sent()).toList(), Color.GRAY);
        addLine(chart, "confirmed", x, outage.seconds().stream().map(s -> (double) s.confirmed()).toList(),
                new Color(0, 128, 0));
        addLine(chart, "rejected", x, outage.seconds().stream().map(s -> (double) s.rejected()).toList(),
                new Color(200, 120, 0));
        addLine(chart, "errors", x, outage.seconds().stream().map(s -> (double) s.failed()).toList(), Color.RED);
        addLine(chart, "refused", x, outage.seconds().stream().map(s -> (double) s.refused()).toList(),
                Color.MAGENTA);
        addLine(chart, "in doubt", x, outage.seconds().stream().map(s -> (double) s.inDoubt()).toList(), Color.BLUE);
        return chart;
    }

    private static void addLine(XYChart chart, String name, List<Integer> x, List<Double> y, Color color) {
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarkerColor(color);
    }

    private static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
