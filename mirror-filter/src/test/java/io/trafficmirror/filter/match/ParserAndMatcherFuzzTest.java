package io.trafficmirror.filter.match;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.packet.RandomFrames;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated frames through the parser and matcher: no exception, and no read outside the frame,
 * because every buffer and array slice handed over ends exactly at the frame's last byte (an overread throws).
 * {@code -Dtrafficmirror.fuzz.rounds=N} multiplies the work per case for long runs outside CI.
 */
class ParserAndMatcherFuzzTest
{
    private static final int ROUNDS = Integer.getInteger("trafficmirror.fuzz.rounds", 1);
    private static final RandomRules.Limits LIMITS = new RandomRules.Limits(200, true, true);

    private final PacketHeaders headers = new PacketHeaders();

    @Test
    void shouldNeverThrowNorReadOutsideTheFrame()
    {
        SeededCases.run(1000, draw -> neverThrowNorReadOutsideTheFrame(draw.random()));
    }

    private void neverThrowNorReadOutsideTheFrame(final SplittableRandom random)
    {
        final MatchOptions options = RandomRules.options(random);
        final MirrorFilter filter = RandomRules.filter(random, RandomRules.ruleCount(random, LIMITS.maxRules()), LIMITS);
        final CompiledFilter compiled = CompiledFilter.compile(filter, options);
        for (int i = 0; i < 100 * ROUNDS; i++)
        {
            final TrafficDirection direction = random.nextBoolean() ? TrafficDirection.INGRESS : TrafficDirection.EGRESS;
            final byte[] frame = mutate(random,
                RandomRules.frame(random, filter.rules(direction), RandomFrames.Shape.ANY, options).build());
            final int offset = random.nextInt(5);
            final byte[] array = new byte[offset + frame.length];
            System.arraycopy(frame, 0, array, offset, frame.length);
            final boolean raw = random.nextInt(8) == 0;

            final int arrayResult = raw ?
                headers.parseIp(array, offset, frame.length) : headers.parseEthernet(array, offset, frame.length);
            assertThat(arrayResult).isBetween(ParseResult.OK, ParseResult.TOO_MANY_EXTENSION_HEADERS);
            final int verdict = compiled.match(headers, direction);
            assertThat(Verdict.reason(verdict)).isBetween(Verdict.REASON_RULE_ACCEPTED, Verdict.REASON_AMAZON_DNS_NOT_ENABLED);
            assertThat(compiled.explain(headers, direction)).isNotEmpty();

            final ByteBuffer direct = ByteBuffer.allocateDirect(offset + frame.length);
            direct.put(offset, frame);
            final ByteBuffer readOnly = direct.asReadOnlyBuffer();
            final int bufferResult = raw ?
                headers.parseIp(readOnly, offset, frame.length) : headers.parseEthernet(readOnly, offset, frame.length);
            assertThat(bufferResult).isEqualTo(arrayResult);
            assertThat(compiled.match(headers, direction)).isEqualTo(verdict);
        }
    }

    /** Flips, overwrites, cuts or extends a frame; sometimes returns it untouched. */
    private static byte[] mutate(final SplittableRandom random, final byte[] frame)
    {
        final int roll = random.nextInt(10);
        if (roll < 2 || frame.length == 0)
        {
            return frame;
        }
        if (roll < 4)
        {
            final byte[] noise = new byte[random.nextInt(120)];
            for (int i = 0; i < noise.length; i++)
            {
                noise[i] = (byte)random.nextInt(256);
            }
            if (noise.length > 13 && random.nextBoolean())
            {
                final int[] types = {0x0800, 0x86DD, 0x8100, 0x88A8};
                final int type = types[random.nextInt(types.length)];
                noise[12] = (byte)(type >>> 8);
                noise[13] = (byte)type;
            }
            return noise;
        }
        final byte[] copy = frame.clone();
        final int flips = 1 + random.nextInt(6);
        for (int i = 0; i < flips; i++)
        {
            // Favour the header bytes, where lengths and next-header fields live.
            final int at = random.nextInt(Math.min(copy.length, random.nextBoolean() ? 80 : copy.length));
            copy[at] = random.nextBoolean() ? (byte)random.nextInt(256) : (byte)(copy[at] ^ (1 << random.nextInt(8)));
        }
        if (roll == 9)
        {
            final byte[] cut = new byte[random.nextInt(copy.length + 1)];
            System.arraycopy(copy, 0, cut, 0, cut.length);
            return cut;
        }
        return copy;
    }
}
