package org.sagaengine.platform;

import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.axonframework.commandhandling.CommandBus;
import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.commandhandling.gateway.DefaultCommandGateway;
import org.axonframework.commandhandling.gateway.ExponentialBackOffIntervalRetryScheduler;
import org.axonframework.commandhandling.gateway.RetryScheduler;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.messaging.RemoteHandlingException;
import org.axonframework.messaging.RemoteNonTransientHandlingException;
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

    /**
     * What a command handler throws to refuse a command: invalid, not allowed in its state, or for no aggregate. An id
     * of another kind of aggregate (ids share one namespace) is refused by the framework as incompatible.
     */
    private static final List<Class<? extends Throwable>> REFUSALS = List.of(
            IllegalArgumentException.class, IllegalStateException.class, AggregateNotFoundException.class,
            IncompatibleAggregateException.class, AggregateStreamCreationException.class);

    /** The refusals that mean the command names nothing of its kind. */
    private static final List<Class<? extends Throwable>> UNKNOWN_TARGETS = List.of(
            AggregateNotFoundException.class, IncompatibleAggregateException.class);

    private static final Pattern CLASS_NAME = Pattern.compile("^(?:[A-Za-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?::\\s*|$)");

    /**
     * Whether a command failure is the handler's refusal, here or in a peer. A peer's failure arrives described, as a
     * {@link RemoteHandlingException} or, when the peer's framework deemed it final, a
     * {@link RemoteNonTransientHandlingException}; either way the first description names the exception, and that
     * decides. The framework's own "final" is not enough: it says so of an event store that could not write (a
     * database failing mid-commit), which a second try may well get past. Anything else (a peer unreachable or slow, a
     * database failing, a concurrent update) may go away on a second try. When in doubt a failure counts as transient:
     * retrying a command is safe, since the participants are idempotent, while taking a failed release for a refusal
     * would let the saga believe stock was given back when it was not.
     */
    public static boolean isRefusal(Throwable failure) {
        return refusal(failure) != null || isOneOf(failure, REFUSALS);
    }

    /** Whether the failure says the command's target does not exist, or is an aggregate of another kind. */
    public static boolean isUnknownTarget(Throwable failure) {
        CommandRefusal described = refusal(failure);
        if (described != null) {
            return described.kind() == CommandRefusal.Kind.UNKNOWN_TARGET;
        }
        return isOneOf(failure, UNKNOWN_TARGETS);
    }

    /**
     * Whether the failure is one of these exceptions: here, anywhere in its chain of causes, or in a peer, where the
     * first description of the remote exception names it.
     */
    private static boolean isOneOf(Throwable failure, List<Class<? extends Throwable>> types) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            List<String> remote = remoteDescriptions(cause);
            if (remote != null) {
                return !remote.isEmpty() && types.stream().anyMatch(
                        type -> remote.get(0).startsWith(type.getName() + ":") || remote.get(0).equals(type.getName()));
            }
            Throwable current = cause;
            if (types.stream().anyMatch(type -> type.isInstance(current))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /**
     * The failure in words a person can act on, with no class names: the refusal's own message (here or in the peer
     * that refused), or that the peer could not be reached. The exception itself belongs in the log.
     */
    public static String reason(Throwable failure) {
        CommandRefusal described = refusal(failure);
        if (described != null) {
            return firstLine(described.reason());
        }
        if (isRefusal(failure)) {
            for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
                List<String> remote = remoteDescriptions(cause);
                if (remote != null && !remote.isEmpty()) {
                    return firstLine(CLASS_NAME.matcher(remote.get(0)).replaceFirst(""));
                }
                Throwable current = cause;
                if (REFUSALS.stream().anyMatch(refusal -> refusal.isInstance(current))) {
                    return firstLine(String.valueOf(current.getMessage()));
                }
                if (cause.getCause() == cause) {
                    break;
                }
            }
        }
        return "the service could not be reached or did not answer in time";
    }

    /** The refusal a peer described in its failure's details (the distributed topology's way), or null. */
    public static CommandRefusal refusal(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CommandExecutionException execution
                    && execution.getDetails().orElse(null) instanceof CommandRefusal refusal) {
                return refusal;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return null;
    }

    private static List<String> remoteDescriptions(Throwable cause) {
        if (cause instanceof RemoteHandlingException remote) {
            return remote.getExceptionDescriptions();
        }
        if (cause instanceof RemoteNonTransientHandlingException remote) {
            return remote.getExceptionDescriptions();
        }
        return null;
    }

    private static String firstLine(String message) {
        String line = message.lines().findFirst().orElse("").strip();
        return line.length() <= 200 ? line : line.substring(0, 197) + "...";
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
