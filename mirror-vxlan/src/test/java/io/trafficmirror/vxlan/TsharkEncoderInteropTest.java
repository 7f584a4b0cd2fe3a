package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.Tshark;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wireshark's dissectors judge what our encoder writes: a pcap of encoder output (IPv4 and IPv6, with and
 * without UDP checksum, cut and whole) decodes with the right VNI, ports, addresses and inner fields, with
 * checksum validation on and no malformed-packet or warning/error expert info. A GENEVE packet carrying one
 * of them (as a Gateway Load Balancer endpoint would deliver it) is read by our decoder as tshark reads it.
 */
class TsharkEncoderInteropTest
{
    private static final List<String> VALIDATE_CHECKSUMS = List.of(
        "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE");
    /** Wireshark's PI_WARN severity; PI_ERROR is above it. */
    private static final long PI_WARN = 0x0060_0000L;

    private static final List<byte[]> INNER_FRAMES = new ArrayList<>();

    @TempDir
    Path temp;

    @BeforeAll
    static void buildInnerFrames()
    {
        // SSH, DNS, NTP, ICMP, IPv6, VLAN-tagged and ARP frames, requests and replies, with valid checksums.
        for (int i = 0; i < 12; i++)
        {
            INNER_FRAMES.add(MirroredTraffic.innerFrame(i));
        }
    }

    @Test
    void shouldBeDissectedByTsharkWithRightFieldsValidChecksumsAndNoExpertWarnings() throws IOException
    {
        Tshark.assumeAvailable();
        final List<Case> cases = new ArrayList<>();
        final OuterHeadersEncoder awsDefaults = encoder("198.18.0.1", "198.18.0.2", 5569041);
        final OuterHeadersEncoder checksummed = encoder("198.18.0.1", "198.18.0.2", 42)
            .udpChecksum(true).ttl(64).dontFragment(true).tos(0x28).identification(0xBEEF);
        final OuterHeadersEncoder ipv6 = encoder("2001:db8::1", "2001:db8::2", 16777215);
        // Encoder by encoder, so that a frame comes again only a dozen seconds later: sooner, tshark would call
        // the second copy of a DNS query a retransmission.
        INNER_FRAMES.forEach(frame -> cases.add(new Case(awsDefaults, frame, 5569041, "198.18.0.1")));
        INNER_FRAMES.forEach(frame -> cases.add(new Case(checksummed, frame, 42, "198.18.0.1")));
        INNER_FRAMES.forEach(frame -> cases.add(new Case(ipv6, frame, 16777215, "2001:db8::1")));
        // Cut frames, as PacketLength 20 mirrors them: Ethernet header and 6 bytes of the inner IPv4 header.
        final OuterHeadersEncoder cut = encoder("2001:db8::1", "2001:db8::2", 9).packetLength(20);
        final OuterHeadersEncoder cutV4 = encoder("198.18.0.1", "198.18.0.2", 9).packetLength(20).udpChecksum(true);
        cases.add(new Case(cut, INNER_FRAMES.get(0), 9, "2001:db8::1"));
        cases.add(new Case(cutV4, INNER_FRAMES.get(1), 9, "198.18.0.1"));

        final List<byte[]> packets = new ArrayList<>();
        for (final Case c : cases)
        {
            packets.add(OuterHeadersEncoderContractTest.encode(c.encoder, c.frame));
        }
        final Path pcap = temp.resolve("encoded.pcap");
        Pcap.write(pcap, packets);

        final List<String[]> rows = Tshark.fields(pcap, VALIDATE_CHECKSUMS,
            "frame.number", "vxlan.vni", "udp.srcport", "udp.dstport", "ip.src", "ipv6.src",
            "ip.checksum.status", "udp.checksum.status", "eth.src", "udp.length",
            "_ws.malformed", "_ws.expert.severity", "_ws.expert.message");

        assertThat(rows).hasSize(cases.size());
        for (final String[] row : rows)
        {
            final int index = Integer.parseInt(row[0]) - 1;
            final Case c = cases.get(index);
            final byte[] packet = packets.get(index);
            final String where = "packet " + row[0] + " expert: " + row[12];
            assertThat(row[1]).as(where).isEqualTo(Integer.toString(c.vni));
            assertThat(Integer.parseInt(Tshark.first(row[2]))).as(where)
                .isEqualTo(FlowHash.sourcePort(c.frame, 0, c.frame.length));
            assertThat(Tshark.first(row[3])).as(where).isEqualTo("4789");
            assertThat(Tshark.first(c.source.contains(":") ? row[5] : row[4])).as(where).isEqualTo(c.source);
            assertThat(Integer.parseInt(Tshark.first(row[9]))).as(where).isEqualTo(packet.length - c.encoder.headerLength() + 16);
            if (!c.source.contains(":"))
            {
                assertThat(Tshark.first(row[6])).as(where + " IPv4 header checksum status").isEqualTo("1");
            }
            // 1 = good; 3 = not present (AWS's zero checksum over IPv4).
            final String udpChecksum = Tshark.first(row[7]);
            assertThat(udpChecksum).as(where + " UDP checksum status")
                .isEqualTo(c.encoder == awsDefaults ? "3" : "1");
            if (c.encoder == cut || c.encoder == cutV4)
            {
                // The inner packet is cut on purpose and its bytes are never changed, so the inner IPv4 header
                // claims more than is there: that, and only that, may be reported, and only for the inner layer.
                assertThat(row[12].split("\\|")).as(where).containsOnly(
                    "IPv4 total length exceeds packet length (6 bytes)", "Malformed Packet (Exception occurred)");
                assertThat(row[10]).as(where).isEqualTo("[Malformed Packet: IPv4]|_ws.malformed");
                continue;
            }
            // The inner Ethernet source, as tshark finds it inside the tunnel.
            assertThat(Tshark.nth(row[8], 1)).as(where)
                .isEqualTo(HexFormat.ofDelimiter(":").formatHex(c.frame, 6, 12));
            assertThat(row[10]).as(where + " malformed").isEmpty();
            for (final String severity : row[11].isEmpty() ? new String[0] : row[11].split("\\|"))
            {
                assertThat(Long.parseLong(severity)).as(where).isLessThan(PI_WARN);
            }
        }
    }

    @Test
    void shouldReadGeneveCarryingVxlanAsTsharkDoes() throws IOException
    {
        Tshark.assumeAvailable();
        final OuterHeadersEncoder encoder = encoder("198.18.0.1", "198.18.0.2", 5569041);
        final List<byte[]> packets = new ArrayList<>();
        for (final byte[] frame : INNER_FRAMES)
        {
            final byte[] vxlanPacket = OuterHeadersEncoderContractTest.encode(encoder, frame);
            packets.add(geneve(Arrays.copyOfRange(vxlanPacket, 14, vxlanPacket.length), 0x0800, 777));
        }
        final Path pcap = temp.resolve("geneve-vxlan.pcap");
        Pcap.write(pcap, packets);

        final List<String[]> rows = Tshark.fields(pcap, VALIDATE_CHECKSUMS,
            "frame.number", "geneve.vni", "vxlan.vni", "udp.payload", "_ws.malformed", "ip.src");
        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();

        assertThat(rows).hasSize(packets.size());
        for (final String[] row : rows)
        {
            final byte[] packet = packets.get(Integer.parseInt(row[0]) - 1);
            assertThat(decoder.decodeFrame(ByteBuffer.wrap(packet).asReadOnlyBuffer(), 0, packet.length))
                .isEqualTo(ResultCode.OK);
            assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_GENEVE_VXLAN);
            assertThat(decoder.geneveVni()).isEqualTo(Integer.decode(row[1]));
            assertThat(decoder.vni()).isEqualTo(Integer.parseInt(row[2]));
            final byte[] vxlanPayload = Tshark.hex(Tshark.nth(row[3], 1));
            assertThat(Arrays.copyOfRange(packet, decoder.innerOffset(), decoder.innerOffset() + decoder.innerLength()))
                .isEqualTo(Arrays.copyOfRange(vxlanPayload, 8, vxlanPayload.length));
            assertThat(InetAddress.getByAddress(Arrays.copyOfRange(packet, decoder.sourceAddressOffset(),
                decoder.sourceAddressOffset() + 4)).getHostAddress()).isEqualTo(Tshark.nth(row[5], 1));
            assertThat(row[4]).isEmpty();
        }
    }

    private record Case(OuterHeadersEncoder encoder, byte[] frame, int vni, String source)
    {
    }

    private static OuterHeadersEncoder encoder(final String source, final String destination, final int vni)
        throws IOException
    {
        return new OuterHeadersEncoder()
            .macAddresses(new byte[] {2, 0, 0x5e, 0, 0, 2}, new byte[] {2, 0, 0x5e, 0, 0, 1})
            .addresses(InetAddress.getByName(source), InetAddress.getByName(destination))
            .vni(vni);
    }

    /**
     * A GENEVE packet over IPv4 to port 6081 carrying {@code payload} with one 4-byte option of AWS's class
     * 0x0108, written field by field from RFC 8926, independently of the code under test.
     */
    static byte[] geneve(final byte[] payload, final int protocol, final int vni)
    {
        final int geneveLength = 8 + 8;
        final int udpLength = 8 + geneveLength + payload.length;
        final ByteBuffer b = ByteBuffer.allocate(14 + 20 + udpLength);
        b.put(new byte[] {2, 0, 0x5e, 0, 0, 4}).put(new byte[] {2, 0, 0x5e, 0, 0, 3}).putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)(20 + udpLength)).putShort((short)0).putShort((short)0x4000)
            .put((byte)64).put((byte)17).putShort((short)0)
            .put(new byte[] {(byte)198, 18, 1, 1}).put(new byte[] {(byte)198, 18, 1, 2});
        int sum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            sum += b.getShort(i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        b.putShort(24, (short)~sum);
        b.putShort((short)50000).putShort((short)6081).putShort((short)udpLength).putShort((short)0);
        b.put((byte)2).put((byte)0).putShort((short)protocol).putInt(vni << 8);
        b.putShort((short)0x0108).put((byte)1).put((byte)1).putInt(0x12345678);
        b.put(payload);
        return b.array();
    }
}
