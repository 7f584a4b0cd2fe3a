package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SeededCases;
import io.trafficmirror.testing.SharedCaptures;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames into every decoder, over every buffer kind, each buffer ending exactly where the
 * given length ends: a read out of bounds would throw, and any exception fails the property. 5000 cases per
 * property in CI; long runs raise that with {@code -Dtrafficmirror.cases.scale=...} (see {@link SeededCases}).
 */
class DecoderFuzzTest
{
    private static final int CASES = 5000;
    /** Frames of the third-party captures when they are beside the checkout: the shapes met in practice. */
    private static final List<byte[]> CAPTURED = captured();
    /** Frames built here: every inner kind in VXLAN and GENEVE, IPv6 outer headers with extension headers. */
    private static final List<byte[]> BUILT = built();
    /** Where headers end in the seeds (Ethernet, VLAN, IPv4, UDP, IPv6, an extension, VXLAN): cuts land near them. */
    private static final int[] HEADER_ENDS = {14, 18, 34, 42, 50, 54, 62, 70};

    private final VxlanFrameDecoder frameDecoder = new VxlanFrameDecoder();
    private final VxlanHeaderDecoder vxlanDecoder = new VxlanHeaderDecoder();
    private final GeneveHeaderDecoder geneveDecoder = new GeneveHeaderDecoder();

    @Test
    void shouldNeverThrowOrReadOutsideTheBoundsOnRandomBytes()
    {
        SeededCases.run(CASES, draw ->
        {
            final byte[] bytes = draw.bytes(400);
            final BufferKind kind = draw.enumConstant(BufferKind.class);
            final int entry = draw.between(0, 2);

            decodeEverywhere(kind.place(bytes, 0), entry);
        });
    }

    @Test
    void shouldNeverThrowOrReadOutsideTheBoundsOnMutatedRealFrames()
    {
        SeededCases.run(CASES, draw ->
        {
            final SplittableRandom random = draw.random();
            final BufferKind kind = draw.enumConstant(BufferKind.class);
            final int entry = draw.between(0, 2);
            final List<byte[]> seeds = CAPTURED.isEmpty() || random.nextBoolean() ? BUILT : CAPTURED;
            final byte[] base = seeds.get(random.nextInt(seeds.size()));
            final byte[] frame = mutate(base, random);

            decodeEverywhere(kind.place(frame, 0), entry);
        });
    }

    private void decodeEverywhere(final BufferKind.Placed placed, final int entry)
    {
        final int result = switch (entry)
        {
            case 0 -> placed.call(frameDecoder::decodeFrame, frameDecoder::decodeFrame);
            case 1 -> placed.call(frameDecoder::decodeVxlanPayload, frameDecoder::decodeVxlanPayload);
            default -> placed.call(frameDecoder::decodeGenevePayload, frameDecoder::decodeGenevePayload);
        };
        assertThat(result).isLessThanOrEqualTo(ResultCode.OK);
        assertThat(ResultCode.describe(result)).doesNotStartWith("UNKNOWN");
        final long end = (long)placed.offset() + placed.length();
        if (result == ResultCode.OK)
        {
            assertThat(frameDecoder.innerOffset()).isGreaterThanOrEqualTo(placed.offset());
            assertThat(frameDecoder.innerLength()).isNotNegative();
            assertThat((long)frameDecoder.innerOffset() + frameDecoder.innerLength()).isLessThanOrEqualTo(end);
            assertThat(frameDecoder.vni()).isBetween(0, VxlanHeaderDecoder.MAX_VNI);
            if (frameDecoder.ipVersion() != 0)
            {
                assertThat((long)frameDecoder.sourceAddressOffset() + frameDecoder.addressLength()).isLessThanOrEqualTo(end);
                assertThat((long)frameDecoder.destinationAddressOffset() + frameDecoder.addressLength())
                    .isLessThanOrEqualTo(end);
                frameDecoder.sourceIpv4();
                frameDecoder.copySourceAddress(new byte[16], 0);
            }
            // What is inside may itself be fed to the decoders: it is just as untrusted.
            if (frameDecoder.innerLength() > 0)
            {
                FlowHash.sourcePort(frameDecoder.buffer(), frameDecoder.innerOffset(), frameDecoder.innerLength());
            }
        }
        else
        {
            assertThat(frameDecoder.innerOffset()).isEqualTo(-1);
            assertThat(frameDecoder.vni()).isEqualTo(-1);
        }

        final ByteBuffer buffer = placed.array() != null ? ByteBuffer.wrap(placed.array()) : placed.buffer();
        for (int at = placed.offset(); at <= end; at += 7)
        {
            final int remaining = (int)(end - at);
            vxlanDecoder.wrap(buffer, at, remaining);
            assertThat(vxlanDecoder.vni()).isBetween(-1, VxlanHeaderDecoder.MAX_VNI);
            vxlanDecoder.isVniValid();
            geneveDecoder.wrap(buffer, at, remaining);
            if (geneveDecoder.status() == ResultCode.OK)
            {
                assertThat((long)at + geneveDecoder.headerLength()).isLessThanOrEqualTo(end);
            }
            geneveDecoder.protocolType();
            geneveDecoder.vni();
            assertThat(VxlanHeaderDecoder.vni(buffer, at)).isBetween(-1, VxlanHeaderDecoder.MAX_VNI);
            assertThat(FlowHash.sourcePort(buffer, at, remaining)).isBetween(FlowHash.MIN_PORT, FlowHash.MAX_PORT);
        }
    }

    /**
     * Overwrites a few bytes (often length and type fields, in the first 130 bytes) and maybe cuts the frame,
     * half of those times within 8 bytes after a header's end, where a missing bounds check reads too far.
     */
    private static byte[] mutate(final byte[] base, final SplittableRandom random)
    {
        final int cut = random.nextInt(8);
        final int length = cut > 1 ? base.length : cut == 0 ? random.nextInt(base.length + 1)
            : Math.min(base.length, HEADER_ENDS[random.nextInt(HEADER_ENDS.length)] + random.nextInt(8));
        final byte[] frame = Arrays.copyOf(base, length);
        if (length == 0)
        {
            return frame;
        }
        final int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++)
        {
            final int at = random.nextInt(Math.min(length, 130));
            switch (random.nextInt(4))
            {
                case 0 -> frame[at] = (byte)random.nextInt();
                case 1 -> frame[at] = 0;
                case 2 -> frame[at] = (byte)0xFF;
                default -> frame[at] ^= (byte)(1 << random.nextInt(8));
            }
        }
        return frame;
    }

    private static List<byte[]> captured()
    {
        try
        {
            final List<byte[]> seeds = new ArrayList<>();
            if (Files.isDirectory(SharedCaptures.directory()))
            {
                for (final Path file : SharedCaptures.all())
                {
                    Pcap.read(file).forEach(packet -> seeds.add(packet.data()));
                }
            }
            return seeds;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    private static List<byte[]> built()
    {
        try
        {
            final List<byte[]> seeds = new ArrayList<>();
            // VXLAN and GENEVE packets around every kind of inner frame, the inner frames alone, and a VXLAN
            // header with group-policy flags and reserved bits set.
            for (int i = 0; i < MirroredTraffic.INNER_KINDS; i++)
            {
                seeds.add(MirroredTraffic.vxlan(i));
                seeds.add(MirroredTraffic.geneve(i));
                seeds.add(MirroredTraffic.innerFrame(i));
            }
            seeds.add(new FrameBuilder().tunnel(40_000, FrameBuilder.VXLAN_PORT,
                new byte[] {(byte)0xFF, 0x01, (byte)0xD1, (byte)0xF2, 0, 0, 0x0B, 0}, MirroredTraffic.innerFrame(3)));
            final byte[] inner = new byte[90];
            inner[12] = 0x08;
            final OuterHeadersEncoder ipv6 = new OuterHeadersEncoder()
                .addresses(InetAddress.getByName("2001:db8::1"), InetAddress.getByName("2001:db8::2")).vni(3);
            final byte[] v6 = OuterHeadersEncoderContractTest.encode(ipv6, inner);
            seeds.add(v6);
            seeds.add(Arrays.copyOfRange(v6, 62, v6.length));
            seeds.add(withIpv6Extension(v6, 0));
            seeds.add(withIpv6Extension(v6, 44));
            seeds.add(withIpv6Extension(withIpv6Extension(v6, 60), 43));
            final OuterHeadersEncoder ipv4 = new OuterHeadersEncoder().ipv4Addresses(0xC6120001, 0xC6120002).vni(3);
            final byte[] v4 = OuterHeadersEncoderContractTest.encode(ipv4, inner);
            seeds.add(TsharkEncoderInteropTest.geneve(Arrays.copyOfRange(v4, 14, v4.length), 0x0800, 5));
            seeds.add(TsharkEncoderInteropTest.geneve(v4, 0x6558, 5));
            return seeds;
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The IPv6 frame with an 8-byte extension header of {@code type} (hop-by-hop, routing, fragment with offset 0
     * and no more fragments, destination options) in front of what follows the IPv6 header.
     */
    private static byte[] withIpv6Extension(final byte[] ipv6Frame, final int type)
    {
        final int ipv6 = 14;
        final int payload = ipv6 + 40;
        final byte[] frame = new byte[ipv6Frame.length + 8];
        System.arraycopy(ipv6Frame, 0, frame, 0, payload);
        System.arraycopy(ipv6Frame, payload, frame, payload + 8, ipv6Frame.length - payload);
        frame[payload] = ipv6Frame[ipv6 + 6];
        frame[ipv6 + 6] = (byte)type;
        final int payloadLength = ((ipv6Frame[ipv6 + 4] & 0xFF) << 8 | (ipv6Frame[ipv6 + 5] & 0xFF)) + 8;
        frame[ipv6 + 4] = (byte)(payloadLength >>> 8);
        frame[ipv6 + 5] = (byte)payloadLength;
        return frame;
    }
}
