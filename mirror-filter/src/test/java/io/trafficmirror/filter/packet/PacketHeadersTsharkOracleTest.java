package io.trafficmirror.filter.packet;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.Tshark;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

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
    void shouldAgreeWithTsharkOnAddressesProtocolAndPortsOfACaptureTheTestWrites(@TempDir final Path dir) throws IOException
    {
        Tshark.assumeAvailable();
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
        Pcap.write(capture, frames);
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
                check(differences, "source", InetAddress.getByName(row[3]),
                    ipv6(headers.sourceIpv6High(), headers.sourceIpv6Low()));
                check(differences, "destination", InetAddress.getByName(row[4]),
                    ipv6(headers.destinationIpv6High(), headers.destinationIpv6Low()));
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

    /** One row per frame: ip.src, ip.dst, ip.proto, ipv6.src, ipv6.dst, tcp ports, udp ports (outermost only). */
    private static List<String[]> tshark(final Path capture) throws IOException
    {
        final List<String[]> rows = Tshark.fields(capture,
            List.of("-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE"),
            "ip.src", "ip.dst", "ip.proto", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
            "udp.dstport");
        for (final String[] row : rows)
        {
            for (int i = 0; i < row.length; i++)
            {
                row[i] = Tshark.first(row[i]);
            }
        }
        return rows;
    }
}
