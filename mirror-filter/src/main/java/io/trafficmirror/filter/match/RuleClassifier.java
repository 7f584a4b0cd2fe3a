package io.trafficmirror.filter.match;

import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.PortRange;
import io.trafficmirror.filter.RuleAction;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Bit-vector classifier over the rules of one direction and one IP family (it also accepts both families at
 * once), so that the cost per packet barely grows with the rule count.
 *
 * <p>Rule {@code i} in rule-number order is bit {@code i}. Each of five fields maps a packet value to a class
 * whose bitmap holds the rules that accept that value; ANDing the five bitmaps leaves the matching rules and the
 * lowest set bit is the first match. The fields:
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
 * With up to 64 rules the lookup has no data-dependent branch at all: one word per field, ANDed, and the
 * number of trailing zeros indexes a verdict table whose entry 64 is "no rule matched". With more, each row
 * also records its first non-zero word, and the scan starts at the latest of the five: every earlier word is
 * zero in some field.
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

    private final FilterRule[] rules;
    private final int searchSteps;
    /** Verdict per rule index, then "no rule matched" up to index 64 at least (the one-word path's sentinel). */
    private final int[] verdicts;
    private final int words;

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
     * @param sortedRules the rules, in rule-number order
     * @param searchSteps address search steps to take at least (see {@link AddressSearch})
     */
    RuleClassifier(final List<FilterRule> sortedRules, final int searchSteps)
    {
        this.searchSteps = searchSteps;
        this.rules = sortedRules.toArray(new FilterRule[0]);
        final int count = rules.length;
        this.words = Math.max(1, (count + 63) >>> 6);
        this.verdicts = new int[Math.max(count, 64) + 1];
        Arrays.fill(verdicts, Verdict.of(Verdict.REASON_NO_RULE_MATCHED, 0));
        for (int i = 0; i < count; i++)
        {
            final FilterRule rule = rules[i];
            verdicts[i] = Verdict.of(rule.action() == RuleAction.ACCEPT ?
                Verdict.REASON_RULE_ACCEPTED : Verdict.REASON_RULE_REJECTED, rule.ruleNumber());
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
            for (final FilterRule rule : rules)
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
            for (int i = 0; i < count; i++)
            {
                final FilterRule rule = rules[i];
                if (family(rule) == classFamily.get(c)
                    && (rule.protocol().isEmpty() || rule.protocol().getAsInt() == classProtocol.get(c)))
                {
                    protocolRows.set(c, i);
                }
            }
        }
        protocolBits = protocolRows.bits;
        protocolFirstWord = protocolRows.firstWords();

        final PortField source = new PortField(true);
        sourcePortTop = source.top;
        sourcePortBlocks = source.blocks;
        sourcePortBits = source.rows.bits;
        sourcePortFirstWord = source.rows.firstWords();
        final PortField destination = new PortField(false);
        destinationPortTop = destination.top;
        destinationPortBlocks = destination.blocks;
        destinationPortBits = destination.rows.bits;
        destinationPortFirstWord = destination.rows.firstWords();

        final AddressField sourceAddresses = new AddressField(true);
        sourceSearch = sourceAddresses.search;
        sourceBits = sourceAddresses.rows.bits;
        sourceFirstWord = sourceAddresses.rows.firstWords();
        final AddressField destinationAddresses = new AddressField(false);
        destinationSearch = destinationAddresses.search;
        destinationBits = destinationAddresses.rows.bits;
        destinationFirstWord = destinationAddresses.rows.firstWords();
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

    /** @return the rule at {@code index} in rule-number (bit) order */
    FilterRule rule(final int index)
    {
        return rules[index];
    }

    /**
     * @param headers a parsed IPv4 or IPv6 packet ({@code ipVersion()} 4 or 6)
     * @return the packed {@link Verdict} of the first matching rule, or "no rule matched"
     */
    int match(final PacketHeaders headers)
    {
        return verdicts[lookup(headers)];
    }

    /**
     * @param headers a parsed IPv4 or IPv6 packet
     * @return the index of the first matching rule in rule-number order, or -1
     */
    int firstMatch(final PacketHeaders headers)
    {
        final int index = lookup(headers);
        return index < rules.length ? index : NO_MATCH;
    }

    /** @return the first matching rule's index, or an index at or past the rule count whose verdict is "no rule matched" */
    private int lookup(final PacketHeaders headers)
    {
        // IPv4 fields are 0 in an IPv6 packet and the reverse, so the family-independent keys need no branch.
        final int family = (headers.ipVersion() >>> 1) & 1;
        final int protocol = protocolClass[family * PROTOCOL_SLOTS + headers.protocol() + 1];
        final boolean hasPorts = headers.hasPorts();
        final int sourcePort = portClass(sourcePortTop, sourcePortBlocks, headers.sourcePort(), hasPorts);
        final int destinationPort = portClass(destinationPortTop, destinationPortBlocks, headers.destinationPort(), hasPorts);
        final int source = sourceSearch.find(
            headers.sourceIpv6High() | (headers.sourceIpv4() & 0xFFFF_FFFFL), headers.sourceIpv6Low());
        final int destination = destinationSearch.find(
            headers.destinationIpv6High() | (headers.destinationIpv4() & 0xFFFF_FFFFL), headers.destinationIpv6Low());

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

        /** @return per row, the index of its first non-zero word, or {@code words} for an empty row */
        int[] firstWords()
        {
            final int[] first = new int[count];
            for (int row = 0; row < count; row++)
            {
                int word = 0;
                while (word < words && bits[row * words + word] == 0)
                {
                    word++;
                }
                first[row] = word;
            }
            return first;
        }
    }

    private final class PortField
    {
        final char[] top;
        final char[] blocks;
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
                top = null;
                blocks = null;
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
        final AddressSearch search;
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
            for (int i = 0; i < rules.length; i++)
            {
                for (int k = index.get(firsts[i]); k < starts.length && starts[k].compareTo(lasts[i]) <= 0; k++)
                {
                    intervals.set(k, i);
                }
            }
            // Intervals with equal bitmaps (typically the gaps between specific blocks, covered by the same
            // broad rules) share one row: less memory, so more of it stays in cache.
            final Map<List<Long>, Integer> classes = new HashMap<>();
            final int[] intervalClass = new int[starts.length];
            final List<long[]> unique = new ArrayList<>();
            for (int k = 0; k < starts.length; k++)
            {
                final long[] row = Arrays.copyOfRange(intervals.bits, k * words, (k + 1) * words);
                final List<Long> content = Arrays.stream(row).boxed().toList();
                intervalClass[k] = classes.computeIfAbsent(content, key ->
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
