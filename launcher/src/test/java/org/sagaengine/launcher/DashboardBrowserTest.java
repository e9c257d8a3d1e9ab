package org.sagaengine.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.sagaengine.launcher.EmbeddedSystem.ORDER_SAGA;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The saga dashboard in a real headless browser (Debian's chromium and chromium-driver; {@code .ci/run} installs them
 * when missing): what a person sees for a confirmed order and for a compensated one, in the list and in the timeline,
 * and for a return, a saga of another type.
 */
@ExtendWith(RunningSystem.class)
class DashboardBrowserTest {

    static final File CHROMIUM = new File(System.getProperty("sagaengine.chromium", "/usr/bin/chromium"));
    static final File CHROMEDRIVER = new File(System.getProperty("sagaengine.chromedriver", "/usr/bin/chromedriver"));

    final URI orders = RunningSystem.system().uri(ORDER_SAGA);
    final Shop shop = new Shop(RunningSystem.system());
    final String run = "b" + Long.toString(System.nanoTime(), 36);
    ChromeDriver browser;
    WebDriverWait wait;

    @BeforeEach
    void openBrowser() {
        assumeTrue(CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                   "needs chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER).build(),
                                   options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(15));
    }

    @AfterEach
    void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void showsWhatHappenedToAConfirmedAndACompensatedOrderAndWhy() throws IOException {
        String product = run + "-cocoa";
        String account = run + "-erin";
        shop.product(product, 10);
        shop.account(account, 1_000);
        // One after the other: placed together, either could be charged first and leave too little for the other.
        String confirmed = shop.place(account, product, 1, 400);
        assertThat(shop.awaitEnd(confirmed)).isEqualTo("CONFIRMED");
        String compensated = shop.place(account, product, 1, 900);
        assertThat(shop.awaitEnd(compensated)).isEqualTo("REJECTED");

        browser.get(orders.resolve("/dashboard/").toString());
        assertThat(text(rowOf(confirmed) + " .state")).isEqualTo("CONFIRMED");
        assertThat(text(rowOf(compensated) + " .state")).isEqualTo("REJECTED");
        assertThat(text(rowOf(compensated) + " .detail")).isEqualTo("payment declined: insufficient funds");
        assertThat(Long.parseLong(text("#count-CONFIRMED"))).isPositive();
        assertThat(Long.parseLong(text("#count-REJECTED"))).isPositive();
        screenshot("dashboard-list");

        browser.findElement(By.id("key-search")).sendKeys(compensated.substring(0, 13));
        wait.until(page -> page.findElements(By.cssSelector("#sagas tbody tr")).size() == 1);
        assertThat(text(rowOf(compensated) + " .key")).isEqualTo(compensated);

        wait.until(page -> {
            page.findElement(By.cssSelector(rowOf(compensated))).click();
            return true;
        });
        wait.until(page -> page.findElement(By.id("saga-detail")).isDisplayed()
                && page.findElement(By.id("detail-key")).getText().equals(compensated)
                && !page.findElements(By.cssSelector("#timeline tbody tr")).isEmpty());
        assertThat(text("#detail-state")).isEqualTo("REJECTED");
        assertThat(text("#detail-reason")).isEqualTo("payment declined: insufficient funds");
        assertThat(texts("#timeline tbody tr .name"))
                .containsExactly("OrderPlaced", "RESERVING_STOCK", "ReserveStock", "StockReserved",
                                 "CHARGING_PAYMENT", "ChargePayment", "PaymentDeclined", "COMPENSATING",
                                 "ReleaseStock", "StockReleased", "REJECTING_ORDER", "RejectOrder", "OrderRejected",
                                 "REJECTED");
        assertThat(text("#timeline tbody tr.kind-COMPENSATION .kind")).isEqualTo("compensation");
        screenshot("dashboard-timeline");

        browser.findElement(By.id("back")).click();
        browser.findElement(By.id("key-search")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        browser.findElement(By.cssSelector("#counts button[data-state=CONFIRMED]")).click();
        wait.until(page -> {
            List<String> states = texts("#sagas tbody tr .state");
            return !states.isEmpty() && states.stream().allMatch(state -> state.equals("CONFIRMED"));
        });
        assertThat(text(rowOf(confirmed) + " .state")).isEqualTo("CONFIRMED");
        assertThat(browser.findElements(By.cssSelector(rowOf(compensated)))).isEmpty();
    }

    @Test
    void showsAReturnAsASagaOfItsOwnTypeWithItsTimeline() {
        String product = run + "-mugs";
        String account = run + "-finn";
        shop.product(product, 10);
        shop.account(account, 1_000);
        String orderId = shop.place(account, product, 3, 100);
        assertThat(shop.awaitEnd(orderId)).isEqualTo("CONFIRMED");
        String returnId = shop.requestReturn(orderId, "chipped", product, 1).body().get("returnId").asText();
        assertThat(shop.awaitReturnEnd(orderId, returnId).get("status").asText()).isEqualTo("COMPLETED");

        browser.get(orders.resolve("/dashboard/").toString());
        wait.until(page -> page.findElements(By.cssSelector("#type-filter option[value=return]")).size() == 1);
        new Select(browser.findElement(By.id("type-filter"))).selectByValue("return");
        wait.until(page -> {
            List<String> types = texts("#sagas tbody tr .type");
            return !types.isEmpty() && types.stream().allMatch(type -> type.equals("return"));
        });
        assertThat(Long.parseLong(text("#count-COMPLETED"))).isPositive();
        String row = "tr[data-type='return'][data-key='" + returnId + "']";
        assertThat(text(row + " .state")).isEqualTo("COMPLETED");

        wait.until(page -> {
            page.findElement(By.cssSelector(row)).click();
            return true;
        });
        wait.until(page -> page.findElement(By.id("saga-detail")).isDisplayed()
                && page.findElement(By.id("detail-key")).getText().equals(returnId)
                && !page.findElements(By.cssSelector("#timeline tbody tr")).isEmpty());
        assertThat(text("#detail-type")).isEqualTo("return");
        assertThat(text("#detail-state")).isEqualTo("COMPLETED");
        assertThat(text("#detail-total")).startsWith("100 EUR");
        assertThat(texts("#timeline tbody tr .name"))
                .containsExactly("ReturnRequested", "RECEIVING_STOCK", "ReturnStock", "StockReturned", "REFUNDING",
                                 "RefundReturn", "ReturnRefunded", "RESTOCKING", "RestockReturn", "ReturnRestocked",
                                 "COMPLETING_RETURN", "CompleteReturn", "ReturnCompleted", "COMPLETED");
    }

    private static String rowOf(String orderId) {
        return "tr[data-type='order'][data-key='" + orderId + "']";
    }

    /** The page redraws itself every two seconds, so elements are found afresh, again if one was just replaced. */
    private String text(String css) {
        return wait.ignoring(StaleElementReferenceException.class)
                   .until(page -> page.findElements(By.cssSelector(css)).stream().findFirst()
                                      .map(WebElement::getText).orElse(null));
    }

    private List<String> texts(String css) {
        return wait.ignoring(StaleElementReferenceException.class)
                   .until(page -> page.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList());
    }

    /** Kept in target/ for a person to look at after the run. */
    private void screenshot(String name) throws IOException {
        Path file = browser.getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, Path.of("target", name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
