package org.sagaengine.platform.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import org.axonframework.micrometer.MetricsConfigurerModule;
import org.axonframework.springboot.autoconfig.MicrometerMetricsAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Axon's message metrics through {@link MessageMetrics}, in place of Axon's own monitors. It applies where those would
 * be dimensional (tagged with the payload type and the processor), which is the platform's default; with
 * {@code axon.metrics.micrometer.dimensional=false} Axon's monitors and their names without tags are back.
 */
@AutoConfiguration(after = CompositeMeterRegistryAutoConfiguration.class,
                   before = MicrometerMetricsAutoConfiguration.class)
@ConditionalOnProperty(name = "axon.metrics.micrometer.dimensional", havingValue = "true")
@ConditionalOnProperty(name = "axon.metrics.auto-configuration.enabled", matchIfMissing = true)
public class MessageMetricsConfiguration {

    @Bean
    MetricsConfigurerModule messageMetrics(MeterRegistry registry) {
        return new MessageMetrics(registry);
    }
}
