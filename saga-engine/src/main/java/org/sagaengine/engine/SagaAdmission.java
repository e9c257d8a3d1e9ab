package org.sagaengine.engine;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.SmartLifecycle;

/**
 * Admission of new sagas: a service asks before it accepts the request that starts one, and refuses it with a
 * {@link Overloaded} (503 with Retry-After) when the saga type is already behind. Accepting work the system cannot
 * keep up with would only make every saga slower, until steps time out and compensate: refusing at the door keeps
 * the sagas already accepted at full speed, and tells the client when to come back.
 * <p>
 * A saga type is behind when either
 * <ul>
 * <li>its processor reads events stored more than {@code max-lag} ago: the events that start and advance its sagas
 * wait to be read. The lag is measured from the event stream's positions, sampled every {@code sample-every}: the
 * processor's lag is how long ago the stream ended where the processor reads now.</li>
 * <li>more than {@code max-running} of its sagas have started and not ended: its participants do not answer as fast
 * as sagas start.</li>
 * <li>more of its sagas are in flight than complete within {@code target-latency} (2 s by default; {@code 0s}
 * switches this limit off) at the rate they complete now (Little's law: in flight = rate x latency), and at least
 * {@code min-in-flight} (32 by default, so that an idle system takes a burst). In flight counts the sagas that have
 * started and not ended, and the ones this process admitted within the processor's lag and one {@code sample-every}
 * more, whose start it may not have read yet: a backlog of accepted requests counts at once, not once the processor
 * reaches it. The rate is that of the sagas this process saw end over the last {@link #RATE_WINDOW}, so the limit
 * follows the machine it runs on; a service run as several instances, each with part of the processor's segments,
 * should switch it off and use {@code max-running} instead. A request that finds the limit reached waits up to
 * {@code queue-wait} (1 s by default) for a saga to end and make room, looking again at each sample, and is refused
 * only then: a burst is queued for a moment, overload is refused. This limit keeps the pipeline shallow under
 * overload, where the lag alone lets hundreds of sagas in before it passes {@code max-lag}.</li>
 * </ul>
 * Configured under {@code sagaengine.admission}; {@code enabled: false} admits everything.
 */
public final class SagaAdmission implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SagaAdmission.class);

    /** How far back the rate at which sagas end is measured. */
    static final Duration RATE_WINDOW = Duration.ofSeconds(10);
    /** How often, at most, refusals for too many sagas in flight are logged. */
    static final Duration REPORT_EVERY = Duration.ofSeconds(10);

    /** A new saga was refused: the saga type is behind. */
    public static final class Overloaded extends RuntimeException {

        private final transient Duration retryAfter;

        Overloaded(String reason, Duration retryAfter) {
            super(reason);
            this.retryAfter = retryAfter;
        }

        /** When the client may try again: about as long as the backlog takes to clear. */
        public Duration retryAfter() {
            return retryAfter;
        }
    }

    @ConfigurationProperties("sagaengine.admission")
    public record Limits(Boolean enabled, Duration maxLag, Long maxRunning, Duration sampleEvery,
                         Duration targetLatency, Duration queueWait, Long minInFlight) {
        public Limits {
            enabled = enabled == null || enabled;
            maxLag = maxLag == null ? Duration.ofSeconds(5) : maxLag;
            maxRunning = maxRunning == null ? 2_000 : maxRunning;
            sampleEvery = sampleEvery == null ? Duration.ofMillis(200) : sampleEvery;
            targetLatency = targetLatency == null ? Duration.ofSeconds(2) : targetLatency;
            queueWait = queueWait == null ? Duration.ofSeconds(1) : queueWait;
            minInFlight = minInFlight == null ? 32 : minInFlight;
            if (targetLatency.isNegative()) {
                throw new IllegalArgumentException("sagaengine.admission.target-latency must be 0s (off) or more, not "
                                                   + targetLatency);
            }
            if (minInFlight < 1) {
                throw new IllegalArgumentException("sagaengine.admission.min-in-flight must be 1 or more, not "
                                                   + minInFlight);
            }
        }

        /** Whether the sagas in flight are limited to what ends within {@code target-latency}. */
        boolean limitsInFlight() {
            return !targetLatency.isZero();
        }
    }

    /**
     * What was last seen of a saga type: how far behind its processor reads, how many of its sagas run, and how many
     * may be in flight ({@link Long#MAX_VALUE} with {@code target-latency} off).
     */
    record Load(Duration lag, long running, long inFlightLimit) {
    }

    private final Limits limits;
    private final Map<String, Backlog> backlogs = new LinkedHashMap<>();
    private final Function<String, OptionalLong> running;
    private final Function<String, OptionalLong> ended;
    private final Map<String, Flight> flights = new LinkedHashMap<>();
    private volatile Map<String, Load> seen = Map.of();
    private ScheduledExecutorService sampler;

    /**
     * @param positions each saga type's position in the event stream, by type
     * @param running   how many sagas of a type have started and not ended
     * @param ended     how many sagas of a type this process has seen end since it started
     */
    SagaAdmission(Limits limits, Map<String, StreamPosition> positions, Function<String, OptionalLong> running,
                  Function<String, OptionalLong> ended) {
        this.limits = limits;
        this.running = running;
        this.ended = ended;
        positions.forEach((type, position) -> {
            backlogs.put(type, new Backlog(position));
            flights.put(type, new Flight());
        });
    }

    /** Admits a new saga of this type, or refuses it. */
    public void admit(String sagaType) {
        if (!limits.enabled()) {
            return;
        }
        Load load = seen.get(sagaType);
        if (load == null) {
            return;
        }
        if (load.lag().compareTo(limits.maxLag()) > 0) {
            throw new Overloaded("The " + sagaType + " sagas are " + load.lag().toMillis() + " ms behind.",
                                 roundUp(load.lag()));
        }
        if (load.running() >= limits.maxRunning()) {
            throw new Overloaded(load.running() + " " + sagaType + " sagas are running, the most allowed at once.",
                                 Duration.ofSeconds(1));
        }
        if (limits.limitsInFlight()) {
            flights.get(sagaType).admitWithin(limits.queueWait(), () -> seen.get(sagaType), limits.sampleEvery(),
                                              limits.targetLatency(), sagaType);
        }
    }

    private static Duration roundUp(Duration lag) {
        return Duration.ofSeconds(Math.max(1, (lag.toMillis() + 999) / 1000));
    }

    /** Looks at each saga type once: how far behind its processor reads, and how many of its sagas run. */
    void sample() {
        try {
            Map<String, Load> now = new LinkedHashMap<>();
            long nanos = System.nanoTime();
            backlogs.forEach((type, backlog) -> now.put(type, new Load(
                    backlog.lag(nanos), running.apply(type).orElse(0),
                    !limits.limitsInFlight() ? Long.MAX_VALUE
                    : flights.get(type).limit(nanos, ended.apply(type), limits.targetLatency(), limits.minInFlight(),
                                              limits.maxRunning()))));
            if (limits.limitsInFlight()) {
                now.forEach((type, load) -> flights.get(type).report(nanos, type, load.inFlightLimit()));
            }
            Map<String, Load> before = seen;
            now.forEach((type, load) -> {
                Load was = before.get(type);
                boolean behind = behind(load);
                if (was != null && behind != behind(was)) {
                    log.warn("{} sagas {}: {} ms behind, {} running", type,
                             behind ? "are behind, new ones are refused" : "have caught up, new ones are admitted",
                             load.lag().toMillis(), load.running());
                }
            });
            seen = Map.copyOf(now);
            flights.values().forEach(Flight::sampled);
        } catch (RuntimeException failed) {
            // The event store or the database did not answer: keep what was last seen, and sample again.
            log.debug("Could not sample the sagas' load: {}", failed.toString());
        }
    }

    private boolean behind(Load load) {
        return load.lag().compareTo(limits.maxLag()) > 0 || load.running() >= limits.maxRunning();
    }

    @Override
    public void start() {
        if (!limits.enabled() || backlogs.isEmpty()) {
            return;
        }
        sampler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "saga-admission");
            thread.setDaemon(true);
            return thread;
        });
        long every = limits.sampleEvery().toMillis();
        sampler.scheduleWithFixedDelay(this::sample, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        if (sampler != null) {
            sampler.shutdownNow();
            sampler = null;
        }
    }

    @Override
    public boolean isRunning() {
        return sampler != null;
    }

    /** The sagas of a type admitted lately, and how fast they end: for {@code target-latency}. */
    static final class Flight {

        private final Deque<Long> admitted = new ArrayDeque<>();
        private final Deque<long[]> ends = new ArrayDeque<>();
        /** Refused since the last report; when that was, if there was one; and whether it said some were refused. */
        private long refused;
        private long reportedAt;
        private boolean reported;
        private boolean reportedRefusing;

        /**
         * How many may be in flight at {@code nanos}: as many as end within the target latency at the rate they ended
         * over the last {@link #RATE_WINDOW}, at least {@code least} and at most {@code most}.
         */
        synchronized long limit(long nanos, OptionalLong endedSoFar, Duration target, long least, long most) {
            if (endedSoFar.isEmpty()) {
                return Long.MAX_VALUE;
            }
            ends.addLast(new long[] {nanos, endedSoFar.getAsLong()});
            while (nanos - ends.peekFirst()[0] > RATE_WINDOW.toNanos()) {
                ends.removeFirst();
            }
            long[] first = ends.peekFirst();
            double seconds = Math.max(1, nanos - first[0]) / 1e9;
            double perSecond = first == ends.peekLast() ? 0 : (endedSoFar.getAsLong() - first[1]) / seconds;
            long limit = (long) Math.ceil(perSecond * target.toNanos() / 1e9);
            return Math.min(most, Math.max(least, limit));
        }

        /**
         * Admits one more, unless as many are in flight as {@code load} allows: those running, and those admitted
         * within the lag and one {@code sampled} interval more (the running count's age), whose start the processor
         * may not have read yet. A saga admitted and started within that time counts twice, which errs by what is
         * admitted in one sample interval.
         */
        synchronized void admit(long nanos, Load load, Duration sampled, Duration target, String sagaType) {
            long inFlight = tryAdmit(nanos, load, sampled);
            if (inFlight >= 0) {
                throw refuse(inFlight, target, sagaType);
            }
        }

        /**
         * Admits one more as {@link #admit} does, but when as many are in flight as allowed, waits up to {@code wait}
         * for room, looking again at each sample ({@link #sampled}) with the load seen then.
         */
        synchronized void admitWithin(Duration wait, Supplier<Load> load, Duration sampled, Duration target,
                                      String sagaType) {
            long deadline = System.nanoTime() + wait.toNanos();
            while (true) {
                long nanos = System.nanoTime();
                long inFlight = tryAdmit(nanos, load.get(), sampled);
                if (inFlight < 0) {
                    return;
                }
                if (deadline - nanos <= 0) {
                    throw refuse(inFlight, target, sagaType);
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, deadline - nanos);
                } catch (InterruptedException stopping) {
                    Thread.currentThread().interrupt();
                    throw refuse(inFlight, target, sagaType);
                }
            }
        }

        /** A new sample was taken: requests waiting for room look again. */
        synchronized void sampled() {
            notifyAll();
        }

        private Overloaded refuse(long inFlight, Duration target, String sagaType) {
            refused++;
            return new Overloaded(inFlight + " " + sagaType + " sagas are in flight, as many as end within "
                                          + target.toMillis() + " ms at the rate they end now.",
                                  Duration.ofSeconds(1));
        }

        /** Admits one more and returns -1, or returns how many are in flight when that is as many as allowed. */
        private long tryAdmit(long nanos, Load load, Duration sampled) {
            long unread = load.lag().plus(sampled).toNanos();
            while (!admitted.isEmpty() && nanos - admitted.peekFirst() > Math.max(unread, Backlog.KEPT.toNanos())) {
                admitted.removeFirst();
            }
            long unstarted = 0;
            for (Iterator<Long> newestFirst = admitted.descendingIterator(); newestFirst.hasNext(); ) {
                if (nanos - newestFirst.next() > unread) {
                    break;
                }
                unstarted++;
            }
            long inFlight = load.running() + unstarted;
            if (inFlight >= load.inFlightLimit()) {
                return inFlight;
            }
            admitted.addLast(nanos);
            return -1;
        }

        /**
         * Logs, at most once every {@link #REPORT_EVERY}, how many were refused since the last report, and once when
         * none were refused for that long after a report that some were: a person following the log sees when the
         * limit bites and when it stops, not every refusal.
         */
        synchronized void report(long nanos, String sagaType, long limit) {
            if (reported && nanos - reportedAt < REPORT_EVERY.toNanos()) {
                return;
            }
            if (refused > 0) {
                log.warn("{} sagas are at their limit of {} in flight: {} new ones refused since the last report",
                         sagaType, limit, refused);
                refused = 0;
                reported = true;
                reportedRefusing = true;
                reportedAt = nanos;
            } else if (reportedRefusing) {
                log.warn("{} sagas are under their limit of {} in flight again, new ones are admitted", sagaType,
                         limit);
                reportedRefusing = false;
                reportedAt = nanos;
            }
        }
    }

    /**
     * Where the stream ended at each recent sample, so that the processor's position now says how long ago the stream
     * ended there: that is how far behind it reads.
     */
    static final class Backlog {

        private static final Duration KEPT = Duration.ofMinutes(2);

        private final StreamPosition position;
        private final Deque<long[]> ends = new ArrayDeque<>();

        Backlog(StreamPosition position) {
            this.position = position;
        }

        /** How far behind the processor reads, at {@code nanos} ({@link System#nanoTime()}). */
        synchronized Duration lag(long nanos) {
            OptionalLong end = position.storedUpTo();
            if (end.isEmpty()) {
                return Duration.ZERO;
            }
            ends.addLast(new long[] {nanos, end.getAsLong()});
            while (nanos - ends.peekFirst()[0] > KEPT.toNanos()) {
                ends.removeFirst();
            }
            OptionalLong read = position.readUpTo();
            if (read.isEmpty() || read.getAsLong() >= end.getAsLong()) {
                return Duration.ZERO;
            }
            // The most recent sample whose end the processor has read: it reads events stored after that moment.
            long readSince = ends.peekFirst()[0];
            for (Iterator<long[]> newestFirst = ends.descendingIterator(); newestFirst.hasNext(); ) {
                long[] sample = newestFirst.next();
                if (sample[1] <= read.getAsLong()) {
                    readSince = sample[0];
                    break;
                }
            }
            return Duration.ofNanos(nanos - readSince);
        }
    }
}
