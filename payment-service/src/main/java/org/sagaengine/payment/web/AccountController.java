package org.sagaengine.payment.web;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.axonframework.commandhandling.gateway.CommandGateway;
import org.sagaengine.payment.api.CloseAccount;
import org.sagaengine.payment.api.DepositMoney;
import org.sagaengine.payment.api.OpenAccount;
import org.sagaengine.payment.query.AccountQueries;
import org.sagaengine.payment.query.AccountQueries.AccountView;
import org.sagaengine.payment.query.AccountQueries.PaymentView;
import org.sagaengine.payment.query.AccountQueries.ReturnRefundView;
import org.sagaengine.platform.web.ApiProblems.NotFound;
import org.sagaengine.platform.web.Ids;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Accounts and their payments. Amounts are whole numbers of the currency's minor units (cents for EUR). Commands are
 * handled before the answer is sent; the views they link to are read models and show the change a moment later.
 */
@RestController
class AccountController {

    static final long MAX_AMOUNT = 1_000_000_000_000L;

    record OpenAccountRequest(
            @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String accountId,
            @NotBlank @Size(max = 200) @Pattern(regexp = Ids.PRINTABLE, message = Ids.PRINTABLE_DESCRIPTION)
            String owner,
            @NotNull @Pattern(regexp = "[A-Z]{3}", message = "an ISO 4217 code such as EUR") String currency) {
    }

    record DepositRequest(@NotNull @Min(1) @Max(MAX_AMOUNT) Long amount) {
    }

    record AccountAccepted(String accountId) {
    }

    private final CommandGateway commands;
    private final AccountQueries queries;

    AccountController(CommandGateway commands, AccountQueries queries) {
        this.commands = commands;
        this.queries = queries;
    }

    @PostMapping("/accounts")
    ResponseEntity<AccountAccepted> open(@Valid @RequestBody OpenAccountRequest request) {
        commands.sendAndWait(new OpenAccount(request.accountId(), request.owner().strip(), request.currency()));
        return ResponseEntity.created(URI.create("/accounts/" + request.accountId()))
                             .body(new AccountAccepted(request.accountId()));
    }

    @PostMapping("/accounts/{accountId}/deposits")
    ResponseEntity<AccountAccepted> deposit(@PathVariable @Pattern(regexp = Ids.PATTERN) String accountId,
                                            @Valid @RequestBody DepositRequest request) {
        commands.sendAndWait(new DepositMoney(accountId, request.amount()));
        return ResponseEntity.accepted().location(URI.create("/accounts/" + accountId))
                             .body(new AccountAccepted(accountId));
    }

    /** Closes the account to new money; its balance stays. Closing a closed account changes nothing. */
    @PostMapping("/accounts/{accountId}/close")
    ResponseEntity<AccountAccepted> close(@PathVariable @Pattern(regexp = Ids.PATTERN) String accountId) {
        commands.sendAndWait(new CloseAccount(accountId));
        return ResponseEntity.accepted().location(URI.create("/accounts/" + accountId))
                             .body(new AccountAccepted(accountId));
    }

    @GetMapping("/accounts/{accountId}")
    AccountView account(@PathVariable @Pattern(regexp = Ids.PATTERN) String accountId) {
        return queries.account(accountId).orElseThrow(() -> new NotFound("No account " + accountId + "."));
    }

    @GetMapping("/accounts")
    List<AccountView> accounts(@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
                               @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int offset) {
        return queries.accounts(limit, offset);
    }

    /** What one order was charged, declined or refunded. */
    @GetMapping("/payments")
    List<PaymentView> paymentsOfOrder(@RequestParam @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.paymentsOfOrder(orderId);
    }

    /** What the returns of one order were paid back, or why a refund was refused. */
    @GetMapping("/return-refunds")
    List<ReturnRefundView> returnRefundsOfOrder(@RequestParam @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.returnRefundsOfOrder(orderId);
    }
}
