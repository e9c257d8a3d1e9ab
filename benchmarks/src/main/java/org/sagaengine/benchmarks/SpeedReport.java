package org.sagaengine.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;

/** Writes {@link Speed}'s latest run as {@code docs/performance-run.md}, with its plots, and every recorded run. */
final class SpeedReport {

    static final String CURVE = "images/performance-curve.png";
    static final String OVERLOAD = "images/performance-overload.png";

    private SpeedReport() {
    }

    static void write(Speed.Run latest, List<Speed.Run> all, Path docs) throws IOException {
        Files.createDirectories(docs.resolve("images"));
        save(curve(latest), docs.resolve(CURVE));
        save(overload(latest.overload()), docs.resolve(OVERLOAD));
        Files.writeString(docs.resolve("performance-run.md"), markdown(latest, all));
    }

    /** What the benchmark command prints at its end. */
    static String headline(Speed.Run run) {
        return """
                [speed] %s (%s run, %s topology, %s databases)
                [speed]   max sustained:          %s orders/s (held %d s: %s completed/s, p99 %s)
                [speed]   at half (%s/s):        p50 %s, p99 %s place to terminal
                [speed]   one order, idle:        p50 %s, p99 %s
                [speed]   CPU per order:          %.1f ms, whole machine (%.1f ms above idle)
                [speed]   SQL per order:          %s
                [speed]   one database, same work: %s orders/s, %s times the saga's maximum
                [speed]   overload at %s/s:      %d refused at admission, %d rejected for a timeout, lowest second %.0f%% of the maximum, lowest 5 s %.0f%%
                [speed]   contended mix:          %s
                [speed]   with history:           %s""".formatted(
                run.label(), run.settings(), run.topology() == null ? "embedded" : run.topology(),
                run.durable() ? "durable" : "non-durable", rate(run.maxSustainable()),
                run.hold().sent() == 0 ? 0 : (long) (run.hold().sent() / Math.max(1, run.maxSustainable())),
                rate(run.hold().completedPerSecond()), ms(run.hold().p99()), rate(run.atHalf().offered()),
                ms(run.atHalf().p50()), ms(run.atHalf().p99()), ms(run.idleP50()), ms(run.idleP99()),
                run.cpuMillisPerOrder().getOrDefault("machine", 0.0),
                run.cpuMillisPerOrderAboveIdle() == null ? 0.0
                : run.cpuMillisPerOrderAboveIdle().getOrDefault("machine", 0.0), sql(run),
                rate(run.baselineMax()),
                ratio(run.ratioToBaseline()), rate(run.overload().offered()), run.overload().refused(),
                run.overload().timeouts(), 100 * run.overload().lowestCompletedShare(),
                100 * run.overload().lowestCompletedShareOver(Speed.OVERLOAD_WINDOW),
                run.contendedMax() == null ? "not measured by this run" : rate(run.contendedMax()) + " orders/s",
                history(run));
    }

    private static String markdown(Speed.Run run, List<Speed.Run> all) {
        StringBuilder md = new StringBuilder();
        md.append("# Performance: the latest run\n\n");
        md.append("Written by the speed benchmark (`./mvnw -B -pl benchmarks -am verify -Pspeed -DskipTests`); ")
          .append("[performance.md](performance.md) explains the figures and what changed to reach them.\n\n");
        md.append("- Run: **").append(run.label()).append("**, ").append(run.settings()).append(" settings, at ")
          .append(run.at()).append(", took ").append(run.took().toMinutes()).append(" min.\n");
        md.append("- Machine: ").append(run.machine()).append(".\n");
        md.append("- Topology: ").append(run.topology() == null ? "embedded" : run.topology()).append(".\n");
        md.append("- Databases: ").append(run.durable() ? "durable (fsync and synchronous commit on)"
                                                        : "fsync, synchronous commit and full-page writes off, as the "
                                                          + "tests run them").append(".\n");
        if (!run.serviceArguments().isEmpty()) {
            md.append("- Service settings: `").append(String.join(" ", run.serviceArguments())).append("`.\n");
        }
        md.append("\n## Headline\n\n| figure | value |\n| --- | --- |\n");
        md.append("| max sustained, uncontended | ").append(rate(run.maxSustainable())).append(" orders/s |\n");
        md.append("| held for ").append(run.hold().sent() == 0 ? 0
                                                         : Math.round(run.hold().sent() / run.hold().offered()))
          .append(" s | ").append(rate(run.hold().completedPerSecond())).append(" completed/s, p99 ")
          .append(ms(run.hold().p99())).append(" |\n");
        md.append("| at half (").append(rate(run.atHalf().offered())).append("/s), place to terminal | p50 ")
          .append(ms(run.atHalf().p50())).append(", p99 ").append(ms(run.atHalf().p99())).append(", p99.9 ")
          .append(ms(run.atHalf().p999())).append(" |\n");
        md.append("| one order on an idle system | p50 ").append(ms(run.idleP50())).append(", p99 ")
          .append(ms(run.idleP99())).append(" |\n");
        md.append("| one database, the same work | ").append(rate(run.baselineMax())).append(" orders/s, ")
          .append(ratio(run.ratioToBaseline())).append(" times the saga's maximum |\n");
        md.append("| contended mix (4 products, 4 accounts) | ")
          .append(run.contendedMax() == null ? "not measured by this run" : rate(run.contendedMax()) + " orders/s")
          .append(" |\n");
        md.append("| with a long history in the stores | ").append(history(run)).append(" |\n");
        md.append("\n## CPU per completed order, at half the maximum\n\n")
          .append("All of it, and what is left once what the process spends idle in the same time is taken off.\n\n")
          .append("| process | ms | above idle, ms |\n| --- | --- | --- |\n");
        for (Map.Entry<String, Double> process : run.cpuMillisPerOrder().entrySet()) {
            Double aboveIdle = run.cpuMillisPerOrderAboveIdle() == null ? null
                               : run.cpuMillisPerOrderAboveIdle().get(process.getKey());
            md.append("| ").append(process.getKey().equals("machine") ? "**the whole machine**" : process.getKey())
              .append(" | ").append("%.2f".formatted(process.getValue())).append(" | ")
              .append(aboveIdle == null ? "-" : "%.2f".formatted(aboveIdle)).append(" |\n");
        }
        if (run.sqlPerOrder() != null) {
            md.append("\n## SQL per completed order, at half the maximum\n\n")
              .append("Counted by PostgreSQL (`pg_stat_statements`, `pg_stat_database`), idle work included. ")
              .append("These counts repeat closely from run to run, where CPU time does not.\n\n")
              .append("| database | statements | transactions |\n| --- | --- | --- |\n");
            double statements = 0;
            double transactions = 0;
            for (Map.Entry<String, Double> database : run.sqlPerOrder().transactions().entrySet()) {
                Double counted = run.sqlPerOrder().statements().get(database.getKey());
                statements += counted == null ? 0 : counted;
                transactions += database.getValue();
                md.append("| ").append(database.getKey()).append(" | ")
                  .append(counted == null ? "-" : "%.1f".formatted(counted)).append(" | ")
                  .append("%.1f".formatted(database.getValue())).append(" |\n");
            }
            md.append("| **all** | ").append(run.sqlPerOrder().statements().isEmpty() ? "-"
                                                  : "%.1f".formatted(statements))
              .append(" | ").append("%.1f".formatted(transactions)).append(" |\n");
            md.append(heaviest(run.sqlPerOrder().heaviest()));
        }
        if (run.idleCpuMillisPerSecond() != null) {
            md.append("\n## CPU spent idle, per second, before any order\n\n| process | ms |\n| --- | --- |\n");
            for (Map.Entry<String, Double> process : run.idleCpuMillisPerSecond().entrySet()) {
                md.append("| ").append(process.getKey().equals("machine") ? "**the whole machine**"
                                                                          : process.getKey())
                  .append(" | ").append("%.1f".formatted(process.getValue())).append(" |\n");
            }
        }
        md.append("\n## The ladder\n\n![Throughput and latency](").append(CURVE).append(")\n\n");
        md.append("| offered/s | sent | ended | refused | failed | rejected for a timeout | p50 | p99 | p99.9 | ")
          .append("client p99 | kept up |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Speed.Point point : run.ladder()) {
            md.append("| %s | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s |\n".formatted(
                    rate(point.offered()), point.sent(), point.completed(), point.refused(), point.failed(),
                    point.timeouts(), ms(point.p50()), ms(point.p99()), ms(point.p999()), ms(point.clientP99()),
                    point.keptUp() ? "yes" : "**no**"));
        }
        md.append("\nPlace to terminal is by the system's clock, from the `OrderPlaced` event to the saga's end; the ")
          .append("client p99 counts from when the order was due, and decides whether a rate was kept up with (")
          .append("every order ended, none refused or failed, p99 within ").append(Speed.KEPT_P99_MILLIS)
          .append(" ms). The first rate not kept up with is tried once more, once per ladder, and both tries ")
          .append("are listed; the plot draws the second.\n");
        Speed.Overload overload = run.overload();
        md.append("\n## Overload: ").append(rate(overload.offered())).append(" orders/s offered\n\n");
        md.append("![Overload](").append(OVERLOAD).append(")\n\n");
        md.append("- Refused at admission (503 with Retry-After): ").append(overload.refused()).append(".\n");
        md.append("- Failed otherwise: ").append(overload.failed()).append(".\n");
        md.append("- Accepted, then rejected for a timeout: ").append(overload.timeouts()).append(".\n");
        md.append("- The lowest second's completions, from the fifth second on: ")
          .append("%.0f%%".formatted(100 * overload.lowestCompletedShare())).append(" of the maximum; the lowest ")
          .append(Speed.OVERLOAD_WINDOW).append(" seconds in a row, on average: ")
          .append("%.0f%%".formatted(100 * overload.lowestCompletedShareOver(Speed.OVERLOAD_WINDOW)))
          .append(".\n");
        md.append("\n## Every recorded run\n\n| run | settings | topology | max/s | p50 at half | p99 at half | idle p50 | ")
          .append("CPU/order | overload: refused, timed out, lowest second, lowest 5 s |\n")
          .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Speed.Run earlier : all) {
            md.append("| %s | %s | %s | %s | %s | %s | %s | %.1f ms | %d, %d, %.0f%%, %.0f%% |\n".formatted(
                    earlier.label(), earlier.settings(), earlier.topology() == null ? "embedded" : earlier.topology(),
                    rate(earlier.maxSustainable()), ms(earlier.atHalf().p50()),
                    ms(earlier.atHalf().p99()), ms(earlier.idleP50()),
                    earlier.cpuMillisPerOrder().getOrDefault("machine", 0.0), earlier.overload().refused(),
                    earlier.overload().timeouts(), 100 * earlier.overload().lowestCompletedShare(),
                    100 * earlier.overload().lowestCompletedShareOver(Speed.OVERLOAD_WINDOW)));
        }
        return md.toString();
    }

    /** Statements and transactions per order, all databases together. */
    /**
     * The statements run most often, a row each, in the order counted; nothing for a run recorded without them. A
     * statement's text is code in a table cell: a {@code |} in it is escaped, a backquote becomes a quote.
     */
    static String heaviest(List<SqlCensus.Counted> heaviest) {
        if (heaviest == null || heaviest.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\nThe statements run most often, as `pg_stat_statements` normalises them:")
                .append("\n\n| database | per order | statement |\n| --- | --- | --- |\n");
        for (SqlCensus.Counted counted : heaviest) {
            md.append("| ").append(counted.database()).append(" | ").append("%.1f".formatted(counted.calls()))
              .append(" | `").append(counted.statement().replace("|", "\\|").replace("`", "'")).append("` |\n");
        }
        return md.toString();
    }

    private static String sql(Speed.Run run) {
        if (run.sqlPerOrder() == null) {
            return "not counted by this run";
        }
        double statements = run.sqlPerOrder().statements().values().stream().mapToDouble(Double::doubleValue).sum();
        double transactions = run.sqlPerOrder().transactions().values().stream().mapToDouble(Double::doubleValue)
                                 .sum();
        return (run.sqlPerOrder().statements().isEmpty() ? "" : "%.0f statements, ".formatted(statements))
               + "%.0f transactions, all databases".formatted(transactions);
    }

    /** p99 at half load with the history loaded, against the same load on the (nearly) empty stores. */
    private static String history(Speed.Run run) {
        if (run.atHalfWithHistory() == null) {
            return "not measured by this run";
        }
        return "%,d order sagas: p99 %s against %s nearly empty (%.2f times), p50 %s".formatted(
                run.historySagas(), ms(run.atHalfWithHistory().p99()), ms(run.atHalf().p99()),
                run.atHalfWithHistory().p99() / Math.max(0.001, run.atHalf().p99()), ms(run.atHalfWithHistory().p50()));
    }

    private static XYChart curve(Speed.Run run) {
        XYChart chart = new XYChartBuilder().width(900).height(500)
                                            .title("Place to terminal against orders completed per second")
                                            .xAxisTitle("completed orders/s").yAxisTitle("ms (log scale)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        List<Speed.Point> ladder = Ladder.lastTries(run.ladder());
        List<Double> x = ladder.stream().map(Speed.Point::completedPerSecond).toList();
        line(chart, "p50", x, ladder.stream().map(p -> Math.max(0.1, p.p50())).toList(), new Color(0, 128, 0));
        line(chart, "p99", x, ladder.stream().map(p -> Math.max(0.1, p.p99())).toList(), Color.RED);
        return chart;
    }

    private static XYChart overload(Speed.Overload overload) {
        XYChart chart = new XYChartBuilder().width(900).height(450)
                                            .title("Offered " + rate(overload.offered()) + " orders/s, twice the "
                                                           + "maximum, then drained")
                                            .xAxisTitle("second").yAxisTitle("orders per second").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        List<Double> x = overload.seconds().stream().map(s -> (double) s.second()).toList();
        line(chart, "sent", x, overload.seconds().stream().map(s -> (double) s.sent()).toList(), Color.GRAY);
        line(chart, "completed", x, overload.seconds().stream().map(s -> (double) s.completed()).toList(),
             new Color(0, 128, 0));
        line(chart, "refused or failed", x, overload.seconds().stream().map(s -> (double) s.failed()).toList(),
             new Color(200, 120, 0));
        return chart;
    }

    private static void line(XYChart chart, String name, List<Double> x, List<Double> y, Color color) {
        if (x.isEmpty()) {
            return;
        }
        XYSeries series = chart.addSeries(name, x, y);
        series.setLineColor(color);
        series.setMarkerColor(color);
    }

    private static void save(XYChart chart, Path file) {
        try {
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String rate(double perSecond) {
        return perSecond >= 100 ? "%.0f".formatted(perSecond) : "%.1f".formatted(perSecond);
    }

    private static String ms(double millis) {
        return millis >= 100 ? "%.0f ms".formatted(millis) : "%.1f ms".formatted(millis);
    }

    private static String ratio(double ratio) {
        return Double.isInfinite(ratio) ? "∞" : "%.0f".formatted(ratio);
    }
}
