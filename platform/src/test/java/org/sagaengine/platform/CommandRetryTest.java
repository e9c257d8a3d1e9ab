package org.sagaengine.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.axonframework.commandhandling.CommandExecutionException;
import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandResultMessage;
import org.axonframework.commandhandling.NoHandlerForCommandException;
import org.axonframework.commandhandling.SimpleCommandBus;
import org.axonframework.commandhandling.distributed.CommandDispatchException;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.axonframework.eventsourcing.IncompatibleAggregateException;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.extensions.springcloud.commandhandling.SpringHttpReplyMessage;
import org.axonframework.messaging.RemoteExceptionDescription;
import org.axonframework.messaging.RemoteHandlingException;
import org.axonframework.messaging.RemoteNonTransientHandlingException;
import org.axonframework.modelling.command.AggregateNotFoundException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.Serializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.client.ResourceAccessException;

/** Transient failures are retried with growing waits up to a bound; a handler's refusal is never retried. */
class CommandRetryTest {

    final CommandGatewayConfiguration configuration = new CommandGatewayConfiguration();
    final ScheduledExecutorService retries = configuration.commandRetryExecutor();
    final SimpleCommandBus bus = SimpleCommandBus.builder().build();
    final CommandGateway gateway = configuration.commandGateway(
            bus, configuration.commandRetryScheduler(new CommandGatewayConfiguration.RetryProperties(3, 20L), retries));
    final List<Long> attempts = new ArrayList<>();

    @AfterEach
    void stop() {
        retries.shutdownNow();
    }

    @Test
    void classifiesWhatMaySucceedOnASecondTryAsTransient() {
        assertThat(CommandGatewayConfiguration.isTransient(new ResourceAccessException("refused",
                                                                                      new ConnectException()))).isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(new ResourceAccessException("timed out",
                                                                                      new SocketTimeoutException())))
                .isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(new CommandDispatchException("peer down"))).isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(new NoHandlerForCommandException("no route yet"))).isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(new ConcurrencyException("raced"))).isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(new TransactionSystemException("JDBC commit failed")))
                .isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(remote(
                "org.springframework.transaction.TransactionSystemException: JDBC commit failed"))).isTrue();
    }

    @Test
    void classifiesAHandlersRefusalHereOrInAPeerAsARefusal() {
        assertThat(CommandGatewayConfiguration.isRefusal(new IllegalStateException("already confirmed"))).isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(new IllegalArgumentException("negative"))).isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(new AggregateNotFoundException("p", "no such product")))
                .isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(remote("java.lang.IllegalStateException: already confirmed",
                                                                "java.lang.RuntimeException: wrapped"))).isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(remote(
                "org.axonframework.modelling.command.AggregateNotFoundException: The aggregate was not found")))
                .isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(new CommandExecutionException(
                "An exception was thrown by the remote message handling component",
                remote("java.lang.IllegalArgumentException: negative")))).isTrue();
    }

    @Test
    void classifiesWhatAPeerRefusedAsItArrivesOverTheWireAsARefusal() {
        Throwable unknownProduct = overTheWire(new AggregateNotFoundException("nope", "unknown product: nope"));
        assertThat(unknownProduct).hasCauseInstanceOf(RemoteNonTransientHandlingException.class);
        assertThat(CommandGatewayConfiguration.isRefusal(unknownProduct)).isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(overTheWire(new IllegalStateException("committed"))))
                .isTrue();
        assertThat(CommandGatewayConfiguration.isTransient(overTheWire(
                new TransactionSystemException("JDBC commit failed")))).isTrue();
    }

    @Test
    void aPeerWhoseEventStoreCouldNotWriteFailedTransientlyThoughTheFrameworkCallsItFinal() {
        Throwable notStored = overTheWire(new EventStoreException("An event for aggregate [espresso] could not be stored",
                                                                  new SQLException("connection lost")));
        assertThat(notStored).hasCauseInstanceOf(RemoteNonTransientHandlingException.class);
        assertThat(CommandGatewayConfiguration.isTransient(notStored)).isTrue();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(notStored)).isFalse();
    }

    @Test
    void tellsAnUnknownTargetFromOtherRefusals() {
        assertThat(CommandGatewayConfiguration.isUnknownTarget(overTheWire(
                new AggregateNotFoundException("nope", "The aggregate was not found in the event store")))).isTrue();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(overTheWire(
                new IncompatibleAggregateException("Aggregate identifier must be non-null")))).isTrue();
        assertThat(CommandGatewayConfiguration.isRefusal(overTheWire(
                new IncompatibleAggregateException("Aggregate identifier must be non-null")))).isTrue();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(overTheWire(new IllegalStateException("committed"))))
                .isFalse();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(new CommandDispatchException("peer down"))).isFalse();
    }

    @Test
    void putsAFailureInWordsWithoutClassNames() {
        assertThat(CommandGatewayConfiguration.reason(overTheWire(new IllegalStateException(
                "Order o-1 has committed its stock of espresso; it cannot be released."))))
                .isEqualTo("Order o-1 has committed its stock of espresso; it cannot be released.");
        assertThat(CommandGatewayConfiguration.reason(overTheWire(
                new AggregateNotFoundException("nope", "The aggregate was not found in the event store"))))
                .isEqualTo("The aggregate was not found in the event store");
        assertThat(CommandGatewayConfiguration.reason(new IllegalArgumentException("negative\nsecond line")))
                .isEqualTo("negative");
        assertThat(CommandGatewayConfiguration.reason(new CommandDispatchException("java.net.ConnectException: x")))
                .isEqualTo("the service could not be reached or did not answer in time");
    }

    /** Axon Server carries an exception's messages, not its type: the refusal travels as the failure's details. */
    @Test
    void readsARefusalFromTheDetailsItTravelsInOnAxonServer() {
        CommandExecutionException unknown = new CommandExecutionException(
                "unknown product: nope", null, new CommandRefusal(CommandRefusal.Kind.UNKNOWN_TARGET,
                                                                   "unknown product: nope"));
        assertThat(CommandGatewayConfiguration.isRefusal(unknown)).isTrue();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(unknown)).isTrue();
        assertThat(CommandGatewayConfiguration.reason(unknown)).isEqualTo("unknown product: nope");
        CommandExecutionException conflict = new CommandExecutionException(
                "committed", null, new CommandRefusal(CommandRefusal.Kind.CONFLICT, "committed"));
        assertThat(CommandGatewayConfiguration.isRefusal(conflict)).isTrue();
        assertThat(CommandGatewayConfiguration.isUnknownTarget(conflict)).isFalse();
        CommandExecutionException undescribed = new CommandExecutionException(
                "An event for aggregate [espresso] could not be stored", null);
        assertThat(CommandGatewayConfiguration.isTransient(undescribed)).as("a failure without a refusal").isTrue();
    }

    @Test
    void neverRetriesWhatAPeerRefused() {
        failEveryTimeWith((RuntimeException) overTheWire(new AggregateNotFoundException("nope", "unknown product")));
        assertThat(outcomeOf(gateway.send("release"))).hasCauseInstanceOf(RemoteNonTransientHandlingException.class);
        assertThat(attempts).hasSize(1);
    }

    private static RemoteHandlingException remote(String... chain) {
        return new RemoteHandlingException(new RemoteExceptionDescription(List.of(chain)));
    }

    /** The failure as the sender sees it after the peer's reply crossed the wire: Axon's own conversion. */
    private static Throwable overTheWire(Throwable failure) {
        Serializer serializer = new SerializationConfiguration().serializer();
        SpringHttpReplyMessage<Object> reply = new SpringHttpReplyMessage<>(
                "command-1", GenericCommandResultMessage.asCommandResultMessage(failure), serializer);
        return reply.getCommandResultMessage(serializer).exceptionResult();
    }

    @Test
    void retriesATransientFailureWithGrowingWaitsAndThenGivesUp() {
        failEveryTimeWith(new CommandDispatchException("peer down"));
        assertThat(outcomeOf(gateway.send("charge"))).isInstanceOf(CommandDispatchException.class);
        assertThat(attempts).as("the first try and three retries").hasSize(4);
        for (int retry = 1; retry < attempts.size(); retry++) {
            long waited = TimeUnit.NANOSECONDS.toMillis(attempts.get(retry) - attempts.get(retry - 1));
            assertThat(waited).as("wait before retry %d", retry).isGreaterThanOrEqualTo(20L << (retry - 1));
        }
    }

    @Test
    void neverRetriesARefusal() {
        failEveryTimeWith(new IllegalStateException("insufficient funds"));
        assertThat(outcomeOf(gateway.send("charge"))).isInstanceOf(IllegalStateException.class);
        assertThat(attempts).hasSize(1);
    }

    private void failEveryTimeWith(RuntimeException failure) {
        bus.subscribe(String.class.getName(), (CommandMessage<?> command) -> {
            attempts.add(System.nanoTime());
            throw failure;
        });
    }

    private static Throwable outcomeOf(CompletableFuture<?> result) {
        try {
            result.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
