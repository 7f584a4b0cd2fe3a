package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.SourceHandle;
import io.trafficmirror.core.engine.TargetBinding;
import io.trafficmirror.testing.FrameBuilder;
import org.junit.jupiter.api.Test;

import java.net.NetworkInterface;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mirror run}'s argument errors (one line each, exit 2, before anything is captured), a short run on the
 * loopback device that ends on {@code --duration} with its summary, and the progress line. The live traffic, signal
 * and metrics tests are {@code interop.KernelVxlanRunInteropTest}.
 */
class RunCommandTest
{
    private static final String CONFIG = "getting-started.json";
    private static final String SOURCE = "eni-0f1e2d3c4b5a69788";
    private static final String TARGET_ENI = "eni-0a9b8c7d6e5f43210";
    private static final String TARGET = "tmt-09e4f63ab1c7d2e45";
    private static final int INSTANCE = FrameBuilder.ip(172, 31, 0, 238);

    private static CliRunner run(final int expectedExit, final String... args)
    {
        final CliRunner runner = new CliRunner();
        assertThat(runner.run(args)).as("exit code; stderr: %s", runner.err).isEqualTo(expectedExit);
        return runner;
    }

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

    @Test
    void shouldRefuseAnInterfaceWithoutDeviceAsBadArguments()
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", SOURCE);
        assertThat(runner.err.toString()).isEqualTo("mirror run: --interface \"" + SOURCE +
            "\": expected ENI_ID=DEVICE" + System.lineSeparator());
    }

    @Test
    void shouldRefuseADeviceThisHostDoesNotHaveNamingTheDevicesItHas() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", SOURCE + "=no-such-dev0");
        assertThat(runner.err.toString()).startsWith("mirror run: --interface " + SOURCE + "=no-such-dev0: no device " +
            "named no-such-dev0 on this host (devices: ").contains(loopback()).hasLineCount(1);
    }

    @Test
    void shouldRefuseAnInterfaceOfTheConfigurationWithoutSessions() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", TARGET_ENI + "=" + loopback());
        assertThat(runner.err.toString()).isEqualTo("mirror run: --interface " + TARGET_ENI + ": no session of " +
            CONFIG + " mirrors this interface (interfaces with sessions: " + SOURCE + ")" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAnInterfaceTheConfigurationDoesNotHave() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", "eni-1234=" + loopback());
        assertThat(runner.err.toString()).isEqualTo("mirror run: --interface eni-1234: no such network interface in " +
            CONFIG + " (interfaces with sessions: " + SOURCE + ")" + System.lineSeparator());
    }

    @Test
    void shouldRefuseTheSameInterfaceTwice() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", SOURCE + "=" + loopback(),
            "--interface", SOURCE + "=" + loopback());
        assertThat(runner.err.toString()).contains("--interface " + SOURCE + ": given twice").hasLineCount(1);
    }

    @Test
    void shouldRefuseABadTargetAsBadArguments() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", CONFIG, "--interface", SOURCE + "=" + loopback(),
            "--target", TARGET + "=127.0.0.1:70000");
        assertThat(runner.err.toString()).isEqualTo("mirror run: --target " + TARGET + ": \"127.0.0.1:70000\": port " +
            "70000 is outside 0..65535" + System.lineSeparator());
        final CliRunner unknown = run(2, "run", "--config", CONFIG, "--interface", SOURCE + "=" + loopback(),
            "--target", "tmt-0000=127.0.0.1:4789");
        assertThat(unknown.err.toString()).isEqualTo("mirror run: --target tmt-0000: no such target in " + CONFIG +
            System.lineSeparator());
    }

    @Test
    void shouldRefuseOutOfRangeSnapLengthDurationAndMetricsAddress() throws Exception
    {
        final String device = SOURCE + "=" + loopback();
        assertThat(run(2, "run", "--config", CONFIG, "--interface", device, "--snaplen", "63").err.toString())
            .startsWith("mirror run: Invalid value for option '--snaplen': '63' is not a capture length from 64 to " +
                "262144 bytes");
        assertThat(run(2, "run", "--config", CONFIG, "--interface", device, "--duration", "-1").err.toString())
            .startsWith("mirror run: Invalid value for option '--duration': '-1' is not a duration from 1 to ");
        assertThat(run(2, "run", "--config", CONFIG, "--interface", device, "--metrics", "127.0.0.1:x").err.toString())
            .isEqualTo("mirror run: --metrics \"127.0.0.1:x\": port \"x\" is not a number" + System.lineSeparator());
    }

    @Test
    void shouldRefuseAMissingConfigurationAsBadArguments() throws Exception
    {
        final CliRunner runner = run(2, "run", "--config", "no-such.json", "--interface", SOURCE + "=" + loopback());
        assertThat(runner.err.toString()).isEqualTo("mirror run: no such file: no-such.json" + System.lineSeparator());
    }

    @Test
    void shouldStopAfterTheDurationAndPrintTheSummary() throws Exception
    {
        assumeTrue(Host.isRoot(), "not root: skipping the live run on the loopback device (CI runs it as root)");
        final CliRunner runner = run(0, "run", "--config", CONFIG, "--interface", SOURCE + "=" + loopback(),
            "--target", TARGET + "=127.0.0.1:4789", "--duration", "1");
        assertThat(runner.err.toString()).contains("mirror run: mirroring " + loopback() + " as " + SOURCE + " to " +
            TARGET + "=127.0.0.1:4789").contains("mirror run: stopped (--duration 1 s)");
        assertThat(runner.out.toString()).contains("NetworkPacketsMirror", "rule of session", "live: " + loopback());
    }

    @Test
    void shouldReportSeenMirroredAndSkippedPerInterfaceWithRatesSinceTheLastLine() throws Exception
    {
        final MirrorConfiguration configuration = AwsJsonConfiguration.defaults().read(Path.of(CONFIG));
        final MirrorEngine engine = MirrorEngine.builder().configuration(configuration)
            .bind(TARGET, TargetBinding.consumer((session, vni, frame, length) -> { })).build();
        engine.start();
        try
        {
            final MetricsSnapshot before = engine.metrics();
            final SourceHandle source = engine.losslessSource(SOURCE, Duration.ofSeconds(5));
            final int peer = FrameBuilder.ip(203, 0, 113, 7);
            for (int i = 0; i < 10; i++)
            {
                // Eight web frames in and out, two SSH frames in (rejected).
                source.offer(ByteBuffer.wrap(i < 8 ?
                    FrameBuilder.ipv4(6, i % 2 == 0 ? peer : INSTANCE, i % 2 == 0 ? INSTANCE : peer, 40_000, 443, 100) :
                    FrameBuilder.ipv4(6, peer, INSTANCE, 40_001, 22, 100)));
            }
            engine.close(Duration.ofSeconds(5));
            final String line = RunCommand.progress("mirror run", Map.of(SOURCE, "eth0"), before, engine.metrics(),
                TimeUnit.SECONDS.toNanos(20), TimeUnit.SECONDS.toNanos(2));
            assertThat(line).isEqualTo("mirror run: 20 s: " + SOURCE + " (eth0) seen 10 (5/s), mirrored 8 (4/s), " +
                "skipped 0 (0/s)");
        }
        finally
        {
            engine.close();
        }
    }

    /** Whether this process may capture. */
    private static final class Host
    {
        static boolean isRoot() throws Exception
        {
            final Process id = new ProcessBuilder(List.of("id", "-u")).start();
            final String uid = new String(id.getInputStream().readAllBytes()).strip();
            return id.waitFor() == 0 && uid.equals("0");
        }
    }
}
