package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.examples.cli.MirrorCommand;
import java.net.NetworkInterface;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code mirror run} says when it cannot capture: without libpcap, which package to install; without the
 * privilege, which capabilities to grant. Each is one line and exit code 1, from a JVM of its own (the first with
 * Pcap4J pointed at a library that does not exist, the second as root without CAP_NET_RAW and CAP_NET_ADMIN).
 */
class RunCommandCaptureErrorsTest
{
    private static final String SOURCE = "eni-0f1e2d3c4b5a69788";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path temp;

    private static String loopback() throws Exception
    {
        for (final NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces()))
        {
            if (nif.isLoopback())
            {
                return nif.getName();
            }
        }
        throw new IllegalStateException("no loopback device");
    }

    /** The command's own lines of standard error, without the engine's log (which warns without Netty). */
    private static List<String> ownLines(final String err)
    {
        return err.lines().filter(line -> line.startsWith("mirror run:")).toList();
    }

    private String[] run() throws Exception
    {
        return new String[]{"run", "--config", Path.of("getting-started.json").toAbsolutePath().toString(),
            "--interface", SOURCE + "=" + loopback(), "--target", "tmt-09e4f63ab1c7d2e45=127.0.0.1:4789",
            "--duration", "1"};
    }

    @Test
    void shouldNameThePackageToInstallWhenLibpcapIsMissing() throws Exception
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"),
            "not Linux: skipping the missing-libpcap message of mirror run");
        try (JavaProcess run = JavaProcess.start(List.of(), temp,
            List.of("-Dorg.pcap4j.core.pcapLibName=" + temp.resolve("no-libpcap.so")), MirrorCommand.class.getName(),
            run()))
        {
            assertThat(run.awaitExit(WAIT)).as("exit code; stderr: %s", run.err()).isEqualTo(1);
            assertThat(ownLines(run.err())).containsExactly("mirror run: --interface " + SOURCE + "=" + loopback() +
                ": libpcap is not installed (install libpcap0.8, or libpcap on your system)");
        }
    }

    @Test
    void shouldNameTheCapabilitiesToGrantWhenItMayNotCapture() throws Exception
    {
        assumeTrue(Commands.run(List.of("id", "-u")).stdout().strip().equals("0"),
            "not root: skipping the no-privilege message of mirror run (it drops root's capture capabilities)");
        assumeTrue(Commands.succeeds("setpriv", "--version"), "setpriv (util-linux) is not installed: skipping the " +
            "no-privilege message of mirror run");
        // Root without the two capabilities: they leave the bounding set, so the JVM never gets them.
        try (JavaProcess run = JavaProcess.start(List.of("setpriv", "--bounding-set=-net_raw,-net_admin",
            "--inh-caps=-net_raw,-net_admin"), temp, MirrorCommand.class.getName(), run()))
        {
            assertThat(run.awaitExit(WAIT)).as("exit code; stderr: %s", run.err()).isEqualTo(1);
            assertThat(ownLines(run.err())).containsExactly("mirror run: --interface " + SOURCE + "=" + loopback() +
                ": cannot open " + loopback() + ": no capture privilege (run as root, or grant CAP_NET_RAW and " +
                "CAP_NET_ADMIN to java)");
        }
    }
}
