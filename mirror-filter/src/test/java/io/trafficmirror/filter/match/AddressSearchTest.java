package io.trafficmirror.filter.match;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.TreeSet;

import io.trafficmirror.testing.SeededCases;
import org.junit.jupiter.api.Test;

/**
 * The branch-free interval search against a linear scan over the same boundaries, on boundary sets of
 * IPv4-sized keys, of IPv6 keys clustered in one /32 (both bucketed), of full 128-bit keys, and now and then of
 * more IPv4 keys than the bucket table indexes (65,536), so that the whole-array search of narrow keys meets
 * keys on its boundaries; probed at neighbours of boundaries, outside the bucket window, and at the extremes 0
 * and 2^128 - 1 (which equals the search's padding value).
 */
class AddressSearchTest
{
    @Test
    void shouldFindTheSameIntervalAsALinearScan()
    {
        SeededCases.run(2000, draw -> findTheSameIntervalAsALinearScan(draw.random()));
    }

    private static void findTheSameIntervalAsALinearScan(final SplittableRandom random)
    {
        final boolean crowded = random.nextInt(100) == 0;
        final int shape = crowded ? 0 : random.nextInt(3);
        final boolean narrow = shape == 0;
        final boolean clustered = shape == 1;
        final TreeSet<long[]> boundaries = new TreeSet<>(AddressSearchTest::compare);
        boundaries.add(new long[] {0, 0});
        final int count = random.nextInt(300);
        for (int i = 0; i < count; i++)
        {
            boundaries.add(clustered ? clustered(random) : key(random, narrow));
        }
        final int crowdedSize = Character.MAX_VALUE + 1 + random.nextInt(64);
        while (crowded && boundaries.size() < crowdedSize)
        {
            boundaries.add(key(random, true));
        }
        final long[][] sorted = boundaries.toArray(new long[0][]);
        final long[] uppers = new long[sorted.length];
        final long[] lowers = new long[sorted.length];
        for (int i = 0; i < sorted.length; i++)
        {
            uppers[i] = sorted[i][0];
            lowers[i] = sorted[i][1];
        }
        final AddressSearch search = new AddressSearch(uppers, lowers);
        for (int probe = 0; probe < 200; probe++)
        {
            final long[] key;
            if (random.nextBoolean())
            {
                final long[] near = sorted[random.nextInt(sorted.length)];
                final int delta = random.nextInt(3) - 1;
                final long lower = near[1] + delta;
                final long upper = near[0] + (delta > 0 && lower == 0 ? 1 : delta < 0 && near[1] == 0 ? -1 : 0);
                key = new long[] {upper, lower};
            }
            else
            {
                key = clustered && random.nextInt(10) != 0 ? clustered(random) : key(random, narrow && random.nextInt(10) != 0);
            }
            int expected = 0;
            for (int i = 0; i < sorted.length; i++)
            {
                if (compare(sorted[i], key) <= 0)
                {
                    expected = i;
                }
            }
            assertThat(search.find(key[0], key[1])).as("key %x:%x", key[0], key[1]).isEqualTo(expected);
        }
    }

    /** IPv6 blocks in one /32, like a real deployment's: what the bucketed search is for. */
    private static long[] clustered(final SplittableRandom random)
    {
        final long upper = 0x2001_0DB8_0000_0000L | (random.nextLong() & (random.nextBoolean() ? 0xFFFF_FFFFL : 0xFF_FF00L));
        return new long[] {upper, random.nextInt(3) == 0 ? random.nextLong() : 0};
    }

    private static long[] key(final SplittableRandom random, final boolean narrow)
    {
        if (narrow)
        {
            return new long[] {random.nextInt(4) == 0 ? 0xFFFF_FFFFL - random.nextInt(3) : random.nextLong() & 0xFFFF_FFFFL, 0};
        }
        return switch (random.nextInt(6))
        {
            case 0 -> new long[] {-1L, -1L - random.nextInt(3)};
            case 1 -> new long[] {-1L - random.nextInt(2), 0};
            case 2 -> new long[] {0x2001_0DB8_0000_0000L | random.nextInt(4), random.nextInt(4)};
            case 3 -> new long[] {Long.MIN_VALUE + random.nextInt(3) - 1, random.nextLong()};
            default -> new long[] {random.nextLong(), random.nextBoolean() ? 0 : random.nextLong()};
        };
    }

    private static int compare(final long[] a, final long[] b)
    {
        final int upper = Long.compareUnsigned(a[0], b[0]);
        return upper != 0 ? upper : Long.compareUnsigned(a[1], b[1]);
    }
}
