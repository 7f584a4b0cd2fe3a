package io.trafficmirror.examples.cli;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.engine.PacketClassifier;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The totals of {@code mirror explain --summary}: packets, bytes and mirrored bytes per interface, session,
 * direction, rule and action, and per target the bit rate it would receive. Counting a row costs a probe of an
 * open-addressing table of longs; nothing is allocated per packet (the table grows, rarely, with new
 * combinations).
 *
 * <p>A row's key packs, from the high bits: the source index plus one (0 for a packet of no interface), the
 * direction (0 inbound, 1 outbound), the session index plus one (0 when not mirrored) and the rule number plus one
 * (0 when no rule decided, and always for a packet not mirrored, as the per-packet rows say "-"). Sorting the keys
 * orders the rows as the configuration lists its interfaces, inbound first, not mirrored before each session.
 */
final class ExplainSummary
{
    static final String HEADER = "interface,session,direction,rule_number,action,packets,bytes,mirrored_bytes";

    /**
     * Bytes a target receives per copy besides the mirrored bytes: outer Ethernet (14), IPv4 (20), UDP (8) and
     * VXLAN (8) headers. AWS sends mirrored traffic to a target's private IPv4 address.
     */
    static final int OUTER_HEADERS = 14 + 20 + 8 + 8;

    private static final long NO_INTERFACE_KEY = Long.MAX_VALUE;
    private static final long EMPTY = Long.MIN_VALUE;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final byte[] COMMA = CsvOutput.bytes(",");
    private static final byte[] DASH = CsvOutput.bytes("-");
    private static final byte[] INBOUND = CsvOutput.bytes(",inbound,");
    private static final byte[] OUTBOUND = CsvOutput.bytes(",outbound,");
    private static final byte[] ACCEPT = CsvOutput.bytes(",accept,");
    private static final byte[] NONE = CsvOutput.bytes(",none,");
    private static final byte[] NO_INTERFACE = CsvOutput.bytes("-,-,-,-,none,");

    private final PacketClassifier classifier;
    /** The target index of each source's sessions. */
    private final int[][] targetOf;
    private final List<MirrorTarget> targets;
    private final long[] targetCopies;
    private final long[] targetBytes;
    /** Per target: the second its last copy fell in, the bits of that second, the most of any second before. */
    private final long[] targetSecond;
    private final long[] targetSecondBits;
    private final long[] targetPeak;
    /** Per target, bits of the copies of records with a time. */
    private final long[] targetTimedBits;

    private long[] keys = new long[64];
    private long[] packets = new long[64];
    private long[] bytes = new long[64];
    private long[] mirrored = new long[64];
    private int size;

    private boolean timed;
    private long firstNanos;
    private long earliestNanos;
    private long latestNanos;
    /** The second of the current record, counted from the first timed record; MIN_VALUE when it has no time. */
    private long second;

    ExplainSummary(final MirrorConfiguration configuration, final PacketClassifier classifier)
    {
        this.classifier = classifier;
        this.targets = configuration.targets();
        final Map<String, Integer> targetIndexes = new HashMap<>();
        for (int i = 0; i < targets.size(); i++)
        {
            targetIndexes.put(targets.get(i).id(), i);
        }
        targetOf = new int[classifier.sourceCount()][];
        for (int source = 0; source < targetOf.length; source++)
        {
            targetOf[source] = new int[classifier.sessionCount(source)];
            for (int session = 0; session < targetOf[source].length; session++)
            {
                targetOf[source][session] = targetIndexes.get(classifier.session(source, session).targetId());
            }
        }
        targetCopies = new long[targets.size()];
        targetBytes = new long[targets.size()];
        targetSecond = new long[targets.size()];
        targetSecondBits = new long[targets.size()];
        targetPeak = new long[targets.size()];
        targetTimedBits = new long[targets.size()];
        Arrays.fill(keys, EMPTY);
    }

    /**
     * Starts a record: its time places the copies counted next in their second.
     *
     * @param hasTimestamp false for a record without a time (a pcapng simple packet block), which counts in the
     *                     rows but in no second and not in the span.
     */
    void record(final boolean hasTimestamp, final long timestampNanos)
    {
        if (!hasTimestamp)
        {
            second = Long.MIN_VALUE;
            return;
        }
        if (!timed)
        {
            timed = true;
            firstNanos = timestampNanos;
            earliestNanos = timestampNanos;
            latestNanos = timestampNanos;
        }
        earliestNanos = Math.min(earliestNanos, timestampNanos);
        latestNanos = Math.max(latestNanos, timestampNanos);
        second = Math.floorDiv(timestampNanos - firstNanos, NANOS_PER_SECOND);
    }

    /** Counts a record that belongs to no interface of the configuration. */
    void noInterface(final int frameBytes)
    {
        add(NO_INTERFACE_KEY, frameBytes, 0);
    }

    /**
     * Counts one row of the per-packet output.
     *
     * @param session the session index {@link PacketClassifier#decide} returned; negative when not mirrored.
     */
    void row(final int source, final boolean inbound, final int session, final int frameBytes)
    {
        if (session < 0)
        {
            add(key(source, inbound, -1, PacketClassifier.NO_RULE), frameBytes, 0);
            return;
        }
        final int copy = classifier.mirroredBytes();
        add(key(source, inbound, session, classifier.ruleNumber()), frameBytes, copy);
        final int target = targetOf[source][session];
        targetCopies[target]++;
        targetBytes[target] += copy;
        if (second != Long.MIN_VALUE)
        {
            addBits(target, 8L * (copy + OUTER_HEADERS));
        }
    }

    private static long key(final int source, final boolean inbound, final int session, final int rule)
    {
        return ((long)(source + 1) << 40) | (inbound ? 0L : 1L << 39) | ((long)(session + 1) << 20) | (rule + 1);
    }

    private void add(final long key, final int frameBytes, final int copy)
    {
        int slot = slot(key);
        if (keys[slot] == EMPTY)
        {
            if (2 * (size + 1) > keys.length)
            {
                grow();
                slot = slot(key);
            }
            keys[slot] = key;
            size++;
        }
        packets[slot]++;
        bytes[slot] += frameBytes;
        mirrored[slot] += copy;
    }

    /** The slot holding the key, or the empty slot where it goes. */
    private int slot(final long key)
    {
        final int mask = keys.length - 1;
        int slot = (int)((key * 0x9E37_79B9_7F4A_7C15L) >>> 40) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key)
        {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void grow()
    {
        final long[] oldKeys = keys;
        final long[] oldPackets = packets;
        final long[] oldBytes = bytes;
        final long[] oldMirrored = mirrored;
        keys = new long[oldKeys.length * 2];
        packets = new long[keys.length];
        bytes = new long[keys.length];
        mirrored = new long[keys.length];
        Arrays.fill(keys, EMPTY);
        for (int i = 0; i < oldKeys.length; i++)
        {
            if (oldKeys[i] != EMPTY)
            {
                final int slot = slot(oldKeys[i]);
                keys[slot] = oldKeys[i];
                packets[slot] = oldPackets[i];
                bytes[slot] = oldBytes[i];
                mirrored[slot] = oldMirrored[i];
            }
        }
    }

    /**
     * Adds to the target's current second; a record in another second closes the current one. Records are taken in
     * file order, which capture tools write in time order: one out of order starts a second of its own.
     */
    private void addBits(final int target, final long bits)
    {
        if (targetSecond[target] != second)
        {
            targetPeak[target] = Math.max(targetPeak[target], targetSecondBits[target]);
            targetSecond[target] = second;
            targetSecondBits[target] = 0;
        }
        targetSecondBits[target] += bits;
        targetTimedBits[target] += bits;
    }

    /** Writes the rows, sorted by key, then one line per target. */
    void write(final CsvOutput out, final byte[] newline) throws IOException
    {
        final long[] sorted = new long[size];
        final int[] slots = new int[size];
        int n = 0;
        for (int i = 0; i < keys.length; i++)
        {
            if (keys[i] != EMPTY)
            {
                sorted[n++] = keys[i];
            }
        }
        Arrays.sort(sorted);
        for (int i = 0; i < size; i++)
        {
            slots[i] = slot(sorted[i]);
        }
        for (int i = 0; i < size; i++)
        {
            writeRow(out, sorted[i], slots[i]);
            out.endRow(newline);
        }
        for (int t = 0; t < targets.size(); t++)
        {
            out.append(CsvOutput.bytes(targetLine(t))).endRow(newline);
        }
    }

    private void writeRow(final CsvOutput out, final long key, final int slot) throws IOException
    {
        if (key == NO_INTERFACE_KEY)
        {
            out.append(NO_INTERFACE);
        }
        else
        {
            final int source = (int)(key >>> 40) - 1;
            final boolean inbound = (key & (1L << 39)) == 0;
            final int session = (int)((key >>> 20) & 0x7FFFF) - 1;
            final int rule = (int)(key & 0xFFFFF) - 1;
            out.append(CsvOutput.bytes(classifier.sourceId(source))).append(COMMA);
            out.append(session < 0 ? DASH : CsvOutput.bytes(classifier.session(source, session).id()));
            out.append(inbound ? INBOUND : OUTBOUND);
            if (rule == PacketClassifier.NO_RULE)
            {
                out.append(DASH);
            }
            else
            {
                out.append(rule);
            }
            out.append(session < 0 ? NONE : ACCEPT);
        }
        out.append(packets[slot]).append(COMMA).append(bytes[slot]).append(COMMA).append(mirrored[slot]);
    }

    /**
     * @return {@code target ID span_seconds=S copies=N mirrored_bytes=B received_bytes=R mean_bits_per_second=M
     *         peak_bits_per_second=P}. The span is the capture's: latest less earliest record time. The rates count
     *         what the target receives (mirrored bytes and {@link #OUTER_HEADERS} per copy) in whole seconds counted
     *         from the first record's time: the peak is the most bits of one such second, the mean the bits over the
     *         number of seconds the capture covers (its span rounded up, at least 1; "-" when no record has a time).
     */
    String targetLine(final int target)
    {
        final long spanNanos = timed ? latestNanos - earliestNanos : 0;
        final long seconds = timed ? Math.floorDiv(latestNanos - firstNanos, NANOS_PER_SECOND) -
            Math.floorDiv(earliestNanos - firstNanos, NANOS_PER_SECOND) + 1 : 0;
        final long received = targetBytes[target] + (long)OUTER_HEADERS * targetCopies[target];
        final long peak = Math.max(targetPeak[target], targetSecondBits[target]);
        final String mean = seconds == 0 ? "-" : BigDecimal.valueOf(targetTimedBits[target])
            .divide(BigDecimal.valueOf(seconds), 0, RoundingMode.HALF_UP).toPlainString();
        return "target " + targets.get(target).id() + " span_seconds=" + BigDecimal.valueOf(spanNanos, 9).toPlainString() +
            " copies=" + targetCopies[target] + " mirrored_bytes=" + targetBytes[target] + " received_bytes=" + received +
            " mean_bits_per_second=" + mean + " peak_bits_per_second=" + peak;
    }
}
