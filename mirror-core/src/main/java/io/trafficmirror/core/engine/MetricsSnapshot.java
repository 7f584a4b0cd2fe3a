package io.trafficmirror.core.engine;

import io.trafficmirror.filter.TrafficDirection;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the engine's counters, per source interface, session, target and rule. Objects that a
 * configuration update removed keep their counts. Taking one sums each counter over the threads that wrote it, so
 * it is cheap enough to take every second; counts that producers are writing at that moment may be a packet behind.
 * Within one session's or target's copies, later states are read first (mirrored and dropped, then dequeued, then
 * accepted), so a snapshot never shows a copy in a later state without its earlier ones:
 * accepted = mirrored + dropped + queued + in flight holds in every snapshot, and no count is negative.
 * <p>
 * Mirrored, for a UDP target, means handed to the kernel: UDP cannot confirm delivery. What the network says
 * later comes apart, per endpoint ({@link #endpoints()}): an ICMP port unreachable from a host where nothing listens
 * on the port says that an earlier copy, already counted mirrored, went nowhere. Linux tells it on the socket's next
 * send, refusing that send; the engine counts the report against the endpoint and sends the refused copy once more,
 * so that copy is mirrored or counted as a send error on its own account, not for an earlier one.
 */
public final class MetricsSnapshot
{
    private final Map<String, SourceMetrics> sources;
    private final Map<String, SessionMetrics> sessions;
    private final Map<String, CopyMetrics> targets;
    private final List<EndpointMetrics> endpoints;
    private final List<RuleMetrics> rules;

    private MetricsSnapshot(
        final Map<String, SourceMetrics> sources,
        final Map<String, SessionMetrics> sessions,
        final Map<String, CopyMetrics> targets,
        final List<EndpointMetrics> endpoints,
        final List<RuleMetrics> rules)
    {
        this.sources = Collections.unmodifiableMap(sources);
        this.sessions = Collections.unmodifiableMap(sessions);
        this.targets = Collections.unmodifiableMap(targets);
        this.endpoints = Collections.unmodifiableList(endpoints);
        this.rules = Collections.unmodifiableList(rules);
    }

    static MetricsSnapshot take(
        final CounterRegistry registry,
        final Set<String> sourceIds,
        final Map<String, int[]> sessionBlocks,
        final Map<String, Integer> targetBlocks,
        final Map<String, Map<InetSocketAddress, Integer>> endpointBlocks,
        final Map<String, MirrorEngine.RuleKey> ruleBlocks)
    {
        // Before the copies: a report is counted after the copy it is about was counted mirrored.
        final List<EndpointMetrics> endpoints = new ArrayList<>();
        endpointBlocks.forEach((target, blocks) -> blocks.forEach((address, block) ->
            endpoints.add(new EndpointMetrics(target, address, registry.sum(block + Counter.ENDPOINT_UNREACHABLE)))));
        final Map<String, SourceMetrics> sources = new LinkedHashMap<>();
        for (final String id : sourceIds)
        {
            sources.put(id, new SourceMetrics(id, registry, registry.existingBlock("source/" + id),
                registry.existingBlock(SourcePlan.copyKey(id, TrafficDirection.INGRESS)),
                registry.existingBlock(SourcePlan.copyKey(id, TrafficDirection.EGRESS))));
        }
        final Map<String, SessionMetrics> sessions = new LinkedHashMap<>();
        sessionBlocks.forEach((id, blocks) -> sessions.put(id, new SessionMetrics(id, registry, blocks[0], blocks[1])));
        final Map<String, CopyMetrics> targets = new LinkedHashMap<>();
        targetBlocks.forEach((id, block) -> targets.put(id, new CopyMetrics(registry, block)));
        final List<RuleMetrics> rules = new ArrayList<>();
        ruleBlocks.values().forEach(key -> rules.add(new RuleMetrics(key.sessionId, key.direction, key.ruleNumber,
            registry.sum(key.block + Counter.RULE_HIT_PACKETS), registry.sum(key.block + Counter.RULE_HIT_BYTES))));
        return new MetricsSnapshot(sources, sessions, targets, endpoints, rules);
    }

    /**
     * @return per source interface id.
     */
    public Map<String, SourceMetrics> sources()
    {
        return sources;
    }

    /**
     * @return per session id.
     */
    public Map<String, SessionMetrics> sessions()
    {
        return sessions;
    }

    /**
     * @return per target id: the copies sent to it.
     */
    public Map<String, CopyMetrics> targets()
    {
        return targets;
    }

    /**
     * @return per endpoint of each UDP target (every endpoint its bindings have had, in the order they came): what
     *         the network reported about the copies sent there.
     */
    public List<EndpointMetrics> endpoints()
    {
        return endpoints;
    }

    /**
     * @return per rule of each session's filter: how many packets it decided.
     */
    public List<RuleMetrics> rules()
    {
        return rules;
    }

    @Override
    public String toString()
    {
        return "MetricsSnapshot{sources=" + sources + ", sessions=" + sessions + ", targets=" + targets +
            ", endpoints=" + endpoints + ", rules=" + rules + '}';
    }

    /**
     * What became of the packets handed to one source interface.
     */
    public static final class SourceMetrics
    {
        private final String networkInterfaceId;
        private final long offeredPackets;
        private final long offeredBytes;
        private final long notMirroredPackets;
        private final long notMirroredBytes;
        private final Map<NotMirroredReason, Long> notMirroredByReason;
        private final CopyMetrics ingressCopies;
        private final CopyMetrics egressCopies;
        private final CloudWatchMetrics cloudWatch;

        SourceMetrics(final String networkInterfaceId, final CounterRegistry registry, final int block,
            final int ingressCopyBlock, final int egressCopyBlock)
        {
            this.networkInterfaceId = networkInterfaceId;
            // What became of the copies before what was offered, so no copy shows without its packet.
            this.ingressCopies = new CopyMetrics(registry, ingressCopyBlock);
            this.egressCopies = new CopyMetrics(registry, egressCopyBlock);
            this.cloudWatch = new CloudWatchMetrics(ingressCopies, egressCopies);
            this.offeredPackets = registry.sum(block + Counter.SOURCE_OFFERED_PACKETS);
            this.offeredBytes = registry.sum(block + Counter.SOURCE_OFFERED_BYTES);
            this.notMirroredPackets = registry.sum(block + Counter.SOURCE_NOT_MIRRORED_PACKETS);
            this.notMirroredBytes = registry.sum(block + Counter.SOURCE_NOT_MIRRORED_BYTES);
            final Map<NotMirroredReason, Long> byReason = new EnumMap<>(NotMirroredReason.class);
            for (final NotMirroredReason reason : NotMirroredReason.values())
            {
                final long count = registry.sum(block + Counter.SOURCE_NOT_MIRRORED_BY_REASON + reason.ordinal());
                if (count != 0)
                {
                    byReason.put(reason, count);
                }
            }
            this.notMirroredByReason = Collections.unmodifiableMap(byReason);
        }

        /**
         * @return the interface id.
         */
        public String networkInterfaceId()
        {
            return networkInterfaceId;
        }

        /**
         * @return packets handed to the source.
         */
        public long offeredPackets()
        {
            return offeredPackets;
        }

        /**
         * @return bytes handed to the source.
         */
        public long offeredBytes()
        {
            return offeredBytes;
        }

        /**
         * @return packets no session mirrored.
         */
        public long notMirroredPackets()
        {
            return notMirroredPackets;
        }

        /**
         * @return bytes of the packets no session mirrored.
         */
        public long notMirroredBytes()
        {
            return notMirroredBytes;
        }

        /**
         * @return packets not mirrored, by reason; reasons with no packets are left out.
         */
        public Map<NotMirroredReason, Long> notMirroredByReason()
        {
            return notMirroredByReason;
        }

        /**
         * What became of the copies the interface's sessions accepted in one direction, whichever session and
         * target they went to: accepted = mirrored + dropped + queued + in flight, as for a session.
         *
         * @param direction ingress for the packets the interface received, egress for those it sent.
         * @return the copies of that direction.
         */
        public CopyMetrics copies(final TrafficDirection direction)
        {
            return direction == TrafficDirection.INGRESS ? ingressCopies : egressCopies;
        }

        /**
         * @return the interface's counts under the names of AWS's CloudWatch metrics for mirror sources.
         */
        public CloudWatchMetrics cloudWatch()
        {
            return cloudWatch;
        }

        @Override
        public String toString()
        {
            return "{offered=" + offeredPackets + ", notMirrored=" + notMirroredPackets + " " + notMirroredByReason +
                ", " + cloudWatch + "}";
        }
    }

    /**
     * What one session judged, and what became of the copies it accepted.
     */
    public static final class SessionMetrics
    {
        private final String sessionId;
        private final long[] judged;
        private final CopyMetrics copies;

        SessionMetrics(final String sessionId, final CounterRegistry registry, final int block, final int copyBlock)
        {
            this.sessionId = sessionId;
            // What became of the copies first, then what was accepted: see the class comment.
            final CopyMetrics copyStates = new CopyMetrics(registry, copyBlock);
            this.judged = new long[Counter.SESSION_WIDTH];
            for (int i = 0; i < judged.length; i++)
            {
                judged[i] = registry.sum(block + i);
            }
            // A session's copies are exactly the packets it accepted: that count is kept once, as the session's.
            this.copies = copyStates
                .withAccepted(judged[Counter.SESSION_ACCEPTED_PACKETS], judged[Counter.SESSION_ACCEPTED_BYTES]);
        }

        /**
         * @return the session id.
         */
        public String sessionId()
        {
            return sessionId;
        }

        /**
         * @return packets the session judged (those no session with a lower number mirrored).
         */
        public long offeredPackets()
        {
            return judged[Counter.SESSION_OFFERED_PACKETS];
        }

        /**
         * @return bytes the session judged.
         */
        public long offeredBytes()
        {
            return judged[Counter.SESSION_OFFERED_BYTES];
        }

        /**
         * @return packets the session's filter accepted.
         */
        public long acceptedPackets()
        {
            return judged[Counter.SESSION_ACCEPTED_PACKETS];
        }

        /**
         * @return bytes of the packets accepted, as offered (before truncation).
         */
        public long acceptedBytes()
        {
            return judged[Counter.SESSION_ACCEPTED_BYTES];
        }

        /**
         * @return packets a reject rule decided.
         */
        public long rejectedPackets()
        {
            return judged[Counter.SESSION_REJECTED_PACKETS];
        }

        /**
         * @return bytes of the packets rejected.
         */
        public long rejectedBytes()
        {
            return judged[Counter.SESSION_REJECTED_BYTES];
        }

        /**
         * @return packets no rule matched.
         */
        public long unmatchedPackets()
        {
            return judged[Counter.SESSION_UNMATCHED_PACKETS];
        }

        /**
         * @return bytes of the packets no rule matched.
         */
        public long unmatchedBytes()
        {
            return judged[Counter.SESSION_UNMATCHED_BYTES];
        }

        /**
         * @return packets the AWS exclusions, Amazon DNS without the network service, or an unreadable IP header
         *         kept from the rules.
         */
        public long excludedPackets()
        {
            return judged[Counter.SESSION_EXCLUDED_PACKETS];
        }

        /**
         * @return bytes of the excluded packets.
         */
        public long excludedBytes()
        {
            return judged[Counter.SESSION_EXCLUDED_BYTES];
        }

        /**
         * @return what became of the accepted copies.
         */
        public CopyMetrics copies()
        {
            return copies;
        }

        @Override
        public String toString()
        {
            return "{offered=" + offeredPackets() + ", accepted=" + acceptedPackets() + ", rejected=" +
                rejectedPackets() + ", unmatched=" + unmatchedPackets() + ", excluded=" + excludedPackets() +
                ", copies=" + copies + "}";
        }
    }

    /**
     * What became of mirrored copies, for one session or one target: accepted = mirrored + dropped + queued + in
     * flight, and accepted = mirrored + dropped once nothing is queued or in flight.
     */
    public static final class CopyMetrics
    {
        /** Later states first, so that each count read includes every copy that a count read before it does. */
        private static final int[] READ_ORDER = {
            Counter.COPY_MIRRORED_PACKETS, Counter.COPY_MIRRORED_BYTES, Counter.COPY_DROPPED_SEND_ERROR,
            Counter.COPY_DROPPED_FAILURE, Counter.COPY_FAILURES, Counter.COPY_DROPPED_SHUTDOWN,
            Counter.COPY_DEQUEUED_PACKETS, Counter.COPY_DROPPED_QUEUE_FULL, Counter.COPY_SKIPPED_BYTES,
            Counter.COPY_TRUNCATED_PACKETS,
            Counter.COPY_ACCEPTED_PACKETS, Counter.COPY_ACCEPTED_BYTES,
        };

        private final long[] values;

        CopyMetrics(final CounterRegistry registry, final int block)
        {
            values = new long[Counter.COPY_WIDTH];
            for (final int counter : READ_ORDER)
            {
                values[counter] = registry.sum(block + counter);
            }
        }

        private CopyMetrics(final long[] values)
        {
            this.values = values;
        }

        CopyMetrics withAccepted(final long packets, final long bytes)
        {
            final long[] copy = values.clone();
            copy[Counter.COPY_ACCEPTED_PACKETS] = packets;
            copy[Counter.COPY_ACCEPTED_BYTES] = bytes;
            return new CopyMetrics(copy);
        }

        /**
         * @return copies accepted for sending.
         */
        public long acceptedPackets()
        {
            return values[Counter.COPY_ACCEPTED_PACKETS];
        }

        /**
         * @return bytes of the accepted packets, as offered.
         */
        public long acceptedBytes()
        {
            return values[Counter.COPY_ACCEPTED_BYTES];
        }

        /**
         * @return copies sent: for a UDP target, handed to the kernel, which cannot confirm delivery (ICMP reports
         *         that some went nowhere arrive later, and are counted per endpoint: {@link #endpoints()}); for a
         *         pcap target, written; for a consumer, delivered.
         */
        public long mirroredPackets()
        {
            return values[Counter.COPY_MIRRORED_PACKETS];
        }

        /**
         * @return inner bytes sent, after truncation (VXLAN headers not counted).
         */
        public long mirroredBytes()
        {
            return values[Counter.COPY_MIRRORED_BYTES];
        }

        /**
         * @return copies cut to the packet length or the target's MTU.
         */
        public long truncatedPackets()
        {
            return values[Counter.COPY_TRUNCATED_PACKETS];
        }

        /**
         * @return copies dropped because the target's queue was full.
         */
        public long droppedQueueFull()
        {
            return values[Counter.COPY_DROPPED_QUEUE_FULL];
        }

        /**
         * @return copies whose own send failed: refused by the kernel (no route, a full socket buffer, or an ICMP
         *         report of an earlier copy that refused the send and then its one retry too), every endpoint marked
         *         down, a capture file that could not be written. ICMP reports themselves are counted per endpoint.
         */
        public long droppedSendError()
        {
            return values[Counter.COPY_DROPPED_SEND_ERROR];
        }

        /**
         * @return copies still queued when close ran out of time (or whose sender was stuck in a consumer), and
         *         copies of a lossless handle that were waiting for room when the engine closed or an update retired
         *         their target.
         */
        public long droppedShutdown()
        {
            return values[Counter.COPY_DROPPED_SHUTDOWN];
        }

        /**
         * @return copies whose send threw: a consumer's exception or error.
         */
        public long droppedFailure()
        {
            return values[Counter.COPY_DROPPED_FAILURE];
        }

        /**
         * @return everything the target's send or close threw (for a session, the sends of its copies), each
         *         handed to the engine's error handler.
         */
        public long failures()
        {
            return values[Counter.COPY_FAILURES];
        }

        /**
         * @return copies dropped because the engine could not keep up: queue full, send error and failure, not
         *         shutdown. AWS calls these skipped.
         */
        public long skippedPackets()
        {
            return droppedQueueFull() + droppedSendError() + droppedFailure();
        }

        /**
         * @return bytes of the {@link #skippedPackets skipped} copies, each as it would have been sent: after the cut
         *         to the packet length and the MTU, like {@link #mirroredBytes()}.
         */
        public long skippedBytes()
        {
            return values[Counter.COPY_SKIPPED_BYTES];
        }

        /**
         * @return every dropped copy.
         */
        public long droppedPackets()
        {
            return droppedQueueFull() + droppedSendError() + droppedFailure() + droppedShutdown();
        }

        /**
         * @return copies queued for their sender, not yet taken.
         */
        public long queuedPackets()
        {
            return acceptedPackets() - droppedQueueFull() - values[Counter.COPY_DEQUEUED_PACKETS];
        }

        /**
         * @return copies their sender has taken and not yet mirrored or dropped: one per sender thread at most
         *         when the copies stand still; a snapshot taken while they move may also count some that finished
         *         while it was taken.
         */
        public long inFlightPackets()
        {
            return values[Counter.COPY_DEQUEUED_PACKETS] - mirroredPackets() - droppedSendError() - droppedFailure()
                - droppedShutdown();
        }

        @Override
        public String toString()
        {
            return "{accepted=" + acceptedPackets() + ", mirrored=" + mirroredPackets() + ", truncated=" +
                truncatedPackets() + ", dropped(queueFull=" + droppedQueueFull() + ", sendError=" +
                droppedSendError() + ", failure=" + droppedFailure() + ", shutdown=" + droppedShutdown() +
                "), queued=" + queuedPackets() + ", inFlight=" + inFlightPackets() + ", failures=" + failures() + "}";
        }
    }

    /**
     * The metrics AWS publishes in CloudWatch (namespace AWS/EC2) for a Traffic Mirroring source, by their AWS names.
     * In is what the source interface received (ingress), Out what it sent (egress).
     */
    public enum CloudWatchMetric
    {
        /** Bytes mirrored of the packets the interface received. */
        NETWORK_MIRROR_IN("NetworkMirrorIn", TrafficDirection.INGRESS, false, false),
        /** Bytes mirrored of the packets the interface sent. */
        NETWORK_MIRROR_OUT("NetworkMirrorOut", TrafficDirection.EGRESS, false, false),
        /** Packets mirrored that the interface received. */
        NETWORK_PACKETS_MIRROR_IN("NetworkPacketsMirrorIn", TrafficDirection.INGRESS, false, true),
        /** Packets mirrored that the interface sent. */
        NETWORK_PACKETS_MIRROR_OUT("NetworkPacketsMirrorOut", TrafficDirection.EGRESS, false, true),
        /** Bytes accepted by a filter but not mirrored because the engine could not keep up, received. */
        NETWORK_SKIP_MIRROR_IN("NetworkSkipMirrorIn", TrafficDirection.INGRESS, true, false),
        /** Bytes accepted by a filter but not mirrored because the engine could not keep up, sent. */
        NETWORK_SKIP_MIRROR_OUT("NetworkSkipMirrorOut", TrafficDirection.EGRESS, true, false),
        /** Packets accepted by a filter but not mirrored because the engine could not keep up, received. */
        NETWORK_PACKETS_SKIP_MIRROR_IN("NetworkPacketsSkipMirrorIn", TrafficDirection.INGRESS, true, true),
        /** Packets accepted by a filter but not mirrored because the engine could not keep up, sent. */
        NETWORK_PACKETS_SKIP_MIRROR_OUT("NetworkPacketsSkipMirrorOut", TrafficDirection.EGRESS, true, true);

        private final String awsName;
        private final TrafficDirection direction;
        private final boolean skip;
        private final boolean packets;

        CloudWatchMetric(final String awsName, final TrafficDirection direction, final boolean skip, final boolean packets)
        {
            this.awsName = awsName;
            this.direction = direction;
            this.skip = skip;
            this.packets = packets;
        }

        /**
         * @return the CloudWatch metric name, e.g. {@code NetworkMirrorIn}.
         */
        public String awsName()
        {
            return awsName;
        }

        /**
         * @return ingress for the In metrics, egress for the Out ones.
         */
        public TrafficDirection direction()
        {
            return direction;
        }

        /**
         * @return true for the Skip metrics, false for the Mirror ones.
         */
        public boolean isSkip()
        {
            return skip;
        }

        /**
         * @return true for a packet count, false for bytes.
         */
        public boolean isPackets()
        {
            return packets;
        }

        /**
         * @return the metric's value in a source's copies of its direction.
         */
        long valueOf(final CopyMetrics copies)
        {
            if (skip)
            {
                return packets ? copies.skippedPackets() : copies.skippedBytes();
            }
            return packets ? copies.mirroredPackets() : copies.mirroredBytes();
        }
    }

    /**
     * One source interface's counts under AWS's CloudWatch names (see docs/semantics.md, "Metrics"). Bytes are the
     * copies' inner bytes after the cut to the packet length and the MTU, VXLAN headers not counted; skipped copies
     * are those dropped because a target's queue was full, its send failed or its consumer threw (copies dropped at
     * shutdown are neither mirrored nor skipped). For each direction, mirrored + skipped packets = the copies the
     * interface's sessions accepted in it, once nothing is queued, in flight or dropped at shutdown.
     */
    public static final class CloudWatchMetrics
    {
        private final CopyMetrics ingress;
        private final CopyMetrics egress;

        CloudWatchMetrics(final CopyMetrics ingress, final CopyMetrics egress)
        {
            this.ingress = ingress;
            this.egress = egress;
        }

        /**
         * @param metric one of the eight metrics.
         * @return its value.
         */
        public long get(final CloudWatchMetric metric)
        {
            return metric.valueOf(metric.direction() == TrafficDirection.INGRESS ? ingress : egress);
        }

        /**
         * @return {@code NetworkMirrorIn}: bytes mirrored of the packets the interface received.
         */
        public long networkMirrorIn()
        {
            return get(CloudWatchMetric.NETWORK_MIRROR_IN);
        }

        /**
         * @return {@code NetworkMirrorOut}: bytes mirrored of the packets the interface sent.
         */
        public long networkMirrorOut()
        {
            return get(CloudWatchMetric.NETWORK_MIRROR_OUT);
        }

        /**
         * @return {@code NetworkPacketsMirrorIn}: packets mirrored that the interface received.
         */
        public long networkPacketsMirrorIn()
        {
            return get(CloudWatchMetric.NETWORK_PACKETS_MIRROR_IN);
        }

        /**
         * @return {@code NetworkPacketsMirrorOut}: packets mirrored that the interface sent.
         */
        public long networkPacketsMirrorOut()
        {
            return get(CloudWatchMetric.NETWORK_PACKETS_MIRROR_OUT);
        }

        /**
         * @return {@code NetworkSkipMirrorIn}: bytes skipped of the packets the interface received.
         */
        public long networkSkipMirrorIn()
        {
            return get(CloudWatchMetric.NETWORK_SKIP_MIRROR_IN);
        }

        /**
         * @return {@code NetworkSkipMirrorOut}: bytes skipped of the packets the interface sent.
         */
        public long networkSkipMirrorOut()
        {
            return get(CloudWatchMetric.NETWORK_SKIP_MIRROR_OUT);
        }

        /**
         * @return {@code NetworkPacketsSkipMirrorIn}: packets skipped that the interface received.
         */
        public long networkPacketsSkipMirrorIn()
        {
            return get(CloudWatchMetric.NETWORK_PACKETS_SKIP_MIRROR_IN);
        }

        /**
         * @return {@code NetworkPacketsSkipMirrorOut}: packets skipped that the interface sent.
         */
        public long networkPacketsSkipMirrorOut()
        {
            return get(CloudWatchMetric.NETWORK_PACKETS_SKIP_MIRROR_OUT);
        }

        /**
         * @return every metric by its AWS name, in the order of {@link CloudWatchMetric}.
         */
        public Map<String, Long> byAwsName()
        {
            final Map<String, Long> values = new LinkedHashMap<>();
            for (final CloudWatchMetric metric : CloudWatchMetric.values())
            {
                values.put(metric.awsName(), get(metric));
            }
            return Collections.unmodifiableMap(values);
        }

        @Override
        public String toString()
        {
            return byAwsName().toString();
        }
    }

    /**
     * What the network reported about the copies sent to one endpoint of a UDP target, apart from the copies' own
     * outcomes.
     */
    public static final class EndpointMetrics
    {
        private final String targetId;
        private final InetSocketAddress address;
        private final long unreachable;

        EndpointMetrics(final String targetId, final InetSocketAddress address, final long unreachable)
        {
            this.targetId = targetId;
            this.address = address;
            this.unreachable = unreachable;
        }

        /**
         * @return the target the endpoint belongs to.
         */
        public String targetId()
        {
            return targetId;
        }

        /**
         * @return the endpoint.
         */
        public InetSocketAddress address()
        {
            return address;
        }

        /**
         * @return ICMP port unreachable reports the endpoint's sockets gave: each says that an earlier copy, counted
         *         mirrored, went nowhere because nothing listened there. The kernel keeps one report per socket until
         *         it is told, so several copies lost close together may give one report: a lower bound.
         */
        public long unreachable()
        {
            return unreachable;
        }

        @Override
        public String toString()
        {
            return targetId + "/" + address + "{unreachable=" + unreachable + "}";
        }
    }

    /**
     * How many packets one rule of a session's filter decided (accepted or rejected as first match).
     */
    public static final class RuleMetrics
    {
        private final String sessionId;
        private final TrafficDirection direction;
        private final int ruleNumber;
        private final long hitPackets;
        private final long hitBytes;

        RuleMetrics(final String sessionId, final TrafficDirection direction, final int ruleNumber,
            final long hitPackets, final long hitBytes)
        {
            this.sessionId = sessionId;
            this.direction = direction;
            this.ruleNumber = ruleNumber;
            this.hitPackets = hitPackets;
            this.hitBytes = hitBytes;
        }

        /**
         * @return the session whose filter holds the rule.
         */
        public String sessionId()
        {
            return sessionId;
        }

        /**
         * @return the rule's direction.
         */
        public TrafficDirection direction()
        {
            return direction;
        }

        /**
         * @return the rule number.
         */
        public int ruleNumber()
        {
            return ruleNumber;
        }

        /**
         * @return packets the rule decided.
         */
        public long hitPackets()
        {
            return hitPackets;
        }

        /**
         * @return bytes of those packets.
         */
        public long hitBytes()
        {
            return hitBytes;
        }

        @Override
        public String toString()
        {
            return sessionId + "/" + direction + "/" + ruleNumber + "=" + hitPackets;
        }
    }
}
