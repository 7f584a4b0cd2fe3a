package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
