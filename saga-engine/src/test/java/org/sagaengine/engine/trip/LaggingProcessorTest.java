package org.sagaengine.engine.trip;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.trip.TripMessages.*;

/**
 * A deadline acts on what the saga knows. When it falls due while the saga's processor has not read every stored event
 * (a busy system, a processor behind), it waits for the processor to read them, since the reply it would time out or
 * resend for may be among them. A lagging processor then never makes its sagas compensate or send again, and the
 * deadlines that wait look at it less and less often.
 */
class LaggingProcessorTest {

    private static final String TRIP = "t1";
    private static final TripPlanned PLANNED = new TripPlanned(TRIP, "visa-1", 900, List.of("ann", "bob"));
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(10);
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private final SagaSpecification<TripSaga> trip = SagaSpecification.of(TripSaga.DEFINITION);

    @Test
    void aStepDeadlineWaitsForTheUnreadReplyInsteadOfCompensating() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .whenProcessorFallsBehind()
            .whenTimeElapses(STEP_TIMEOUT.plus(RECHECK.multipliedBy(5)))
            .expectNoCommands()
            .expectStep(TRIP, "HOLDING_SEATS");
        trip.whenProcessorCatchesUp(new SeatHeld(TRIP, "bob"))
            .expectCommands(new ChargeCard(TRIP, "visa-1", 900))
            .expectStep(TRIP, "CHARGING_CARD");
        trip.whenTimeElapses(RECHECK.multipliedBy(5))
            .expectNoCommands()
            .expectStep(TRIP, "CHARGING_CARD");
    }

    @Test
    void aStepDeadlineStillCompensatesOnceEverythingIsReadAndTheReplyIsNotThere() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .whenProcessorFallsBehind()
            .whenTimeElapses(STEP_TIMEOUT)
            .expectNoCommands();
        trip.whenProcessorCatchesUp()
            .whenTimeElapses(RECHECK)
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aDeadlineThatWaitsLooksAgainLessAndLessOftenWhileTheProcessorStaysBehind() {
        List<Duration> waits = Stream.of(1, 2, 4, 8, 8, 8).map(Duration::ofSeconds).toList();
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .whenProcessorFallsBehind()
            .whenTimeElapses(STEP_TIMEOUT)
            .expectScheduledDeadline("seat-deadline", waits.get(0));
        for (int i = 1; i < waits.size(); i++) {
            trip.whenTimeElapses(waits.get(i - 1))
                .expectNoCommands()
                .expectScheduledDeadline("seat-deadline", waits.get(i));
        }
        trip.whenProcessorCatchesUp()
            .whenTimeElapses(RECHECK.multipliedBy(8))
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aRetryIsNotSentWhileItsReplyMayBeUnread() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"), new CardCharged(TRIP),
                   new TicketIssued(TRIP, "ann"))
            .whenProcessorFallsBehind()
            .whenTimeElapses(RETRY.plus(RECHECK.multipliedBy(3)))
            .expectNoCommands();
        trip.whenProcessorCatchesUp(new TicketIssued(TRIP, "bob"))
            .expectCommands(new MarkBooked(TRIP))
            .expectStep(TRIP, "BOOKING_TRIP");
    }

    @Test
    void aRetryIsSentOnceEverythingIsReadAndTheReplyIsStillMissing() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"), new CardCharged(TRIP),
                   new TicketIssued(TRIP, "ann"))
            .whenProcessorFallsBehind()
            .whenTimeElapses(RETRY)
            .expectNoCommands();
        trip.whenProcessorCatchesUp()
            .whenTimeElapses(RECHECK)
            .expectCommands(new IssueTicket(TRIP, "bob"));
    }
}
