package org.sagaengine.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.Message;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.monitoring.MessageMonitor.MonitorCallback;
import org.axonframework.queryhandling.QueryBus;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The metrics every service publishes from Axon's components keep their names, tags and figures: the same messages
 * through Axon's own dimensional monitors and through {@link MessageMetrics} give the same meters and counts.
 */
class MessageMetricsTest {

    record ItemShipped(String id) {
    }

    record ItemLost(String id) {
    }

    private final MockClock clock = new MockClock();
    private final MeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    @ParameterizedTest
    @ValueSource(classes = {EventProcessor.class, CommandBus.class, EventBus.class, EventStore.class, QueryBus.class,
                            QueryUpdateEmitter.class})
    void publishesTheMetersOfAxonsOwnMonitors(Class<?> componentType) {
        MeterRegistry axons = new SimpleMeterRegistry();
        @SuppressWarnings("unchecked")
        MessageMonitor<Message<?>> axonMonitor = (MessageMonitor<Message<?>>)
                new GlobalMetricRegistry(axons).registerComponentWithDefaultTags(componentType, "component");
        MessageMonitor<Message<?>> monitor = new MessageMetrics(registry).monitorFor(componentType, "component");

        for (MessageMonitor<Message<?>> each : List.of(axonMonitor, monitor)) {
            each.onMessageIngested(event(new ItemShipped("a"))).reportSuccess();
            each.onMessageIngested(event(new ItemShipped("b"))).reportSuccess();
            each.onMessageIngested(event(new ItemShipped("c"))).reportFailure(new IllegalStateException("refused"));
            each.onMessageIngested(event(new ItemLost("d"))).reportIgnored();
            each.onMessageIngested(event(new ItemLost("e")));
        }

        assertThat(describe(registry)).isNotEmpty().isEqualTo(describe(axons));
    }

    @Test
    void timesEachOutcomeAndCountsItPerPayloadTypeAndProcessor() {
        MessageMonitor<Message<?>> monitor = new MessageMetrics(registry).monitorFor(EventProcessor.class, "stock");
        MonitorCallback shipped = monitor.onMessageIngested(event(new ItemShipped("a")));
        clock.add(Duration.ofMillis(40));
        shipped.reportSuccess();
        MonitorCallback lost = monitor.onMessageIngested(event(new ItemLost("b")));
        clock.add(Duration.ofMillis(10));
        lost.reportFailure(new IllegalStateException("refused"));

        Timer shippedTimer = registry.get("eventProcessor.successTimer")
                                     .tags("processorName", "stock", "payloadType", "ItemShipped").timer();
        assertThat(shippedTimer.count()).isEqualTo(1);
        assertThat(shippedTimer.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(40);
        assertThat(registry.get("eventProcessor.failureTimer").tags("payloadType", "ItemLost").timer()
                           .totalTime(TimeUnit.MILLISECONDS)).isEqualTo(10);
        assertThat(registry.get("eventProcessor.failureTimer").tags("payloadType", "ItemShipped").timer().count())
                .isZero();
        assertThat(registry.get("eventProcessor.allTimer").timers()).extracting(Timer::count).containsOnly(1L);
        assertThat(registry.get("eventProcessor.processedCounter").counters()).extracting(Counter::count)
                                                                             .containsOnly(1.0);
        assertThat(registry.get("eventProcessor.allTimer").timer().takeSnapshot().percentileValues())
                .as("the percentiles Axon publishes").hasSize(6);
    }

    @Test
    void aProcessorsLatencyIsHowOldItsLastEventWasWhenItCame() {
        MessageMonitor<Message<?>> monitor = new MessageMetrics(registry).monitorFor(EventProcessor.class, "stock");
        assertThat(registry.find("eventProcessor.latency").gauge()).as("no gauge before the first event").isNull();

        Instant now = Instant.ofEpochMilli(clock.wallTime());
        monitor.onMessageIngested(event(new ItemShipped("a"), now.minusMillis(250))).reportSuccess();
        Gauge latency = registry.get("eventProcessor.latency").tags("processorName", "stock").gauge();
        assertThat(latency.getId().getTags()).as("the processor's name only").hasSize(1);
        assertThat(latency.value()).isEqualTo(250);

        monitor.onMessageIngested(event(new ItemShipped("b"), now.minusMillis(3))).reportSuccess();
        assertThat(latency.value()).isEqualTo(3);
    }

    @Test
    void capacityIsTheBusyTimeOfTheLastTenMinutesAsAFractionOfThem() {
        MessageMonitor<Message<?>> monitor = new MessageMetrics(registry).monitorFor(CommandBus.class, "commandBus");
        MonitorCallback first = monitor.onMessageIngested(event(new ItemShipped("a")));
        clock.add(Duration.ofSeconds(3));
        first.reportSuccess();
        MonitorCallback second = monitor.onMessageIngested(event(new ItemShipped("b")));
        clock.add(Duration.ofSeconds(3));
        second.reportIgnored();
        Gauge capacity = registry.get("commandBus.capacity").tags("payloadType", "ItemShipped").gauge();
        assertThat(capacity.value()).isCloseTo(6.0 / 600, within(1e-9));

        clock.add(Duration.ofMinutes(10));
        assertThat(capacity.value()).isZero();
    }

    @Test
    void aComponentAskedForTwiceHasOneMonitor() {
        MessageMetrics metrics = new MessageMetrics(registry);
        MessageMonitor<Message<?>> first = metrics.monitorFor(EventProcessor.class, "stock");
        MessageMonitor<Message<?>> again = metrics.monitorFor(EventProcessor.class, "stock");
        MonitorCallback callback = again.onMessageIngested(event(new ItemShipped("a")));
        clock.add(Duration.ofMinutes(1));
        callback.reportSuccess();

        assertThat(again).isSameAs(first);
        assertThat(metrics.monitorFor(EventProcessor.class, "payments")).isNotSameAs(first);
        assertThat(registry.get("eventProcessor.capacity").gauge().value()).isCloseTo(0.1, within(1e-9));
    }

    private static GenericEventMessage<?> event(Object payload) {
        return event(payload, Instant.now());
    }

    private static GenericEventMessage<?> event(Object payload, Instant timestamp) {
        return new GenericEventMessage<>(UUID.randomUUID().toString(), payload, Map.of(), timestamp);
    }

    /**
     * Every meter as its kind, name and tags, with the counts that must agree: a counter's count, a timer's count
     * and number of percentiles. Gauges are compared by name and tags only: Axon's read the system clock.
     */
    private static List<String> describe(MeterRegistry registry) {
        List<String> meters = new ArrayList<>();
        for (Meter meter : registry.getMeters()) {
            Meter.Id id = meter.getId();
            String tags = StreamSupport.stream(id.getTagsAsIterable().spliterator(), false)
                                       .map(tag -> tag.getKey() + "=" + tag.getValue())
                                       .collect(Collectors.joining(",", "{", "}"));
            String figures = "";
            if (meter instanceof Counter counter) {
                figures = "count " + counter.count();
            } else if (meter instanceof Timer timer) {
                figures = "count " + timer.count() + ", percentiles " + timer.takeSnapshot().percentileValues().length;
            }
            meters.add(id.getType() + " " + id.getName() + tags + " " + figures);
        }
        meters.sort(null);
        return meters;
    }
}
