package org.sagaengine.engine.trip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sagaengine.engine.SagaSpecification.refusal;
import static org.sagaengine.engine.SagaSpecification.unreachable;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.Step;
import org.sagaengine.engine.trip.TripMessages.*;

/**
 * A pivot that cannot be undone once sent, a non-refundable charge here: the engine waits for its participant's
 * answer, resending it, and compensates the steps before it only when the answer is a refusal.
 */
class SettledByReplyPivotTest {

    private static final String TRIP = "t1";
    private static final TripPlanned PLANNED = new TripPlanned(TRIP, "visa-1", 900, List.of("ann", "bob"));
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(10);

    static final SagaDefinition<TripSaga> NON_REFUNDABLE = nonRefundable(null);

    private final SagaSpecification<TripSaga> trip = SagaSpecification.of(NON_REFUNDABLE);

    private static SagaDefinition<TripSaga> nonRefundable(String pivotDeadline) {
        Step<TripSaga, TripSaga> charge = Step.<TripSaga>once("CHARGING_CARD", saga -> saga.card)
                                              .send(saga -> new ChargeCard(saga.tripId, saga.card, saga.amount))
                                              .doneOn(CardCharged.class)
                                              .refusedOn(CardDeclined.class, declined -> "card declined: " + declined.why());
        if (pivotDeadline != null) {
            charge.deadline(pivotDeadline);
        }
        return SagaDefinition.of("trip", TripSaga.class, TripSaga::new)
                             .associatedBy("tripId")
                             .startedBy(TripPlanned.class, TripSaga::planned)
                             .step(Step.<TripSaga, String>forEach("HOLDING_SEATS", saga -> saga.travellers, t -> t)
                                       .send((saga, traveller) -> new HoldSeat(saga.tripId, traveller))
                                       .doneOn(SeatHeld.class, SeatHeld::traveller)
                                       .compensateWith((saga, traveller) -> new ReleaseSeat(saga.tripId, traveller))
                                       .compensatedOn(SeatReleased.class, SeatReleased::traveller)
                                       .deadline("seat-deadline"))
                             .pivot(charge)
                             .step(Step.<TripSaga, String>forEach("ISSUING_TICKETS", saga -> saga.travellers, t -> t)
                                       .send((saga, traveller) -> new IssueTicket(saga.tripId, traveller))
                                       .doneOn(TicketIssued.class, TicketIssued::traveller))
                             .cancelledBy(TripCancelled.class, "cancelled")
                             .succeedWith(Step.<TripSaga>once("BOOKING_TRIP", saga -> saga.tripId)
                                              .send(saga -> new MarkBooked(saga.tripId))
                                              .doneOn(TripBooked.class), "BOOKED")
                             .failWith(Step.<TripSaga>once("ABANDONING_TRIP", saga -> saga.tripId)
                                           .send(saga -> new MarkAbandoned(saga.tripId, saga.failureReason()))
                                           .doneOn(TripAbandoned.class), "ABANDONED")
                             .build();
    }

    private SagaSpecification<TripSaga> atThePivot() {
        return trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"));
    }

    @Test
    void thePivotHasNoStepDeadlineAndIsSentAgainUntilAnswered() {
        atThePivot().expectStep(TRIP, "CHARGING_CARD")
                    .expectNoScheduledDeadline("seat-deadline")
                    .expectScheduledDeadline("forward-retry");
        trip.whenTimeElapses(RETRY)
            .expectCommands(new ChargeCard(TRIP, "visa-1", 900))
            .expectStep(TRIP, "CHARGING_CARD");
        trip.whenTimeElapses(STEP_TIMEOUT.multipliedBy(2)).expectStep(TRIP, "CHARGING_CARD");
        trip.when(new CardCharged(TRIP))
            .expectCommands(new IssueTicket(TRIP, "ann"), new IssueTicket(TRIP, "bob"))
            .expectStep(TRIP, "ISSUING_TICKETS");
    }

    @Test
    void aFailedSendIsSentAgainInsteadOfCompensated() {
        atThePivot().whenFails(ChargeCard.class, unreachable())
                    .expectNoCommands()
                    .expectStep(TRIP, "CHARGING_CARD");
        trip.whenTimeElapses(RETRY).expectCommands(new ChargeCard(TRIP, "visa-1", 900));
    }

    @Test
    void aCancellationOrAnOperatorAtThePivotIsTooLate() {
        atThePivot().when(new TripCancelled(TRIP), new SagaEndRequested("trip", TRIP, "ops"))
                    .expectNoCommands()
                    .expectStep(TRIP, "CHARGING_CARD");
        trip.when(new CardCharged(TRIP)).expectCommands(new IssueTicket(TRIP, "ann"), new IssueTicket(TRIP, "bob"));
        assertThat(NON_REFUNDABLE.onlyGoesForwardAt("CHARGING_CARD")).isTrue();
        assertThat(NON_REFUNDABLE.onlyGoesForwardAt("HOLDING_SEATS")).isFalse();
        assertThat(TripSaga.DEFINITION.onlyGoesForwardAt("CHARGING_CARD")).isFalse();
    }

    @Test
    void aRefusalCompensatesTheStepsBeforeIt() {
        atThePivot().when(new CardDeclined(TRIP, "stolen"))
                    .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
                    .expectNoScheduledDeadline("forward-retry")
                    .expectScheduledDeadline("compensation-retry");
        trip.when(new SeatReleased(TRIP, "ann"), new SeatReleased(TRIP, "bob"))
            .expectCommands(new MarkAbandoned(TRIP, "card declined: stolen"));
    }

    @Test
    void aCommandRefusedByTheParticipantCompensatesToo() {
        atThePivot().whenFails(ChargeCard.class, refusal("card unknown"))
                    .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
                    .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aLateRefusalOfAnEarlierStepsCommandDoesNotCompensateWhileThePivotIsOpen() {
        atThePivot().whenFails(HoldSeat.class, refusal("duplicate"))
                    .expectNoCommands()
                    .expectStep(TRIP, "CHARGING_CARD");
    }

    @Test
    void stepsBeforeThePivotStillTimeOutAndCompensate() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .whenTimeElapses(STEP_TIMEOUT)
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aPivotWithoutCompensationCannotHaveADeadline() {
        assertThatThrownBy(() -> nonRefundable("card-deadline"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CHARGING_CARD has no compensation");
    }
}
