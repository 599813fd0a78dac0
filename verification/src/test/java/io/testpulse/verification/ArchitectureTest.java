package io.testpulse.verification;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.testpulse.examples.TestpulseApp;
import io.testpulse.ingest.UploadMapping;
import io.testpulse.ingest.fixture.IngestUsingJavalin;
import io.testpulse.interactive.http.TestpulsePlugin;
import io.testpulse.testkit.TestpulseDriver;
import io.testpulse.topology.TestpulseTopology;
import io.testpulse.topology.internals.EnrichedStep;
import io.testpulse.verification.fixture.ImportsTopologyInternals;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.core.importer.Locations;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries of STYLE.md, checked on the compiled classes of every module:
 * {@code avro <- serdes <- topology <- {testkit, interactive} <- {examples, benchmarks}};
 * {@code topology} never depends on Javalin or HTTP, nor does {@code ingest} (the upload mapping the
 * testkit shares); no module uses another module's
 * {@code internals} package.
 */
class ArchitectureTest {

  /** {@code io.testpulse.<module>...}: the module of a class is its package's third segment. */
  private static final Pattern MODULE = Pattern.compile("io\\.testpulse\\.([a-z0-9]+)(\\..*)?");
  /** {@code io.testpulse.<module>.internals} and any package below it. */
  private static final Pattern INTERNALS = Pattern.compile("io\\.testpulse\\.([a-z0-9]+)\\.internals(\\..*)?");

  /** testpulse-*.jar of a module, or a module's target/classes folder. */
  private static final Pattern OWN_LOCATION = Pattern.compile(".*(/testpulse-[a-z]+-[^/]+\\.jar.*|/target/classes/?)");

  static final ArchRule TOPOLOGY_HAS_NO_HTTP = noClasses()
      .that().resideInAPackage("io.testpulse.topology..")
      .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..",
          "io.testpulse.interactive..", "io.testpulse.examples..", "io.testpulse.testkit..")
      .because("topology is the library people embed: it never depends on HTTP or the app");

  static final ArchRule INGEST_HAS_NO_HTTP = noClasses()
      .that().resideInAPackage("io.testpulse.ingest..")
      .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..",
          "io.testpulse.interactive..", "io.testpulse.examples..", "io.testpulse.testkit..")
      .because("the upload mapping is shared by the HTTP ingest path and the testkit, which must not pull in Javalin");

  static final ArchRule TOPOLOGY_INTERNALS_STAY_INSIDE = noClasses()
      .that().resideOutsideOfPackage("io.testpulse.topology..")
      .should().dependOnClassesThat().resideInAPackage("io.testpulse.topology.internals..")
      .because("io.testpulse.topology.internals is not API; use io.testpulse.topology");

  static final ArchRule NO_FOREIGN_INTERNALS = classes()
      .that().resideInAPackage("io.testpulse..")
      .should(new NotUsingInternalsOfOtherModules())
      .because("a module's internals package may change at any release");

  static final ArchRule LAYERS = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .withOptionalLayers(true)
      .layer("avro").definedBy("io.testpulse.avro..")
      .layer("serdes").definedBy("io.testpulse.serdes..")
      .layer("topology").definedBy("io.testpulse.topology..")
      .layer("ingest").definedBy("io.testpulse.ingest..")
      .layer("testkit").definedBy("io.testpulse.testkit..")
      .layer("interactive").definedBy("io.testpulse.interactive..")
      .layer("examples").definedBy("io.testpulse.examples..")
      .layer("benchmarks").definedBy("io.testpulse.benchmarks..")
      .whereLayer("serdes").mayOnlyBeAccessedByLayers("topology", "testkit", "interactive", "examples", "benchmarks")
      .whereLayer("topology").mayOnlyBeAccessedByLayers("ingest", "testkit", "interactive", "examples", "benchmarks")
      .whereLayer("ingest").mayOnlyBeAccessedByLayers("testkit", "interactive", "examples", "benchmarks")
      .whereLayer("testkit").mayNotBeAccessedByAnyLayer()
      .whereLayer("interactive").mayOnlyBeAccessedByLayers("examples", "benchmarks")
      .whereLayer("examples").mayOnlyBeAccessedByLayers("benchmarks")
      .whereLayer("benchmarks").mayNotBeAccessedByAnyLayer();

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    // Only testpulse's own jars (or classes folders, before packaging): scanning all of Kafka is slow.
    Set<Location> ours = Locations.inClassPath().stream()
        .filter(l -> OWN_LOCATION.matcher(l.asURI().toString()).matches())
        .collect(Collectors.toSet());
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importLocations(ours).that(JavaClass.Predicates.resideInAPackage("io.testpulse.."));
  }

  @Test
  void shouldSeeEveryModulesClassesWhenImporting() {
    // The rules below would pass vacuously on an empty or partial classpath.
    assertThat(main.contain(TestpulseTopology.class)).isTrue();
    assertThat(main.contain(TestpulseDriver.class)).isTrue();
    assertThat(main.contain(UploadMapping.class)).isTrue();
    assertThat(main.contain(TestpulsePlugin.class)).isTrue();
    assertThat(main.contain(TestpulseApp.class)).isTrue();
    assertThat(main.contain(ImportsTopologyInternals.class)).as("test classes are not imported").isFalse();
  }

  @Test
  void shouldKeepTopologyFreeOfHttpWhenCompiled() {
    TOPOLOGY_HAS_NO_HTTP.check(main);
  }

  @Test
  void shouldKeepTheUploadMappingFreeOfHttpWhenCompiled() {
    INGEST_HAS_NO_HTTP.check(main);
  }

  @Test
  void shouldReportAViolationWhenTheUploadMappingUsesJavalin() {
    JavaClasses offending = new ClassFileImporter().importClasses(IngestUsingJavalin.class);

    assertThat(INGEST_HAS_NO_HTTP.evaluate(offending).hasViolation()).isTrue();
  }

  @Test
  void shouldKeepTopologyInternalsInsideTopologyWhenCompiled() {
    TOPOLOGY_INTERNALS_STAY_INSIDE.check(main);
  }

  @Test
  void shouldNotUseAnotherModulesInternalsWhenCompiled() {
    NO_FOREIGN_INTERNALS.check(main);
  }

  @Test
  void shouldRespectTheModuleLayersWhenCompiled() {
    LAYERS.check(main);
  }

  @Test
  void shouldReportAViolationWhenAClassOutsideTopologyUsesItsInternals() {
    JavaClasses offending = new ClassFileImporter().importClasses(ImportsTopologyInternals.class, EnrichedStep.class);

    assertThat(TOPOLOGY_INTERNALS_STAY_INSIDE.evaluate(offending).hasViolation()).isTrue();
    assertThat(NO_FOREIGN_INTERNALS.evaluate(offending).hasViolation()).isTrue();
  }

  /** No dependency on {@code io.testpulse.<other>.internals..} from a class of module {@code <this>}. */
  private static final class NotUsingInternalsOfOtherModules extends ArchCondition<JavaClass> {

    NotUsingInternalsOfOtherModules() {
      super("not depend on the internals package of another module");
    }

    @Override
    public void check(JavaClass item, ConditionEvents events) {
      Optional<String> own = module(MODULE, item.getPackageName());
      for (Dependency d : item.getDirectDependenciesFromSelf()) {
        Optional<String> internalsOf = module(INTERNALS, d.getTargetClass().getPackageName());
        if (internalsOf.isPresent() && !internalsOf.equals(own)) {
          events.add(SimpleConditionEvent.violated(d, d.getDescription()));
        }
      }
    }

    private static Optional<String> module(Pattern pattern, String packageName) {
      Matcher m = pattern.matcher(packageName);
      return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }
  }
}
