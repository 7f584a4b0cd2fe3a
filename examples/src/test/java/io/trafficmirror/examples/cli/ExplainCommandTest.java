package io.trafficmirror.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.testing.SharedCaptures;

class ExplainCommandTest
{
    private static final String SOURCE = "eni-0f1e2d3c4b5a69788";

    private final CliRunner cli = new CliRunner();

    @Test
    void shouldExplainTheRealCaptureAsTsharkSeesIt() throws Exception
    {
        final Path capture = SharedCaptures.file("aws-traffic-mirror-ssh-dns-ntp.pcap");
        final Path inner = innerCapture(capture);

        assertThat(cli.run("explain", "--config", "getting-started.json", "--pcap", inner.toString())).isZero();

        final List<String> rows = cli.out.toString().lines().toList();
        assertThat(rows.get(0)).isEqualTo(ExplainCommand.HEADER);
        final List<String[]> truth = tshark(inner, "frame.cap_len", "ip.src", "ip.dst", "tcp.port", "udp.port");
        assertThat(rows).hasSize(1 + truth.size());
        for (int i = 0; i < truth.size(); i++)
        {
            final String[] packet = truth.get(i);
            final boolean inbound = packet[2].equals("172.31.0.238");
            final boolean ssh = List.of(packet[3].split(",")).contains("22");
            final boolean dns = List.of(packet[4].split(",")).contains("53");
            final String expected = (i + 1) + "," + (inbound ? "inbound" : "outbound") + "," + SOURCE + "," +
                (ssh ? "-,-,-,none,0" : "tms-0c8f2e5b6a7d90123,1," + (dns ? "-" : "200") + ",accept," + packet[0]);
            assertThat(rows.get(i + 1)).as("packet %d", i + 1).isEqualTo(expected);
        }
    }

    @Test
    void shouldGiveOneDashedRowToAPacketOfNoInterfaceAndReasonsWhenVerbose() throws Exception
    {
        final Path capture = SharedCaptures.file("vxlan-arp.pcap");

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

    /**
     * The inner frames of a VXLAN capture, as tshark's editcap strips nothing; decapsulated by tshark itself.
     */
    static Path innerCapture(final Path capture) throws Exception
    {
        assumeTrue(tshark(), "tshark is not installed; .ci/run installs it");
        final Path inner = Files.createTempFile("inner", ".pcap");
        inner.toFile().deleteOnExit();
        // editcap -C 50 chops the 50 bytes of outer Ethernet, IPv4, UDP and VXLAN headers off every packet.
        final Process editcap = new ProcessBuilder("editcap", "-C", "50", capture.toString(), inner.toString())
            .redirectErrorStream(true).start();
        assertThat(editcap.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(editcap.exitValue()).isZero();
        return inner;
    }

    static List<String[]> tshark(final Path file, final String... fields) throws Exception
    {
        final List<String> command = new java.util.ArrayList<>(List.of("tshark", "-r", file.toString(), "-T", "fields"));
        for (final String field : fields)
        {
            command.add("-e");
            command.add(field);
        }
        final Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return output.lines().map(line -> line.split("\t", -1)).toList();
    }

    static boolean tshark()
    {
        try
        {
            return new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start()
                .waitFor(30, TimeUnit.SECONDS);
        }
        catch (final java.io.IOException | InterruptedException ex)
        {
            return false;
        }
    }
}
