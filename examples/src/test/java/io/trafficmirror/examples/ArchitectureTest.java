package io.trafficmirror.examples;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The shape of the modules, checked on their compiled main classes (this module's test class path holds every module
 * but the benchmarks, and nothing may depend on those anyway): which module depends on which, where each third-party
 * library may be used, and that internals stay out of the public API.
 */
@AnalyzeClasses(packages = "io.trafficmirror", importOptions = ArchitectureTest.MainClassesOnly.class)
class ArchitectureTest
{
    private static final String VXLAN = "io.trafficmirror.vxlan..";
    private static final String FILTER = "io.trafficmirror.filter..";
    private static final String CORE = "io.trafficmirror.core..";
    private static final String EXAMPLES = "io.trafficmirror.examples..";
    private static final String BENCHMARKS = "io.trafficmirror.benchmarks..";
    private static final String JDK = "java..";

    private static final String PCAP4J = "org.pcap4j..";
    private static final String JNA = "com.sun.jna..";
    private static final String JACKSON = "com.fasterxml.jackson..";
    private static final String JCTOOLS = "org.jctools..";
    private static final String NETTY = "io.netty..";
    private static final String MICROMETER = "io.micrometer..";
    private static final String METRICS = "io.trafficmirror.core.metrics..";
    /** mirror run's GET /metrics: Micrometer's Prometheus registry behind the JDK's HTTP server. */
    private static final String METRICS_ENDPOINT = "io.trafficmirror.examples.cli.MetricsEndpoint";

    /** The one class that links against Pcap4J, once LiveCapture has found it on the class path. */
    private static final String LIBPCAP_CAPTURE = "io.trafficmirror.core.live.LibpcapCapture";

    @ArchTest
    static final ArchRule VXLAN_DEPENDS_ON_THE_JDK_ONLY = classes().that().resideInAPackage(VXLAN)
        .should().onlyDependOnClassesThat().resideInAnyPackage(VXLAN, JDK);

    @ArchTest
    static final ArchRule FILTER_DEPENDS_ON_VXLAN_AND_THE_JDK_ONLY = classes().that().resideInAPackage(FILTER)
        .should().onlyDependOnClassesThat().resideInAnyPackage(FILTER, VXLAN, JDK);

    @ArchTest
    static final ArchRule CORE_DEPENDS_ON_FILTER_VXLAN_AND_ITS_THREE_LIBRARIES = classes().that().resideInAPackage(CORE)
        .should().onlyDependOnClassesThat()
        .resideInAnyPackage(CORE, FILTER, VXLAN, JDK, JACKSON, JCTOOLS, PCAP4J, NETTY, MICROMETER);

    @ArchTest
    static final ArchRule NOTHING_DEPENDS_ON_EXAMPLES = noClasses().that().resideOutsideOfPackage(EXAMPLES)
        .should().dependOnClassesThat().resideInAPackage(EXAMPLES);

    @ArchTest
    static final ArchRule NOTHING_DEPENDS_ON_BENCHMARKS = noClasses().that().resideOutsideOfPackage(BENCHMARKS)
        .should().dependOnClassesThat().resideInAPackage(BENCHMARKS);

    @ArchTest
    static final ArchRule ONLY_LIVE_CAPTURE_TOUCHES_PCAP4J = noClasses().that().resideOutsideOfPackage(
        "io.trafficmirror.core.live").should().dependOnClassesThat().resideInAnyPackage(PCAP4J, JNA);

    @ArchTest
    static final ArchRule ONLY_LIBPCAP_CAPTURE_LINKS_AGAINST_PCAP4J = noClasses().that(areNot(LIBPCAP_CAPTURE))
        .should().dependOnClassesThat().resideInAnyPackage(PCAP4J, JNA)
        .because("LiveCapture and everything else must load in an application without Pcap4J");

    @ArchTest
    static final ArchRule ONLY_THE_JSON_PACKAGE_TOUCHES_JACKSON = noClasses().that().resideOutsideOfPackage(
        "io.trafficmirror.core.config.json").should().dependOnClassesThat().resideInAPackage(JACKSON);

    @ArchTest
    static final ArchRule ONLY_NETTY_NAMED_CLASSES_LINK_AGAINST_NETTY = noClasses()
        .that().haveSimpleNameNotStartingWith("Netty")
        .and(DescribedPredicate.describe("are not nested in a Netty class",
            c -> !c.getName().contains("$") || !c.getName().substring(c.getName().lastIndexOf('.') + 1).startsWith("Netty")))
        .should().dependOnClassesThat().resideInAPackage(NETTY)
        .because("the native transport is optional: everything but its Netty* classes must load without Netty");

    @ArchTest
    static final ArchRule ONLY_THE_METRICS_PACKAGE_TOUCHES_MICROMETER = noClasses().that().resideOutsideOfPackage(METRICS)
        .and().doNotHaveFullyQualifiedName(METRICS_ENDPOINT)
        .should().dependOnClassesThat().resideInAPackage(MICROMETER)
        .because("Micrometer is optional: the engine, the receiver and the CLI must load without it; the one CLI " +
            "class that uses it serves mirror run --metrics and is loaded only then");

    @ArchTest
    static final ArchRule NOTHING_BUT_APPLICATIONS_USES_THE_METRICS_PACKAGE = noClasses()
        .that().resideInAnyPackage(VXLAN, FILTER, CORE).and().resideOutsideOfPackage(METRICS)
        .should().dependOnClassesThat().resideInAPackage(METRICS)
        .because("loading a Micrometer binder needs Micrometer, which only an application that binds one declares");

    @ArchTest
    static final ArchRule METRICS_PACKAGE_IS_THE_TWO_BINDERS = classes()
        .that().resideInAPackage(METRICS).and().arePublic()
        .should().haveNameMatching("io\\.trafficmirror\\.core\\.metrics\\.Mirror(Engine|Receiver)Metrics")
        .because("the metrics package's public API is MirrorEngineMetrics and MirrorReceiverMetrics");

    @ArchTest
    static final ArchRule ONLY_THE_ENGINE_TOUCHES_JCTOOLS = noClasses().that().resideOutsideOfPackage(
        "io.trafficmirror.core.engine").should().dependOnClassesThat().resideInAPackage(JCTOOLS);

    @ArchTest
    static final ArchRule NO_PUBLIC_SIGNATURE_SHOWS_A_LIBRARY_TYPE = classes().that().resideInAnyPackage(VXLAN, FILTER, CORE)
        .should(exposeNoTypeFrom(PCAP4J, JNA, JACKSON, JCTOOLS, NETTY));

    @ArchTest
    static final ArchRule ENGINE_INTERNALS_STAY_PACKAGE_PRIVATE = classes()
        .that().resideInAPackage("io.trafficmirror.core.engine").and().areTopLevelClasses()
        .and().doNotHaveSimpleName("MirrorEngine")
        .and().doNotHaveSimpleName("SourceHandle").and().doNotHaveSimpleName("TargetBinding")
        .and().doNotHaveSimpleName("MirroredPacketConsumer").and().doNotHaveSimpleName("MetricsSnapshot")
        .and().doNotHaveSimpleName("OfferResult").and().doNotHaveSimpleName("NotMirroredReason")
        .and().doNotHaveSimpleName("PacketClassifier").and().doNotHaveSimpleName("EngineErrorHandler")
        .should().notBePublic()
        .because("the engine's public API is MirrorEngine, SourceHandle, TargetBinding, MirroredPacketConsumer, " +
            "MetricsSnapshot, OfferResult, NotMirroredReason, PacketClassifier and EngineErrorHandler; slots, queues, " +
            "senders and " +
            "counters are its internals");

    @ArchTest
    static final ArchRule MATCHER_INTERNALS_STAY_PACKAGE_PRIVATE = classes()
        .that().resideInAPackage("io.trafficmirror.filter.match").and().areTopLevelClasses()
        .and().doNotHaveSimpleName("CompiledFilter").and().doNotHaveSimpleName("MatchOptions")
        .and().doNotHaveSimpleName("Verdict").and().doNotHaveSimpleName("SessionClassifier")
        .and().doNotHaveSimpleName("SessionMatch")
        .should().notBePublic()
        .because("the matcher's public API is CompiledFilter, SessionClassifier, SessionMatch, MatchOptions and Verdict");

    @ArchTest
    static final ArchRule FILTER_MODEL_API_IS_LISTED = classes()
        .that().resideInAPackage("io.trafficmirror.filter").and().areTopLevelClasses().and().arePublic()
        .should().haveNameMatching("io\\.trafficmirror\\.filter\\.(AwsNamed|Cidr|Ec2ErrorCode|FieldsText|FilterRule|" +
            "InvalidConfigurationException|IpAddressText|MirrorFilter|NetworkService|PortRange|RuleAction|" +
            "TrafficDirection|Violation|Violations)")
        .because("the filter model's public API is these types; a new one is added here on purpose");

    private static DescribedPredicate<JavaClass> areNot(final String className)
    {
        return DescribedPredicate.describe("are not " + className,
            c -> !c.getName().equals(className) && !c.getName().startsWith(className + "$"));
    }

    /**
     * A public class (within public classes) shows no type of the given packages in its supertypes or in the types,
     * type arguments included, of its public and protected fields, methods and constructors.
     */
    private static ArchCondition<JavaClass> exposeNoTypeFrom(final String... packages)
    {
        return new ArchCondition<>("expose no type of " + String.join(", ", packages) + " in a public signature")
        {
            @Override
            public void check(final JavaClass type, final ConditionEvents events)
            {
                if (!isApi(type))
                {
                    return;
                }
                final List<JavaType> shown = new ArrayList<>();
                type.getRawSuperclass().ifPresent(shown::add);
                shown.addAll(type.getInterfaces());
                report(type, type.getName(), shown, events, packages);
                for (final JavaMember member : type.getMembers())
                {
                    if (!member.getModifiers().contains(JavaModifier.PUBLIC) &&
                        !member.getModifiers().contains(JavaModifier.PROTECTED))
                    {
                        continue;
                    }
                    final List<JavaType> types = new ArrayList<>();
                    if (member instanceof JavaField)
                    {
                        types.add(((JavaField)member).getType());
                    }
                    else if (member instanceof JavaCodeUnit)
                    {
                        final JavaCodeUnit codeUnit = (JavaCodeUnit)member;
                        types.add(codeUnit.getReturnType());
                        types.addAll(codeUnit.getParameterTypes());
                        types.addAll(codeUnit.getThrowsClause().getTypes());
                    }
                    report(type, member.getFullName(), types, events, packages);
                }
            }
        };
    }

    private static boolean isApi(final JavaClass type)
    {
        for (JavaClass c = type; c != null; c = c.getEnclosingClass().orElse(null))
        {
            if (!c.getModifiers().contains(JavaModifier.PUBLIC))
            {
                return false;
            }
        }
        return true;
    }

    private static void report(final JavaClass owner, final String where, final List<? extends JavaType> types,
        final ConditionEvents events, final String... packages)
    {
        for (final JavaType shown : types)
        {
            final Set<JavaClass> raw = shown.getAllInvolvedRawTypes();
            for (final JavaClass involved : raw)
            {
                for (final String packageName : packages)
                {
                    final String root = packageName.substring(0, packageName.length() - 2);
                    if (involved.getPackageName().equals(root) || involved.getPackageName().startsWith(root + "."))
                    {
                        events.add(SimpleConditionEvent.violated(owner, where + " shows " + involved.getName()));
                    }
                }
            }
        }
    }

    /**
     * Main classes only: not the test classes, whether as a directory or as a tests jar.
     */
    static final class MainClassesOnly implements ImportOption
    {
        @Override
        public boolean includes(final Location location)
        {
            return !location.contains("/test-classes/") && !location.contains("-tests.jar");
        }
    }
}
