package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.testing.Flows;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayReceiveCommandTest
{
    private static final String TARGET = "tmt-09e4f63ab1c7d2e45";

    @Test
    @Timeout(60)
    void shouldReplayAnInstancesTrafficToAReceiverThatWritesTheMirroredFrames(@TempDir final Path dir) throws Exception
    {
        final Path inner = dir.resolve("instance.pcap");
        Pcap.write(inner, MirroredTraffic.instanceFrames());
        assertReplaysAllButSsh(inner, dir);
    }

    @Test
    @Timeout(60)
    void shouldReplayTheRealCaptureToAReceiverThatWritesTheMirroredFrames(@TempDir final Path dir) throws Exception
    {
        assertReplaysAllButSsh(ExplainCommandTest.innerCapture(SharedCaptures.file(SharedCaptures.AWS_CAPTURE)), dir);
    }

    private static final Pattern CLOUDWATCH_ROW =
        Pattern.compile("(?m)^eni-\\S+\\s+(?:In|Out)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)$");

    private static void assertReplaysAllButSsh(final Path inner, final Path dir) throws Exception
    {
        final List<byte[]> expected = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(inner))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(bytes);
                final ByteBuffer b = ByteBuffer.wrap(bytes);
                final boolean ssh = bytes[23] == 6 && ((b.getShort(34) & 0xFFFF) == 22 || (b.getShort(36) & 0xFFFF) == 22);
                if (!ssh)
                {
                    expected.add(bytes);
                }
            }
        }
        final int port = freePort();
        final Path received = dir.resolve("received.pcap");
        final CliRunner receiver = new CliRunner();
        final AtomicInteger receiverExit = new AtomicInteger(-1);
        final Thread receiving = new Thread(() -> receiverExit.set(receiver.run("receive", "--listen",
            "127.0.0.1:" + port, "--pcap", received.toString(), "--count", String.valueOf(expected.size()),
            "--duration", "30")));
        receiving.start();
        Thread.sleep(500);

        final CliRunner replay = new CliRunner();
        assertThat(replay.run("replay", "--config", "getting-started.json", "--pcap", inner.toString(),
            "--target", TARGET + "=127.0.0.1:" + port)).as(replay.err.toString()).isZero();
        receiving.join(40_000);

        assertThat(receiverExit.get()).as(receiver.err.toString()).isZero();
        assertThat(replay.out.toString()).containsPattern("tms-0c8f2e5b6a7d90123\\s+1\\s+" + expected.size() + "\\s+" +
            expected.size());
        assertThat(receiver.out.toString()).contains("accepted " + expected.size());
        final List<byte[]> arrived = new ArrayList<>();
        try (CaptureReader reader = CaptureReader.open(received))
        {
            while (reader.next())
            {
                final ByteBuffer frame = reader.frame();
                final byte[] bytes = new byte[frame.remaining()];
                frame.get(bytes);
                arrived.add(bytes);
            }
        }
        assertThat(arrived).hasSameSizeAs(expected);
        // Whole, and each flow in order; a batched sender may interleave different flows otherwise.
        final Map<Integer, List<byte[]>> expectedFlows = Flows.byFlow(expected);
        final Map<Integer, List<byte[]>> arrivedFlows = Flows.byFlow(arrived);
        assertThat(arrivedFlows.keySet()).isEqualTo(expectedFlows.keySet());
        expectedFlows.forEach((flow, frames) -> assertThat(arrivedFlows.get(flow)).as("flow %s", flow)
            .containsExactlyElementsOf(frames));

        // The CloudWatch rows, In and Out: together every frame that arrived, with its bytes, and nothing skipped.
        final Matcher in = CLOUDWATCH_ROW.matcher(replay.out.toString());
        long packets = 0;
        long bytes = 0;
        int rows = 0;
        while (in.find())
        {
            rows++;
            bytes += Long.parseLong(in.group(1));
            packets += Long.parseLong(in.group(2));
            assertThat(in.group(3)).isEqualTo("0");
            assertThat(in.group(4)).isEqualTo("0");
        }
        assertThat(rows).as("an In and an Out row per interface").isPositive().isEven();
        assertThat(packets).isEqualTo(arrived.size());
        assertThat(bytes).isEqualTo(arrived.stream().mapToLong(frame -> frame.length).sum());
    }

    @Test
    void shouldRefuseBadTargetsAndReceiverArguments(@TempDir final Path dir) throws IOException
    {
        final CliRunner cli = new CliRunner();
        final String pcap = MirroredTraffic.capture(MirroredTraffic.MIXED_CAPTURE).toString();

        assertThat(cli.run("replay", "--config", "getting-started.json", "--pcap", pcap, "--target", "tmt-nope=1.2.3.4"))
            .isEqualTo(2);
        assertThat(cli.err.toString()).contains("--target tmt-nope: no such target");
        assertThat(cli.run("replay", "--config", "getting-started.json", "--pcap", pcap, "--target",
            TARGET + "=127.0.0.1:99999")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("port 99999 is outside 0..65535");
        assertThat(cli.run("replay", "--config", "getting-started.json", "--pcap", pcap, "--pps", "-1")).isEqualTo(2);

        assertThat(cli.run("receive", "--pcap", dir.resolve("a.pcap").toString(), "--per-vni", dir.toString()))
            .isEqualTo(2);
        assertThat(cli.err.toString()).contains("give exactly one of --pcap OUT.pcap and --per-vni DIR");
        assertThat(cli.run("receive", "--per-vni", dir.resolve("missing").toString())).isEqualTo(1);
        assertThat(cli.err.toString()).contains("cannot write " + dir.resolve("missing") + ": no such directory");
        assertThat(cli.run("receive", "--pcap", dir.resolve("a.pcap").toString(), "--allow", "10.0.0.1/8"))
            .isEqualTo(2);
        assertThat(cli.err.toString()).contains("the block is 10.0.0.0/8");
        assertThat(cli.run("receive", "--pcap", dir.resolve("a.pcap").toString(), "--transport", "carrier-pigeon"))
            .isEqualTo(2);
        assertThat(cli.err.toString()).contains("--transport carrier-pigeon: expected auto, jdk or native");
        assertThat(cli.run("receive", "--pcap", dir.resolve("a.pcap").toString(), "--rcvbuf", "-1")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("Invalid value for option '--rcvbuf': '-1' is not a buffer size from 0");
    }

    @Test
    void shouldReportTheTransportAndTheGrantedReceiveBufferAtStartAndTheWriterDropsAtTheEnd(@TempDir final Path dir)
        throws Exception
    {
        for (final String transport : List.of("jdk", "native"))
        {
            if (transport.equals("native") && !NativeTransport.isAvailable())
            {
                continue;
            }
            final CliRunner cli = new CliRunner();
            assertThat(cli.run("receive", "--listen", "127.0.0.1:0", "--pcap", dir.resolve(transport + ".pcap").toString(),
                "--duration", "1", "--rcvbuf", "65536", "--transport", transport)).as(cli.err.toString()).isZero();
            assertThat(cli.err.toString()).contains("transport " + transport + " (")
                .contains("socket receive buffer 65536 bytes granted of 65536 asked").doesNotContain("rmem_max");
            assertThat(cli.out.toString()).contains("received 0, accepted 0")
                .contains("dropped as the writer fell behind 0");
        }
    }

    private static int freePort() throws Exception
    {
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
    }
}
