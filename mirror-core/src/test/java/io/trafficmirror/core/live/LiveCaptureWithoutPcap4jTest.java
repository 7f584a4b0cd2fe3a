package io.trafficmirror.core.live;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.core.Pcaps;

import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * mirror-core's Pcap4J dependency is optional: with Pcap4J and JNA missing from the class path, the engine and the
 * receiver work and never ask for a Pcap4J class, and live capture fails with one line naming the dependency to add.
 * The missing case is real: the scenario runs in a class loader holding this module's class path less Pcap4J and JNA.
 */
@Timeout(60)
class LiveCaptureWithoutPcap4jTest
{
    @Test
    void shouldMirrorToTheReceiverAndNameTheDependencyToAddWhenPcap4jIsMissing() throws Exception
    {
        try (WithoutNativeCapture loader = new WithoutNativeCapture(classPathWithout("pcap4j", "jna")))
        {
            @SuppressWarnings("unchecked")
            final Function<String, String> scenario = (Function<String, String>)loader
                .loadClass(WithoutPcap4jScenario.class.getName()).getConstructor().newInstance();
            assertThat(scenario.getClass().getClassLoader()).isSameAs(loader);

            assertThat(scenario.apply("mirror")).isEqualTo("received " + WithoutPcap4jScenario.FRAMES);
            assertThat(loader.asked).as("classes asked for by the engine and the receiver").isEmpty();

            assertThat(scenario.apply("live")).isEqualTo("LiveCaptureException: live capture needs Pcap4J, which is " +
                "not on the class path: add org.pcap4j:pcap4j-core:1.8.2");
            assertThat(loader.asked).containsExactly("org.pcap4j.core.Pcaps");
        }
    }

    @Test
    void shouldNameJnaWhenOnlyJnaIsMissing() throws Exception
    {
        try (WithoutNativeCapture loader = new WithoutNativeCapture(classPathWithout("jna")))
        {
            @SuppressWarnings("unchecked")
            final Function<String, String> scenario = (Function<String, String>)loader
                .loadClass(WithoutPcap4jScenario.class.getName()).getConstructor().newInstance();

            assertThat(scenario.apply("live")).isEqualTo("LiveCaptureException: live capture needs JNA (Pcap4J's " +
                "native binding), which is not on the class path: add net.java.dev.jna:jna:5.14.0");
            assertThat(loader.asked).containsExactly("org.pcap4j.core.Pcaps", "com.sun.jna.Native");
        }
    }

    @Test
    void shouldNameTheVersionsThisBuildResolves()
    {
        assertThat(jarName(Pcaps.class)).isEqualTo(artifactJar(LiveCapture.PCAP4J_DEPENDENCY));
        assertThat(jarName(Native.class)).isEqualTo(artifactJar(LiveCapture.JNA_DEPENDENCY));
    }

    /**
     * {@code group:artifact:version} as the jar's file name in a Maven repository, {@code artifact-version.jar}.
     */
    private static String artifactJar(final String coordinates)
    {
        final String[] parts = coordinates.split(":");
        assertThat(parts).hasSize(3);
        return parts[1] + "-" + parts[2] + ".jar";
    }

    private static String jarName(final Class<?> type)
    {
        try
        {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).getFileName().toString();
        }
        catch (final Exception ex)
        {
            throw new AssertionError("no jar for " + type.getName(), ex);
        }
    }

    /**
     * This test's class path, less the jars whose file names start with one of the given artifact ids.
     */
    private static URL[] classPathWithout(final String... artifactIds) throws MalformedURLException
    {
        final List<URL> urls = new ArrayList<>();
        final List<String> left = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final String name = Path.of(entry).getFileName().toString();
            boolean keep = true;
            for (final String artifactId : artifactIds)
            {
                if (name.startsWith(artifactId + "-"))
                {
                    keep = false;
                    left.add(name);
                }
            }
            if (keep)
            {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        for (final String artifactId : artifactIds)
        {
            assertThat(left).as("jars left out").anyMatch(name -> name.startsWith(artifactId + "-"));
        }
        return urls.toArray(new URL[0]);
    }

    /**
     * Loads from its own class path only (the JDK's platform classes aside), and notes every Pcap4J or JNA class it
     * is asked for, which it cannot find.
     */
    private static final class WithoutNativeCapture extends URLClassLoader
    {
        final List<String> asked = new CopyOnWriteArrayList<>();

        WithoutNativeCapture(final URL[] urls)
        {
            super("without-pcap4j", urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(final String name, final boolean resolve) throws ClassNotFoundException
        {
            if (name.startsWith("org.pcap4j.") || name.startsWith("com.sun.jna."))
            {
                asked.add(name);
            }
            return super.loadClass(name, resolve);
        }
    }
}
