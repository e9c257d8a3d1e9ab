package org.sagaengine.inventory.web;

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
import org.sagaengine.inventory.api.RegisterProduct;
import org.sagaengine.inventory.api.RestockProduct;
import org.sagaengine.inventory.query.StockQueries;
import org.sagaengine.inventory.query.StockQueries.ProductStockView;
import org.sagaengine.inventory.query.StockQueries.StockHoldView;
import org.sagaengine.inventory.query.StockQueries.StockReturnView;
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
 * Products and their stock. Commands are handled before the answer is sent; the views they link to are read models
 * and show the change a moment later.
 */
@RestController
class ProductController {

    record RegisterProductRequest(
            @NotNull @Pattern(regexp = Ids.PATTERN, message = Ids.DESCRIPTION) String productId,
            @NotBlank @Size(max = 200) @Pattern(regexp = Ids.PRINTABLE, message = Ids.PRINTABLE_DESCRIPTION)
            String name,
            @NotNull @Min(0) @Max(1_000_000_000) Integer initialQuantity) {
    }

    record RestockRequest(@NotNull @Min(1) @Max(1_000_000_000) Integer quantity) {
    }

    record ProductAccepted(String productId) {
    }

    private final CommandGateway commands;
    private final StockQueries queries;

    ProductController(CommandGateway commands, StockQueries queries) {
        this.commands = commands;
        this.queries = queries;
    }

    @PostMapping("/products")
    ResponseEntity<ProductAccepted> register(@Valid @RequestBody RegisterProductRequest request) {
        commands.sendAndWait(new RegisterProduct(request.productId(), request.name().strip(),
                                                 request.initialQuantity()));
        return ResponseEntity.created(URI.create("/products/" + request.productId()))
                             .body(new ProductAccepted(request.productId()));
    }

    @PostMapping("/products/{productId}/restock")
    ResponseEntity<ProductAccepted> restock(@PathVariable @Pattern(regexp = Ids.PATTERN) String productId,
                                            @Valid @RequestBody RestockRequest request) {
        commands.sendAndWait(new RestockProduct(productId, request.quantity()));
        return ResponseEntity.accepted().location(URI.create("/products/" + productId))
                             .body(new ProductAccepted(productId));
    }

    @GetMapping("/products/{productId}")
    ProductStockView product(@PathVariable @Pattern(regexp = Ids.PATTERN) String productId) {
        return queries.product(productId).orElseThrow(() -> new NotFound("No product " + productId + "."));
    }

    @GetMapping("/products")
    List<ProductStockView> products(@RequestParam(defaultValue = "100") @Min(1) @Max(1000) int limit,
                                    @RequestParam(defaultValue = "0") @Min(0) @Max(1_000_000) int offset) {
        return queries.products(limit, offset);
    }

    /** What one order holds of every product: reserved, committed, released or rejected. */
    @GetMapping("/stock-holds")
    List<StockHoldView> holdsOfOrder(@RequestParam @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.holdsOfOrder(orderId);
    }

    /** What the returns of one order took back of every product: held, restocked, cancelled or rejected. */
    @GetMapping("/stock-returns")
    List<StockReturnView> returnsOfOrder(@RequestParam @Pattern(regexp = Ids.PATTERN) String orderId) {
        return queries.returnsOfOrder(orderId);
    }
}
