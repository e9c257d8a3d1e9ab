package org.sagaengine.engine.trip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.sagaengine.engine.SagaSpecification.refusal;
import static org.sagaengine.engine.SagaSpecification.unknownTarget;
import static org.sagaengine.engine.SagaSpecification.unreachable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.sagaengine.engine.SagaEndRequested;
import org.sagaengine.engine.SagaSpecification;
import org.sagaengine.engine.trip.TripMessages.*;

/**
 * The engine's rules, specified on a made-up saga the engine knows nothing special about: three steps, the first sent
 * per traveller in parallel, the second the pivot.
 */
class TripSagaTest {

    private static final String TRIP = "t1";
    private static final TripPlanned PLANNED = new TripPlanned(TRIP, "visa-1", 900, List.of("ann", "bob"));
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(10);

    private final SagaSpecification<TripSaga> trip = SagaSpecification.of(TripSaga.DEFINITION);

    // ---- forward ----

    @Test
    void holdsEverySeatAtOnceThenChargesThenIssuesTicketsThenBooks() {
        trip.when(PLANNED)
            .expectCommands(new HoldSeat(TRIP, "ann"), new HoldSeat(TRIP, "bob"))
            .expectScheduledDeadline("seat-deadline")
            .expectStep(TRIP, "HOLDING_SEATS");
        trip.when(new SeatHeld(TRIP, "ann")).expectNoCommands();
        trip.when(new SeatHeld(TRIP, "bob"))
            .expectCommands(new ChargeCard(TRIP, "visa-1", 900))
            .expectNoScheduledDeadline("seat-deadline")
            .expectScheduledDeadline("card-deadline");
        trip.when(new CardCharged(TRIP))
            .expectCommands(new IssueTicket(TRIP, "ann"), new IssueTicket(TRIP, "bob"))
            .expectNoScheduledDeadline("card-deadline")
            .expectScheduledDeadline("forward-retry");
        trip.when(new TicketIssued(TRIP, "bob"), new TicketIssued(TRIP, "ann"))
            .expectCommands(new MarkBooked(TRIP))
            .expectStep(TRIP, "BOOKING_TRIP");
        trip.when(new TripBooked(TRIP))
            .expectNoCommands()
            .expectEnded(TRIP, "BOOKED", null)
            .expectNoScheduledDeadlines();
    }

    @Test
    void theTimelineRecordsStepsCommandsRepliesAndCompensations() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .when(new SeatRefused(TRIP, "bob", "full"));
        assertThat(trip.timeline(TRIP)).extracting(SagaSpecification.Noted::name)
                                      .containsExactly("TripPlanned", "HOLDING_SEATS", "HoldSeat", "HoldSeat",
                                                       "SeatHeld", "SeatRefused", "COMPENSATING", "ReleaseSeat");
        assertThat(trip.timeline(TRIP).get(5).detail()).isEqualTo("bob: no seat for bob: full");
    }

    // ---- a refusal at each step ----

    @Test
    void aRefusedSeatReleasesTheSeatsAskedForAndNotRefusedThenAbandons() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .when(new SeatRefused(TRIP, "bob", "full"))
            .expectCommands(new ReleaseSeat(TRIP, "ann"))
            .expectNoScheduledDeadline("seat-deadline")
            .expectScheduledDeadline("compensation-retry")
            .expectStep(TRIP, "COMPENSATING");
        trip.when(new SeatReleased(TRIP, "ann"))
            .expectCommands(new MarkAbandoned(TRIP, "no seat for bob: full"));
        trip.when(new TripAbandoned(TRIP, "no seat for bob: full"))
            .expectEnded(TRIP, "ABANDONED", "no seat for bob: full")
            .expectNoScheduledDeadlines();
    }

    @Test
    void aSeatRefusedBeforeAnyOtherAnswerStillReleasesTheSeatsAskedFor() {
        trip.given(PLANNED)
            .when(new SeatRefused(TRIP, "ann", "full"))
            .expectCommands(new ReleaseSeat(TRIP, "bob"));
    }

    @Test
    void aDeclinedCardReleasesEverySeatAndRefundsNothing() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"))
            .when(new CardDeclined(TRIP, "expired"))
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"));
        trip.when(new SeatReleased(TRIP, "bob"), new SeatReleased(TRIP, "ann"))
            .expectCommands(new MarkAbandoned(TRIP, "card declined: expired"));
    }

    @Test
    void aRefusedTicketAfterThePivotIsNotCompensatedButSentAgain() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"), new CardCharged(TRIP),
                   new TicketIssued(TRIP, "ann"))
            .whenFails(IssueTicket.class, refusal("printer jammed"))
            .expectNoCommands()
            .expectStep(TRIP, "ISSUING_TICKETS");
        trip.whenTimeElapses(RETRY)
            .expectCommands(new IssueTicket(TRIP, "bob"));
    }

    @Test
    void aRefusedFailureStepEndsTheSagaWithTheRefusalInItsDetail() {
        trip.given(PLANNED, new SeatRefused(TRIP, "ann", "full"), new SeatReleased(TRIP, "bob"))
            .whenFails(MarkAbandoned.class, refusal("no such trip"))
            .expectEnded(TRIP, "ABANDONED", "no seat for ann: full (it could not be recorded: no such trip)")
            .expectNoScheduledDeadlines();
    }

    @Test
    void aRefusedCompensationCountsAsDone() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .when(new SeatRefused(TRIP, "bob", "full"));
        trip.whenFails(ReleaseSeat.class, refusal("nothing held"))
            .expectCommands(new MarkAbandoned(TRIP, "no seat for bob: full"));
    }

    // ---- failures of commands ----

    @Test
    void aCommandThatCouldNotBeDeliveredBeforeThePivotCompensates() {
        trip.given(PLANNED)
            .whenFails(HoldSeat.class, unreachable())
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
        trip.whenTimeElapses(RETRY).expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"));
    }

    @Test
    void anUnknownTargetIsNamedInTheReason() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"))
            .whenFails(ChargeCard.class, unknownTarget())
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"));
        trip.when(new SeatReleased(TRIP, "ann"), new SeatReleased(TRIP, "bob"))
            .expectCommands(new MarkAbandoned(TRIP, "unknown card: visa-1"));
    }

    @Test
    void aTransientFailureOfACompensationIsSentAgainUntilAcknowledged() {
        trip.given(PLANNED, new SeatRefused(TRIP, "ann", "full"))
            .whenFails(ReleaseSeat.class, unreachable())
            .expectNoCommands()
            .expectStep(TRIP, "COMPENSATING");
        trip.whenTimeElapses(RETRY).expectCommands(new ReleaseSeat(TRIP, "bob"));
        trip.when(new SeatReleased(TRIP, "bob")).expectCommands(new MarkAbandoned(TRIP, "no seat for ann: full"));
    }

    // ---- deadlines ----

    @Test
    void aStepDeadlineCompensatesEveryItemAskedForAnsweredOrNot() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .whenTimeElapses(STEP_TIMEOUT)
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aTimeoutAtThePivotRefundsAndReleasesLatestStepFirst() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"))
            .whenTimeElapses(STEP_TIMEOUT)
            .expectCommands(new RefundCard(TRIP, "visa-1"), new ReleaseSeat(TRIP, "ann"),
                            new ReleaseSeat(TRIP, "bob"));
        trip.when(new CardRefunded(TRIP), new SeatReleased(TRIP, "ann"), new SeatReleased(TRIP, "bob"))
            .expectCommands(new MarkAbandoned(TRIP, "timeout"));
    }

    @Test
    void aDeadlineThatFallsDueDuringCompensationResendsOnlyWhatIsUnacknowledged() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"),
                   new CardDeclined(TRIP, "expired"), new SeatReleased(TRIP, "ann"))
            .expectNoScheduledDeadline("card-deadline")
            .whenTimeElapses(STEP_TIMEOUT)
            .expectCommands(new ReleaseSeat(TRIP, "bob"), new ReleaseSeat(TRIP, "bob"), new ReleaseSeat(TRIP, "bob"))
            .expectStep(TRIP, "COMPENSATING");
    }

    @Test
    void aDeadlineThatFallsDueWhileTheFailureIsRecordedResendsIt() {
        trip.given(PLANNED, new SeatRefused(TRIP, "ann", "full"), new SeatReleased(TRIP, "bob"))
            .whenTimeElapses(RETRY)
            .expectCommands(new MarkAbandoned(TRIP, "no seat for ann: full"));
    }

    // ---- late replies ----

    @Test
    void aLateSeatAfterCompensationBeganIsReleasedAgain() {
        trip.given(PLANNED, new SeatRefused(TRIP, "ann", "full"))
            .when(new SeatHeld(TRIP, "bob"))
            .expectCommands(new ReleaseSeat(TRIP, "bob"));
    }

    @Test
    void aLateChargeAfterATimeoutIsRefunded() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"))
            .whenTimeElapses(STEP_TIMEOUT);
        trip.when(new CardRefunded(TRIP), new CardCharged(TRIP))
            .expectCommands(new RefundCard(TRIP, "visa-1"));
        trip.when(new SeatReleased(TRIP, "ann"), new SeatReleased(TRIP, "bob"))
            .expectNoCommands();
        trip.when(new CardRefunded(TRIP)).expectCommands(new MarkAbandoned(TRIP, "timeout"));
    }

    // ---- cancellations ----

    @Test
    void aCancellationBeforeThePivotCompensates() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"))
            .when(new TripCancelled(TRIP))
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"));
    }

    @Test
    void aCancellationPastThePivotChangesNothing() {
        trip.given(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"), new CardCharged(TRIP))
            .when(new TripCancelled(TRIP))
            .expectNoCommands()
            .expectStep(TRIP, "ISSUING_TICKETS");
    }

    @Test
    void anOperatorEndsASagaBeforeItsPivotByCompensating() {
        trip.given(PLANNED)
            .when(new SagaEndRequested("trip", TRIP, "ops"))
            .expectCommands(new ReleaseSeat(TRIP, "ann"), new ReleaseSeat(TRIP, "bob"));
        trip.when(new SeatReleased(TRIP, "ann"), new SeatReleased(TRIP, "bob"))
            .expectCommands(new MarkAbandoned(TRIP, "ended by operator"));
    }

    @Test
    void theStepsAfterThePivotAndTheSuccessStepArePastIt() {
        assertThat(List.of("HOLDING_SEATS", "CHARGING_CARD", "ISSUING_TICKETS", "BOOKING_TRIP", "COMPENSATING",
                           "ABANDONING_TRIP"))
                .filteredOn(TripSaga.DEFINITION::onlyGoesForwardAt)
                .containsExactly("ISSUING_TICKETS", "BOOKING_TRIP");
    }

    @Test
    void anOperatorsRequestForAnotherSagaTypeIsNotThisSagas() {
        trip.given(PLANNED)
            .when(new SagaEndRequested("order", TRIP, "ops"))
            .expectNoCommands()
            .expectStep(TRIP, "HOLDING_SEATS");
    }

    // ---- redelivery ----

    @Test
    void everyEventDeliveredTwiceSendsWhatItSendsOnce() {
        List<Object> story = List.of(PLANNED, new SeatHeld(TRIP, "ann"), new SeatHeld(TRIP, "bob"),
                                     new CardCharged(TRIP), new TicketIssued(TRIP, "ann"),
                                     new TicketIssued(TRIP, "bob"), new TripBooked(TRIP));
        deliveredTwice(story).expectEnded(TRIP, "BOOKED", null);
    }

    @Test
    void everyEventOfACompensationDeliveredTwiceSendsWhatItSendsOnce() {
        List<Object> story = List.of(PLANNED, new SeatHeld(TRIP, "ann"), new SeatRefused(TRIP, "bob", "full"),
                                     new SeatReleased(TRIP, "ann"), new TripAbandoned(TRIP, "no seat for bob: full"));
        deliveredTwice(story).expectEnded(TRIP, "ABANDONED", "no seat for bob: full");
    }

    /** Tells each event of the story once to one saga and twice to another, and compares what each sent. */
    private static SagaSpecification<TripSaga> deliveredTwice(List<Object> story) {
        SagaSpecification<TripSaga> once = SagaSpecification.of(TripSaga.DEFINITION);
        SagaSpecification<TripSaga> twice = SagaSpecification.of(TripSaga.DEFINITION);
        for (Object event : story) {
            once.when(event);
            twice.when(event, event);
            assertThat(twice.commandsSentLast()).as("after %s twice", event).isEqualTo(once.commandsSentLast());
        }
        return twice;
    }

    @Test
    void theStartEventDeliveredAgainAfterTheSagaEndedStartsNothing() {
        trip.given(PLANNED, new SeatRefused(TRIP, "ann", "full"), new SeatReleased(TRIP, "bob"),
                   new TripAbandoned(TRIP, "no seat for ann: full"))
            .when(PLANNED)
            .expectNoCommands()
            .expectNoScheduledDeadlines()
            .expectEnded(TRIP, "ABANDONED", "no seat for ann: full");
    }

    @Test
    void sagasOfDifferentKeysDoNotMeet() {
        trip.given(PLANNED)
            .when(new TripPlanned("t2", "visa-2", 100, List.of("cy")), new SeatRefused(TRIP, "ann", "full"))
            .expectCommands(new HoldSeat("t2", "cy"), new ReleaseSeat(TRIP, "bob"))
            .expectStep("t2", "HOLDING_SEATS");
    }

    @Test
    void aDefinitionWithACompensationAfterItsPivotIsRefused() {
        List<String> problems = new ArrayList<>();
        try {
            org.sagaengine.engine.SagaDefinition.of("bad", TripSaga.class, TripSaga::new)
                    .associatedBy("tripId")
                    .startedBy(TripPlanned.class, (saga, planned) -> { })
                    .pivot(org.sagaengine.engine.Step.<TripSaga>once("A", saga -> saga.card)
                                   .send(saga -> new ChargeCard(saga.tripId, saga.card, 1)))
                    .step(org.sagaengine.engine.Step.<TripSaga>once("B", saga -> saga.card)
                                  .send(saga -> new ChargeCard(saga.tripId, saga.card, 1))
                                  .compensateWith(saga -> new RefundCard(saga.tripId, saga.card)))
                    .succeedWith(org.sagaengine.engine.Step.<TripSaga>once("OK", saga -> saga.tripId)
                                         .send(saga -> new MarkBooked(saga.tripId)), "BOOKED")
                    .failWith(org.sagaengine.engine.Step.<TripSaga>once("KO", saga -> saga.tripId)
                                      .send(saga -> new MarkBooked(saga.tripId)), "ABANDONED")
                    .build();
        } catch (IllegalArgumentException refused) {
            problems.add(refused.getMessage());
        }
        assertThat(problems).containsExactly("step B comes after the pivot, where nothing is compensated");
    }
}
