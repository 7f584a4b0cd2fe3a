package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.nio.IntBuffer;
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
 * <p>Bitmap layout. Segment {@code s} (one filter, in the order given) holds its rules in rule-number order at
 * consecutive bits from {@code segmentBit[s]}; the bit of a rule indexes the verdict table. Bit {@code b} of a row
 * is bit {@code b & 63} of its word {@code b >>> 6}.
 * <ul>
 *   <li>64 rules or fewer in all ("packed"): every segment is packed into one word, one after another
 *   ({@code segmentBit[s + 1] = segmentBit[s] + rules of s}); each field has one such word per class, and a mask
 *   per segment picks the segment's bits. The lookup has no data-dependent branch: five words ANDed, masked, and
 *   the number of trailing zeros indexes the verdict table, whose entry 64 is "no rule matched".</li>
 *   <li>More: segment {@code s} owns {@code segmentWords[s]} words ({@code segmentBit[s]} is a multiple of 64;
 *   the unused high bits of its last word are never set), and each field stores, per segment, only the distinct
 *   rows of that segment's words: with several segments, memory grows with their rules, not with the square of
 *   them. A class's row in segment {@code s} is found through the field's index, which also records the row's
 *   first non-zero word; a segment's scan starts at the latest of the five, since every earlier word is zero in
 *   some field, and stops at the first non-zero AND.</li>
 * </ul>
 * A single filter is the one-segment case: rule {@code i} is bit {@code i}.
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
    private final int segments;
    /** Whether all rules share one word; else each segment has rows of its own (see the class comment). */
    private final boolean packed;
    /** Packed: the bits of each segment. */
    private final long[] segmentMasks;
    /** Not packed: each segment's row length in words, and the bit of its first rule. */
    private final int[] segmentWords;
    private final int[] segmentBit;

    // Per field: the class of a packet value; the rows; and, not packed, per class and segment the row's offset
    // in the rows array and its first non-zero word ({@code index[2 * (class * segments + segment)]} and + 1).

    private final int[] protocolClass;
    private final long[] protocolBits;
    private final int[] protocolIndex;

    private final char[] sourcePortTop;
    private final char[] sourcePortBlocks;
    private final long[] sourcePortBits;
    private final int[] sourcePortIndex;
    private final char[] destinationPortTop;
    private final char[] destinationPortBlocks;
    private final long[] destinationPortBits;
    private final int[] destinationPortIndex;

    private final AddressSearch sourceSearch;
    private final long[] sourceBits;
    private final int[] sourceIndex;
    private final AddressSearch destinationSearch;
    private final long[] destinationBits;
    private final int[] destinationIndex;

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
        this.packed = total <= 64;
        this.rules = new FilterRule[(packed ? 1 : wholeWords) << 6];
        this.segmentMasks = new long[segments];
        this.segmentWords = new int[segments];
        this.segmentBit = new int[segments];
        // Every rule and its bit, in bit order, and where each segment's rules start among them.
        final FilterRule[] ordered = new FilterRule[total];
        final int[] bits = new int[total];
        final int[] segmentStart = new int[segments + 1];
        int bit = 0;
        int next = 0;
        for (int s = 0; s < segments; s++)
        {
            final List<FilterRule> segment = segmentRules.get(s);
            final int size = segment.size();
            segmentStart[s] = next;
            segmentBit[s] = bit;
            for (int i = 0; i < size; i++)
            {
                rules[bit + i] = segment.get(i);
                ordered[next] = segment.get(i);
                bits[next++] = bit + i;
            }
            segmentMasks[s] = packed && size > 0 ? (-1L >>> (64 - size)) << bit : 0;
            segmentWords[s] = (size + 63) >>> 6;
            bit += packed ? size : segmentWords[s] << 6;
        }
        segmentStart[segments] = total;
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
        final Layout layout = new Layout(ordered, bits, segmentStart);

        // Family and protocol: per family, key "any other protocol" then one key per protocol named.
        final int[] protocolKey = new int[2 * PROTOCOL_SLOTS];
        final List<Integer> keyFamily = new ArrayList<>();
        final List<Integer> keyProtocol = new ArrayList<>();
        for (int family = 0; family < 2; family++)
        {
            final int otherKey = keyFamily.size();
            keyFamily.add(family);
            keyProtocol.add(-2);
            Arrays.fill(protocolKey, family * PROTOCOL_SLOTS, (family + 1) * PROTOCOL_SLOTS, otherKey);
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
                protocolKey[family * PROTOCOL_SLOTS + protocol + 1] = keyFamily.size();
                keyFamily.add(family);
                keyProtocol.add(protocol);
            }
        }
        final Storage protocols = storage(layout, keyFamily.size(), (rows, rule, ruleBit) ->
        {
            for (int key = 0; key < rows.count; key++)
            {
                if (family(rule) == keyFamily.get(key)
                    && (rule.protocol().isEmpty() || rule.protocol().getAsInt() == keyProtocol.get(key)))
                {
                    rows.set(key, ruleBit);
                }
            }
        });
        protocolClass = new int[protocolKey.length];
        for (int slot = 0; slot < protocolKey.length; slot++)
        {
            protocolClass[slot] = protocols.keyClass[protocolKey[slot]];
        }
        protocolBits = protocols.bits;
        protocolIndex = protocols.index;

        final PortField source = new PortField(layout, true);
        sourcePortTop = source.top;
        sourcePortBlocks = source.blocks;
        sourcePortBits = source.storage.bits;
        sourcePortIndex = source.storage.index;
        final PortField destination = new PortField(layout, false);
        destinationPortTop = destination.top;
        destinationPortBlocks = destination.blocks;
        destinationPortBits = destination.storage.bits;
        destinationPortIndex = destination.storage.index;

        final AddressField sourceAddresses = new AddressField(layout, true);
        sourceSearch = sourceAddresses.search;
        sourceBits = sourceAddresses.storage.bits;
        sourceIndex = sourceAddresses.storage.index;
        final AddressField destinationAddresses = new AddressField(layout, false);
        destinationSearch = destinationAddresses.search;
        destinationBits = destinationAddresses.storage.bits;
        destinationIndex = destinationAddresses.storage.index;
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
        if (packed)
        {
            // One row per class, one word each: the class is the row.
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
        for (int s = 0; s < segments; s++)
        {
            final int bit = firstBit(s, protocol, sourcePort, destinationPort, source, destination);
            final int verdict = bit < 0 ? NO_RULE_MATCHED : table[bit];
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
        if (packed)
        {
            final long bits = protocolBits[protocol] & sourcePortBits[sourcePort] & destinationPortBits[destinationPort]
                & sourceBits[source] & destinationBits[destination];
            // 64 when no bit is set: the verdict table's sentinel.
            return Long.numberOfTrailingZeros(bits);
        }
        // One segment: class c is row c (see storage), so the rows need no index; measurably faster than
        // firstBit's indexed rows on the single-filter path, which every CompiledFilter takes.
        final int words = segmentWords[0];
        final int start = Math.max(Math.max(protocolIndex[2 * protocol + 1], sourcePortIndex[2 * sourcePort + 1]),
            Math.max(destinationPortIndex[2 * destinationPort + 1],
            Math.max(sourceIndex[2 * source + 1], destinationIndex[2 * destination + 1])));
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

    /**
     * Not packed: the first match in one segment, given the packet's five classes.
     *
     * @return the matching rule's bit, or -1 when no rule of the segment matches
     */
    private int firstBit(final int segment, final int protocol, final int sourcePort, final int destinationPort,
        final int source, final int destination)
    {
        final int[] protocolIndex = this.protocolIndex;
        final int[] sourcePortIndex = this.sourcePortIndex;
        final int[] destinationPortIndex = this.destinationPortIndex;
        final int[] sourceIndex = this.sourceIndex;
        final int[] destinationIndex = this.destinationIndex;
        final int segments = this.segments;
        final int protocolAt = 2 * (protocol * segments + segment);
        final int sourcePortAt = 2 * (sourcePort * segments + segment);
        final int destinationPortAt = 2 * (destinationPort * segments + segment);
        final int sourceAt = 2 * (source * segments + segment);
        final int destinationAt = 2 * (destination * segments + segment);
        // Words before the latest first non-zero word of the five rows are zero in at least one of them.
        final int start = Math.max(Math.max(protocolIndex[protocolAt + 1], sourcePortIndex[sourcePortAt + 1]),
            Math.max(destinationPortIndex[destinationPortAt + 1],
            Math.max(sourceIndex[sourceAt + 1], destinationIndex[destinationAt + 1])));
        final int end = segmentWords[segment];
        final int protocolRow = protocolIndex[protocolAt];
        final int sourcePortRow = sourcePortIndex[sourcePortAt];
        final int destinationPortRow = destinationPortIndex[destinationPortAt];
        final int sourceRow = sourceIndex[sourceAt];
        final int destinationRow = destinationIndex[destinationAt];
        for (int word = start; word < end; word++)
        {
            final long bits = protocolBits[protocolRow + word] & sourcePortBits[sourcePortRow + word]
                & destinationPortBits[destinationPortRow + word] & sourceBits[sourceRow + word]
                & destinationBits[destinationRow + word];
            if (bits != 0)
            {
                return segmentBit[segment] + (word << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return NO_MATCH;
    }

    /** The rules in bit order, each one's bit, and where each segment's rules start among them (one past: the total). */
    private record Layout(FilterRule[] ordered, int[] bits, int[] segmentStart)
    {
    }

    /** Which keys of a field one rule accepts. */
    @FunctionalInterface
    private interface Membership
    {
        /**
         * @param rows one row per key
         * @param rule the rule
         * @param bit the rule's bit in those rows
         */
        void mark(Rows rows, FilterRule rule, int bit);
    }

    /** One field's rows, built from its keys (the values a packet can have, told apart) and their rules. */
    private static final class Storage
    {
        final long[] bits;
        final int[] index;
        /** The class of each key: keys whose rows are equal in every segment share one. */
        final int[] keyClass;

        Storage(final long[] bits, final int[] index, final int[] keyClass)
        {
            this.bits = bits;
            this.index = index;
            this.keyClass = keyClass;
        }
    }

    /**
     * Builds a field's rows: packed, one word per class; else, per segment, its distinct rows of its own words
     * (so that memory grows with the segments' rules, not with their square), and per class and segment, the
     * offset of the class's row and its first non-zero word. Packed or with one segment, class {@code c} is row
     * {@code c}: both are numbered in the order their keys first appear.
     */
    private Storage storage(final Layout layout, final int keys, final Membership membership)
    {
        final int groups = packed ? 1 : segments;
        final int[][] rowOfKey = new int[groups][];
        final List<List<long[]>> distinct = new ArrayList<>();
        final int[] width = new int[groups];
        for (int g = 0; g < groups; g++)
        {
            width[g] = packed ? 1 : segmentWords[g];
            final int from = packed ? 0 : layout.segmentStart()[g];
            final int to = packed ? layout.ordered().length : layout.segmentStart()[g + 1];
            final int base = packed ? 0 : segmentBit[g];
            final Rows rows = new Rows(keys, width[g]);
            for (int i = from; i < to; i++)
            {
                membership.mark(rows, layout.ordered()[i], layout.bits()[i] - base);
            }
            // A LongBuffer compares and hashes by content: the key for a row without boxing its words.
            final Map<LongBuffer, Integer> seen = new HashMap<>();
            final List<long[]> unique = new ArrayList<>();
            rowOfKey[g] = new int[keys];
            for (int k = 0; k < keys; k++)
            {
                final long[] row = Arrays.copyOfRange(rows.bits, k * width[g], (k + 1) * width[g]);
                rowOfKey[g][k] = seen.computeIfAbsent(LongBuffer.wrap(row), key ->
                {
                    unique.add(row);
                    return unique.size() - 1;
                });
            }
            distinct.add(unique);
        }

        final int[] keyClass = new int[keys];
        final List<Integer> classKey = new ArrayList<>();
        final Map<IntBuffer, Integer> classes = new HashMap<>();
        for (int k = 0; k < keys; k++)
        {
            final int[] rows = new int[groups];
            for (int g = 0; g < groups; g++)
            {
                rows[g] = rowOfKey[g][k];
            }
            final int key = k;
            keyClass[k] = classes.computeIfAbsent(IntBuffer.wrap(rows), rowsOfKey ->
            {
                classKey.add(key);
                return classKey.size() - 1;
            });
        }

        final int[] groupBase = new int[groups];
        int length = 0;
        for (int g = 0; g < groups; g++)
        {
            groupBase[g] = length;
            length += distinct.get(g).size() * width[g];
        }
        final long[] bits = new long[length];
        for (int g = 0; g < groups; g++)
        {
            for (int r = 0; r < distinct.get(g).size(); r++)
            {
                System.arraycopy(distinct.get(g).get(r), 0, bits, groupBase[g] + r * width[g], width[g]);
            }
        }
        final int[] index = new int[2 * classKey.size() * groups];
        for (int c = 0; c < classKey.size(); c++)
        {
            for (int g = 0; g < groups; g++)
            {
                final int offset = groupBase[g] + rowOfKey[g][classKey.get(c)] * width[g];
                int first = 0;
                while (first < width[g] && bits[offset + first] == 0)
                {
                    first++;
                }
                index[2 * (c * groups + g)] = offset;
                index[2 * (c * groups + g) + 1] = first;
            }
        }
        return new Storage(bits, index, keyClass);
    }

    /** Bitmap rows, one per key, {@code words} longs each, one bit per rule. */
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
        final Storage storage;

        PortField(final Layout layout, final boolean sourceSide)
        {
            final TreeSet<Integer> boundaries = new TreeSet<>();
            boundaries.add(0);
            boolean constrained = false;
            for (final FilterRule rule : layout.ordered())
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
                storage = storage(layout, 1, (rows, rule, bit) -> rows.set(0, bit));
                return;
            }
            final int[] starts = boundaries.stream().mapToInt(Integer::intValue).toArray();
            // Key 0: the packet carries no ports; key 1 + k: ports in [starts[k], starts[k + 1]).
            storage = storage(layout, 1 + starts.length, (rows, rule, bit) ->
            {
                final Optional<PortRange> range = sourceSide ? rule.sourcePortRange() : rule.destinationPortRange();
                if (range.isEmpty())
                {
                    for (int key = 0; key < rows.count; key++)
                    {
                        rows.set(key, bit);
                    }
                }
                else
                {
                    for (int k = Arrays.binarySearch(starts, range.get().fromPort());
                        k < starts.length && starts[k] <= range.get().toPort(); k++)
                    {
                        rows.set(1 + k, bit);
                    }
                }
            });
            final char[] table = new char[PortRange.MAX_PORT + 1];
            for (int k = 0; k < starts.length; k++)
            {
                final int to = k + 1 < starts.length ? starts[k + 1] : PortRange.MAX_PORT + 1;
                Arrays.fill(table, starts[k], to, (char)storage.keyClass[1 + k]);
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
        }
    }

    private final class AddressField
    {
        final AddressSearch search;
        final Storage storage;

        AddressField(final Layout layout, final boolean sourceSide)
        {
            final FilterRule[] ordered = layout.ordered();
            final TreeSet<Key> boundaries = new TreeSet<>();
            boundaries.add(new Key(0, 0));
            for (final FilterRule rule : ordered)
            {
                final Cidr block = sourceSide ? rule.sourceCidrBlock() : rule.destinationCidrBlock();
                boundaries.add(firstOf(block));
                final Key next = lastOf(block).next();
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
            // Keys are the intervals between boundaries; intervals with equal rows (typically the gaps between
            // specific blocks, covered by the same broad rules) share one class, so rows are stored once.
            storage = storage(layout, starts.length, (rows, rule, bit) ->
            {
                final Cidr block = sourceSide ? rule.sourceCidrBlock() : rule.destinationCidrBlock();
                final Key last = lastOf(block);
                for (int k = index.get(firstOf(block)); k < starts.length && starts[k].compareTo(last) <= 0; k++)
                {
                    rows.set(k, bit);
                }
            });
            search = new AddressSearch(uppers, lowers, storage.keyClass, searchSteps);
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

    /**
     * A 128-bit boundary compared unsigned. Its equality is written out rather than left to the record's generated
     * methods, whose first call builds method handles: a few tens of milliseconds of a short command's start-up.
     */
    private record Key(long upper, long lower) implements Comparable<Key>
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof Key && ((Key)other).upper == upper && ((Key)other).lower == lower;
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(upper) * 31 + Long.hashCode(lower);
        }

        @Override
        public String toString()
        {
            return "Key[" + Long.toUnsignedString(upper, 16) + ":" + Long.toUnsignedString(lower, 16) + "]";
        }

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
