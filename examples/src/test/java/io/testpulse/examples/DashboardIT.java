package io.testpulse.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testpulse.avro.Result;
import io.testpulse.avro.RunInfo;
import io.testpulse.avro.TestExecution;
import io.testpulse.interactive.http.Role;
import io.testpulse.interactive.http.TokenAuthenticator;
import io.testpulse.topology.TestKeys;
import io.testpulse.topology.TestpulseConfig;
import io.testpulse.topology.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web dashboard in a real browser (headless Debian Chromium through chromedriver) against the bundled
 * app on a real broker with known data: three flaky tests and three healthy ones in suite {@code web},
 * one of them run on five days (five duration buckets), on two instance types.
 *
 * <p>Every test saves a screenshot under {@code target/dashboard-screenshots/}. With
 * {@code -Ddashboard.screenshots=docs/images} (a path relative to the examples module, or absolute) the
 * README's screenshots are written there too.
 */
class DashboardIT {

  private static final String TENANT = "acme";
  private static final String SUITE = "web";
  private static final String READ = "read-" + UUID.randomUUID();
  private static final String ADMIN = "admin-" + UUID.randomUUID();
  private static final Instant NOW = Instant.now();
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path SHOTS = Path.of("target", "dashboard-screenshots");
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  private static final List<String> FLAKY = List.of("retries the payment", "renders the cart", "logs out");
  private static final List<String> HEALTHY = List.of("adds an item", "removes an item", "checks out");
  /** Run once a day on five days: its chart has five buckets. */
  private static final String DAILY = "adds an item";

  @TempDir
  static Path stateDir;

  @AutoClose
  private static AppFixture fixture;
  private static TestpulseApp app;
  private static Topics topics;
  private static ChromeDriver browser;
  private static int commits;

  @BeforeAll
  static void start() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && "true".equals(System.getenv("CI"))) {
      throw new IllegalStateException("chromium and chromium-driver are missing: .ci/run installs them");
    }
    Assumptions.assumeTrue(installed, "DashboardIT needs Debian's chromium and chromium-driver "
        + "(apt-get install -y chromium chromium-driver; .ci/run installs them)");
    fixture = AppFixture.start(stateDir);
    Properties props = fixture.appSettings("dashboard-it-" + UUID.randomUUID(), "dash", "app",
        TokenAuthenticator.configEntry(TENANT, Role.READ, READ),
        TokenAuthenticator.configEntry(TENANT, Role.ADMIN, ADMIN));
    props.put(TestpulseConfig.DURATIONS_DIMENSIONS_CONFIG, "instance_type,arch");
    // one tenant opens a page with a live stream every second or two, faster than a person: the server frees a
    // closed stream's slot at its next keep-alive (2 s), so give the tenant every slot of the instance
    props.put(TestpulseConfig.SSE_MAX_CONNECTIONS_PER_TENANT_CONFIG, "32");
    // partitions are processed at different speeds: let the five days of history in
    props.put(TestpulseConfig.DURATIONS_GRACE_MS_CONFIG, Long.toString(Duration.ofDays(35).toMillis()));
    topics = new TestpulseConfig(props).topics();
    app = fixture.startApp(props);
    produceKnownData();
    browser = startBrowser();
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  private static ChromeDriver startBrowser() throws Exception {
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1280,1000", "--lang=en-GB");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, options);
  }

  /** The known data: flaky tests flip on one commit, healthy ones pass; DAILY runs once a day for five days. */
  private static void produceKnownData() throws Exception {
    List<TestExecution> executions = new ArrayList<>();
    Instant today = NOW.truncatedTo(ChronoUnit.DAYS);
    double[] spread = {1, 1.1, 1.2, 1.3, 2, 3};
    for (int day = 4; day >= 1; day--) {
      for (int i = 0; i < spread.length; i++) {
        executions.add(execution(SUITE, DAILY, Result.PASSED,
            today.minus(Duration.ofDays(day)).plus(Duration.ofHours(12)).plusSeconds(i),
            "daily-" + day, (long) (spread[i] * 20_000L * (6 - day)), "m5.large"));
      }
    }
    Instant recent = NOW.minus(Duration.ofMinutes(30));
    executions.add(execution(SUITE, DAILY, Result.PASSED, recent.isBefore(today) ? today : recent, "daily-0", 150_000,
        "m5.large"));
    for (String name : HEALTHY) {
      if (!name.equals(DAILY)) {
        executions.add(execution(SUITE, name, Result.PASSED, recent, "healthy-" + name, 40_000, "c7g.xlarge"));
        executions.add(execution(SUITE, name, Result.PASSED, recent.plusSeconds(60), "healthy-" + name, 42_000,
            "c7g.xlarge"));
      }
    }
    for (String name : FLAKY) {
      String commit = "flip-" + name.replace(' ', '-');
      executions.add(execution(SUITE, name, Result.FAILED, recent, commit, 90_000, "m5.large"));
      executions.add(execution(SUITE, name, Result.PASSED, recent.plusSeconds(30), commit, 80_000, "m5.large"));
    }
    executions.sort(Comparator.comparing(TestExecution::getEventTime));
    fixture.produce(topics.executions(), executions);
    await("the three flaky tests of the data").atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> testIds(api("/api/v1/tests?state=flaky&suite=" + SUITE, READ)), ids -> ids.size() == FLAKY.size());
    await("every test counted").atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> api("/api/v1/tests?suite=" + SUITE + "&limit=100", READ).path("items").size() == 6);
  }

  private static TestExecution execution(String suite, String name, Result result, Instant at, String commit,
      long micros, String instanceType) {
    return TestExecution.newBuilder()
        .setExecutionId(UUID.randomUUID().toString())
        .setTenant(TENANT).setSuite(suite).setTestId(id(suite, name))
        .setScope("Shop").setName(name)
        .setResult(result).setDurationMicros(micros).setEventTime(at)
        .setRun(RunInfo.newBuilder().setKey("build-" + (++commits)).setBranch("main").setCommitSha(commit).build())
        .setTags(new HashMap<>(Map.of("instance_type", instanceType, "arch",
            instanceType.startsWith("c7g") ? "arm64" : "x86_64")))
        .build();
  }

  private static String id(String suite, String name) {
    return TestKeys.testId(TENANT, suite, "Shop", name);
  }

  private static JsonNode api(String path, String token) throws Exception {
    var response = AppFixture.get(app, path, token);
    return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
  }

  private static Set<String> testIds(JsonNode page) {
    Set<String> ids = new HashSet<>();
    page.path("items").forEach(item -> ids.add(item.has("test_id") ? item.path("test_id").asText() : ""));
    return ids;
  }

  // ------------------------------------------------------------------------------------------- browser

  private static String url(String hash) {
    return "http://localhost:" + app.httpPort() + "/ui/" + hash;
  }

  /** Opens the dashboard with no token in the tab, types {@code token} in the form, then goes to {@code hash}. */
  private static void signIn(String token, String hash) {
    browser.manage().window().setSize(new Dimension(1280, 1000));
    browser.get(url("#/flaky"));
    ((JavascriptExecutor) browser).executeScript("window.sessionStorage.clear();");
    browser.navigate().refresh();
    browser.manage().logs().get(LogType.BROWSER); // drains what an earlier test left
    WebElement input = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    input.sendKeys(token);
    browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();
    awaitReady();
    browser.get(url(hash));
    awaitReady();
  }

  private static WebDriverWait waitFor() {
    return new WebDriverWait(browser, WAIT, Duration.ofMillis(100));
  }

  private static void awaitReady() {
    waitFor().until(d -> "ready".equals(d.findElement(By.id("main")).getDomAttribute("data-state")));
  }

  private static void awaitLive() {
    waitFor().until(d -> "open".equals(d.findElement(By.id("main")).getDomAttribute("data-live")));
  }

  private static String shotName;

  @org.junit.jupiter.api.BeforeEach
  void name(TestInfo info) {
    shotName = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void screenshot() throws Exception {
    if (browser != null) {
      save(shotName);
    }
  }

  /** Saves the browser's view under target/, and as docs/images/{@code readmeName}.png when asked to. */
  private static Path save(String name) throws Exception {
    Path file = SHOTS.resolve(name + ".png");
    Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }

  private static void saveForReadme(String readmeName) throws Exception {
    Path file = save(readmeName);
    String docs = System.getProperty("dashboard.screenshots");
    if (docs != null && !docs.isBlank()) {
      Path dir = Files.createDirectories(Path.of(docs));
      Files.copy(file, dir.resolve(readmeName + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void assertNoConsoleErrors() {
    List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).collect(Collectors.toList());
    assertThat(errors).as("console errors").isEmpty();
  }

  /** The test ids of the table's rows, read in one script: the live refresh may replace the rows at any time. */
  @SuppressWarnings("unchecked")
  private static Set<String> rowIds() {
    return new HashSet<>((List<String>) ((JavascriptExecutor) browser).executeScript(
        "return Array.from(document.querySelectorAll('table.tests tbody tr'), r => r.dataset.testId);"));
  }

  // ------------------------------------------------------------------------------------------- tests

  @Test
  void shouldListExactlyTheFlakyTestsWhenTheFlakyPageOpens() throws Exception {
    signIn(READ, "#/flaky?state=flaky&suite=" + SUITE);

    Set<String> expected = FLAKY.stream().map(n -> id(SUITE, n)).collect(Collectors.toSet());
    assertThat(rowIds()).isEqualTo(expected);
    assertThat(browser.getTitle()).isEqualTo("Flaky tests of web · testpulse");
    assertThat(browser.findElements(By.cssSelector("table.tests tbody .state-flaky"))).hasSize(FLAKY.size());
    saveForReadme("dashboard-flaky");
    assertNoConsoleErrors();
  }

  @Test
  void shouldShowATransitionWithoutReloadWhenATestTurnsFlakyWhileThePageIsOpen() throws Exception {
    signIn(READ, "#/flaky");
    awaitLive();
    ((JavascriptExecutor) browser).executeScript("window.testpulseNotReloaded = true;");
    String live = "live";
    String name = "turns flaky while watched";
    String commit = "watched-" + UUID.randomUUID();
    Instant at = Instant.now();

    fixture.produce(topics.executions(), List.of(
        execution(live, name, Result.PASSED, at, commit, 10_000, "m5.large"),
        execution(live, name, Result.FAILED, at.plusSeconds(1), commit, 11_000, "m5.large")));

    String selector = "#live li[data-test-id='" + id(live, name) + "'][data-to='flaky']";
    waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(selector)));
    waitFor().until(d -> rowIds().contains(id(live, name)));
    assertThat(browser.findElement(By.cssSelector(selector)).getText()).contains("same_commit_flip");
    assertThat(((JavascriptExecutor) browser).executeScript("return window.testpulseNotReloaded === true;"))
        .as("the page was not reloaded").isEqualTo(true);
    saveForReadme("dashboard-live");
    assertNoConsoleErrors();
  }

  @Test
  void shouldDrawOnePointPerBucketWhenATestPageOpens() throws Exception {
    signIn(READ, "#/test/" + id(SUITE, DAILY));

    waitFor().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("svg.chart circle.pt")));
    for (String series : List.of("p50", "p95", "p99")) {
      assertThat(browser.findElements(By.cssSelector("svg.chart circle.pt[data-series='" + series + "']")))
          .as(series).hasSize(5);
    }
    assertThat(browser.getTitle()).isEqualTo(DAILY + " (healthy) · testpulse");
    assertThat(browser.findElement(By.cssSelector("main h1")).getText()).isEqualTo(DAILY);
    saveForReadme("dashboard-test");
    assertNoConsoleErrors();
  }

  @Test
  void shouldListTheTestInQuarantinedWhenAnAdminQuarantinesItFromThePage() throws Exception {
    String testId = id(SUITE, "removes an item");
    signIn(ADMIN, "#/test/" + testId);

    browser.findElement(By.cssSelector("#quarantine-form input[name=reason]")).sendKeys("order service outage");
    browser.findElement(By.cssSelector("#quarantine-form button[type=submit]")).click();

    JsonNode quarantined = await("quarantined over the API").atMost(WAIT).pollInterval(Duration.ofMillis(250))
        .until(() -> api("/api/v1/quarantined", READ), page -> testIds(page).contains(testId));
    JsonNode entry = null;
    for (JsonNode item : quarantined.path("items")) {
      if (item.path("test_id").asText().equals(testId)) {
        entry = item;
      }
    }
    assertThat(entry).isNotNull();
    assertThat(entry.path("reason").asText()).isEqualTo("order service outage");
    assertThat(entry.path("expires_at").asLong()).isGreaterThan(System.currentTimeMillis());
    waitFor().until(ExpectedConditions.presenceOfElementLocated(By.id("release")));
    awaitReady();
    saveForReadme("dashboard-quarantine");
    assertNoConsoleErrors();
  }

  @Test
  void shouldOfferNoQuarantineButtonWhenTheTokenMayOnlyRead() throws Exception {
    signIn(READ, "#/test/" + id(SUITE, "checks out"));

    assertThat(browser.findElement(By.cssSelector("main h1")).getText()).isEqualTo("checks out");
    assertThat(browser.findElements(By.id("quarantine-form"))).isEmpty();
    assertThat(browser.findElements(By.id("release"))).isEmpty();
    assertThat(browser.findElement(By.id("who")).getText()).contains("acme", "read");
    assertNoConsoleErrors();
  }

  @Test
  void shouldShowPercentilesPerGroupWhenSuiteDurationsAreGrouped() throws Exception {
    signIn(READ, "#/durations?suite=" + SUITE + "&groupBy=instance_type,arch&days=30");

    Set<String> groups = browser.findElements(By.cssSelector("table.groups tbody tr")).stream()
        .map(r -> r.getDomAttribute("data-group")).collect(Collectors.toSet());
    assertThat(groups).containsExactlyInAnyOrder("instance_type=m5.large, arch=x86_64",
        "instance_type=c7g.xlarge, arch=arm64");
    assertThat(browser.findElements(By.cssSelector("svg.chart rect.bar"))).hasSize(2 * 3);
    saveForReadme("dashboard-durations");
    assertNoConsoleErrors();
  }

  @Test
  void shouldShowThePartitionsOfThisInstanceWhenInstancesOpen() throws Exception {
    signIn(READ, "#/instances");

    List<WebElement> rows = browser.findElements(By.cssSelector("table.instances tbody tr"));
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getText()).contains("0, 1, 2", "this one");
    saveForReadme("dashboard-instances");
    assertNoConsoleErrors();
  }

  @Test
  void shouldFitAPhoneWidthWhenTheFlakyPageIsNarrow() throws Exception {
    signIn(READ, "#/flaky?suite=" + SUITE);
    awaitLive();
    browser.manage().window().setSize(new Dimension(390, 900));

    Object overflow = ((JavascriptExecutor) browser).executeScript(
        "return document.documentElement.scrollWidth > document.documentElement.clientWidth;");
    assertThat(overflow).as("the page scrolls sideways").isEqualTo(false);
    saveForReadme("dashboard-phone");
    assertNoConsoleErrors();
  }

  @Test
  void shouldReachTheFiltersAndEveryTestWithTheKeyboardWhenTabbing() throws Exception {
    signIn(READ, "#/flaky?suite=" + SUITE);
    browser.findElement(By.tagName("body")).click();

    List<String> focused = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      browser.switchTo().activeElement().sendKeys(org.openqa.selenium.Keys.TAB);
      focused.add((String) ((JavascriptExecutor) browser).executeScript(
          "const e = document.activeElement; return e.tagName + ' ' + (e.getAttribute('href') || e.name || e.textContent.trim());"));
    }

    assertThat(focused).contains("A #/durations", "SELECT state", "INPUT suite", "BUTTON Filter");
    for (String name : FLAKY) {
      assertThat(focused).contains("A #/test/" + id(SUITE, name));
    }
    assertNoConsoleErrors();
  }

  @Test
  void shouldAskForATokenWhenTheTokenIsRefused() throws Exception {
    browser.get(url("#/flaky"));
    ((JavascriptExecutor) browser).executeScript("window.sessionStorage.clear();");
    browser.navigate().refresh();
    WebElement input = waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));

    input.sendKeys("not-a-token");
    browser.findElement(By.cssSelector("#token-form button[type=submit]")).click();

    waitFor().until(d -> "token".equals(d.findElement(By.id("main")).getDomAttribute("data-state"))
        && d.findElement(By.id("token-why")).getText().contains("401"));
    assertThat(browser.findElement(By.id("token-panel")).isDisplayed()).isTrue();
    assertThat(browser.getCurrentUrl()).doesNotContain("not-a-token");
    // the refused call is a console error: proof that the console checks of the other tests can fail
    assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
        .anyMatch(e -> e.getLevel() == Level.SEVERE && e.getMessage().contains("401"));
  }
}
