package org.sagaengine.platform;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * Health {@code supervision}: how often the launcher's supervisor has started this service again after it died,
 * which it passes in {@code sagaengine.supervisor.restarts}. A restart count that climbs is a service that keeps
 * dying; its log says why. Like every health detail, it is shown to the admin only.
 */
@AutoConfiguration
public class SupervisionConfiguration {

    @Bean
    HealthIndicator supervisionHealthIndicator(@Value("${sagaengine.supervisor.restarts:0}") int restarts) {
        Health health = Health.up().withDetail("restarts", restarts).build();
        return () -> health;
    }
}
