package org.sagaengine.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The trade-off lab: the same order work done as one local transaction, as two-phase commit across three databases,
 * and as the saga system, each measured the same way on this machine, and written up as {@code docs/tradeoff.md}
 * with its plots.
 * <ol>
 * <li>For each approach and each mix (uncontended, contended), a warm-up at the first rate, not counted, then a
 * ladder of fixed arrival rates, each 50% above the last, until one is not kept up with. A rate is kept up with when every order of it has ended, none failed, and
 * 99% ended within {@value #KEPT_P99_MILLIS} ms of when it was due. The highest such rate is the maximum
 * sustainable.</li>
 * <li>At half that rate: latency from when an order was due to its outcome (p50, p99, p99.9), and the machine's CPU
 * per order.</li>
 * <li>At half the uncontended maximum: the payments side goes down for a while and comes back, and every second is
 * recorded, and then the seconds in which what was sent ends.</li>
 * <li>Two-phase commit only: the coordinator killed between prepare and commit ({@link CoordinatorCrash}).</li>
 * </ol>
 * Usage: {@code Lab <repository root> [--full | --tiny] [--no-saga] [--report-only]}; the README's benchmark command
 * runs it. The figures are kept in {@code docs/tradeoff-results.json}, from which {@code --report-only} writes the
 * report again without measuring.
 */
public final class Lab {

    static final long KEPT_P99_MILLIS = 2_000;

    /** How long each part runs; {@link #tiny} is for the test that checks the report is written. */
    record Settings(Duration warmUp, Duration step, Duration atHalf, int outageBefore, int outageDown,
                    int outageAfter, int outageDrain, int workers, double ladderTop) {

        static Settings full() {
            return new Settings(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(30), 10, 20, 30,
                                90, 8, 20_000);
        }

        static Settings tiny() {
            return new Settings(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 2, 2, 2, 4,
                                160);
        }
    }

    record Step(double offered, long sent, long completed, long failed, double p50, double p99, double p999,
                boolean keptUp) {
    }

    record Measured(String approach, String mix, List<Step> ladder, double maxSustainable, Step atHalf,
                    double cpuMillisPerOrder) {
    }

    /**
     * One outage, second by second: orders are sent until {@code sendingUntil}, and the seconds after show them
     * ending.
     */
    record Outage(String approach, String paymentsSide, String inDoubtMeaning, double rate, int downAt, int upAt,
                  int sendingUntil, List<Timeline.Second> seconds) {

        /**
         * Seconds from the payments side's return to the first of three confirmed at 90% of the rate, with no error
         * and nothing refused.
         */
        Integer recoveredAfter() {
            for (int s = upAt; s + 2 < sendingUntil; s++) {
                boolean keepingUp = true;
                for (int t = s; t <= s + 2; t++) {
                    keepingUp &= seconds.get(t).confirmed() >= 0.9 * rate && seconds.get(t).failed() == 0
                                 && seconds.get(t).refused() == 0;
                }
                if (keepingUp) {
                    return s - upAt;
                }
            }
            return null;
        }

        /** Seconds from the payments side's return until what is in doubt is no more than before the outage. */
        Integer backToNormalAfter() {
            long before = seconds.subList(0, downAt).stream().mapToLong(Timeline.Second::inDoubt).max().orElse(0);
            for (int s = upAt; s < seconds.size(); s++) {
                if (seconds.get(s).inDoubt() <= before) {
                    return s - upAt;
                }
            }
            return null;
        }

        long errors() {
            return seconds.stream().mapToLong(Timeline.Second::failed).sum();
        }

        /** Orders refused at admission: 503 with Retry-After, nothing stored. */
        long refused() {
            return seconds.stream().mapToLong(Timeline.Second::refused).sum();
        }

        long confirmedWhileDown() {
            return seconds.subList(downAt, upAt).stream().mapToLong(Timeline.Second::confirmed).sum();
        }

        long rejectedWhileDown() {
            return seconds.subList(downAt, upAt).stream().mapToLong(Timeline.Second::rejected).sum();
        }

        long mostInDoubt() {
            return seconds.stream().mapToLong(Timeline.Second::inDoubt).max().orElse(0);
        }

        long rejected() {
            return seconds.stream().mapToLong(Timeline.Second::rejected).sum();
        }
    }

    record Results(String machine, Settings settings, List<Measured> measured, List<Outage> outages,
                   CoordinatorCrash.Result crash, Instant at, Duration took) {
    }

    private final Settings settings;
    private final Path work;
    private final AtomicLong outstanding = new AtomicLong();
    private final Random random = new Random(20261129);

    Lab(Settings settings, Path work) {
        this.settings = settings;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        List<String> flags = List.of(args).subList(Math.min(1, args.length), args.length).stream()
                                 .flatMap(options -> List.of(options.trim().split("\\s+")).stream()).toList();
        Settings settings = flags.contains("--tiny") ? Settings.tiny() : Settings.full();
        Path services = root.resolve("launcher/target/services");
        boolean saga = !flags.contains("--no-saga") && !flags.contains("--report-only");
        if (saga && !Files.isRegularFile(services.resolve("order-saga.jar"))) {
            throw new IllegalStateException("No services in " + services + ": build them first (the README's "
                                                    + "benchmark command does)");
        }
        Path figures = root.resolve("docs").resolve("tradeoff-results.json");
        ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
                                              .enable(SerializationFeature.INDENT_OUTPUT);
        if (flags.contains("--report-only")) {
            Results measured = json.copy().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
                                   .readValue(figures.toFile(), Results.class);
            json.writeValue(figures.toFile(), measured);
            Report.write(measured, root.resolve("docs"));
            System.out.println("[lab] wrote " + root.resolve("docs/tradeoff.md") + " from " + figures);
            return;
        }
        Path work = Files.createTempDirectory("tradeoff-lab");
        Results results = new Lab(settings, work).run(saga ? services : null);
        Files.createDirectories(figures.getParent());
        json.writeValue(figures.toFile(), results);
        Report.write(results, root.resolve("docs"));
        System.out.println("[lab] wrote " + root.resolve("docs/tradeoff.md") + "; the databases and logs are in "
                                   + work);
    }

    Results run(Path services) throws Exception {
        return run(true, services);
    }

    /**
     * @param measureTwoPhaseCommit whether to measure two-phase commit under load; its coordinator crash runs always
     * @param services              where the services' jars are, to measure the saga system; null to leave it out
     */
    Results run(boolean measureTwoPhaseCommit, Path services) throws Exception {
        Instant started = Instant.now();
        List<Measured> measured = new ArrayList<>();
        List<Outage> outages = new ArrayList<>();
        try (Approach one = new OneDatabaseApproach(work.resolve("one-database"), settings.workers())) {
            measure(one, 100, measured, outages);
        }
        CoordinatorCrash.Result crash;
        if (measureTwoPhaseCommit) {
            try (Approach xa = new XaApproach(work.resolve("two-phase-commit"), settings.workers())) {
                measure(xa, 50, measured, outages);
            }
        }
        crash = CoordinatorCrash.run(work.resolve("coordinator-crash"), this::progress);
        if (services != null) {
            try (Approach saga = new SagaApproach(work.resolve("saga"), services, this::progress)) {
                measure(saga, 5, measured, outages);
            }
        }
        return new Results(Machine.describe(), settings, measured, outages, crash, started,
                           Duration.between(started, Instant.now()));
    }

    private void measure(Approach approach, double firstRate, List<Measured> measured, List<Outage> outages)
            throws Exception {
        double uncontended = 0;
        for (Mix mix : List.of(Mix.UNCONTENDED, Mix.CONTENDED)) {
            String run = "r" + Long.toString(System.nanoTime(), 36);
            approach.seed(mix, run);
            Measured result = measure(approach, mix, run, firstRate);
            measured.add(result);
            if (mix == Mix.UNCONTENDED) {
                uncontended = result.maxSustainable();
            }
        }
        String run = "r" + Long.toString(System.nanoTime(), 36);
        approach.seed(Mix.UNCONTENDED, run);
        outages.add(outage(approach, Mix.UNCONTENDED, run, Math.max(1, uncontended / 2)));
    }

    private Measured measure(Approach approach, Mix mix, String run, double firstRate) throws Exception {
        // Warm up first, unmeasured: compiled code, filled caches, and a system done with the seeding's events.
        awaitQuiet();
        Step warm = step(approach, mix, run, 0, firstRate, settings.warmUp());
        awaitQuiet();
        say("%s, %s: warmed up at %.0f/s (p99 %.0f ms, not counted)", approach.name(), mix.name(), firstRate,
            warm.p99());
        List<Step> ladder = new ArrayList<>();
        double max = 0;
        long next = warm.sent();
        for (double rate = firstRate; rate <= settings.ladderTop(); rate *= 1.5) {
            long from = next;
            next += (long) (rate * settings.step().toSeconds()) + 1;
            Step step = step(approach, mix, run, from, rate, settings.step());
            ladder.add(step);
            say("%s, %s: %.0f/s offered, %d of %d ended, %d failed, p99 %.0f ms%s", approach.name(), mix.name(),
                rate, step.completed(), step.sent(), step.failed(), step.p99(), step.keptUp() ? "" : ": not kept up");
            awaitQuiet();
            if (!step.keptUp()) {
                break;
            }
            max = rate;
        }
        double half = Math.max(1, max / 2);
        long cpuBefore = Cpu.busyMillis();
        Step atHalf = step(approach, mix, run, next, half, settings.atHalf());
        long cpu = Cpu.busyMillis() - cpuBefore;
        awaitQuiet();
        double perOrder = atHalf.completed() == 0 ? 0 : (double) cpu / atHalf.completed();
        say("%s, %s: at most %.0f/s; at %.0f/s p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, %.2f ms CPU per order",
            approach.name(), mix.name(), max, half, atHalf.p50(), atHalf.p99(), atHalf.p999(), perOrder);
        return new Measured(approach.name(), mix.name(), ladder, max, atHalf, perOrder);
    }

    private Step step(Approach approach, Mix mix, String run, long from, double rate, Duration duration) {
        OpenLoop.Result result = OpenLoop.run(rate, duration, Duration.ofSeconds(15),
                                              i -> place(approach, mix.order(run, from + i, random)));
        boolean keptUp = result.failed() == 0 && result.completed() == result.sent()
                && result.millisAt(99) <= KEPT_P99_MILLIS;
        return new Step(rate, result.sent(), result.completed(), result.failed(), result.millisAt(50),
                        result.millisAt(99), result.millisAt(99.9), keptUp);
    }

    private CompletableFuture<String> place(Approach approach, Order order) {
        outstanding.incrementAndGet();
        return approach.place(order).whenComplete((outcome, failure) -> outstanding.decrementAndGet());
    }

    /** Waits until every order placed so far has ended, so that the next measurement starts on a quiet system. */
    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (outstanding.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private Outage outage(Approach approach, Mix mix, String run, double rate) throws Exception {
        int total = settings.outageBefore() + settings.outageDown() + settings.outageAfter();
        int downAt = settings.outageBefore();
        int upAt = downAt + settings.outageDown();
        say("%s: at %.0f/s, payments side down for %d s: %s", approach.name(), rate, settings.outageDown(),
            approach.paymentsSide());
        Timeline timeline = new Timeline(total + settings.outageDrain(), approach::inDoubt);
        Thread fault = new Thread(() -> {
            try {
                Thread.sleep(downAt * 1000L);
                approach.stopPayments();
                say("%s: payments side down", approach.name());
                Thread.sleep(settings.outageDown() * 1000L);
                approach.startPayments();
                say("%s: payments side started again", approach.name());
            } catch (Exception failed) {
                say("%s: the fault could not be injected: %s", approach.name(), failed);
            }
        }, "fault");
        fault.start();
        OpenLoop.run(rate, Duration.ofSeconds(total), Duration.ofSeconds(settings.outageDrain()),
                     i -> place(approach, mix.order(run, i, random)), timeline);
        fault.join();
        List<Timeline.Second> seconds = timeline.seconds();
        awaitQuiet();
        return new Outage(approach.name(), approach.paymentsSide(), approach.inDoubtMeaning(), rate, downAt, upAt,
                          total, seconds);
    }

    private void say(String format, Object... args) {
        progress(String.format(format, args));
    }

    private void progress(String line) {
        System.out.println("[lab] " + line);
    }
}
