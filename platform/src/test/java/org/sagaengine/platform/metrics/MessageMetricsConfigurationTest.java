package org.sagaengine.platform.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.axonframework.micrometer.MetricsConfigurerModule;
import org.axonframework.springboot.autoconfig.MicrometerMetricsAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The platform's message metrics take the place of Axon's where those would be dimensional, and only there. */
class MessageMetricsConfigurationTest {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MessageMetricsConfiguration.class,
                                                     MicrometerMetricsAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

    @Test
    void replaceAxonsDimensionalMonitors() {
        context.withPropertyValues("axon.metrics.micrometer.dimensional=true")
               .run(started -> assertThat(started).getBean(MetricsConfigurerModule.class)
                                                  .isInstanceOf(MessageMetrics.class));
    }

    @Test
    void leaveAxonsMonitorsWithoutTagsAlone() {
        context.withPropertyValues("axon.metrics.micrometer.dimensional=false")
               .run(started -> assertThat(started).getBean(MetricsConfigurerModule.class)
                                                  .isNotInstanceOf(MessageMetrics.class));
    }

    @Test
    void areOffWhenAxonsMetricsAreSwitchedOff() {
        context.withPropertyValues("axon.metrics.micrometer.dimensional=true",
                                   "axon.metrics.auto-configuration.enabled=false")
               .run(started -> assertThat(started).doesNotHaveBean(MetricsConfigurerModule.class));
    }
}
