package org.sagaengine.platform;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.commandhandling.gateway.RetryScheduler;
import org.axonframework.messaging.RemoteHandlingException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * A command gateway that retries what may succeed on a second try (the peer is not up yet, the connection was
 * refused, its database failed mid-commit, two commands raced for one aggregate) with exponential backoff, and never
 * retries a handler's refusal.
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

    /** What a command handler throws to refuse a command: invalid, not allowed in its state, or for no aggregate. */
    private static final List<Class<? extends Throwable>> REFUSALS = List.of(
            IllegalArgumentException.class, IllegalStateException.class, AggregateNotFoundException.class,
            AggregateStreamCreationException.class);

    /**
     * Whether a command failure is the handler's refusal, here or in a peer (where it arrives described, as a
     * {@link RemoteHandlingException}). Anything else (a peer unreachable or slow, a database failing mid-commit, a
     * concurrent update) may go away on a second try. When in doubt a failure counts as transient: retrying a command
     * is safe, since the participants are idempotent, while taking a failed release for a refusal would let the saga
     * believe stock was given back when it was not.
     */
    public static boolean isRefusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RemoteHandlingException remote) {
                List<String> chain = remote.getExceptionDescriptions();
                return !chain.isEmpty() && REFUSALS.stream().anyMatch(
                        refusal -> chain.get(0).startsWith(refusal.getName() + ":")
                                || chain.get(0).equals(refusal.getName()));
            }
            Throwable current = cause;
            if (REFUSALS.stream().anyMatch(refusal -> refusal.isInstance(current))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** Whether a command failure may go away on a second try: anything but a handler's refusal. */
    public static boolean isTransient(Throwable failure) {
        return !isRefusal(failure);
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
