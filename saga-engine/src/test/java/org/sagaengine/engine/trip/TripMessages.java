package org.sagaengine.engine.trip;

import java.util.List;

/** The messages of a made-up business the engine knows nothing about: booking a trip for a group. */
final class TripMessages {

    private TripMessages() {
    }

    record TripPlanned(String tripId, String card, long amount, List<String> travellers) {
    }

    record TripCancelled(String tripId) {
    }

    record HoldSeat(String tripId, String traveller) {
    }

    record SeatHeld(String tripId, String traveller) {
    }

    record SeatRefused(String tripId, String traveller, String why) {
    }

    record ReleaseSeat(String tripId, String traveller) {
    }

    record SeatReleased(String tripId, String traveller) {
    }

    record ChargeCard(String tripId, String card, long amount) {
    }

    record CardCharged(String tripId) {
    }

    record CardDeclined(String tripId, String why) {
    }

    record RefundCard(String tripId, String card) {
    }

    record CardRefunded(String tripId) {
    }

    record IssueTicket(String tripId, String traveller) {
    }

    record TicketIssued(String tripId, String traveller) {
    }

    record MarkBooked(String tripId) {
    }

    record TripBooked(String tripId) {
    }

    record MarkAbandoned(String tripId, String reason) {
    }

    record TripAbandoned(String tripId, String reason) {
    }
}
