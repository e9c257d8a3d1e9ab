package org.sagaengine.order.saga;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long the saga waits, configured under {@code sagaengine.saga}.
 *
 * @param stepTimeout  how long reserving stock, and then charging the payment, may take before the order is
 *                     compensated and rejected with reason {@code timeout}
 * @param retryInterval how often a step that can no longer be refused (committing, compensating, confirming) is
 *                     sent again while its replies are missing
 * @param stuckAfter    how long a saga may stay in one step, resending, before it shows as stuck on the dashboard
 *                     and in the {@code sagaengine_sagas_stuck} metric
 */
@ConfigurationProperties("sagaengine.saga")
public record SagaTimeouts(Duration stepTimeout, Duration retryInterval, Duration stuckAfter) {

    public SagaTimeouts {
        stepTimeout = stepTimeout == null ? Duration.ofSeconds(30) : stepTimeout;
        retryInterval = retryInterval == null ? Duration.ofSeconds(10) : retryInterval;
        stuckAfter = stuckAfter == null ? Duration.ofMinutes(2) : stuckAfter;
    }
}
