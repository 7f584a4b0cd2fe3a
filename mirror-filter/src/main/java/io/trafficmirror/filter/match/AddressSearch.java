package io.trafficmirror.filter.match;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Finds which interval between sorted 128-bit boundaries holds an address, in a fixed number of steps with
 * no data-dependent branch on the common path, so that random addresses cost no branch mispredictions.
 *
 * <p>IPv4 and IPv6 share one key space: an IPv4 address {@code a} is the key {@code (a, 0)} (upper 64 bits, lower
 * 64 bits) and an IPv6 address is itself; the rules' IP family is told apart by another field of the classifier.
 * A branch-free binary search runs over the distinct upper halves (a fixed number of steps, each a conditional
 * add computed from the sign of one subtraction, overflow-corrected for keys of 2^62 and above). When every
 * boundary is below 2^62 (all IPv4, and IPv6 outside the top quarter of the space), a table of 65,536 buckets
 * (one per /16 for IPv4; spread over the span of the blocks for IPv6) says where to start, so the search takes
 * only as many steps as the most crowded bucket needs: the cost stays nearly flat as rules are added. Boundaries that
 * share an upper half and differ in the lower half (IPv6 blocks longer than /64) are told apart by a short
 * scan, taken only when the address's upper half equals such a group's. Intervals map to classes (intervals
 * whose rule bitmaps are equal share one), which is what {@link #find} returns.
 *
 * <p>Immutable after construction.
 */
final class AddressSearch
{
    /** Largest IPv4 key: one past the last address, a boundary when a block ends at 255.255.255.255. */
    private static final long IPV4_KEY_LIMIT = 1L << 32;
    private static final int BUCKET_BITS = 16;
    private static final int BUCKETS = 1 << BUCKET_BITS;

    /**
     * Distinct upper halves ascending, padded to a power of two with MAX_VALUE: as they are when all are below
     * 2^62 ({@link #narrow}, every IPv4 key), else sign-flipped so that signed order is unsigned order.
     */
    private final long[] primaries;
    /** Whether every upper half is below 2^62, so that one subtraction's sign compares two of them. */
    private final boolean narrow;
    /**
     * Narrow keys only: the window {@code [bucketBase, bucketBase + 2^(16 + bucketShift))} (all IPv4 addresses, or
     * the span of an IPv6 filter's blocks) cut into 65,536 buckets; for each, the group holding its first key. A
     * search starts there and needs only {@link #bucketHalf} halving steps (enough for the most crowded bucket)
     * instead of log2 of all groups; keys outside the window take the whole-array search. Null when not narrow.
     */
    private final char[] bucketStart;
    private final long bucketBase;
    private final int bucketShift;
    private final int bucketHalf;
    /** First step of the whole-array search: half the padded length. */
    private final int searchHalf;
    private final int groups;
    /** For each group, the class of an address past every boundary of the group. */
    private final int[] lastClass;
    /** For each group, its last boundary's index. */
    private final int[] lastInterval;
    /** Class of each interval: intervals whose rule bitmaps are equal share a class, so rows are stored once. */
    private final int[] intervalClass;
    /** For each group, whether an address inside it needs the scan (several boundaries, or one not at its start). */
    private final boolean[] needsScan;
    /** For each group, its first boundary's index. */
    private final int[] firstInterval;
    private final long[] uppers;
    private final long[] lowers;

    /**
     * @param uppers upper halves of the boundaries, ascending together with {@code lowers} as 128-bit unsigned
     *     numbers; the first boundary is (0, 0)
     * @param lowers lower halves
     */
    AddressSearch(final long[] uppers, final long[] lowers)
    {
        this(uppers, lowers, IntStream.range(0, uppers.length).toArray(), 0);
    }

    /**
     * @param uppers upper halves of the boundaries, as above
     * @param lowers lower halves
     * @param intervalClass what {@link #find} returns for each interval
     * @param minimumSteps search steps to take at least: giving every search of a filter the same count keeps
     *     the loop's exit predictable when packets alternate between them
     */
    AddressSearch(final long[] uppers, final long[] lowers, final int[] intervalClass, final int minimumSteps)
    {
        this.intervalClass = intervalClass.clone();
        this.uppers = uppers.clone();
        this.lowers = lowers.clone();
        final int count = uppers.length;
        int distinct = 0;
        for (int i = 0; i < count; i++)
        {
            if (i == 0 || uppers[i] != uppers[i - 1])
            {
                distinct++;
            }
        }
        groups = distinct;
        boolean allNarrow = true;
        for (final long upper : uppers)
        {
            allNarrow &= (upper >>> 62) == 0;
        }
        narrow = allNarrow;
        lastInterval = new int[distinct];
        lastClass = new int[distinct];
        firstInterval = new int[distinct];
        needsScan = new boolean[distinct];
        final long[] distinctUppers = new long[distinct];
        int group = -1;
        for (int i = 0; i < count; i++)
        {
            if (i == 0 || uppers[i] != uppers[i - 1])
            {
                group++;
                distinctUppers[group] = uppers[i];
                firstInterval[group] = i;
                needsScan[group] = lowers[i] != 0;
            }
            else
            {
                needsScan[group] = true;
            }
            lastInterval[group] = i;
            lastClass[group] = intervalClass[i];
        }

        int crowded = 0;
        if (narrow && distinct <= Character.MAX_VALUE)
        {
            final long top = distinctUppers[distinct - 1];
            if (top <= IPV4_KEY_LIMIT)
            {
                // IPv4: one bucket per /16.
                bucketBase = 0;
                bucketShift = 32 - BUCKET_BITS;
            }
            else
            {
                // From the smallest non-zero boundary to the largest, so clustered blocks spread over the buckets.
                bucketBase = distinct > 1 ? distinctUppers[1] : 0;
                bucketShift = Math.max(0, 64 - Long.numberOfLeadingZeros(top - bucketBase) - BUCKET_BITS);
            }
            bucketStart = new char[BUCKETS];
            int start = 0;
            for (int bucket = 0; bucket <= BUCKETS; bucket++)
            {
                final long step = (long)bucket << bucketShift;
                final long first = step > Long.MAX_VALUE - bucketBase ? Long.MAX_VALUE : bucketBase + step;
                while (start + 1 < distinct && distinctUppers[start + 1] <= first)
                {
                    start++;
                }
                if (bucket > 0)
                {
                    crowded = Math.max(crowded, start - bucketStart[bucket - 1]);
                }
                if (bucket < BUCKETS)
                {
                    bucketStart[bucket] = (char)start;
                }
            }
        }
        else
        {
            bucketStart = null;
            bucketBase = 0;
            bucketShift = 0;
        }
        // A search from a bucket's first group must reach the next bucket's first group: 2^steps > crowded.
        final int bucketSteps = 32 - Integer.numberOfLeadingZeros(crowded);
        bucketHalf = (1 << bucketSteps) >>> 1;
        // A power of two, so the whole-array search's probes (searchHalf + ... + 1) stay inside; at least one
        // bucket window of padding after the last group.
        final int needed = Math.max(Math.max(distinct + (1 << bucketSteps), 1 << minimumSteps), 2);
        final int padded = Integer.highestOneBit(needed - 1) << 1;
        primaries = new long[padded];
        Arrays.fill(primaries, Long.MAX_VALUE);
        for (int g = 0; g < distinct; g++)
        {
            primaries[g] = narrow ? distinctUppers[g] : distinctUppers[g] ^ Long.MIN_VALUE;
        }
        searchHalf = padded >>> 1;
    }

    /**
     * @param upper the address's upper 64 bits (an IPv4 address unsigned)
     * @param lower the address's lower 64 bits (0 for IPv4)
     * @return the class of the interval holding the address
     */
    int find(final long upper, final long lower)
    {
        final long[] primaries = this.primaries;
        int base = 0;
        final long key;
        final long offset = upper - bucketBase;
        if (bucketStart != null && (upper >>> 62) == 0 && ((offset >>> bucketShift) >>> BUCKET_BITS) == 0)
        {
            key = upper;
            base = bucketStart[(int)(offset >>> bucketShift)];
            for (int half = bucketHalf; half > 0; half >>>= 1)
            {
                // Both below 2^62: (primary - key - 1) is negative exactly when primary <= key.
                base += half & (int)((primaries[base + half] - key - 1) >> 63);
            }
        }
        else if (narrow && (upper >>> 62) == 0)
        {
            key = upper;
            for (int half = searchHalf; half > 0; half >>>= 1)
            {
                base += half & (int)((primaries[base + half] - key - 1) >> 63);
            }
        }
        else
        {
            key = narrow ? Long.MAX_VALUE : upper ^ Long.MIN_VALUE;
            for (int half = searchHalf; half > 0; half >>>= 1)
            {
                final long primary = primaries[base + half];
                final long difference = key - primary;
                // Sign of key - primary, corrected for overflow: 1 when primary > key, else 0.
                final int above = (int)((difference ^ ((key ^ primary) & (difference ^ key))) >>> 63);
                base += half & (above - 1);
            }
        }
        // Padding equals MAX_VALUE, which a real key may equal too: the last real group is then the answer.
        final int group = Math.min(base, groups - 1);
        if (needsScan[group] && primaries[group] == key)
        {
            return scan(group, upper, lower);
        }
        return lastClass[group];
    }

    private int scan(final int group, final long upper, final long lower)
    {
        int interval = firstInterval[group] - 1;
        for (int i = firstInterval[group]; i <= lastInterval[group]; i++)
        {
            final int byUpper = Long.compareUnsigned(uppers[i], upper);
            if (byUpper > 0 || (byUpper == 0 && Long.compareUnsigned(lowers[i], lower) > 0))
            {
                break;
            }
            interval = i;
        }
        return intervalClass[interval];
    }
}
