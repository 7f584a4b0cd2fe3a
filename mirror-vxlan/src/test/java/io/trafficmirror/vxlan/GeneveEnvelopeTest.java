package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.FrameBuilder;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The GENEVE envelope a Gateway Load Balancer puts around a mirrored VXLAN packet: the header encoder's bytes
 * against RFC 8926's layout written out by hand, the outer headers encoder's envelope field by field, and tshark's
 * and our decoder's reading of both.
 */
class GeneveEnvelopeTest
{
    private static final long ENDPOINT_ID = 0x0123_4567_89AB_CDEFL;
    private static final long ATTACHMENT_ID = 0x0FED_CBA9_8765_4321L;

    @TempDir
    Path temp;

    private static OuterHeadersEncoder vxlan(final String source, final String destination) throws IOException
    {
        return new OuterHeadersEncoder()
            .macAddresses(new byte[] {2, 0, 0x5e, 0, 0, 2}, new byte[] {2, 0, 0x5e, 0, 0, 1})
            .addresses(InetAddress.getByName(source), InetAddress.getByName(destination))
            .vni(5569041);
    }

    private static OuterHeadersEncoder enveloped(final String source, final String destination) throws IOException
    {
        return vxlan(source, destination)
            .geneveEnvelope(InetAddress.getByName("198.19.0.1"), InetAddress.getByName("198.19.0.2"))
            .gatewayLoadBalancerIds(ENDPOINT_ID, ATTACHMENT_ID);
    }

    @Test
    void shouldWriteTheGatewayLoadBalancerHeaderAsRfc8926LaysItOut()
    {
        final byte[] bytes = new byte[2 + GeneveHeaderEncoder.GWLB_HEADER_LENGTH];

        final int length = new GeneveHeaderEncoder().wrap(bytes, 2)
            .encodeGatewayLoadBalancer(0x0800, 0, ENDPOINT_ID, ATTACHMENT_ID, 0xCAFE_F00D);

        assertThat(length).isEqualTo(40);
        final String expected = "0000"
            // version 0, 8 words of options; no flags; IPv4; VNI 0, reserved 0
            + "08000800" + "00000000"
            // class 0x0108, type 1, 2 words: the endpoint id
            + "01080102" + "0123456789abcdef"
            // class 0x0108, type 2, 2 words: the attachment id
            + "01080202" + "0fedcba987654321"
            // class 0x0108, type 3, 1 word: the flow cookie
            + "01080301" + "cafef00d";
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(expected);

        final GeneveHeaderDecoder decoder = new GeneveHeaderDecoder().wrap(bytes, 2, 40);
        assertThat(decoder.status()).isEqualTo(ResultCode.OK);
        assertThat(decoder.headerLength()).isEqualTo(40);
        assertThat(decoder.protocolType()).isEqualTo(0x0800);
        assertThat(decoder.hasCriticalOptions()).isFalse();
    }

    @Test
    void shouldRefuseBadHeadersAndSmallOrReadOnlyBuffersWithoutWriting()
    {
        final byte[] bytes = new byte[39];
        final GeneveHeaderEncoder encoder = new GeneveHeaderEncoder().wrap(bytes, 0);

        assertThat(encoder.encodeGatewayLoadBalancer(0x0800, 0, 1, 2, 3)).isEqualTo(ResultCode.BUFFER_TOO_SMALL);
        assertThat(encoder.encode(0x0800, 1 << 24, 0)).isEqualTo(ResultCode.BAD_VNI);
        assertThat(encoder.encode(0x0800, 0, 6)).isEqualTo(ResultCode.GENEVE_BAD_OPTIONS);
        assertThat(encoder.encode(0x0800, 0, 256)).isEqualTo(ResultCode.GENEVE_BAD_OPTIONS);
        assertThat(bytes).containsOnly(0);
        assertThat(new GeneveHeaderEncoder().wrap(ByteBuffer.allocate(40).asReadOnlyBuffer(), 0).encode(0x86DD, 0, 0))
            .isEqualTo(ResultCode.READ_ONLY_BUFFER);
    }

    @ParameterizedTest
    @EnumSource(BufferKind.class)
    void shouldWrapTheVxlanPacketWithoutItsEthernetHeaderInTheEnvelope(final BufferKind kind) throws IOException
    {
        final byte[] frame = MirroredTraffic.innerFrame(0);
        final OuterHeadersEncoder encoder = enveloped("198.18.0.1", "198.18.0.2");
        final BufferKind.Placed placed = kind.place(frame, encoder.headerLength());

        final int length = placed.call(encoder::encodeInHeadroom, encoder::encodeInHeadroom);

        if (kind.readOnly)
        {
            assertThat(length).isEqualTo(ResultCode.READ_ONLY_BUFFER);
            return;
        }
        assertThat(encoder.headerLength()).isEqualTo(OuterHeadersEncoder.HEADER_LENGTH_GENEVE_IPV4).isEqualTo(118);
        assertThat(length).isEqualTo(118 + frame.length);
        final byte[] packet = placed.bytes(placed.offset() - encoder.headerLength(), length);
        final byte[] plain = OuterHeadersEncoderContractTest.encode(vxlan("198.18.0.1", "198.18.0.2"), frame);
        assertEnvelope(packet, plain, 0x0800);
    }

    @Test
    void shouldCarryAVxlanPacketOverIpv6AsProtocolType86dd() throws IOException
    {
        final byte[] frame = MirroredTraffic.innerFrame(3);
        final OuterHeadersEncoder encoder = enveloped("2001:db8::1", "2001:db8::2");

        final byte[] packet = OuterHeadersEncoderContractTest.encode(encoder, frame);

        assertThat(encoder.headerLength()).isEqualTo(OuterHeadersEncoder.HEADER_LENGTH_GENEVE_IPV6).isEqualTo(138);
        assertEnvelope(packet, OuterHeadersEncoderContractTest.encode(vxlan("2001:db8::1", "2001:db8::2"), frame), 0x86DD);
    }

    @Test
    void shouldWriteTheSameEnvelopeIntoASeparateHeaderBuffer() throws IOException
    {
        final byte[] frame = MirroredTraffic.innerFrame(1);
        final OuterHeadersEncoder encoder = enveloped("198.18.0.1", "198.18.0.2");
        final byte[] headers = new byte[encoder.headerLength()];

        assertThat(encoder.encodeHeaders(headers, 0, frame, 0, frame.length)).isEqualTo(frame.length);

        final byte[] inHeadroom = OuterHeadersEncoderContractTest.encode(encoder, frame);
        assertThat(headers).isEqualTo(Arrays.copyOf(inHeadroom, headers.length));
    }

    /**
     * Checks each envelope field against the layout: Ethernet, IPv4 (lengths, a header that sums to 0xFFFF), UDP to
     * 6081 from the VXLAN packet's own source port, the GENEVE header with its three options; then the VXLAN packet.
     */
    private static void assertEnvelope(final byte[] packet, final byte[] plainVxlan, final int protocolType)
    {
        final ByteBuffer b = ByteBuffer.wrap(packet);
        final int vxlanPacketLength = plainVxlan.length - 14;
        assertThat(packet.length).isEqualTo(82 + vxlanPacketLength);
        assertThat(b.getShort(12) & 0xFFFF).isEqualTo(0x0800);
        assertThat(b.get(14)).isEqualTo((byte)0x45);
        assertThat(b.getShort(16) & 0xFFFF).as("IPv4 total length").isEqualTo(packet.length - 14);
        assertThat(b.get(23)).as("protocol").isEqualTo((byte)17);
        assertThat(Arrays.copyOfRange(packet, 26, 34)).isEqualTo(new byte[] {(byte)198, 19, 0, 1, (byte)198, 19, 0, 2});
        int sum = 0;
        for (int i = 14; i < 34; i += 2)
        {
            sum += b.getShort(i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        assertThat((sum & 0xFFFF) + (sum >>> 16)).as("IPv4 header checksum").isEqualTo(0xFFFF);
        final int vxlanUdp = plainVxlan[12] == 0x08 && plainVxlan[13] == 0 ? 14 + 20 : 14 + 40;
        assertThat(b.getShort(34)).as("source port, the VXLAN packet's")
            .isEqualTo(ByteBuffer.wrap(plainVxlan).getShort(vxlanUdp));
        assertThat(b.getShort(36) & 0xFFFF).isEqualTo(6081);
        assertThat(b.getShort(38) & 0xFFFF).as("UDP length").isEqualTo(8 + 40 + vxlanPacketLength);
        assertThat(b.getShort(40)).as("UDP checksum").isZero();
        final String geneve = HexFormat.of().formatHex(packet, 42, 78);
        assertThat(geneve).isEqualTo("0800" + String.format("%04x", protocolType) + "00000000"
            + "01080102" + "0123456789abcdef" + "01080202" + "0fedcba987654321" + "01080301");
        assertThat(Arrays.copyOfRange(packet, 82, packet.length)).as("the VXLAN packet without its Ethernet header")
            .isEqualTo(Arrays.copyOfRange(plainVxlan, 14, plainVxlan.length));

        final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
        assertThat(decoder.decodeFrame(ByteBuffer.wrap(packet).asReadOnlyBuffer(), 0, packet.length))
            .isEqualTo(ResultCode.OK);
        assertThat(decoder.encapsulation()).isEqualTo(VxlanFrameDecoder.ENCAPSULATION_GENEVE_VXLAN);
        assertThat(decoder.vni()).isEqualTo(5569041);
        assertThat(decoder.geneveVni()).isZero();
        assertThat(Arrays.copyOfRange(packet, decoder.innerOffset(), decoder.innerOffset() + decoder.innerLength()))
            .isEqualTo(Arrays.copyOfRange(plainVxlan, plainVxlan.length - decoder.innerLength(), plainVxlan.length));
    }

    @Test
    void shouldGiveBothDirectionsOfAFlowOneCookieAndOtherFlowsOthers() throws IOException
    {
        final OuterHeadersEncoder encoder = enveloped("198.18.0.1", "198.18.0.2");
        final int a = FrameBuilder.ip(10, 0, 0, 5);
        final int b = FrameBuilder.ip(10, 0, 0, 6);
        final byte[] request = FrameBuilder.ipv4(6, a, b, 40000, 443, 100);
        final byte[] reply = FrameBuilder.ipv4(6, b, a, 443, 40000, 100);
        final byte[] other = FrameBuilder.ipv4(6, a, b, 40001, 443, 100);

        final int cookie = cookie(OuterHeadersEncoderContractTest.encode(encoder, request));

        assertThat(cookie(OuterHeadersEncoderContractTest.encode(encoder, reply))).isEqualTo(cookie);
        assertThat(cookie(OuterHeadersEncoderContractTest.encode(encoder, other))).isNotEqualTo(cookie);
        encoder.flowCookie(0xCAFE_F00DL);
        assertThat(cookie(OuterHeadersEncoderContractTest.encode(encoder, other))).isEqualTo(0xCAFE_F00D);
    }

    private static int cookie(final byte[] packet)
    {
        return ByteBuffer.wrap(packet).getInt(78);
    }

    @Test
    void shouldCutTheInnerFrameSoThatTheVxlanPacketFitsTheMtuWithTheEnvelopeOnTop() throws IOException
    {
        final byte[] jumbo = FrameBuilder.ipv4(17, FrameBuilder.ip(10, 0, 0, 5), FrameBuilder.ip(10, 0, 0, 6), 1, 2, 8600);
        final OuterHeadersEncoder encoder = enveloped("198.18.0.1", "198.18.0.2").mtu(8500);

        final byte[] packet = OuterHeadersEncoderContractTest.encode(encoder, jumbo);

        assertThat(encoder.innerLength(jumbo.length)).isEqualTo(8464);
        assertThat(packet.length).isEqualTo(118 + 8464);
        assertThat(ByteBuffer.wrap(packet).getShort(82 + 2) & 0xFFFF).as("the VXLAN packet's IPv4 total length")
            .isEqualTo(8500);
        assertThat(ByteBuffer.wrap(packet).getShort(16) & 0xFFFF).as("the envelope's").isEqualTo(8500 + 68);
    }

    @Test
    void shouldRefuseAnIpv6EnvelopeAndGoBackToPlainVxlanWhenAsked() throws IOException
    {
        final OuterHeadersEncoder encoder = enveloped("198.18.0.1", "198.18.0.2");

        assertThatThrownBy(() -> encoder.geneveEnvelope(InetAddress.getByName("2001:db8::1"),
            InetAddress.getByName("198.19.0.2")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("outer headers: GENEVE envelope source /2001:db8:0:0:0:0:0:1 and destination /198.19.0.2 "
                + "must both be IPv4");
        assertThatThrownBy(() -> encoder.flowCookie(1L << 32)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("flow cookie 4294967296");

        final byte[] frame = MirroredTraffic.innerFrame(2);
        assertThat(OuterHeadersEncoderContractTest.encode(encoder.noEnvelope(), frame))
            .isEqualTo(OuterHeadersEncoderContractTest.encode(vxlan("198.18.0.1", "198.18.0.2"), frame));
    }

    @Test
    void shouldBeReadByTsharkAsGeneveAroundIpUdpVxlanAndTheInnerFrameWithTheGatewayOptions() throws IOException
    {
        Tshark.assumeAvailable();
        final OuterHeadersEncoder v4 = enveloped("198.18.0.1", "198.18.0.2");
        final OuterHeadersEncoder v6 = enveloped("2001:db8::1", "2001:db8::2");
        final List<byte[]> frames = new ArrayList<>();
        final List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            final byte[] frame = MirroredTraffic.innerFrame(i);
            frames.add(frame);
            packets.add(OuterHeadersEncoderContractTest.encode(i % 2 == 0 ? v4 : v6, frame));
        }
        final Path pcap = temp.resolve("geneve-envelope.pcap");
        Pcap.write(pcap, packets);

        final List<String[]> rows = Tshark.fields(pcap, List.of("-o", "ip.check_checksum:TRUE"),
            "frame.number", "frame.protocols", "geneve.proto_type", "geneve.vni", "geneve.option.class",
            "geneve.option.type", "geneve.option.length", "geneve.option.unknown.data", "vxlan.vni", "udp.dstport",
            "ip.checksum.status", "eth.src", "_ws.malformed");

        assertThat(rows).hasSize(packets.size());
        for (final String[] row : rows)
        {
            final int index = Integer.parseInt(row[0]) - 1;
            final String where = "packet " + row[0] + " " + row[1];
            final boolean ipv6 = index % 2 == 1;
            assertThat(row[1]).as(where).startsWith("eth:ethertype:ip:udp:geneve:" + (ipv6 ? "ipv6" : "ip")
                + ":udp:vxlan:eth:");
            assertThat(Integer.decode(row[2])).as(where).isEqualTo(ipv6 ? 0x86DD : 0x0800);
            assertThat(Integer.decode(row[3])).as(where).isZero();
            assertThat(row[4].split("\\|")).as(where).hasSize(3).allMatch(c -> Integer.decode(c) == 0x0108);
            assertThat(row[5].split("\\|")).as(where).containsExactly("0x01", "0x02", "0x03");
            // The options area, then each option, header included.
            assertThat(row[6].split("\\|")).as(where).containsExactly("32", "12", "12", "8");
            final String[] data = row[7].split("\\|");
            assertThat(data).as(where).hasSize(3);
            assertThat(data[0].replace(":", "")).isEqualTo("0123456789abcdef");
            assertThat(data[1].replace(":", "")).isEqualTo("0fedcba987654321");
            assertThat(row[8]).as(where).isEqualTo("5569041");
            assertThat(Tshark.nth(row[9], 0)).as(where).isEqualTo("6081");
            assertThat(Tshark.nth(row[9], 1)).as(where).isEqualTo("4789");
            assertThat(Tshark.first(row[10])).as(where + " envelope checksum").isEqualTo("1");
            assertThat(Tshark.nth(row[11], 1)).as(where + " inner Ethernet source")
                .isEqualTo(HexFormat.ofDelimiter(":").formatHex(frames.get(index), 6, 12));
            assertThat(row[12]).as(where).isEmpty();
        }
    }
}
