package org.sagaengine.platform;

import java.net.ConnectException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.commandhandling.gateway.RetryScheduler;
import org.axonframework.common.lock.LockAcquisitionFailedException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.ResourceAccessException;

/**
 * A command gateway that retries what may succeed on a second try (the peer is not up yet, the connection was
 * refused, two commands raced for one aggregate) with exponential backoff, and never retries a handler's refusal.
 */
@AutoConfiguration(beforeName = "org.axonframework.springboot.autoconfig.AxonAutoConfiguration")
@EnableConfigurationProperties(CommandGatewayConfiguration.RetryProperties.class)
public class CommandGatewayConfiguration {

    /**
     * @param maxRetries    how many times a transient failure is retried before the caller sees it
     * @param backoffMillis the first wait; each retry waits twice as long as the one before
     */
    @ConfigurationProperties("sagaengine.commands.retry")
    public record RetryProperties(Integer maxRetries, Long backoffMillis) {
        public RetryProperties {
            maxRetries = maxRetries == null ? 6 : maxRetries;
            backoffMillis = backoffMillis == null ? 100L : backoffMillis;
        }
    }

    /** Whether a command failure may go away on a second try, as opposed to a handler's refusal. */
    public static boolean isTransient(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof NoHandlerForCommandException
                    || cause instanceof CommandDispatchException
                    || cause instanceof ResourceAccessException
                    || cause instanceof ConnectException
                    || cause instanceof ConcurrencyException
                    || cause instanceof LockAcquisitionFailedException) {
                return true;
            }
        }
        return false;
    }

    @Bean(destroyMethod = "shutdownNow")
    ScheduledExecutorService commandRetryExecutor() {
        return PlatformThreads.singleDaemonScheduler("command-retry");
    }

    @Bean
    RetryScheduler commandRetryScheduler(RetryProperties properties, ScheduledExecutorService commandRetryExecutor) {
        Predicate<Throwable> nonTransient = failure -> !isTransient(failure);
        return ExponentialBackOffIntervalRetryScheduler.builder()
                                                       .retryExecutor(commandRetryExecutor)
                                                       .maxRetryCount(properties.maxRetries())
                                                       .backoffFactor(properties.backoffMillis())
                                                       .nonTransientFailurePredicate(nonTransient)
                                                       .build();
    }

    @Bean
    CommandGateway commandGateway(CommandBus commandBus, RetryScheduler commandRetryScheduler) {
        return DefaultCommandGateway.builder()
                                    .commandBus(commandBus)
                                    .retryScheduler(commandRetryScheduler)
                                    .build();
    }
}
