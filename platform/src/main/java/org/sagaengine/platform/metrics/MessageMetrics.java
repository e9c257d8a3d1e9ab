package org.sagaengine.platform.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.commandhandling.CommandBus;
import org.axonframework.config.Configurer;
import org.axonframework.eventhandling.EventBus;
import org.axonframework.eventhandling.EventProcessor;
import org.axonframework.messaging.Message;
import org.axonframework.micrometer.GlobalMetricRegistry;
import org.axonframework.micrometer.MetricsConfigurerModule;
import org.axonframework.monitoring.MessageMonitor;
import org.axonframework.monitoring.NoOpMessageMonitor;
import org.axonframework.queryhandling.QueryBus;
import org.axonframework.queryhandling.QueryUpdateEmitter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every Axon component the message monitors of {@link MessageMeters}: the metrics of Axon's dimensional
 * Micrometer monitors (the same names, tags and percentiles), at a fraction of their cost per message. It takes the
 * place of Axon's own {@link MetricsConfigurerModule}, which is why it is one.
 * <p>
 * Each component gets one monitor, however often the configuration asks for it, so that a gauge registered by the
 * first request is the one that the component's messages update.
 */
public class MessageMetrics extends MetricsConfigurerModule {

    private static final Logger log = LoggerFactory.getLogger(MessageMetrics.class);

    private final MeterRegistry registry;
    private final Map<String, MessageMonitor<Message<?>>> monitors = new ConcurrentHashMap<>();

    public MessageMetrics(MeterRegistry registry) {
        super(new GlobalMetricRegistry(registry), true);
        this.registry = registry;
    }

    @Override
    public void configureModule(Configurer configurer) {
        configurer.configureMessageMonitor(configuration -> this::monitorFor);
    }

    /** The monitor of the component of this type and name. */
    MessageMonitor<Message<?>> monitorFor(Class<?> componentType, String componentName) {
        if (EventProcessor.class.isAssignableFrom(componentType)) {
            return monitors.computeIfAbsent("processor " + componentName,
                                            key -> MessageMeters.eventProcessor(registry, componentName));
        }
        if (CommandBus.class.isAssignableFrom(componentType) || QueryBus.class.isAssignableFrom(componentType)
            || QueryUpdateEmitter.class.isAssignableFrom(componentType)) {
            return monitors.computeIfAbsent("handlers " + componentName,
                                            key -> MessageMeters.handlers(registry, componentName));
        }
        if (EventBus.class.isAssignableFrom(componentType)) {
            return monitors.computeIfAbsent("events " + componentName,
                                            key -> MessageMeters.eventBus(registry, componentName));
        }
        log.warn("No metrics for component {} of type {}", componentName, componentType.getSimpleName());
        return NoOpMessageMonitor.instance();
    }
}
