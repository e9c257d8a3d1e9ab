package org.sagaengine.platform.metrics;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.messaging.Message;
import org.axonframework.monitoring.MessageMonitor;

/**
 * The metrics of one Axon component (an event processor, the command bus, the event store), with the same names, tags
 * and percentiles as Axon's own Micrometer monitors, whose meters are looked up once per payload type instead of once
 * per message.
 * <p>
 * Axon's monitors build each meter's name and tags again for every message and look it up in the registry: ten
 * lookups or so per message and processor, for meters that never change. They also keep every duration of the last
 * ten minutes in a skip list for the capacity gauge. Both grow with the message rate, and together they took about a
 * tenth of each service's CPU under load. Here the first message of a payload type registers its meters and later
 * ones find them in a map, and the capacity is a ring of one-second sums.
 */
final class MessageMeters implements MessageMonitor<Message<?>> {

    static final String PAYLOAD_TYPE_TAG = "payloadType";
    static final String PROCESSOR_NAME_TAG = "processorName";
    /** Axon's: the capacity is the busy time of the last ten minutes, and percentiles expire after as long. */
    static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Duration CAPACITY_BUCKET = Duration.ofSeconds(1);
    private static final double[] PERCENTILES = {0.5, 0.75, 0.95, 0.98, 0.99, 0.999};

    private final MeterRegistry registry;
    private final Clock clock;
    private final String prefix;
    private final Tags componentTags;
    private final boolean countsPerPayloadType;
    private final boolean capacity;
    /** The processor's lag, for event processors only; registered as a gauge with its first event, as Axon does. */
    private final AtomicLong latency;
    private final AtomicBoolean latencyRegistered = new AtomicBoolean();
    private final ConcurrentMap<Class<?>, Meters> metersByPayloadType = new ConcurrentHashMap<>();

    private MessageMeters(MeterRegistry registry, String prefix, Tags componentTags, boolean countsPerPayloadType,
                          boolean capacity, boolean latency) {
        this.registry = registry;
        this.clock = registry.config().clock();
        this.prefix = prefix;
        this.componentTags = componentTags;
        this.countsPerPayloadType = countsPerPayloadType;
        this.capacity = capacity;
        this.latency = latency ? new AtomicLong() : null;
    }

    /**
     * An event processor's: {@code eventProcessor.*} tagged with the payload type and the processor's name, and
     * {@code eventProcessor.latency} with the processor's name only.
     */
    static MessageMeters eventProcessor(MeterRegistry registry, String processorName) {
        return new MessageMeters(registry, "eventProcessor", Tags.of(PROCESSOR_NAME_TAG, processorName), true, true,
                                 true);
    }

    /** A bus that hands messages to handlers (commands, queries, query updates): timers, capacity and counts. */
    static MessageMeters handlers(MeterRegistry registry, String componentName) {
        return new MessageMeters(registry, componentName, Tags.empty(), true, true, false);
    }

    /** An event bus or store: timers per payload type, and counts of all events together, as Axon tags them. */
    static MessageMeters eventBus(MeterRegistry registry, String componentName) {
        return new MessageMeters(registry, componentName, Tags.empty(), false, false, false);
    }

    @Override
    public MonitorCallback onMessageIngested(Message<?> message) {
        Meters meters = metersByPayloadType.get(message.getPayloadType());
        if (meters == null) {
            meters = metersByPayloadType.computeIfAbsent(message.getPayloadType(), this::register);
        }
        if (latency != null && message instanceof EventMessage<?> event) {
            noteLatency(event);
        }
        meters.ingested.increment();
        return new Callback(meters, clock.monotonicTime());
    }

    private void noteLatency(EventMessage<?> event) {
        latency.set(clock.wallTime() - event.getTimestamp().toEpochMilli());
        // Once, even when the processor's segments see their first events at the same moment.
        if (!latencyRegistered.get() && latencyRegistered.compareAndSet(false, true)) {
            Gauge.builder(prefix + ".latency", latency, AtomicLong::get)
                 .tags(componentTags)
                 .strongReference(true)
                 .register(registry);
        }
    }

    private Meters register(Class<?> payloadType) {
        Tags tags = componentTags.and(PAYLOAD_TYPE_TAG, payloadType.getSimpleName());
        Tags countTags = countsPerPayloadType ? tags : componentTags;
        SlidingSum busy = null;
        if (capacity) {
            busy = new SlidingSum(WINDOW, CAPACITY_BUCKET, clock);
            Gauge.builder(prefix + ".capacity", busy, SlidingSum::fractionOfWindow)
                 .tags(tags)
                 .strongReference(true)
                 .register(registry);
        }
        return new Meters(timer("allTimer", tags), timer("successTimer", tags), timer("failureTimer", tags),
                          timer("ignoredTimer", tags), counter("ingestedCounter", countTags),
                          counter("successCounter", countTags), counter("failureCounter", countTags),
                          counter("processedCounter", countTags), counter("ignoredCounter", countTags), busy);
    }

    private Timer timer(String name, Tags tags) {
        return Timer.builder(prefix + "." + name)
                    .distributionStatisticExpiry(WINDOW)
                    .publishPercentiles(PERCENTILES)
                    .tags(tags)
                    .register(registry);
    }

    private Counter counter(String name, Tags tags) {
        return registry.counter(prefix + "." + name, tags);
    }

    private record Meters(Timer all, Timer success, Timer failure, Timer ignored, Counter ingested,
                          Counter succeeded, Counter failed, Counter processed, Counter ignoredCount,
                          SlidingSum busy) {
    }

    private final class Callback implements MonitorCallback {

        private final Meters meters;
        private final long start;

        Callback(Meters meters, long start) {
            this.meters = meters;
            this.start = start;
        }

        @Override
        public void reportSuccess() {
            long nanos = took();
            meters.success.record(nanos, TimeUnit.NANOSECONDS);
            meters.processed.increment();
            meters.succeeded.increment();
        }

        @Override
        public void reportFailure(Throwable cause) {
            long nanos = took();
            meters.failure.record(nanos, TimeUnit.NANOSECONDS);
            meters.processed.increment();
            meters.failed.increment();
        }

        @Override
        public void reportIgnored() {
            long nanos = took();
            meters.ignored.record(nanos, TimeUnit.NANOSECONDS);
            meters.ignoredCount.increment();
        }

        /** Records the time on the all-messages timer and the capacity, and returns it for the outcome's timer. */
        private long took() {
            long nanos = clock.monotonicTime() - start;
            meters.all.record(nanos, TimeUnit.NANOSECONDS);
            if (meters.busy != null) {
                meters.busy.add(nanos);
            }
            return nanos;
        }
    }
}
