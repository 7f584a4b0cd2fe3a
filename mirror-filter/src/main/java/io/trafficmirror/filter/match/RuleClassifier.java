package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.packet.PacketHeaders;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Bit-vector classifier over the rules of one direction and one IP family (it also accepts both families at
 * once), so that the cost per packet barely grows with the rule count. It holds one filter's rules, or the rules
 * of several filters side by side (one segment each, see below), answered by one lookup.
 *
 * <p>Each rule has one bit. Each of five fields maps a packet value to a class whose bitmap holds the rules that
 * accept that value; ANDing the five bitmaps leaves the matching rules and, within a segment, the lowest set bit
 * is that segment's first match. The fields:
 * <ul>
 *   <li>family and protocol: a 2 x 257-entry table (IPv4, IPv6; unknown protocol first), so a rule never
 *   matches the other family's packets; one class per family and protocol some rule names, plus one per family
 *   for every other protocol;</li>
 *   <li>source and destination port: the intervals between the rules' range boundaries, found in a two-level
 *   table (256 blocks of 256 ports, identical blocks shared, so it stays a few kilobytes and in cache), plus a
 *   class for packets without ports; no table when no rule has a range on that side;</li>
 *   <li>source and destination address: the intervals between the rules' CIDR boundaries, found by
 *   {@link AddressSearch} without data-dependent branches; intervals with equal bitmaps share a row.</li>
 * </ul>
 *
 * <p>Bitmap layout. A row is {@code words} longs; bit {@code b} is bit {@code b & 63} of word {@code b >>> 6}.
 * Segment {@code s} (one filter, in the order given) holds its rules in rule-number order at consecutive bits
 * from {@code segmentBit[s]}:
 * <ul>
 *   <li>64 rules or fewer in all: every segment is packed into the one word, one after another
 *   ({@code segmentBit[s + 1] = segmentBit[s] + rules of s}), and a mask per segment picks its bits;</li>
 *   <li>more: each segment starts on a word boundary and owns whole words
 *   ({@code segmentFirstWord[s]} up to, not including, {@code segmentEndWord[s]}); the unused high bits of a
 *   segment's last word are never set, so no mask is needed.</li>
 * </ul>
 * A single filter is the one-segment case: rule {@code i} is bit {@code i}. In a one-word classifier the lookup
 * has no data-dependent branch at all: one word per field, ANDed, masked, and the number of trailing zeros
 * indexes a verdict table whose entry 64 is "no rule matched". With more words, each row also records, per
 * segment, its first non-zero word, and a segment's scan starts at the latest of the five: every earlier word
 * of the segment is zero in some field.
 *
 * <p>Immutable after construction (all fields final, arrays never written again), so it may be shared by
 * any number of threads once safely published.
 */
final class RuleClassifier
{
    private static final int PROTOCOL_SLOTS = 257;
    private static final int PORT_BLOCK_BITS = 8;
    private static final int PORT_BLOCK = 1 << PORT_BLOCK_BITS;
    private static final int NO_MATCH = -1;
    private static final int NO_RULE_MATCHED = Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0);

    /** The rule at each bit; null for the unused bits of a segment's last word. */
    private final FilterRule[] rules;
    private final int searchSteps;
    /** Verdict per bit, then "no rule matched" up to index 64 at least (the one-word path's sentinel). */
    private final int[] verdicts;
    private final int words;
    private final int segments;
    /** One word: the bits of each segment. */
    private final long[] segmentMasks;
    /** Several words: each segment's first word, and one past its last. */
    private final int[] segmentFirstWord;
    private final int[] segmentEndWord;

    private final int[] protocolClass;
    private final long[] protocolBits;
    private final int[] protocolFirstWord;

    private final char[] sourcePortTop;
    private final char[] sourcePortBlocks;
    private final long[] sourcePortBits;
    private final int[] sourcePortFirstWord;
    private final char[] destinationPortTop;
    private final char[] destinationPortBlocks;
    private final long[] destinationPortBits;
    private final int[] destinationPortFirstWord;

    private final AddressSearch sourceSearch;
    private final long[] sourceBits;
    private final int[] sourceFirstWord;
    private final AddressSearch destinationSearch;
    private final long[] destinationBits;
    private final int[] destinationFirstWord;

    /**
     * Filters' rules side by side, one segment each: one filter's for {@link #match}, any number for
     * {@link #matchSegments}.
     *
     * @param segmentRules per segment (at least one), its rules in rule-number order
     * @param searchSteps address search steps to take at least (see {@link AddressSearch})
     */
    RuleClassifier(final List<List<FilterRule>> segmentRules, final int searchSteps)
    {
        this.searchSteps = searchSteps;
        this.segments = segmentRules.size();
        if (segments == 0)
        {
            throw new IllegalArgumentException("a rule classifier needs at least one segment");
        }
        int total = 0;
        int wholeWords = 0;
        for (final List<FilterRule> segment : segmentRules)
        {
            total += segment.size();
            wholeWords += (segment.size() + 63) >>> 6;
        }
        final boolean packed = total <= 64;
        this.words = packed ? 1 : wholeWords;
        this.rules = new FilterRule[words << 6];
        this.segmentMasks = new long[segments];
        this.segmentFirstWord = new int[segments];
        this.segmentEndWord = new int[segments];
        // Every rule, and its bit, in bit order: what the fields below are built from.
        final FilterRule[] ordered = new FilterRule[total];
        final int[] bits = new int[total];
        int bit = 0;
        int next = 0;
        for (int s = 0; s < segments; s++)
        {
            final List<FilterRule> segment = segmentRules.get(s);
            final int size = segment.size();
            for (int i = 0; i < size; i++)
            {
                rules[bit + i] = segment.get(i);
                ordered[next] = segment.get(i);
                bits[next++] = bit + i;
            }
            if (packed)
            {
                segmentMasks[s] = size == 0 ? 0 : (-1L >>> (64 - size)) << bit;
                segmentEndWord[s] = 1;
                bit += size;
            }
            else
            {
                segmentFirstWord[s] = bit >>> 6;
                bit += ((size + 63) >>> 6) << 6;
                segmentEndWord[s] = bit >>> 6;
            }
        }
        this.verdicts = new int[rules.length + 1];
        Arrays.fill(verdicts, NO_RULE_MATCHED);
        for (int b = 0; b < rules.length; b++)
        {
            final FilterRule rule = rules[b];
            if (rule != null)
            {
                verdicts[b] = Verdict.of(rule.action() == RuleAction.ACCEPT ?
                    Verdict.REASON_RULE_ACCEPTED : Verdict.REASON_RULE_REJECTED, rule.ruleNumber());
            }
        }

        // Family and protocol: per family, class "any other protocol" then one class per protocol named.
        protocolClass = new int[2 * PROTOCOL_SLOTS];
        final List<Integer> classFamily = new ArrayList<>();
        final List<Integer> classProtocol = new ArrayList<>();
        for (int family = 0; family < 2; family++)
        {
            final int otherClass = classFamily.size();
            classFamily.add(family);
            classProtocol.add(-2);
            Arrays.fill(protocolClass, family * PROTOCOL_SLOTS, (family + 1) * PROTOCOL_SLOTS, otherClass);
            final TreeSet<Integer> named = new TreeSet<>();
            for (final FilterRule rule : ordered)
            {
                if (family(rule) == family)
                {
                    rule.protocol().ifPresent(named::add);
                }
            }
            for (final int protocol : named)
            {
                protocolClass[family * PROTOCOL_SLOTS + protocol + 1] = classFamily.size();
                classFamily.add(family);
                classProtocol.add(protocol);
            }
        }
        final Rows protocolRows = new Rows(classFamily.size(), words);
        for (int c = 0; c < protocolRows.count; c++)
        {
            for (int i = 0; i < total; i++)
            {
                final FilterRule rule = ordered[i];
                if (family(rule) == classFamily.get(c)
                    && (rule.protocol().isEmpty() || rule.protocol().getAsInt() == classProtocol.get(c)))
                {
                    protocolRows.set(c, bits[i]);
                }
            }
        }
        protocolBits = protocolRows.bits;
        protocolFirstWord = firstWords(protocolRows);

        final PortField source = new PortField(ordered, bits, true);
        sourcePortTop = source.top;
        sourcePortBlocks = source.blocks;
        sourcePortBits = source.rows.bits;
        sourcePortFirstWord = firstWords(source.rows);
        final PortField destination = new PortField(ordered, bits, false);
        destinationPortTop = destination.top;
        destinationPortBlocks = destination.blocks;
        destinationPortBits = destination.rows.bits;
        destinationPortFirstWord = firstWords(destination.rows);

        final AddressField sourceAddresses = new AddressField(ordered, bits, true);
        sourceSearch = sourceAddresses.search;
        sourceBits = sourceAddresses.rows.bits;
        sourceFirstWord = firstWords(sourceAddresses.rows);
        final AddressField destinationAddresses = new AddressField(ordered, bits, false);
        destinationSearch = destinationAddresses.search;
        destinationBits = destinationAddresses.rows.bits;
        destinationFirstWord = firstWords(destinationAddresses.rows);
    }

    /**
     * @return per row and segment ({@code row * segments + segment}), the index of the row's first non-zero word
     *     within the segment's words, or the segment's end word when they are all zero
     */
    private int[] firstWords(final Rows rows)
    {
        final int[] first = new int[rows.count * segments];
        for (int row = 0; row < rows.count; row++)
        {
            for (int s = 0; s < segments; s++)
            {
                int word = segmentFirstWord[s];
                while (word < segmentEndWord[s] && rows.bits[row * words + word] == 0)
                {
                    word++;
                }
                first[row * segments + s] = word;
            }
        }
        return first;
    }

    /**
     * @param filters the filters, one segment each, in this order
     * @param direction the direction whose rules to take
     * @param ipv4 whether to take the IPv4 rules (else the IPv6 ones): IPv4 keys are narrow, which makes the
     *     address search cheaper
     * @param searchSteps see {@link #searchSteps}
     * @return a classifier over those rules
     */
    static RuleClassifier of(
        final List<MirrorFilter> filters, final TrafficDirection direction, final boolean ipv4, final int searchSteps)
    {
        final List<List<FilterRule>> segments = new ArrayList<>(filters.size());
        for (final MirrorFilter filter : filters)
        {
            segments.add(filter.rules(direction).stream().filter(rule -> rule.isIpv4() == ipv4).toList());
        }
        return new RuleClassifier(segments, searchSteps);
    }

    /**
     * Every address search of one compiled filter (or set of filters) takes the same number of steps, enough for
     * the largest: packets alternate between its four classifiers, and equal loop counts keep the loops' exits
     * predictable.
     *
     * @param mostRules the rules of the direction with the most (all segments together)
     * @return the search steps to give each classifier
     */
    static int searchSteps(final int mostRules)
    {
        return 32 - Integer.numberOfLeadingZeros(2 * mostRules + 1);
    }

    /** Class 0 is "no ports" (and every port when no rule has a range on this side). */
    private static int portClass(final char[] top, final char[] blocks, final int port, final boolean hasPorts)
    {
        if (top == null)
        {
            return 0;
        }
        final int portClass = blocks[(top[port >>> PORT_BLOCK_BITS] << PORT_BLOCK_BITS) | (port & (PORT_BLOCK - 1))];
        return hasPorts ? portClass : 0;
    }

    private static int family(final FilterRule rule)
    {
        return rule.isIpv4() ? 0 : 1;
    }

    /** @return the rule at bit {@code index} (in a one-segment classifier, the rule-number order) */
    FilterRule rule(final int index)
    {
        return rules[index];
    }

    /** @return how many segments (filters) this classifier holds side by side */
    int segments()
    {
        return segments;
    }

    /**
     * One-segment classifiers only.
     *
     * @param headers a parsed IPv4 or IPv6 packet ({@code ipVersion()} 4 or 6)
     * @return the packed {@link Verdict} of the first matching rule, or "no rule matched"
     */
    int match(final PacketHeaders headers)
    {
        return verdicts[lookup(headers)];
    }

    /**
     * One-segment classifiers only.
     *
     * @param headers a parsed IPv4 or IPv6 packet
     * @return the index of the first matching rule in rule-number order, or -1
     */
    int firstMatch(final PacketHeaders headers)
    {
        final int index = lookup(headers);
        return index < rules.length ? index : NO_MATCH;
    }

    /**
     * Matches a packet against every segment with one lookup per field, and reports each segment's first match
     * in segment order until one accepts.
     *
     * @param headers a parsed IPv4 or IPv6 packet ({@code ipVersion()} 4 or 6)
     * @param verdicts receives, from index 0, the packed {@link Verdict} of each segment up to and including
     *     the first whose first match accepts (rejected by rule N, or no rule matched, before it); room for
     *     {@link #segments()} at least
     * @return how many verdicts were written: the accepting segment's index + 1, or {@link #segments()} when
     *     none accepts
     */
    int matchSegments(final PacketHeaders headers, final int[] verdicts)
    {
        final int protocol = protocolClassOf(headers);
        final int sourcePort = sourcePortClassOf(headers);
        final int destinationPort = destinationPortClassOf(headers);
        final int source = sourceClassOf(headers);
        final int destination = destinationClassOf(headers);
        final int[] table = this.verdicts;
        final int segments = this.segments;
        final int words = this.words;
        if (words == 1)
        {
            final long bits = protocolBits[protocol] & sourcePortBits[sourcePort] & destinationPortBits[destinationPort]
                & sourceBits[source] & destinationBits[destination];
            final long[] masks = segmentMasks;
            for (int s = 0; s < segments; s++)
            {
                // 64 when the segment has no bit set: the verdict table's sentinel.
                final int verdict = table[Long.numberOfTrailingZeros(bits & masks[s])];
                verdicts[s] = verdict;
                if (Verdict.reason(verdict) == Verdict.REASON_RULE_ACCEPTED)
                {
                    return s + 1;
                }
            }
            return segments;
        }
        final int protocolRow = protocol * words;
        final int sourcePortRow = sourcePort * words;
        final int destinationPortRow = destinationPort * words;
        final int sourceRow = source * words;
        final int destinationRow = destination * words;
        final int protocolHints = protocol * segments;
        final int sourcePortHints = sourcePort * segments;
        final int destinationPortHints = destinationPort * segments;
        final int sourceHints = source * segments;
        final int destinationHints = destination * segments;
        for (int s = 0; s < segments; s++)
        {
            // Words of the segment before the latest first non-zero word of the five rows are zero in one of them.
            final int start = Math.max(Math.max(protocolFirstWord[protocolHints + s], sourcePortFirstWord[sourcePortHints + s]),
                Math.max(destinationPortFirstWord[destinationPortHints + s],
                Math.max(sourceFirstWord[sourceHints + s], destinationFirstWord[destinationHints + s])));
            final int end = segmentEndWord[s];
            int verdict = NO_RULE_MATCHED;
            for (int word = start; word < end; word++)
            {
                final long bits = protocolBits[protocolRow + word] & sourcePortBits[sourcePortRow + word]
                    & destinationPortBits[destinationPortRow + word] & sourceBits[sourceRow + word]
                    & destinationBits[destinationRow + word];
                if (bits != 0)
                {
                    verdict = table[(word << 6) + Long.numberOfTrailingZeros(bits)];
                    break;
                }
            }
            verdicts[s] = verdict;
            if (Verdict.reason(verdict) == Verdict.REASON_RULE_ACCEPTED)
            {
                return s + 1;
            }
        }
        return segments;
    }

    // The five field lookups. IPv4 fields are 0 in an IPv6 packet and the reverse, so the family-independent
    // keys need no branch.

    private int protocolClassOf(final PacketHeaders headers)
    {
        final int family = (headers.ipVersion() >>> 1) & 1;
        return protocolClass[family * PROTOCOL_SLOTS + headers.protocol() + 1];
    }

    private int sourcePortClassOf(final PacketHeaders headers)
    {
        return portClass(sourcePortTop, sourcePortBlocks, headers.sourcePort(), headers.hasPorts());
    }

    private int destinationPortClassOf(final PacketHeaders headers)
    {
        return portClass(destinationPortTop, destinationPortBlocks, headers.destinationPort(), headers.hasPorts());
    }

    private int sourceClassOf(final PacketHeaders headers)
    {
        return sourceSearch.find(headers.sourceIpv6High() | (headers.sourceIpv4() & 0xFFFF_FFFFL), headers.sourceIpv6Low());
    }

    private int destinationClassOf(final PacketHeaders headers)
    {
        return destinationSearch.find(
            headers.destinationIpv6High() | (headers.destinationIpv4() & 0xFFFF_FFFFL), headers.destinationIpv6Low());
    }

    /**
     * One-segment classifiers only.
     *
     * @return the first matching rule's bit, or an index at or past the last rule's whose verdict is "no rule matched"
     */
    private int lookup(final PacketHeaders headers)
    {
        final int protocol = protocolClassOf(headers);
        final int sourcePort = sourcePortClassOf(headers);
        final int destinationPort = destinationPortClassOf(headers);
        final int source = sourceClassOf(headers);
        final int destination = destinationClassOf(headers);

        final int words = this.words;
        if (words == 1)
        {
            final long bits = protocolBits[protocol] & sourcePortBits[sourcePort] & destinationPortBits[destinationPort]
                & sourceBits[source] & destinationBits[destination];
            // 64 when no bit is set: the verdict table's sentinel.
            return Long.numberOfTrailingZeros(bits);
        }
        // Words before the latest first non-zero word of the five rows are zero in at least one of them.
        final int start = Math.max(Math.max(protocolFirstWord[protocol], sourcePortFirstWord[sourcePort]),
            Math.max(destinationPortFirstWord[destinationPort],
            Math.max(sourceFirstWord[source], destinationFirstWord[destination])));
        final int protocolRow = protocol * words;
        final int sourcePortRow = sourcePort * words;
        final int destinationPortRow = destinationPort * words;
        final int sourceRow = source * words;
        final int destinationRow = destination * words;
        for (int word = start; word < words; word++)
        {
            final long bits = protocolBits[protocolRow + word] & sourcePortBits[sourcePortRow + word]
                & destinationPortBits[destinationPortRow + word] & sourceBits[sourceRow + word]
                & destinationBits[destinationRow + word];
            if (bits != 0)
            {
                return (word << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return verdicts.length - 1;
    }

    /** Bitmap rows, one per class, {@code words} longs each, one bit per rule (see the layout above). */
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

        void set(final int row, final int bit)
        {
            bits[row * words + (bit >>> 6)] |= 1L << bit;
        }
    }

    private final class PortField
    {
        final char[] top;
        final char[] blocks;
        final Rows rows;

        PortField(final FilterRule[] ordered, final int[] bits, final boolean sourceSide)
        {
            final int count = ordered.length;
            final TreeSet<Integer> boundaries = new TreeSet<>();
            boundaries.add(0);
            boolean constrained = false;
            for (final FilterRule rule : ordered)
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
                top = null;
                blocks = null;
                rows = new Rows(1, words);
                for (int i = 0; i < count; i++)
                {
                    rows.set(0, bits[i]);
                }
                return;
            }
            final int[] starts = boundaries.stream().mapToInt(Integer::intValue).toArray();
            // Class 0: the packet carries no ports; class 1 + k: ports in [starts[k], starts[k + 1]).
            rows = new Rows(1 + starts.length, words);
            final char[] table = new char[PortRange.MAX_PORT + 1];
            for (int k = 0; k < starts.length; k++)
            {
                final int to = k + 1 < starts.length ? starts[k + 1] : PortRange.MAX_PORT + 1;
                Arrays.fill(table, starts[k], to, (char)(1 + k));
            }
            // Split into blocks of 256 ports and keep each distinct block once.
            top = new char[(PortRange.MAX_PORT + 1) / PORT_BLOCK];
            final Map<String, Integer> distinct = new HashMap<>();
            final List<char[]> kept = new ArrayList<>();
            for (int block = 0; block < top.length; block++)
            {
                final char[] content = Arrays.copyOfRange(table, block * PORT_BLOCK, (block + 1) * PORT_BLOCK);
                final Integer index = distinct.computeIfAbsent(new String(content), key ->
                {
                    kept.add(content);
                    return kept.size() - 1;
                });
                top[block] = (char)index.intValue();
            }
            blocks = new char[kept.size() * PORT_BLOCK];
            for (int i = 0; i < kept.size(); i++)
            {
                System.arraycopy(kept.get(i), 0, blocks, i * PORT_BLOCK, PORT_BLOCK);
            }
            for (int i = 0; i < count; i++)
            {
                final FilterRule rule = ordered[i];
                final Optional<PortRange> range = sourceSide ? rule.sourcePortRange() : rule.destinationPortRange();
                if (range.isEmpty())
                {
                    for (int c = 0; c < rows.count; c++)
                    {
                        rows.set(c, bits[i]);
                    }
                }
                else
                {
                    for (int k = Arrays.binarySearch(starts, range.get().fromPort());
                        k < starts.length && starts[k] <= range.get().toPort(); k++)
                    {
                        rows.set(1 + k, bits[i]);
                    }
                }
            }
        }
    }

    private final class AddressField
    {
        final AddressSearch search;
        final Rows rows;

        AddressField(final FilterRule[] ordered, final int[] bits, final boolean sourceSide)
        {
            final TreeSet<Key> boundaries = new TreeSet<>();
            boundaries.add(new Key(0, 0));
            final Key[] firsts = new Key[ordered.length];
            final Key[] lasts = new Key[ordered.length];
            for (int i = 0; i < ordered.length; i++)
            {
                final Cidr block = sourceSide ? ordered[i].sourceCidrBlock() : ordered[i].destinationCidrBlock();
                firsts[i] = firstOf(block);
                lasts[i] = lastOf(block);
                boundaries.add(firsts[i]);
                final Key next = lasts[i].next();
                if (next != null)
                {
                    boundaries.add(next);
                }
            }
            final Key[] starts = boundaries.toArray(new Key[0]);
            final Map<Key, Integer> index = new HashMap<>();
            final long[] uppers = new long[starts.length];
            final long[] lowers = new long[starts.length];
            for (int k = 0; k < starts.length; k++)
            {
                index.put(starts[k], k);
                uppers[k] = starts[k].upper();
                lowers[k] = starts[k].lower();
            }
            final Rows intervals = new Rows(starts.length, words);
            for (int i = 0; i < ordered.length; i++)
            {
                for (int k = index.get(firsts[i]); k < starts.length && starts[k].compareTo(lasts[i]) <= 0; k++)
                {
                    intervals.set(k, bits[i]);
                }
            }
            // Intervals with equal bitmaps (typically the gaps between specific blocks, covered by the same
            // broad rules) share one row: less memory, so more of it stays in cache.
            // A LongBuffer compares and hashes by content: the key for a row without boxing its words.
            final Map<LongBuffer, Integer> classes = new HashMap<>();
            final int[] intervalClass = new int[starts.length];
            final List<long[]> unique = new ArrayList<>();
            for (int k = 0; k < starts.length; k++)
            {
                final long[] row = Arrays.copyOfRange(intervals.bits, k * words, (k + 1) * words);
                intervalClass[k] = classes.computeIfAbsent(LongBuffer.wrap(row), key ->
                {
                    unique.add(row);
                    return unique.size() - 1;
                });
            }
            rows = new Rows(unique.size(), words);
            for (int c = 0; c < unique.size(); c++)
            {
                System.arraycopy(unique.get(c), 0, rows.bits, c * words, words);
            }
            search = new AddressSearch(uppers, lowers, intervalClass, searchSteps);
        }

        /** IPv4 block {@code a/n} spans keys (first, 0) to (last, all ones); IPv6 blocks are themselves. */
        private Key firstOf(final Cidr block)
        {
            return block.isIpv4() ? new Key(block.low(), 0) : new Key(block.high(), block.low());
        }

        private Key lastOf(final Cidr block)
        {
            final int prefix = block.prefixLength();
            if (block.isIpv4())
            {
                return new Key(block.low() | ((1L << (32 - prefix)) - 1), -1L);
            }
            final long upperHost = prefix >= 64 ? 0 : -1L >>> prefix;
            final long lowerHost = prefix >= 128 ? 0 : (prefix <= 64 ? -1L : -1L >>> (prefix - 64));
            return new Key(block.high() | upperHost, block.low() | lowerHost);
        }
    }

    /** A 128-bit boundary compared unsigned. */
    private record Key(long upper, long lower) implements Comparable<Key>
    {
        @Override
        public int compareTo(final Key other)
        {
            final int byUpper = Long.compareUnsigned(upper, other.upper);
            return byUpper != 0 ? byUpper : Long.compareUnsigned(lower, other.lower);
        }

        /** @return this + 1, or null past the last 128-bit key */
        Key next()
        {
            if (lower != -1L)
            {
                return new Key(upper, lower + 1);
            }
            return upper == -1L ? null : new Key(upper + 1, 0);
        }
    }
}
