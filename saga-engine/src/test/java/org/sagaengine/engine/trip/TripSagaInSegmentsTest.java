package org.sagaengine.engine.trip;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.trip.TripMessages.*;

/**
 * A saga processor runs in segments, each a thread of its own. Each event reaches only the segment that owns its saga's
 * key ({@link SagaSpecification#inSegments} fails an event offered to more segments or to none), and the sagas behave
 * as with one segment: the same commands, whichever segment a trip's key falls in.
 */
class TripSagaInSegmentsTest {

    private static final List<String> TRIPS = IntStream.rangeClosed(1, 16).mapToObj(n -> "t" + n).toList();
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

    private static TripPlanned planned(String trip) {
        return new TripPlanned(trip, "visa-" + trip, 900, List.of("ann", "bob"));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void everyTripIsBookedWithEachEventHandledInOneSegment(int segments) {
        SagaSpecification<TripSaga> trips = SagaSpecification.of(TripSaga.DEFINITION).inSegments(segments);
        for (String trip : TRIPS) {
            trips.when(planned(trip))
                 .expectCommands(new HoldSeat(trip, "ann"), new HoldSeat(trip, "bob"));
            trips.when(new SeatHeld(trip, "ann"), new SeatHeld(trip, "bob"))
                 .expectCommands(new ChargeCard(trip, "visa-" + trip, 900));
            trips.when(new CardCharged(trip))
                 .expectCommands(new IssueTicket(trip, "ann"), new IssueTicket(trip, "bob"));
            trips.when(new TicketIssued(trip, "bob"), new TicketIssued(trip, "ann"))
                 .expectCommands(new MarkBooked(trip));
            trips.when(new TripBooked(trip)).expectEnded(trip, "BOOKED", null);
        }
        trips.expectNoScheduledDeadlines();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void aSagaStartedInOneSegmentIsFoundByItsDeadlinesAndItsCompensation(int segments) {
        SagaSpecification<TripSaga> trips = SagaSpecification.of(TripSaga.DEFINITION).inSegments(segments);
        for (String trip : TRIPS) {
            trips.given(planned(trip), new SeatHeld(trip, "ann"));
        }
        trips.whenTimeElapses(STEP_TIMEOUT);
        for (String trip : TRIPS) {
            trips.expectStep(trip, "COMPENSATING");
            trips.when(new SeatReleased(trip, "ann"), new SeatReleased(trip, "bob"))
                 .expectCommands(new MarkAbandoned(trip, "timeout"));
        }
    }

    /**
     * A saga started outside any segment (a dead letter retried by an operator is handed to the saga type as a whole)
     * has an identifier that need not hash to the segment of its key; the segment that owns the key still finds it.
     */
    @Test
    void aSagaStartedOutsideTheSegmentsIsFoundByTheSegmentOfItsKey() {
        SagaSpecification<TripSaga> trips = SagaSpecification.of(TripSaga.DEFINITION);
        for (String trip : TRIPS) {
            trips.given(planned(trip));
        }
        trips.inSegments(4);
        for (String trip : TRIPS) {
            trips.when(new SeatHeld(trip, "ann"), new SeatHeld(trip, "bob"))
                 .expectCommands(new ChargeCard(trip, "visa-" + trip, 900));
        }
    }

    @Test
    void segmentsComeInPowersOfTwo() {
        SagaSpecification<TripSaga> trips = SagaSpecification.of(TripSaga.DEFINITION);
        assertThatThrownBy(() -> trips.inSegments(3)).isInstanceOf(IllegalArgumentException.class)
                                                     .hasMessageContaining("not 3");
        assertThatThrownBy(() -> trips.inSegments(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
