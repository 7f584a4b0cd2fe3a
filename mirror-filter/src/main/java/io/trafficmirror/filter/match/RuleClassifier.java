package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.packet.PacketHeaders;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Bit-vector classifier over the rules of one direction and one IP family, so that the cost per packet
 * grows with the logarithm of the rule count rather than with the count.
 *
 * <p>Rule {@code i} in rule-number order is bit {@code i}. Each of the five fields (protocol, source and
 * destination port, source and destination address) maps a packet value to a class whose bitmap holds the rules
 * that accept that value; ANDing the five bitmaps leaves the matching rules and the lowest set bit is the first
 * match. Fields are cut into classes as follows:
 * <ul>
 *   <li>protocol: a 257-entry table (unknown protocol first); one class per protocol some rule names, plus one
 *   for every other protocol;</li>
 *   <li>ports: a 65,537-entry table (first entry: the packet carries no ports) of the intervals between the rules'
 *   range boundaries; no table at all when no rule has a range on that side;</li>
 *   <li>addresses: the sorted boundaries of the rules' CIDR blocks, searched without branches (a fixed number
 *   of steps, a conditional add each) so that unpredictable addresses cost no mispredictions.</li>
 * </ul>
 * A summary bit per 64-rule word says whether the word has any bit set, so that a lookup only ANDs words where
 * all five fields have candidates; with up to 4,096 rules the summary is a single {@code long}.
 *
 * <p>Immutable after construction (all fields final, arrays never written again), so it may be shared by
 * any number of threads once safely published.
 */
final class RuleClassifier
{
    private static final int PROTOCOL_SLOTS = 257;
    private static final int PORT_SLOTS = 65537;

    private final boolean ipv6;
    private final FilterRule[] rules;
    private final int[] verdicts;
    private final int words;
    private final int summaryWords;

    private final int[] protocolClass;
    private final long[] protocolBits;
    private final long[] protocolSummary;

    private final char[] sourcePortClass;
    private final long[] sourcePortBits;
    private final long[] sourcePortSummary;
    private final char[] destinationPortClass;
    private final long[] destinationPortBits;
    private final long[] destinationPortSummary;

    // IPv4: boundaries as unsigned values in a long, padded to a power of two with Long.MAX_VALUE.
    // IPv6: boundaries with the sign bit flipped (so signed order is unsigned order), padded with the last one.
    private final long[] sourceHigh;
    private final long[] sourceLow;
    private final int sourceIntervals;
    private final long[] sourceBits;
    private final long[] sourceSummary;
    private final long[] destinationHigh;
    private final long[] destinationLow;
    private final int destinationIntervals;
    private final long[] destinationBits;
    private final long[] destinationSummary;

    RuleClassifier(final List<FilterRule> sortedRules, final boolean ipv6)
    {
        this.ipv6 = ipv6;
        this.rules = sortedRules.toArray(new FilterRule[0]);
        final int count = rules.length;
        this.words = Math.max(1, (count + 63) >>> 6);
        this.summaryWords = (words + 63) >>> 6;
        this.verdicts = new int[count];
        for (int i = 0; i < count; i++)
        {
            final FilterRule rule = rules[i];
            verdicts[i] = Verdict.of(rule.action() == RuleAction.ACCEPT ?
                Verdict.REASON_RULE_ACCEPTED : Verdict.REASON_RULE_REJECTED, rule.ruleNumber());
        }

        // Protocol: one class per named protocol, class 0 for every other protocol (and unknown).
        final TreeSet<Integer> named = new TreeSet<>();
        for (final FilterRule rule : rules)
        {
            rule.protocol().ifPresent(named::add);
        }
        protocolClass = new int[PROTOCOL_SLOTS];
        final Rows protocolRows = new Rows(1 + named.size(), words);
        int protocolClassId = 1;
        for (final int protocol : named)
        {
            protocolClass[protocol + 1] = protocolClassId++;
        }
        for (int i = 0; i < count; i++)
        {
            final FilterRule rule = rules[i];
            if (rule.protocol().isEmpty())
            {
                for (int c = 0; c < protocolRows.count; c++)
                {
                    protocolRows.set(c, i);
                }
            }
            else
            {
                protocolRows.set(protocolClass[rule.protocol().getAsInt() + 1], i);
            }
        }
        protocolBits = protocolRows.bits;
        protocolSummary = protocolRows.summary(summaryWords);

        final PortField source = new PortField(true);
        sourcePortClass = source.table;
        sourcePortBits = source.rows.bits;
        sourcePortSummary = source.rows.summary(summaryWords);
        final PortField destination = new PortField(false);
        destinationPortClass = destination.table;
        destinationPortBits = destination.rows.bits;
        destinationPortSummary = destination.rows.summary(summaryWords);

        final AddressField sourceAddresses = new AddressField(true);
        sourceHigh = sourceAddresses.high;
        sourceLow = sourceAddresses.low;
        sourceIntervals = sourceAddresses.intervals;
        sourceBits = sourceAddresses.rows.bits;
        sourceSummary = sourceAddresses.rows.summary(summaryWords);
        final AddressField destinationAddresses = new AddressField(false);
        destinationHigh = destinationAddresses.high;
        destinationLow = destinationAddresses.low;
        destinationIntervals = destinationAddresses.intervals;
        destinationBits = destinationAddresses.rows.bits;
        destinationSummary = destinationAddresses.rows.summary(summaryWords);
    }

    /** @return the rules, in rule-number order (bit order) */
    FilterRule rule(final int index)
    {
        return rules[index];
    }

    int ruleCount()
    {
        return rules.length;
    }

    /** @return the packed {@link Verdict} of the rule at {@code index} */
    int verdict(final int index)
    {
        return verdicts[index];
    }

    /**
     * @param headers a parsed packet of this classifier's IP family
     * @return the index of the first matching rule in rule-number order, or -1
     */
    int firstMatch(final PacketHeaders headers)
    {
        if (rules.length == 0)
        {
            return -1;
        }
        final int protocol = protocolClass[headers.protocol() + 1];
        final boolean hasPorts = headers.hasPorts();
        final char[] sourcePorts = sourcePortClass;
        final char[] destinationPorts = destinationPortClass;
        final int sourcePort = sourcePorts == null ? 0 : sourcePorts[hasPorts ? headers.sourcePort() + 1 : 0];
        final int destinationPort = destinationPorts == null ? 0 : destinationPorts[hasPorts ? headers.destinationPort() + 1 : 0];
        final int source;
        final int destination;
        if (ipv6)
        {
            source = Math.min(sourceIntervals - 1, search(sourceHigh, sourceLow,
                headers.sourceIpv6High() ^ Long.MIN_VALUE, headers.sourceIpv6Low() ^ Long.MIN_VALUE));
            destination = Math.min(destinationIntervals - 1, search(destinationHigh, destinationLow,
                headers.destinationIpv6High() ^ Long.MIN_VALUE, headers.destinationIpv6Low() ^ Long.MIN_VALUE));
        }
        else
        {
            source = search(sourceLow, headers.sourceIpv4() & 0xFFFF_FFFFL);
            destination = search(destinationLow, headers.destinationIpv4() & 0xFFFF_FFFFL);
        }

        final int words = this.words;
        final int summaryWords = this.summaryWords;
        for (int s = 0; s < summaryWords; s++)
        {
            long summary = protocolSummary[protocol * summaryWords + s]
                & sourcePortSummary[sourcePort * summaryWords + s]
                & destinationPortSummary[destinationPort * summaryWords + s]
                & sourceSummary[source * summaryWords + s]
                & destinationSummary[destination * summaryWords + s];
            while (summary != 0)
            {
                final int word = (s << 6) + Long.numberOfTrailingZeros(summary);
                final long bits = protocolBits[protocol * words + word]
                    & sourcePortBits[sourcePort * words + word]
                    & destinationPortBits[destinationPort * words + word]
                    & sourceBits[source * words + word]
                    & destinationBits[destination * words + word];
                if (bits != 0)
                {
                    return (word << 6) + Long.numberOfTrailingZeros(bits);
                }
                summary &= summary - 1;
            }
        }
        return -1;
    }

    /** Largest index whose boundary is at most {@code key}; keys[0] is 0, padding is Long.MAX_VALUE. */
    private static int search(final long[] keys, final long key)
    {
        int base = 0;
        for (int half = keys.length >>> 1; half > 0; half >>>= 1)
        {
            // (boundary - key - 1) is negative exactly when boundary <= key: an arithmetic shift makes it a mask.
            base += half & (int)((keys[base + half] - key - 1) >> 63);
        }
        return base;
    }

    /** 128-bit version of {@link #search(long[], long)} over sign-flipped halves; may land on padding. */
    private static int search(final long[] high, final long[] low, final long keyHigh, final long keyLow)
    {
        int base = 0;
        for (int half = high.length >>> 1; half > 0; half >>>= 1)
        {
            final int probe = base + half;
            final long boundaryHigh = high[probe];
            final boolean atMost = boundaryHigh < keyHigh | (boundaryHigh == keyHigh & low[probe] <= keyLow);
            base += atMost ? half : 0;
        }
        return base;
    }

    /** Bitmap rows, one per class, {@code words} longs each, bit i = rule i. */
    private static final class Rows
    {
        final int count;
        final int words;
        final long[] bits;

        Rows(final int count, final int words)
        {
            this.count = count;
            this.words = words;
            this.bits = new long[count * words];
        }

        void set(final int row, final int rule)
        {
            bits[row * words + (rule >>> 6)] |= 1L << rule;
        }

        long[] summary(final int summaryWords)
        {
            final long[] summary = new long[count * summaryWords];
            for (int row = 0; row < count; row++)
            {
                for (int word = 0; word < words; word++)
                {
                    if (bits[row * words + word] != 0)
                    {
                        summary[row * summaryWords + (word >>> 6)] |= 1L << word;
                    }
                }
            }
            return summary;
        }
    }

    private final class PortField
    {
        final char[] table;
        final Rows rows;

        PortField(final boolean sourceSide)
        {
            final int count = rules.length;
            final TreeSet<Integer> boundaries = new TreeSet<>();
            boundaries.add(0);
            boolean constrained = false;
            for (final FilterRule rule : rules)
            {
                final Optional<PortRange> range = sourceSide ? rule.sourcePortRange() : rule.destinationPortRange();
                if (range.isPresent())
                {
                    constrained = true;
                    boundaries.add(range.get().fromPort());
                    if (range.get().toPort() < PortRange.MAX_PORT)
                    {
                        boundaries.add(range.get().toPort() + 1);
                    }
                }
            }
            if (!constrained)
            {
                // No rule looks at this side's ports: one class, every rule, ports or not.
                table = null;
                rows = new Rows(1, words);
                for (int i = 0; i < count; i++)
                {
                    rows.set(0, i);
                }
                return;
            }
            final int[] starts = boundaries.stream().mapToInt(Integer::intValue).toArray();
            // Class 0: the packet carries no ports; class 1 + k: ports in [starts[k], starts[k + 1]).
            rows = new Rows(1 + starts.length, words);
            table = new char[PORT_SLOTS];
            for (int k = 0; k < starts.length; k++)
            {
                final int to = k + 1 < starts.length ? starts[k + 1] : PortRange.MAX_PORT + 1;
                Arrays.fill(table, starts[k] + 1, to + 1, (char)(1 + k));
            }
            for (int i = 0; i < count; i++)
            {
                final FilterRule rule = rules[i];
                final Optional<PortRange> range = sourceSide ? rule.sourcePortRange() : rule.destinationPortRange();
                if (range.isEmpty())
                {
                    for (int c = 0; c < rows.count; c++)
                    {
                        rows.set(c, i);
                    }
                }
                else
                {
                    for (int k = Arrays.binarySearch(starts, range.get().fromPort());
                        k < starts.length && starts[k] <= range.get().toPort(); k++)
                    {
                        rows.set(1 + k, i);
                    }
                }
            }
        }
    }

    private final class AddressField
    {
        final long[] high;
        final long[] low;
        final int intervals;
        final Rows rows;

        AddressField(final boolean sourceSide)
        {
            final TreeSet<Key> boundaries = new TreeSet<>();
            boundaries.add(new Key(0, 0));
            final Key[] firsts = new Key[rules.length];
            final Key[] lasts = new Key[rules.length];
            for (int i = 0; i < rules.length; i++)
            {
                final Cidr block = sourceSide ? rules[i].sourceCidrBlock() : rules[i].destinationCidrBlock();
                firsts[i] = new Key(block.high(), block.low());
                lasts[i] = lastOf(block);
                boundaries.add(firsts[i]);
                final Key next = lasts[i].next(ipv6);
                if (next != null)
                {
                    boundaries.add(next);
                }
            }
            final Key[] starts = boundaries.toArray(new Key[0]);
            intervals = starts.length;
            final Map<Key, Integer> index = new HashMap<>();
            for (int k = 0; k < starts.length; k++)
            {
                index.put(starts[k], k);
            }
            rows = new Rows(intervals, words);
            for (int i = 0; i < rules.length; i++)
            {
                for (int k = index.get(firsts[i]); k < starts.length && starts[k].compareTo(lasts[i]) <= 0; k++)
                {
                    rows.set(k, i);
                }
            }
            final int padded = Integer.highestOneBit(Math.max(1, intervals - 1)) << 1;
            high = new long[padded];
            low = new long[padded];
            for (int k = 0; k < padded; k++)
            {
                if (ipv6)
                {
                    final Key key = starts[Math.min(k, intervals - 1)];
                    high[k] = key.high ^ Long.MIN_VALUE;
                    low[k] = key.low ^ Long.MIN_VALUE;
                }
                else
                {
                    low[k] = k < intervals ? starts[k].low : Long.MAX_VALUE;
                }
            }
        }

        private Key lastOf(final Cidr block)
        {
            if (!ipv6)
            {
                final long hostBits = (1L << (32 - block.prefixLength())) - 1;
                return new Key(0, block.low() | hostBits);
            }
            final int prefix = block.prefixLength();
            final long highHost = prefix >= 64 ? 0 : (prefix == 0 ? -1L : -1L >>> prefix);
            final long lowHost = prefix >= 128 ? 0 : (prefix <= 64 ? -1L : -1L >>> (prefix - 64));
            return new Key(block.high() | highHost, block.low() | lowHost);
        }
    }

    /** A 128-bit boundary compared unsigned; IPv4 uses the low 32 bits. */
    private record Key(long high, long low) implements Comparable<Key>
    {
        @Override
        public int compareTo(final Key other)
        {
            final int byHigh = Long.compareUnsigned(high, other.high);
            return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
        }

        /** @return this + 1, or null past the family's last address */
        Key next(final boolean ipv6)
        {
            if (!ipv6)
            {
                return low == 0xFFFF_FFFFL ? null : new Key(0, low + 1);
            }
            if (low != -1L)
            {
                return new Key(high, low + 1);
            }
            return high == -1L ? null : new Key(high + 1, 0);
        }
    }
}
