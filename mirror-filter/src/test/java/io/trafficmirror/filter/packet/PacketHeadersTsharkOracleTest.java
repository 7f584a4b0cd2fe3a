package io.trafficmirror.filter.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wireshark's dissectors (through tshark) as a second independent decoder: the test writes random frames to a
 * capture file, tshark reads it, and addresses, protocol and ports must agree. Fragments are left out because
 * tshark's view of them depends on reassembly preferences; malformed frames are Pcap4J's and the fuzz test's job.
 */
class PacketHeadersTsharkOracleTest
{
    private static final RandomFrames.Shape WELL_FORMED = new RandomFrames.Shape(false, true, 2, true);

    @Test
    void shouldAgreeWithTsharkOnAddressesProtocolAndPortsOfACaptureTheTestWrites(@TempDir final Path dir) throws Exception
    {
        Assumptions.assumeTrue(tsharkAvailable(), "tshark not installed: install it (CI does) to run this oracle");
        final SplittableRandom random = new SplittableRandom(2026);
        final List<byte[]> frames = new ArrayList<>();
        while (frames.size() < 3000)
        {
            final FrameBuilder frame = RandomFrames.next(random, WELL_FORMED);
            final boolean fragment = frame.moreFragments || frame.fragmentOffsetUnits != 0
                || frame.extensions.stream().anyMatch(extension -> extension.type() == 44);
            if (!fragment)
            {
                frames.add(frame.build());
            }
        }
        final Path capture = dir.resolve("random.pcap");
        PcapFile.write(capture, frames, 65535);
        final List<String[]> rows = tshark(capture);
        assertThat(rows).hasSize(frames.size());

        final PacketHeaders headers = new PacketHeaders();
        final List<String> failures = new ArrayList<>();
        int withPorts = 0;
        int ipv6 = 0;
        for (int i = 0; i < frames.size(); i++)
        {
            final byte[] frame = frames.get(i);
            headers.parseEthernet(frame, 0, frame.length);
            final String[] row = rows.get(i);
            final List<String> differences = new ArrayList<>();
            if (!row[0].isEmpty())
            {
                check(differences, "ipVersion", 4, headers.ipVersion());
                check(differences, "source", InetAddress.getByName(row[0]), ipv4(headers.sourceIpv4()));
                check(differences, "destination", InetAddress.getByName(row[1]), ipv4(headers.destinationIpv4()));
                check(differences, "protocol", Integer.parseInt(row[2]), headers.protocol());
            }
            else if (!row[3].isEmpty())
            {
                ipv6++;
                check(differences, "ipVersion", 6, headers.ipVersion());
                check(differences, "source", InetAddress.getByName(row[3]), ipv6(headers.sourceIpv6High(), headers.sourceIpv6Low()));
                check(differences, "destination", InetAddress.getByName(row[4]), ipv6(headers.destinationIpv6High(), headers.destinationIpv6Low()));
            }
            else
            {
                check(differences, "ipVersion", 0, headers.ipVersion());
            }
            final String sourcePort = !row[5].isEmpty() ? row[5] : row[7];
            final String destinationPort = !row[6].isEmpty() ? row[6] : row[8];
            if (headers.protocol() != PacketHeaders.PROTOCOL_TCP && headers.protocol() != PacketHeaders.PROTOCOL_UDP)
            {
                // Only TCP and UDP carry ports for mirror filters; tshark also shows UDP-Lite's (136), for one.
                check(differences, "hasPorts", false, headers.hasPorts());
            }
            else if (!sourcePort.isEmpty())
            {
                withPorts++;
                check(differences, "hasPorts", true, headers.hasPorts());
                check(differences, "sourcePort", Integer.parseInt(sourcePort), headers.sourcePort());
                check(differences, "destinationPort", Integer.parseInt(destinationPort), headers.destinationPort());
            }
            else
            {
                check(differences, "hasPorts", false, headers.hasPorts());
            }
            if (!differences.isEmpty() && failures.size() < 5)
            {
                failures.add("frame " + (i + 1) + " " + headers + ": " + differences + " tshark " + String.join("|", row)
                    + " bytes " + PacketHeadersPcap4jOracleTest.hex(frame));
            }
        }
        assertThat(failures).isEmpty();
        assertThat(withPorts).isGreaterThan(frames.size() / 2);
        assertThat(ipv6).isGreaterThan(frames.size() / 4);
    }

    private static void check(final List<String> differences, final String field, final Object expected, final Object actual)
    {
        if (!expected.equals(actual))
        {
            differences.add(field + ": tshark " + expected + ", ours " + actual);
        }
    }

    private static InetAddress ipv4(final int address) throws IOException
    {
        return InetAddress.getByAddress(ByteBuffer.allocate(4).putInt(address).array());
    }

    private static InetAddress ipv6(final long high, final long low) throws IOException
    {
        return InetAddress.getByAddress(ByteBuffer.allocate(16).putLong(high).putLong(low).array());
    }

    private static boolean tsharkAvailable()
    {
        try
        {
            final Process process = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        catch (final IOException | InterruptedException e)
        {
            return false;
        }
    }

    /** One row per frame: ip.src, ip.dst, ip.proto, ipv6.src, ipv6.dst, tcp ports, udp ports (outermost only). */
    private static List<String[]> tshark(final Path capture) throws Exception
    {
        final Process process = new ProcessBuilder("tshark", "-n", "-r", capture.toString(),
            "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
            "-T", "fields", "-E", "occurrence=f", "-E", "separator=/t",
            "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto", "-e", "ipv6.src", "-e", "ipv6.dst",
            "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e", "udp.dstport")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        final List<String[]> rows = new ArrayList<>();
        for (final String line : output.split("\n", -1))
        {
            if (!line.isEmpty())
            {
                rows.add(java.util.Arrays.copyOf(line.split("\t", -1), 9));
            }
        }
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                row[i] = row[i] == null ? "" : row[i];
            }
        }
        Files.deleteIfExists(capture);
        return rows;
    }
}
