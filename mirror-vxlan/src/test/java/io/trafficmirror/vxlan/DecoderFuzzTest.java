package io.trafficmirror.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.BufferKind;
import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.MirroredTraffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated frames into every decoder, over every buffer kind, each buffer ending exactly where the
 * given length ends: a read out of bounds would throw, and any exception fails the property. Tries per property
 * come from {@code jqwik.tries.default} (1000 in CI; raise it with {@code -Djqwik.tries.default=...}).
 */
class DecoderFuzzTest
{
    private static final List<byte[]> SEEDS = seeds();

    private final VxlanFrameDecoder frameDecoder = new VxlanFrameDecoder();
    private final VxlanHeaderDecoder vxlanDecoder = new VxlanHeaderDecoder();
    private final GeneveHeaderDecoder geneveDecoder = new GeneveHeaderDecoder();

    @Property
    void shouldNeverThrowOrReadOutsideTheBoundsOnRandomBytes(
        @ForAll @Size(max = 400) byte[] bytes, @ForAll BufferKind kind, @ForAll @IntRange(max = 2) int entry)
    {
        decodeEverywhere(kind.place(bytes, 0), entry);
    }

    @Property
    void shouldNeverThrowOrReadOutsideTheBoundsOnMutatedRealFrames(
        @ForAll long seed, @ForAll BufferKind kind, @ForAll @IntRange(max = 2) int entry)
    {
        final Random random = new Random(seed);
        final byte[] base = SEEDS.get(random.nextInt(SEEDS.size()));
        final byte[] frame = mutate(base, random);

        decodeEverywhere(kind.place(frame, 0), entry);
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

    /** Overwrites a few bytes (often length and type fields, in the first 130 bytes) and maybe cuts the frame. */
    private static byte[] mutate(final byte[] base, final Random random)
    {
        final int length = random.nextInt(4) == 0 ? random.nextInt(base.length + 1) : base.length;
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

    private static List<byte[]> seeds()
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
}
