package org.sagaengine.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.sagaengine.launcher.AxonServerProcess;
import org.sagaengine.launcher.EmbeddedSystem;

/**
 * How fast the saga system is, in the embedded topology on this machine, and how it behaves when offered more than it
 * can do. Written up as {@code docs/performance-run.md} with its plots; each run is also added to
 * {@code docs/performance-runs.json}, under its label, so that runs before and after a change can be compared.
 * <ol>
 * <li>One order at a time on an idle system: place to terminal.</li>
 * <li>After a warm-up, a ladder of open-loop arrival rates, each 50% above the last, until one is not kept up with
 * (every order ended, none refused or failed, 99% seen ended within {@value #KEPT_P99_MILLIS} ms of being due); the
 * first rate missed is tried once more ({@link Ladder}).</li>
 * <li>The highest rate kept up with, held for a minute; then half of it, with the CPU each process spent per
 * order, and the SQL statements and transactions per order in each database ({@link SqlCensus}).</li>
 * <li>Twice that rate for a minute: what completes each second, what is refused at admission, and how many orders
 * were rejected for a timeout.</li>
 * <li>The contended mix (4 products, 4 accounts): the highest rate kept up with.</li>
 * <li>The same uncontended ladder against the same order work as one local transaction in one database, with the
 * same PostgreSQL settings: the baseline.</li>
 * </ol>
 * Place to terminal is measured by the system's own clock: from the order's {@code OrderPlaced} event to the moment
 * its saga ended. Whether a rate is kept up with is judged from the client's side, from when each order was due.
 * <p>
 * Usage: {@code Speed <repository root> [--quick | --tiny] [--durable] [--axon-server] [--history sagas]
 * [--label text] [--service-arg=--name=value]... [--keep] [--report-only]}. With {@code --axon-server} the services
 * run distributed on an Axon Server started from {@code AXONSERVER_JAR}. A run works in a temporary directory and
 * leaves only the logs there ({@link WorkDirectory}) unless {@code --keep} keeps the databases too. The page it
 * writes is about the run it measured; with {@code --report-only} it is about the latest recorded run, or with
 * {@code --label} too, the last one recorded under that label.
 */
public final class Speed {

    static final long KEPT_P99_MILLIS = 2_000;
    /** Overload completions are also reported as the lowest average over this many seconds in a row. */
    static final int OVERLOAD_WINDOW = 5;
    /** How long the system is left alone after the warm-up, before it is watched idle. */
    static final Duration SETTLE = Duration.ofSeconds(15);
    /** How long the system is watched doing nothing, for what it spends idle. */
    static final Duration IDLE = Duration.ofSeconds(10);

    record Settings(Duration warmUp, Duration step, Duration hold, Duration atHalf, Duration overload, int idleOrders,
                    double firstRate, double ladderTop, Duration baselineStep, boolean contended, long history) {

        static Settings full() {
            return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(15), Duration.ofSeconds(60),
                                Duration.ofSeconds(30), Duration.ofSeconds(60), 30, 5, 5_000, Duration.ofSeconds(5),
                                true, 1_000_000);
        }

        /** For comparing one change with another: the same ladder, shorter holds, no contended mix. */
        static Settings quick() {
            return new Settings(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(20),
                                Duration.ofSeconds(20), Duration.ofSeconds(30), 20, 5, 5_000, Duration.ofSeconds(3),
                                false, 0);
        }

        /** The same, with the stores filled to {@code sagas} order sagas before half load is measured again. */
        Settings withHistory(long sagas) {
            return new Settings(warmUp, step, hold, atHalf, overload, idleOrders, firstRate, ladderTop, baselineStep,
                                contended, sagas);
        }

        static Settings tiny() {
            return new Settings(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2),
                                Duration.ofSeconds(2), Duration.ofSeconds(3), 3, 4, 10, Duration.ofSeconds(1), false,
                                0);
        }
    }

    /** One rate, held: what was sent and how it ended, and place to terminal by the system's clock. */
    record Point(double offered, long sent, long completed, long refused, long failed, long timeouts,
                 double completedPerSecond, double p50, double p99, double p999, double clientP99, boolean keptUp) {
    }

    /** One second of the overload: orders sent, orders that ended, and requests refused or failed. */
    record Second(int second, long sent, long completed, long failed) {
    }

    record Overload(double offered, List<Second> seconds, long refused, long failed, long timeouts,
                    double lowestCompletedShare) {

        /**
         * The lowest average of completions over {@code window} seconds in a row, from the fifth second of the
         * overload to its end, as a share of the maximum (half the offered rate). Orders end in batches, so single
         * seconds swing even under a steady load; a window of a few seconds shows whether the system keeps up its
         * pace.
         */
        double lowestCompletedShareOver(int window) {
            int sending = 0;
            for (Second second : seconds) {
                if (second.sent() > 0) {
                    sending = second.second() + 1;
                }
            }
            double lowest = Double.NaN;
            for (int from = Math.min(5, sending); from + window <= sending; from++) {
                double completed = 0;
                for (Second second : seconds.subList(from, from + window)) {
                    completed += second.completed();
                }
                double share = completed / window / (offered / 2);
                lowest = Double.isNaN(lowest) ? share : Math.min(lowest, share);
            }
            return Double.isNaN(lowest) ? 0 : lowest;
        }
    }

    record Run(String label, String machine, String settings, String topology, boolean durable,
               List<String> serviceArguments,
               double idleP50, double idleP99, List<Point> ladder, double maxSustainable, Point hold, Point atHalf,
               Map<String, Double> cpuMillisPerOrder, Map<String, Double> cpuMillisPerOrderAboveIdle,
               Map<String, Double> idleCpuMillisPerSecond, Overload overload,
               Double contendedMax, long historySagas, Point atHalfWithHistory,
               List<Point> baselineLadder, double baselineMax, Instant at, Duration took,
               SqlCensus.PerOrder sqlPerOrder) {

        double ratioToBaseline() {
            return maxSustainable == 0 ? Double.POSITIVE_INFINITY : baselineMax / maxSustainable;
        }
    }

    private final Settings settings;
    private final Path work;
    private final Random random = new Random(20261129);
    private final AtomicLong outstanding = new AtomicLong();
    private SagaApproach saga;
    private String run;
    private long next;

    Speed(Settings settings, Path work) {
        this.settings = settings;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        // Options come as one argument from Maven, or as several from a shell: "--label" takes the words after it.
        String options = String.join(" ", List.of(args).subList(Math.min(1, args.length), args.length)).trim();
        List<String> flags = options.isEmpty() ? List.of() : List.of(options.split("\\s+(?=--)"));
        Settings settings = flags.contains("--tiny") ? Settings.tiny()
                            : flags.contains("--quick") ? Settings.quick() : Settings.full();
        Optional<String> history = flags.stream().filter(f -> f.startsWith("--history")).findFirst()
                                        .map(f -> f.substring("--history".length()).replaceFirst("^[= ]", "").trim());
        if (history.isPresent()) {
            settings = settings.withHistory(Long.parseLong(history.get().replace("_", "")));
        }
        Optional<String> labelled = flags.stream().filter(f -> f.startsWith("--label")).findFirst()
                                         .map(f -> f.substring("--label".length()).replaceFirst("^[= ]", "").trim());
        String label = labelled.orElse("current");
        List<String> serviceArguments = flags.stream().filter(f -> f.startsWith("--service-arg="))
                                             .map(f -> f.substring("--service-arg=".length())).toList();
        boolean durable = flags.contains("--durable");
        boolean onAxonServer = flags.contains("--axon-server");
        Path docs = root.resolve("docs");
        Path runs = docs.resolve("performance-runs.json");
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                                              .enable(SerializationFeature.INDENT_OUTPUT)
                                              .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        List<Run> recorded = new ArrayList<>(Files.isRegularFile(runs)
                                             ? List.of(json.readValue(runs.toFile(), Run[].class)) : List.of());
        if (!flags.contains("--report-only")) {
            Path services = root.resolve("launcher/target/services");
            if (!Files.isRegularFile(services.resolve("order-saga.jar"))) {
                throw new IllegalStateException("No services in " + services + ": build them first (the README's "
                                                        + "benchmark command does)");
            }
            Path work = Files.createTempDirectory("speed");
            boolean keep = flags.contains("--keep");
            Run measured;
            try {
                if (onAxonServer) {
                    Path jar = AxonServerProcess.jar().orElseThrow(() -> new IllegalStateException(
                            "--axon-server needs an Axon Server jar: set AXONSERVER_JAR (axon-server/README.md says "
                                    + "how to build one)"));
                    try (AxonServerProcess server = AxonServerProcess.start(jar, work.resolve("axonserver"))) {
                        measured = new Speed(settings, work).run(label, settings, durable, serviceArguments,
                                                                 services, server.servers());
                    }
                } else {
                    measured = new Speed(settings, work).run(label, settings, durable, serviceArguments, services,
                                                             null);
                }
            } finally {
                String left = keep ? "the databases and logs are in " + work
                              : "the logs are in " + work + " (--keep keeps the databases too)";
                if (!keep) {
                    try {
                        WorkDirectory.keepOnlyLogs(work);
                    } catch (IOException failed) {
                        left = "deleting the databases failed (" + failed + "): they and the logs are in " + work;
                    }
                }
                System.out.println("[speed] " + left);
            }
            recorded.removeIf(earlier -> earlier.label().equals(label) && earlier.settings().equals(measured.settings()));
            recorded.add(measured);
            Files.createDirectories(docs);
            json.writeValue(runs.toFile(), recorded);
        }
        if (recorded.isEmpty()) {
            throw new IllegalStateException("No run recorded in " + runs);
        }
        // The page is about the run just measured, or the latest recorded; with --report-only and --label, about the
        // last run recorded under that label.
        Run shown = flags.contains("--report-only") && labelled.isPresent()
                    ? recorded.stream().filter(run -> run.label().equals(label))
                              .max((a, b) -> a.at().compareTo(b.at()))
                              .orElseThrow(() -> new IllegalArgumentException(
                                      "No run in " + runs + " is labelled \"" + label + "\""))
                    : recorded.stream().max((a, b) -> a.at().compareTo(b.at())).orElseThrow();
        SpeedReport.write(shown, recorded, docs);
        System.out.println(SpeedReport.headline(shown));
        System.out.println("[speed] wrote " + docs.resolve("performance-run.md"));
    }

    /** @param axonServer the Axon Server to run on ({@code host:port}); null for the embedded topology */
    Run run(String label, Settings settings, boolean durable, List<String> serviceArguments, Path services,
            String axonServer) throws Exception {
        Instant started = Instant.now();
        String description = settings.withHistory(Settings.full().history()).equals(Settings.full()) ? "full"
                             : settings.withHistory(0).equals(Settings.quick()) ? "quick" : "tiny";
        if (settings.history() != Settings.full().history() && settings.history() > 0) {
            description += ", history of %,d sagas".formatted(settings.history());
        }
        double idleP50;
        double idleP99;
        List<Point> ladder = new ArrayList<>();
        double max = 0;
        Point hold;
        Point atHalf;
        Map<String, Double> cpu;
        Map<String, Double> idleCpu;
        Map<String, Double> cpuAboveIdle;
        SqlCensus.PerOrder sql;
        Overload overload;
        Double contendedMax = null;
        long historySagas = 0;
        Point atHalfWithHistory = null;
        try (SagaApproach system = new SagaApproach(work, services, this::say, durable, false, serviceArguments,
                                                    axonServer, SqlCensus.SETTINGS)) {
            this.saga = system;
            run = "s" + Long.toString(System.nanoTime(), 36);
            system.seed(Mix.UNCONTENDED, run);
            say("warming up: %d s at %.0f/s, not counted", settings.warmUp().toSeconds(), settings.firstRate());
            step(Mix.UNCONTENDED, settings.firstRate(), settings.warmUp());
            awaitQuiet();
            ProcessCpu processes = new ProcessCpu(processes(system));
            // The sagas have ended, but projections may still be reading the warm-up's events: let them finish.
            Thread.sleep(SETTLE.toMillis());
            Map<String, Long> idleBefore = processes.sample();
            Thread.sleep(IDLE.toMillis());
            idleCpu = new LinkedHashMap<>();
            ProcessCpu.between(idleBefore, processes.sample())
                      .forEach((name, millis) -> idleCpu.put(name, millis * 1000.0 / IDLE.toMillis()));
            say("idle, CPU per second in ms: %s", idleCpu);
            Histogram idle = idle(settings.idleOrders());
            idleP50 = idle.getValueAtPercentile(50) / 1000.0;
            idleP99 = idle.getValueAtPercentile(99) / 1000.0;
            say("one order at a time: p50 %.1f ms, p99 %.1f ms, place to terminal", idleP50, idleP99);
            max = Ladder.climb(settings.firstRate(), settings.ladderTop(), rate -> {
                Point point = step(Mix.UNCONTENDED, rate, settings.step());
                awaitQuiet();
                return point;
            }, ladder, line -> say("%s", line));
            hold = step(Mix.UNCONTENDED, Math.max(1, max), settings.hold());
            awaitQuiet();
            SqlCensus census = SqlCensus.start(system.system());
            Map<String, Long> before = processes.sample();
            long halfFrom = System.nanoTime();
            atHalf = step(Mix.UNCONTENDED, Math.max(1, max / 2), settings.atHalf());
            double seconds = (System.nanoTime() - halfFrom) / 1e9;
            Map<String, Long> spent = ProcessCpu.between(before, processes.sample());
            awaitQuiet();
            cpu = new LinkedHashMap<>();
            cpuAboveIdle = new LinkedHashMap<>();
            long orders = Math.max(1, atHalf.completed());
            for (Map.Entry<String, Long> process : spent.entrySet()) {
                cpu.put(process.getKey(), (double) process.getValue() / orders);
                cpuAboveIdle.put(process.getKey(), Math.max(0, process.getValue()
                        - idleCpu.getOrDefault(process.getKey(), 0.0) * seconds) / orders);
            }
            say("CPU per order at %.0f/s, in ms: %s; above what idle costs: %s", max / 2, cpu, cpuAboveIdle);
            sql = census.perOrder(orders);
            say("SQL per order at %.0f/s, by database: statements %s, transactions %s", max / 2,
                rounded(sql.statements()), rounded(sql.transactions()));
            overload = overload(Math.max(2, 2 * max), settings.overload());
            awaitQuiet();
            String uncontended = run;
            long uncontendedNext = next;
            if (settings.contended()) {
                run = "c" + Long.toString(System.nanoTime(), 36);
                next = 0;
                system.seed(Mix.CONTENDED, run);
                contendedMax = Ladder.climb(settings.firstRate(), settings.ladderTop(), rate -> {
                    Point point = step(Mix.CONTENDED, rate, settings.step());
                    awaitQuiet();
                    return point;
                }, new ArrayList<>(), line -> say("contended: %s", line));
            }
            run = uncontended;
            next = uncontendedNext;
            // Axon Server keeps the events where a bulk copy cannot reach them.
            if (settings.history() > 0 && axonServer == null) {
                historySagas = History.load(system.system(), settings.history(), line -> say("%s", line));
                // The services start again, cold, on the copied stores; the empty stores were measured after minutes
                // of load (warm-up, ladder, hold). Three warm-ups in a row come closer to that, and each says how
                // its minute went.
                say("%d order sagas in the stores; warming up again at %.0f/s, %d s three times", historySagas,
                    atHalf.offered(), settings.warmUp().toSeconds());
                for (int warmUp = 0; warmUp < 3; warmUp++) {
                    step(Mix.UNCONTENDED, atHalf.offered(), settings.warmUp());
                    awaitQuiet();
                }
                atHalfWithHistory = step(Mix.UNCONTENDED, atHalf.offered(), settings.atHalf());
                awaitQuiet();
            }
        } finally {
            saga = null;
        }
        List<Point> baselineLadder = new ArrayList<>();
        double baselineMax = baseline(durable, baselineLadder);
        return new Run(label, Machine.describe(), description, axonServer == null ? "embedded" : "Axon Server",
                       durable, serviceArguments, idleP50, idleP99, ladder,
                       max, hold, atHalf, cpu, cpuAboveIdle, idleCpu, overload, contendedMax, historySagas,
                       atHalfWithHistory, baselineLadder, baselineMax, started,
                       Duration.between(started, Instant.now()), sql);
    }

    private static Map<String, String> rounded(Map<String, Double> perOrder) {
        Map<String, String> shown = new LinkedHashMap<>();
        perOrder.forEach((name, value) -> shown.put(name, "%.1f".formatted(value)));
        return shown;
    }

    private static Map<String, Long> processes(SagaApproach system) {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String service : List.of(EmbeddedSystem.ORDER_SAGA, EmbeddedSystem.INVENTORY, EmbeddedSystem.PAYMENT)) {
            pids.put(service, system.system().pid(service));
        }
        pids.put("load generator", ProcessHandle.current().pid());
        return pids;
    }

    /** One order at a time, each placed once the one before has ended. */
    private Histogram idle(int orders) throws Exception {
        Histogram took = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        for (int i = 0; i < orders; i++) {
            SagaApproach.Outcome outcome = saga.placeObserved(Mix.UNCONTENDED.order(run, next++, random))
                                               .get(2, TimeUnit.MINUTES);
            took.recordValue(outcome.placeToTerminal().toNanos() / 1000);
            Thread.sleep(100);
        }
        return took;
    }

    private Point step(Mix mix, double rate, Duration duration) {
        Histogram sagaLatency = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        AtomicLong refused = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        long from = next;
        OpenLoop.Result result = OpenLoop.run(rate, duration, Duration.ofSeconds(30), i -> place(
                mix.order(run, from + i, random), sagaLatency, refused, timeouts));
        next = from + result.sent();
        boolean keptUp = result.failed() == 0 && result.completed() == result.sent()
                && result.millisAt(99) <= KEPT_P99_MILLIS;
        Point point = new Point(rate, result.sent(), result.completed(), refused.get(),
                                result.failed() - refused.get(), timeouts.get(),
                                result.completed() / (double) Math.max(1, duration.toSeconds()),
                                sagaLatency.getValueAtPercentile(50) / 1000.0,
                                sagaLatency.getValueAtPercentile(99) / 1000.0,
                                sagaLatency.getValueAtPercentile(99.9) / 1000.0, result.millisAt(99), keptUp);
        say("%s %.0f/s offered: %d of %d ended, %d refused, %d failed, %d timed out; place to terminal p50 %.1f ms, "
                    + "p99 %.1f ms%s", mix.name(), rate, point.completed(), point.sent(), point.refused(),
            point.failed(), point.timeouts(), point.p50(), point.p99(), keptUp ? "" : ": not kept up");
        return point;
    }

    private CompletableFuture<SagaApproach.Outcome> place(Order order, Histogram sagaLatency, AtomicLong refused,
                                                          AtomicLong timeouts) {
        outstanding.incrementAndGet();
        return saga.placeObserved(order).whenComplete((outcome, failure) -> {
            outstanding.decrementAndGet();
            if (outcome != null) {
                sagaLatency.recordValue(Math.max(0, outcome.placeToTerminal().toNanos() / 1000));
                if (outcome.reason() != null && outcome.reason().contains("timeout")) {
                    timeouts.incrementAndGet();
                }
            } else if (SagaApproach.isRefusal(failure)) {
                refused.incrementAndGet();
            }
        });
    }

    private Overload overload(double rate, Duration duration) throws InterruptedException {
        int seconds = (int) duration.toSeconds();
        int drain = 60;
        Timeline timeline = new Timeline(seconds + drain, outstanding::get);
        AtomicLong refused = new AtomicLong();
        AtomicLong timeouts = new AtomicLong();
        Histogram ignored = new ConcurrentHistogram(TimeUnit.MINUTES.toMicros(10), 3);
        long from = next;
        say("overload: %.0f/s offered for %d s", rate, seconds);
        OpenLoop.Result result = OpenLoop.run(rate, duration, Duration.ofSeconds(drain), i -> place(
                Mix.UNCONTENDED.order(run, from + i, random), ignored, refused, timeouts), timeline);
        next = from + result.sent();
        List<Second> perSecond = new ArrayList<>();
        for (Timeline.Second second : timeline.seconds()) {
            perSecond.add(new Second(second.second(), second.sent(), second.ended(),
                                     second.refused() + second.failed()));
        }
        // The first seconds fill the pipeline; from the fifth on, completions should stay near the maximum.
        double lowest = perSecond.subList(Math.min(5, seconds), seconds).stream()
                                 .mapToDouble(s -> s.completed() / (rate / 2)).min().orElse(0);
        Overload overload = new Overload(rate, perSecond, refused.get(), result.failed() - refused.get(),
                                         timeouts.get(), lowest);
        say("overload: %d refused at admission, %d failed, %d rejected for a timeout; lowest second %.0f%% of the "
                    + "maximum, lowest %d s %.0f%%", refused.get(), result.failed() - refused.get(), timeouts.get(),
            100 * lowest, OVERLOAD_WINDOW, 100 * overload.lowestCompletedShareOver(OVERLOAD_WINDOW));
        return overload;
    }

    /** The same order work as one local transaction in one database, with the saga system's PostgreSQL settings. */
    private double baseline(boolean durable, List<Point> ladder) throws Exception {
        Map<String, String> settings = durable ? Map.of()
                                       : Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off");
        try (OneDatabaseApproach one = new OneDatabaseApproach(work.resolve("one-database"), 8, settings)) {
            String seeded = "b" + Long.toString(System.nanoTime(), 36);
            one.seed(Mix.UNCONTENDED, seeded);
            OpenLoop.run(100, Duration.ofSeconds(5), Duration.ofSeconds(10),
                         i -> one.place(Mix.UNCONTENDED.order(seeded, -1 - i, random)));
            AtomicLong from = new AtomicLong();
            double max = Ladder.climb(100, 50_000, rate -> {
                long first = from.get();
                OpenLoop.Result result = OpenLoop.run(rate, this.settings.baselineStep(), Duration.ofSeconds(10),
                                                      i -> one.place(Mix.UNCONTENDED.order(seeded, first + i, random)));
                from.addAndGet(result.sent());
                boolean keptUp = result.failed() == 0 && result.completed() == result.sent()
                        && result.millisAt(99) <= KEPT_P99_MILLIS;
                return new Point(rate, result.sent(), result.completed(), 0, result.failed(), 0,
                                 result.completedPerSecond(), result.millisAt(50), result.millisAt(99),
                                 result.millisAt(99.9), result.millisAt(99), keptUp);
            }, ladder, line -> say("one database: %s", line));
            say("one database: at most %.0f/s", max);
            return max;
        }
    }

    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // And a moment for the processors to finish with the last events.
        Thread.sleep(1_000);
    }

    private void say(String format, Object... args) {
        System.out.println("[speed] " + String.format(format, args));
    }
}
