package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SharedCaptures;
import io.trafficmirror.testing.Tshark;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every real capture in the shared data decodes: the numbers asserted come from the captures' README and,
 * packet by packet, from tshark's dissection of the same files. Those captures are third-party and not part of
 * the project, so these tests skip without them; the project's own VXLAN and GENEVE traffic goes through the
 * same comparison with tshark everywhere.
 */
class CaptureFilesDecodeTest
{
    @TempDir
    Path temp;

    @Test
    void shouldDecodeEachPacketOfTheProjectsOwnTrafficAsTsharkDoes() throws IOException
    {
        Tshark.assumeAvailable();
        for (final Path file : MirroredTraffic.writeCaptures(temp))
        {
            assertDecodesAsTshark(file);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "aws-traffic-mirror-ssh-dns-ntp.pcap", "geneve-vni123.pcap", "vxlan-arp.pcap",
        "vxlan-reserved-bits-set.pcap", "vxlan-vni100-icmp.pcap", "vxlan-vni37-dns.pcap"})
    void shouldDecodeEachPacketAsTsharkDoes(final String file) throws IOException
    {
        Tshark.assumeAvailable();
        assertDecodesAsTshark(SharedCaptures.file(file));
    }

    private static void assertDecodesAsTshark(final Path file) throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(file);
        final List<String[]> rows = Tshark.fields(file, List.of(),
            "frame.number", "vxlan.vni", "geneve.vni", "udp.payload", "udp.srcport", "udp.dstport");
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(rows).hasSize(packets.size());
        for (final String[] row : rows)
        {
            final Pcap.Packet packet = packets.get(Integer.parseInt(row[0]) - 1);
            final int result = decoder.decodeFrame(ByteBuffer.wrap(packet.data()).asReadOnlyBuffer(), 0, packet.data().length);
            final String where = file + " packet " + row[0];
            if (row[1].isEmpty() && row[2].isEmpty())
            {
                if (row[4].isEmpty())
                {
                    // Not UDP at all, as tshark sees it: ARP, TCP, ICMP.
                    assertThat(result).as(where).isIn(ResultCode.NOT_IP, ResultCode.NOT_UDP);
                }
                else
                {
                    assertThat(result).as(where).isEqualTo(ResultCode.NOT_TUNNEL);
                }
                continue;
            }
            assertThat(result).as(where).isEqualTo(ResultCode.OK);
            final int tsharkVni = row[1].isEmpty()
                ? Integer.decode(Tshark.first(row[2])) : Integer.parseInt(Tshark.first(row[1]));
            assertThat(decoder.vni()).as(where).isEqualTo(tsharkVni);
            assertThat(decoder.sourcePort()).as(where).isEqualTo(Integer.parseInt(Tshark.first(row[4])));
            assertThat(decoder.destinationPort()).as(where).isEqualTo(Integer.parseInt(Tshark.first(row[5])));

            // The inner frame is the tail of the outer UDP payload as tshark sees it.
            final byte[] udpPayload = Tshark.hex(Tshark.first(row[3]));
            final byte[] tsharkInner =
                Arrays.copyOfRange(udpPayload, udpPayload.length - decoder.innerLength(), udpPayload.length);
            final byte[] ourInner = Arrays.copyOfRange(
                packet.data(), decoder.innerOffset(), decoder.innerOffset() + decoder.innerLength());
            assertThat(ourInner).as(where).isEqualTo(tsharkInner);
            assertThat(decoder.innerOffset() + decoder.innerLength()).as(where)
                .isLessThanOrEqualTo(packet.data().length);
            final int tunnelHeader = udpPayload.length - decoder.innerLength();
            assertThat(tunnelHeader).as(where).isGreaterThanOrEqualTo(8);
        }
    }

    @Test
    void shouldReportThePlainUdpPacketsAroundTheVni37PacketAsNotVxlan() throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file("vxlan-vni37-dns.pcap"));
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(packets).hasSize(3);
        assertThat(decode(decoder, packets.get(0))).isEqualTo(ResultCode.OK);
        assertThat(decoder.vni()).isEqualTo(37);
        assertThat(decode(decoder, packets.get(1))).isEqualTo(ResultCode.NOT_TUNNEL);
        assertThat(decoder.vni()).isEqualTo(-1);
        assertThat(decode(decoder, packets.get(2))).isEqualTo(ResultCode.NOT_TUNNEL);
    }

    @Test
    void shouldDecodeVni11DespiteGbpFlagsAndReservedBits() throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file("vxlan-reserved-bits-set.pcap"));
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(packets).hasSize(10);
        for (final Pcap.Packet packet : packets)
        {
            assertThat(decode(decoder, packet)).isEqualTo(ResultCode.OK);
            assertThat(decoder.vni()).isEqualTo(11);
            assertThat(decoder.vxlanFlags()).isEqualTo(0xFF);
            assertThat(decoder.innerLength()).isGreaterThanOrEqualTo(14);
        }
    }

    @Test
    void shouldDecodeGeneveVni123WithItsEthernetPayload() throws IOException
    {
        final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file("geneve-vni123.pcap"));
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(packets).hasSize(10);
        for (final Pcap.Packet packet : packets)
        {
            assertThat(decode(decoder, packet)).isEqualTo(ResultCode.OK);
            assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_GENEVE);
            assertThat(decoder.vni()).isEqualTo(123);
            assertThat(decoder.geneveVni()).isEqualTo(123);
            assertThat(decoder.innerProtocol()).isEqualTo(GeneveHeaderDecoder.PROTOCOL_ETHERNET);
            assertThat(decoder.destinationPort()).isEqualTo(6081);
        }
    }

    @Test
    void shouldDecodeVni100InBothTcpdumpTraces() throws IOException
    {
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
        for (final String file : List.of("vxlan-vni100-icmp.pcap", "vxlan-arp.pcap"))
        {
            final List<Pcap.Packet> packets = Pcap.read(SharedCaptures.file(file));
            assertThat(packets).isNotEmpty();
            for (final Pcap.Packet packet : packets)
            {
                assertThat(decode(decoder, packet)).as(file).isEqualTo(ResultCode.OK);
                assertThat(decoder.vni()).isEqualTo(100);
            }
        }
    }

    private static int decode(final VxlanFrameDecoder decoder, final Pcap.Packet packet)
    {
        return decoder.decodeFrame(packet.data(), 0, packet.data().length);
    }
}
