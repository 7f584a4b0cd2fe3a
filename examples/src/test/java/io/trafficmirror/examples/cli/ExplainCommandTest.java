package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SeededCases;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.trafficmirror.testing.FrameBuilder.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ExplainCommandTest
{
    private static final String SOURCE = "eni-0f1e2d3c4b5a69788";

    private final CliRunner cli = new CliRunner();

    @Test
    void shouldExplainAnInstancesTrafficAsTsharkSeesIt(@TempDir final Path dir) throws Exception
    {
        Tshark.assumeToolsAvailable();
        final Path inner = dir.resolve("instance.pcap");
        Pcap.write(inner, MirroredTraffic.instanceFrames());
        assertExplainsAsTsharkSees(inner);
    }

    @Test
    void shouldExplainTheRealCaptureAsTsharkSeesIt() throws Exception
    {
        assertExplainsAsTsharkSees(innerCapture(SharedCaptures.file(SharedCaptures.AWS_CAPTURE)));
    }

    private void assertExplainsAsTsharkSees(final Path inner) throws Exception
    {
        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", inner.toString())).isZero();

        final List<String> rows = cli.out.toString().lines().toList();
        assertThat(rows.get(0)).isEqualTo(ExplainCommand.HEADER);
        final List<String[]> truth = tshark(inner, "frame.cap_len", "ip.src", "ip.dst", "tcp.port", "udp.port");
        assertThat(rows).hasSize(1 + truth.size());
        for (int i = 0; i < truth.size(); i++)
        {
            final String[] packet = truth.get(i);
            final boolean inbound = packet[2].equals("172.31.0.238");
            final boolean ssh = List.of(packet[3].split("\\|")).contains("22");
            final boolean dns = List.of(packet[4].split("\\|")).contains("53");
            final String expected = (i + 1) + "," + (inbound ? "inbound" : "outbound") + "," + SOURCE + "," +
                (ssh ? "-,-,-,none,0" : "tms-0c8f2e5b6a7d90123,1," + (dns ? "-" : "200") + ",accept," + packet[0]);
            assertThat(rows.get(i + 1)).as("packet %d", i + 1).isEqualTo(expected);
        }
    }

    /**
     * Random IPv4, IPv6 and non-IP frames to, from and beside the instance, some SSH over TCP and UDP, some Amazon
     * DNS. The expected rows come from tshark's reading of the capture and the getting-started filter's rules
     * applied here by hand: SSH over TCP rejected in its direction by rule 100 (IPv4) or 101 (IPv6), Amazon DNS
     * (port 53 on either side, the VPC resolver on either side) mirrored without a rule, all else accepted by rule
     * 200 (IPv4) or 201 (IPv6), the whole frame mirrored.
     */
    @Test
    void shouldExplainMixedIpv4AndIpv6TrafficAsTsharkSeesIt(@TempDir final Path dir) throws Exception
    {
        Tshark.assumeToolsAvailable();
        final Path config = dir.resolve("ipv6.json");
        final String withIpv6 = "\"Ipv6Addresses\": [ { \"Ipv6Address\": \"" + INSTANCE_IPV6 + "\" } ]";
        Files.writeString(config, Files.readString(Path.of("getting-started.json"))
            .replaceFirst("\"Ipv6Addresses\": \\[\\]", withIpv6));
        SeededCases.run(4, draw ->
        {
            final List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < 150; i++)
            {
                frames.add(mixedFrame(draw));
            }
            final Path capture = dir.resolve("mixed.pcap");
            Pcap.write(capture, frames);
            final CliRunner run = new CliRunner();
            assertThat(run.run("explain", "--config", config.toString(), "--pcap", capture.toString())).isZero();

            final List<String> rows = run.out.toString().lines().toList();
            final List<String[]> truth = tshark(capture, "frame.cap_len", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
                "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport");
            assertThat(rows).hasSize(1 + frames.size()).first().isEqualTo(ExplainCommand.HEADER);
            for (int i = 0; i < truth.size(); i++)
            {
                assertThat(rows.get(i + 1)).as("packet %d", i + 1).isEqualTo((i + 1) + expectedRow(truth.get(i)));
            }
        });
    }

    private static final String INSTANCE_IPV4 = "172.31.0.238";
    private static final String INSTANCE_IPV6 = "2600:1f18:abcd:1200::238";
    private static final int[] PEERS_IPV4 = {ip(198, 51, 100, 7), ip(203, 0, 113, 9), ip(172, 31, 5, 4)};
    private static final int AMAZON_DNS = ip(172, 31, 0, 2);
    private static final int OTHER_HOST = ip(172, 31, 0, 239);

    private static byte[] mixedFrame(final SeededCases.Draw draw)
    {
        final FrameBuilder frame = new FrameBuilder();
        final int kind = draw.below(10);
        final boolean inbound = draw.bool();
        final int[] ports = {22, 22, 53, 80, 443, 8080, 40_000 + draw.below(20_000)};
        final int serverPort = ports[draw.below(ports.length)];
        final int clientPort = 32_768 + draw.below(28_000);
        frame.protocol = draw.below(3) == 0 ? 17 : 6;
        frame.sourcePort = inbound ? clientPort : serverPort;
        frame.destinationPort = inbound ? serverPort : clientPort;
        frame.payloadLength = draw.below(4) == 0 ? 1_400 + draw.below(61) : draw.below(200);
        if (kind == 0)
        {
            frame.ipVersion = 0;
            frame.payloadLength = 28;
        }
        else if (kind <= 3)
        {
            frame.ipVersion = 6;
            final long instanceLow = draw.below(8) == 0 ? 0x239 : 0x238;
            final long peerHigh = 0x2001_0DB8_0000_0000L | draw.below(1 << 16);
            final long peerLow = draw.random().nextLong();
            frame.sourceIpv6High = inbound ? peerHigh : 0x2600_1F18_ABCD_1200L;
            frame.sourceIpv6Low = inbound ? peerLow : instanceLow;
            frame.destinationIpv6High = inbound ? 0x2600_1F18_ABCD_1200L : peerHigh;
            frame.destinationIpv6Low = inbound ? instanceLow : peerLow;
        }
        else
        {
            final int instance = draw.below(8) == 0 ? OTHER_HOST : ip(172, 31, 0, 238);
            final int peer = serverPort == 53 && draw.bool() ? AMAZON_DNS :
                PEERS_IPV4[draw.below(PEERS_IPV4.length)];
            frame.sourceIpv4 = inbound ? peer : instance;
            frame.destinationIpv4 = inbound ? instance : peer;
        }
        return frame.build();
    }

    /** The row after its index, from tshark's fields of one frame. */
    private static String expectedRow(final String[] packet)
    {
        final boolean ipv6 = !packet[3].isEmpty();
        final String source = ipv6 ? packet[3] : packet[1];
        final String destination = ipv6 ? packet[4] : packet[2];
        final String instance = ipv6 ? INSTANCE_IPV6 : INSTANCE_IPV4;
        final boolean inbound = destination.equals(instance);
        if (!inbound && !source.equals(instance))
        {
            return ",-,-,-,-,-,none,0";
        }
        final String row = "," + (inbound ? "inbound" : "outbound") + "," + SOURCE + ",";
        final boolean ssh = (inbound ? packet[6] : packet[5]).equals("22");
        if (ssh)
        {
            return row + "-,-,-,none,0";
        }
        final boolean dnsPort = List.of(packet[5], packet[6], packet[7], packet[8]).contains("53");
        final boolean amazonDns = dnsPort && (source.equals("172.31.0.2") || destination.equals("172.31.0.2"));
        return row + "tms-0c8f2e5b6a7d90123,1," + (amazonDns ? "-" : ipv6 ? "201" : "200") + ",accept," + packet[0];
    }

    @Test
    void shouldGiveOneDashedRowToAPacketOfNoInterfaceAndReasonsWhenVerbose(@TempDir final Path dir) throws Exception
    {
        // Two VXLAN packets between hosts that are no configured interface, each carrying an ARP request.
        final Path capture = dir.resolve("arp.pcap");
        Pcap.write(capture, List.of(MirroredTraffic.vxlan(7), MirroredTraffic.vxlan(15)));

        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", capture.toString(), "--verbose"))
            .isZero();

        assertThat(cli.out.toString().lines().skip(1)).containsExactly("1,-,-,-,-,-,none,0", "2,-,-,-,-,-,none,0");
        assertThat(cli.err.toString()).contains("not the traffic of any configured network interface");
    }

    @Test
    void shouldReportBadInputsWithTheConventionalExitCodes(@TempDir final Path dir) throws Exception
    {
        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", "nope.pcap")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("no such file: nope.pcap");

        final Path corrupt = dir.resolve("corrupt.pcap");
        Files.write(corrupt, new byte[]{(byte)0xd4, (byte)0xc3, (byte)0xb2, (byte)0xa1, 2, 0, 4, 0, 0, 0});
        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", corrupt.toString())).isEqualTo(1);
        assertThat(cli.err.toString()).contains("corrupt.pcap").contains("byte");

        assertThat(cli.run("explain", "--pcap", corrupt.toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("Missing required option: '--config=CONFIG.json'");
    }

    @Test
    void shouldTellTheRowsBeforeATruncatedRecordAndNameTheFile(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("cut.pcap");
        Pcap.write(capture, MirroredTraffic.instanceFrames());
        final byte[] whole = Files.readAllBytes(capture);
        final int firstRecord = 24 + 16 + MirroredTraffic.instanceFrames().get(0).length;
        Files.write(capture, Arrays.copyOf(whole, firstRecord + 16 + 5));

        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", capture.toString())).isEqualTo(1);

        assertThat(cli.out.toString().lines()).hasSize(2).first().isEqualTo(ExplainCommand.HEADER);
        assertThat(cli.err.toString().lines()).singleElement().asString()
            .startsWith("mirror explain: ").contains(capture.toString()).doesNotContain("Exception");
    }

    @Test
    void shouldReportAFailedWriteInOneLine() throws Exception
    {
        final Writer broken = new Writer()
        {
            @Override
            public void write(final char[] text, final int offset, final int length) throws IOException
            {
                throw new IOException("disk full");
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };
        final StringWriter err = new StringWriter();
        final Path capture = Files.createTempFile("instance", ".pcap");
        try
        {
            Pcap.write(capture, MirroredTraffic.instanceFrames());
            final int exit = MirrorCommand.commandLine().setOut(new PrintWriter(broken)).setErr(new PrintWriter(err, true))
                .execute("explain", "--config", "getting-started.json", "--pcap", capture.toString());

            assertThat(exit).isEqualTo(1);
            assertThat(err.toString().lines()).singleElement().asString()
                .isEqualTo("mirror explain: cannot write to the output: the writer reported an error");
        }
        finally
        {
            Files.delete(capture);
        }
    }

    @Test
    void shouldNameStandardOutputAndTheSystemsReasonWhenTheDiskIsFull(@TempDir final Path dir) throws Exception
    {
        final File full = new File("/dev/full");
        assumeTrue(full.exists(), "/dev/full is needed to make writes to standard output fail");
        final Path capture = dir.resolve("instance.pcap");
        Pcap.write(capture, MirroredTraffic.instanceFrames());
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
            MirrorCommand.class.getName(), "explain", "--config", "getting-started.json", "--pcap", capture.toString())
            .redirectOutput(full)
            .redirectError(dir.resolve("err.txt").toFile())
            .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("explain ends").isTrue();

        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(Files.readAllLines(dir.resolve("err.txt"))).singleElement().asString()
            .isEqualTo("mirror explain: cannot write to standard output (/dev/full): No space left on device");
    }

    /** The inner frames of a VXLAN capture: editcap cuts the 50 bytes of outer headers off every packet. */
    static Path innerCapture(final Path capture) throws Exception
    {
        Tshark.assumeToolsAvailable();
        final Path inner = Files.createTempFile("inner", ".pcap");
        inner.toFile().deleteOnExit();
        Tshark.editcap("-C", "50", capture.toString(), inner.toString());
        return inner;
    }

    static List<String[]> tshark(final Path file, final String... fields) throws Exception
    {
        return Tshark.fields(file, List.of(), fields);
    }
}
