package io.trafficmirror.filter.match;

/**
 * Finds which interval between sorted 128-bit boundaries holds an address, in a fixed number of steps with
 * no data-dependent branch on the common path, so that random addresses cost no branch mispredictions.
 *
 * <p>IPv4 and IPv6 share one key space: an IPv4 address {@code a} is the key {@code (a, 0)} (upper 64 bits, lower
 * 64 bits) and an IPv6 address is itself; the rules' IP family is told apart by another field of the classifier.
 * A branch-free binary search runs over the distinct upper halves (a fixed number of steps, each a conditional
 * add computed from the overflow-corrected sign of one subtraction); boundaries that share an upper half and
 * differ in the lower half (IPv6 blocks longer than /64) are told apart by a short scan, taken only when the
 * address's upper half equals such a group's.
 *
 * <p>Immutable after construction.
 */
final class AddressSearch
{
    /**
     * Distinct upper halves ascending, padded to a power of two with MAX_VALUE: as they are when all are below
     * 2^62 ({@link #narrow}, every IPv4 key), else sign-flipped so that signed order is unsigned order.
     */
    private final long[] primaries;
    /** Whether every upper half is below 2^62, so that one subtraction's sign compares two of them. */
    private final boolean narrow;
    private final int groups;
    /** For each group, the interval of an address past every boundary of the group. */
    private final int[] lastInterval;
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
        firstInterval = new int[distinct];
        needsScan = new boolean[distinct];
        final int padded = Integer.highestOneBit(Math.max(1, distinct - 1)) << 1;
        primaries = new long[padded];
        java.util.Arrays.fill(primaries, Long.MAX_VALUE);
        int group = -1;
        for (int i = 0; i < count; i++)
        {
            if (i == 0 || uppers[i] != uppers[i - 1])
            {
                group++;
                primaries[group] = narrow ? uppers[i] : uppers[i] ^ Long.MIN_VALUE;
                firstInterval[group] = i;
                needsScan[group] = lowers[i] != 0;
            }
            else
            {
                needsScan[group] = true;
            }
            lastInterval[group] = i;
        }
    }

    /** @return how many intervals (boundaries) there are */
    int intervals()
    {
        return uppers.length;
    }

    /**
     * @param upper the address's upper 64 bits (an IPv4 address unsigned)
     * @param lower the address's lower 64 bits (0 for IPv4)
     * @return the index of the interval holding the address
     */
    int find(final long upper, final long lower)
    {
        final long[] primaries = this.primaries;
        int base = 0;
        final long key;
        if (narrow && (upper >>> 62) == 0)
        {
            key = upper;
            for (int half = primaries.length >>> 1; half > 0; half >>>= 1)
            {
                // Both below 2^62: (primary - key - 1) is negative exactly when primary <= key.
                base += half & (int)((primaries[base + half] - key - 1) >> 63);
            }
        }
        else
        {
            key = narrow ? Long.MAX_VALUE : upper ^ Long.MIN_VALUE;
            for (int half = primaries.length >>> 1; half > 0; half >>>= 1)
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
        return lastInterval[group];
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
        return interval;
    }
}
