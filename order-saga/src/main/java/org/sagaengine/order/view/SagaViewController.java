package org.sagaengine.order.view;

import java.util.List;
import java.util.Map;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import org.sagaengine.order.view.SagaViewQueries.SagaDetail;
import org.sagaengine.order.view.SagaViewQueries.SagaSummary;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** What the saga dashboard ({@code /dashboard/}) shows, as JSON: the sagas, their counts by state, one timeline. */
@RestController
@Validated
class SagaViewController {

    private final SagaViewQueries queries;

    SagaViewController(SagaViewQueries queries) {
        this.queries = queries;
    }

    @GetMapping("/sagas")
    List<SagaSummary> sagas(
            @RequestParam(required = false) @Pattern(regexp = "RUNNING|COMPENSATING|CONFIRMED|REJECTED|STUCK")
            String state,
            @RequestParam(required = false) @Pattern(regexp = "[A-Za-z0-9._-]{1,64}") String orderId,
            @RequestParam(defaultValue = "50") @Min(1) @Max(500) int limit,
            @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int offset) {
        return queries.sagas(state, orderId, limit, offset);
    }

    @GetMapping("/sagas/counts")
    Map<String, Long> counts() {
        return queries.counts();
    }

    @GetMapping("/sagas/{orderId}")
    SagaDetail saga(@PathVariable @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.saga(orderId).orElseThrow(() -> new NotFound("No saga for order " + orderId + "."));
    }
}
