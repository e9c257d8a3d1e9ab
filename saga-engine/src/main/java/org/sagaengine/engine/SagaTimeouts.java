package org.sagaengine.engine;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How long sagas wait, configured under {@code sagaengine.saga}.
 *
 * @param stepTimeout   how long a step up to the pivot may take before the saga compensates and fails with reason
 *                      {@code timeout}
 * @param retryInterval how often what can no longer be refused (steps after the pivot, compensations, the terminal
 *                      steps) is sent again while its replies are missing
 * @param stuckAfter    how long a saga may stay in one step, resending, before it shows as stuck
 */
@ConfigurationProperties("sagaengine.saga")
public record SagaTimeouts(Duration stepTimeout, Duration retryInterval, Duration stuckAfter) {

    public SagaTimeouts {
        stepTimeout = stepTimeout == null ? Duration.ofSeconds(30) : stepTimeout;
        retryInterval = retryInterval == null ? Duration.ofSeconds(10) : retryInterval;
        stuckAfter = stuckAfter == null ? Duration.ofMinutes(2) : stuckAfter;
    }
}
