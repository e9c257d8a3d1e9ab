package org.sagaengine.engine.trip;

import java.util.ArrayList;
import java.util.List;

import org.sagaengine.engine.SagaDefinition;
import org.sagaengine.engine.SagaInstance;
import org.sagaengine.engine.Step;
import org.sagaengine.engine.trip.TripMessages.*;

/** Hold a seat per traveller, charge the card (the pivot), issue a ticket per traveller, mark the trip booked. */
class TripSaga extends SagaInstance {

    String tripId;
    String card;
    long amount;
    List<String> travellers = new ArrayList<>();

    static final SagaDefinition<TripSaga> DEFINITION =
            SagaDefinition.of("trip", TripSaga.class, TripSaga::new)
                          .associatedBy("tripId")
                          .startedBy(TripPlanned.class, TripSaga::planned)
                          .step(Step.<TripSaga, String>forEach("HOLDING_SEATS", saga -> saga.travellers, t -> t)
                                    .send((saga, traveller) -> new HoldSeat(saga.tripId, traveller))
                                    .doneOn(SeatHeld.class, SeatHeld::traveller)
                                    .refusedOn(SeatRefused.class, SeatRefused::traveller,
                                               refused -> "no seat for " + refused.traveller() + ": " + refused.why())
                                    .compensateWith((saga, traveller) -> new ReleaseSeat(saga.tripId, traveller))
                                    .compensatedOn(SeatReleased.class, SeatReleased::traveller)
                                    .deadline("seat-deadline")
                                    .sentTo("traveller"))
                          .pivot(Step.<TripSaga>once("CHARGING_CARD", saga -> saga.card)
                                     .send(saga -> new ChargeCard(saga.tripId, saga.card, saga.amount))
                                     .doneOn(CardCharged.class)
                                     .refusedOn(CardDeclined.class, declined -> "card declined: " + declined.why())
                                     .compensateWith(saga -> new RefundCard(saga.tripId, saga.card))
                                     .compensatedOn(CardRefunded.class)
                                     .deadline("card-deadline")
                                     .sentTo("card"))
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

    static void planned(TripSaga saga, TripPlanned planned) {
        saga.tripId = planned.tripId();
        saga.card = planned.card();
        saga.amount = planned.amount();
        saga.travellers = new ArrayList<>(planned.travellers());
    }
}
