package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.filter.Cidr;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.CompiledFilter;
import io.trafficmirror.filter.match.MatchOptions;
import io.trafficmirror.filter.match.SessionClassifier;
import io.trafficmirror.filter.match.SessionMatch;
import io.trafficmirror.filter.match.Verdict;
import io.trafficmirror.vxlan.FlowHash;
import io.trafficmirror.vxlan.packet.PacketHeaders;
import io.trafficmirror.vxlan.packet.ParseResult;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

/**
 * One source interface compiled for the packet path: its addresses (to infer direction) and its sessions by
 * ascending session number. Immutable; part of an {@link EngineState}. {@link #offer} is the producer's whole
 * per-packet work.
 */
final class SourcePlan
{
    static final long NO_MAC = -1;

    /** Where a decision keeps the direction of an accepted packet: above the verdict's 24 bits. */
    private static final int DIRECTION_SHIFT = 56;
    private static final long VERDICT_MASK = 0xFF_FFFFL;
    /** A lossless producer waiting for a slot: spins, then yields, then parks from 1 us doubling to 100 us. */
    private static final int WAIT_SPINS = 64;
    private static final int WAIT_YIELDS = 64;
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(1);
    private static final long MAX_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);
    private static final int WAIT_DOUBLINGS = 7;

    final String networkInterfaceId;
    final int sourceBlock;
    /** Per direction ordinal: the block of copy counters of the copies taken from this interface in it. */
    final int[] copyBlocks;
    private final int[] ipv4Addresses;
    /** IPv6 addresses as high, low pairs. */
    private final long[] ipv6Addresses;
    private final long mac;
    final SessionPlan[] sessions;
    /** Every session's filter in one classifier, so that one match finds the mirroring session; null when none. */
    private final SessionClassifier classifier;

    /**
     * What compiling the sources of one configuration shares between interfaces with equal filters and VPC
     * blocks, so that each distinct filter, and each distinct sequence of session filters, is compiled once.
     */
    static final class CompiledFilters
    {
        private final Map<List<Object>, CompiledFilter> filters = new HashMap<>();
        private final Map<List<Object>, SessionClassifier> sessions = new HashMap<>();
    }

    /**
     * Compiles a configured interface: its sessions by ascending number, each with its filter compiled against the
     * interface's VPC blocks, all of them in one {@link SessionClassifier} for the packet path (both shared through
     * {@code compiled} between interfaces with equal filters and blocks), and their counter blocks registered.
     *
     * @param targets the live target of each target id, or {@code null} for a dry run that sends nothing.
     */
    static SourcePlan compile(
        final MirrorConfiguration configuration,
        final MirrorSource source,
        final int block,
        final boolean awsExclusions,
        final CompiledFilters compiled,
        final CounterRegistry registry,
        final Function<String, TargetRuntime> targets)
    {
        final MatchOptions options = MatchOptions.builder()
            .vpcCidrBlocks(source.vpcCidrBlocks())
            .awsExclusions(awsExclusions)
            .build();
        final List<MirrorSession> sessions = configuration.sessionsOf(source.networkInterfaceId());
        final SessionPlan[] plans = new SessionPlan[sessions.size()];
        final List<MirrorFilter> filters = new ArrayList<>(plans.length);
        for (int i = 0; i < plans.length; i++)
        {
            final MirrorSession session = sessions.get(i);
            final MirrorFilter filter = configuration.filter(session.filterId()).orElseThrow();
            filters.add(filter);
            plans[i] = new SessionPlan(session.id(),
                compiled.filters.computeIfAbsent(List.of(filter, options), key -> CompiledFilter.compile(filter, options)),
                session.virtualNetworkId().orElseThrow(),
                configuration.packetLength(session).orElse(Integer.MAX_VALUE),
                targets.apply(session.targetId()),
                registry.block("session/" + session.id(), Counter.SESSION_WIDTH),
                registry.block("session-copies/" + session.id(), Counter.COPY_WIDTH),
                registry);
        }
        final SessionClassifier classifier = plans.length == 0 ? null : compiled.sessions.computeIfAbsent(
            List.of(List.copyOf(filters), options), key -> SessionClassifier.compile(filters, options));
        return of(source, block, copyBlocks(registry, source.networkInterfaceId()), plans, classifier);
    }

    /**
     * The key of the copy counters of an interface in one direction.
     */
    static String copyKey(final String networkInterfaceId, final TrafficDirection direction)
    {
        return "source-copies/" + networkInterfaceId + "/" + direction.awsName();
    }

    /**
     * Off the packet path: the copy counter blocks of an interface, one per direction, allocated on first use.
     */
    static int[] copyBlocks(final CounterRegistry registry, final String networkInterfaceId)
    {
        final TrafficDirection[] directions = TrafficDirection.values();
        final int[] blocks = new int[directions.length];
        for (final TrafficDirection direction : directions)
        {
            blocks[direction.ordinal()] = registry.block(copyKey(networkInterfaceId, direction), Counter.COPY_WIDTH);
        }
        return blocks;
    }

    /**
     * Compiles a configured interface's addresses; its sessions are given already compiled.
     */
    private static SourcePlan of(
        final MirrorSource source,
        final int block,
        final int[] copyBlocks,
        final SessionPlan[] sessions,
        final SessionClassifier classifier)
    {
        final List<InetAddress> ipv4 = source.privateIpAddresses();
        final int[] ipv4Addresses = new int[ipv4.size()];
        for (int i = 0; i < ipv4Addresses.length; i++)
        {
            ipv4Addresses[i] = Cidr.ofAddress(ipv4.get(i)).ipv4Address();
        }
        final List<InetAddress> ipv6 = source.ipv6Addresses();
        final long[] ipv6Addresses = new long[ipv6.size() * 2];
        for (int i = 0; i < ipv6.size(); i++)
        {
            final Cidr single = Cidr.ofAddress(ipv6.get(i));
            ipv6Addresses[2 * i] = single.high();
            ipv6Addresses[2 * i + 1] = single.low();
        }
        final long mac = source.macAddress().map(text -> Long.parseLong(text.replace(":", ""), 16)).orElse(NO_MAC);
        return new SourcePlan(
            source.networkInterfaceId(), block, copyBlocks, ipv4Addresses, ipv6Addresses, mac, sessions, classifier);
    }

    SourcePlan(
        final String networkInterfaceId,
        final int sourceBlock,
        final int[] copyBlocks,
        final int[] ipv4Addresses,
        final long[] ipv6Addresses,
        final long mac,
        final SessionPlan[] sessions,
        final SessionClassifier classifier)
    {
        this.networkInterfaceId = networkInterfaceId;
        this.sourceBlock = sourceBlock;
        this.copyBlocks = copyBlocks;
        this.ipv4Addresses = ipv4Addresses;
        this.ipv6Addresses = ipv6Addresses;
        this.mac = mac;
        this.sessions = sessions;
        this.classifier = classifier;
    }

    /**
     * A plan for an interface the configuration does not have: everything offered to it is counted as not mirrored.
     */
    static SourcePlan unconfigured(final String networkInterfaceId, final int sourceBlock, final int[] copyBlocks)
    {
        return new SourcePlan(
            networkInterfaceId, sourceBlock, copyBlocks, new int[0], new long[0], NO_MAC, new SessionPlan[0], null);
    }

    /**
     * Classifies a frame and, when a session accepts it, queues its copy. Never throws or allocates; waits only
     * for a lossless handle ({@code maxWaitNanos > 0}) whose target has no free slot.
     *
     * @param direction    the direction, or {@code null} to infer it from the interface's addresses.
     * @param engine       the engine, asked whether it is closing while a copy waits.
     * @param maxWaitNanos 0 to drop a copy that finds no free slot, else how long it may wait for one.
     */
    int offer(
        final EngineState state,
        final ProducerContext context,
        final ByteBuffer frame,
        final int offset,
        final int length,
        final TrafficDirection direction,
        final MirrorEngine engine,
        final long maxWaitNanos)
    {
        final ThreadCounters counters = context.counters;
        counters.add(sourceBlock + Counter.SOURCE_OFFERED_PACKETS, 1);
        counters.add(sourceBlock + Counter.SOURCE_OFFERED_BYTES, length);
        final long decision =
            decide(state, context.headers, context.sessionMatch(sessions.length), frame, offset, length, direction, counters);
        final int outcome = outcome(decision);
        if (outcome >= 0)
        {
            return enqueue(counters, sessions[outcome], copyBlocks[directionOrdinal(decision)], context.headers, frame,
                offset, length, engine, maxWaitNanos);
        }
        counters.add(sourceBlock + Counter.SOURCE_NOT_MIRRORED_PACKETS, 1);
        counters.add(sourceBlock + Counter.SOURCE_NOT_MIRRORED_BYTES, length);
        counters.add(sourceBlock + Counter.SOURCE_NOT_MIRRORED_BY_REASON - 1 - outcome, 1);
        return OfferResult.NOT_MIRRORED;
    }

    /**
     * @return the accepting session's index, or {@code -(1 + reason.ordinal())} of a {@link #decide} result.
     */
    static int outcome(final long decision)
    {
        return (int)decision;
    }

    /**
     * @return the {@link Verdict} of the session that decided, or 0 when none was asked, of a {@link #decide} result.
     */
    static int verdict(final long decision)
    {
        return (int)((decision >>> 32) & VERDICT_MASK);
    }

    /**
     * @return the ordinal of the packet's direction, of a {@link #decide} result that accepted it.
     */
    static int directionOrdinal(final long decision)
    {
        return (int)(decision >>> DIRECTION_SHIFT);
    }

    private static long decision(final int verdict, final int outcome)
    {
        return (long)verdict << 32 | (outcome & 0xFFFF_FFFFL);
    }

    private static long accepted(final int verdict, final int session, final TrafficDirection direction)
    {
        return (long)direction.ordinal() << DIRECTION_SHIFT | decision(verdict, session);
    }

    private static long notMirrored(final int verdict, final NotMirroredReason reason)
    {
        return decision(verdict, -1 - reason.ordinal());
    }

    /**
     * Parses a frame and finds, in one match of the source's {@link SessionClassifier}, the first session by
     * session number that mirrors it, counting what each session it consulted and each rule decided. Shared by the
     * engine and by {@link PacketClassifier}, so a dry run decides exactly as the engine does.
     *
     * @param match filled by the match; holds at least as many sessions as this source has.
     *
     * @return the verdict that decided (bits 32 to 55), the accepting session's index or a negative reason
     *         (low 32 bits), and when a session accepted, the packet's direction (the top byte); see {@link #outcome},
     *         {@link #verdict} and {@link #directionOrdinal}.
     */
    long decide(
        final EngineState state,
        final PacketHeaders headers,
        final SessionMatch match,
        final ByteBuffer frame,
        final int offset,
        final int length,
        final TrafficDirection direction,
        final ThreadCounters counters)
    {
        if (state.closed)
        {
            return notMirrored(0, NotMirroredReason.ENGINE_CLOSED);
        }
        if (sessions.length == 0)
        {
            return notMirrored(0, NotMirroredReason.NO_SESSION);
        }
        return decideParsed(state, headers, headers.parseEthernet(frame, offset, length), match, length, direction,
            counters);
    }

    /**
     * {@link #decide} of a frame {@code headers} already holds the parse of, {@code parsed} being what
     * {@link PacketHeaders#parseEthernet} returned: for a dry run that also infers the direction from the same parse.
     * The caller has checked that the engine is open and this source has sessions.
     */
    long decideParsed(
        final EngineState state,
        final PacketHeaders headers,
        final int parsed,
        final SessionMatch match,
        final int length,
        final TrafficDirection direction,
        final ThreadCounters counters)
    {
        if (headers.ipVersion() == 0 && parsed != ParseResult.NOT_IP)
        {
            return notMirrored(0, NotMirroredReason.MALFORMED);
        }
        final TrafficDirection resolved = direction != null ? direction : infer(headers);
        if (resolved == null)
        {
            return notMirrored(0, NotMirroredReason.NOT_THIS_INTERFACE);
        }
        if (state.isOwnOutput(headers))
        {
            return notMirrored(0, NotMirroredReason.OWN_OUTPUT);
        }

        classifier.match(headers, resolved, match);
        long last = notMirrored(0, NotMirroredReason.NO_SESSION);
        final int consulted = match.consulted();
        for (int i = 0; i < consulted; i++)
        {
            final SessionPlan session = sessions[i];
            final int block = session.sessionBlock;
            counters.add(block + Counter.SESSION_OFFERED_PACKETS, 1);
            counters.add(block + Counter.SESSION_OFFERED_BYTES, length);
            final int verdict = match.verdict(i);
            switch (Verdict.reason(verdict))
            {
                case Verdict.REASON_RULE_ACCEPTED:
                    countRule(counters, session, resolved, Verdict.ruleNumber(verdict), length);
                    return accepted(verdict, i, resolved);

                case Verdict.REASON_AMAZON_DNS_MIRRORED:
                    return accepted(verdict, i, resolved);

                case Verdict.REASON_RULE_REJECTED:
                    countRule(counters, session, resolved, Verdict.ruleNumber(verdict), length);
                    counters.add(block + Counter.SESSION_REJECTED_PACKETS, 1);
                    counters.add(block + Counter.SESSION_REJECTED_BYTES, length);
                    last = notMirrored(verdict, NotMirroredReason.REJECTED);
                    break;

                case Verdict.REASON_NO_RULE_MATCHED:
                    counters.add(block + Counter.SESSION_UNMATCHED_PACKETS, 1);
                    counters.add(block + Counter.SESSION_UNMATCHED_BYTES, length);
                    last = notMirrored(verdict, NotMirroredReason.UNMATCHED);
                    break;

                case Verdict.REASON_AMAZON_DNS_NOT_ENABLED:
                    counters.add(block + Counter.SESSION_EXCLUDED_PACKETS, 1);
                    counters.add(block + Counter.SESSION_EXCLUDED_BYTES, length);
                    last = notMirrored(verdict, NotMirroredReason.AMAZON_DNS_NOT_ENABLED);
                    break;

                case Verdict.REASON_AWS_EXCLUDED:
                    // Excluded for every session alike: the classifier consulted only the first.
                    counters.add(block + Counter.SESSION_EXCLUDED_PACKETS, 1);
                    counters.add(block + Counter.SESSION_EXCLUDED_BYTES, length);
                    return notMirrored(verdict, NotMirroredReason.EXCLUDED);

                default:
                    counters.add(block + Counter.SESSION_EXCLUDED_PACKETS, 1);
                    counters.add(block + Counter.SESSION_EXCLUDED_BYTES, length);
                    return notMirrored(verdict, NotMirroredReason.MALFORMED);
            }
        }
        return last;
    }

    private int enqueue(
        final ThreadCounters counters,
        final SessionPlan session,
        final int sourceCopyBlock,
        final PacketHeaders headers,
        final ByteBuffer frame,
        final int offset,
        final int length,
        final MirrorEngine engine,
        final long maxWaitNanos)
    {
        final TargetRuntime target = session.target;
        counters.add(session.sessionBlock + Counter.SESSION_ACCEPTED_PACKETS, 1);
        counters.add(session.sessionBlock + Counter.SESSION_ACCEPTED_BYTES, length);
        counters.add(target.copyBlock + Counter.COPY_ACCEPTED_PACKETS, 1);
        counters.add(target.copyBlock + Counter.COPY_ACCEPTED_BYTES, length);
        counters.add(sourceCopyBlock + Counter.COPY_ACCEPTED_PACKETS, 1);
        counters.add(sourceCopyBlock + Counter.COPY_ACCEPTED_BYTES, length);

        final int innerLength = Math.min(length, Math.min(session.packetLength, target.slotLength));
        Slot slot = target.free.relaxedPoll();
        if (slot == null)
        {
            // Every slot made so far is in use: make another, up to the target's slot count.
            slot = target.newSlot();
        }
        if (slot == null && maxWaitNanos > 0)
        {
            slot = awaitSlot(target, engine, maxWaitNanos);
            if (slot == null && (engine.closing() || target.retirement != null))
            {
                // Taken out of the queue's way and dropped, as close counts the copies it finds queued.
                counters.add(session.copyBlock + Counter.COPY_DEQUEUED_PACKETS, 1);
                counters.add(target.copyBlock + Counter.COPY_DEQUEUED_PACKETS, 1);
                counters.add(session.copyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
                counters.add(target.copyBlock + Counter.COPY_DROPPED_SHUTDOWN, 1);
                return OfferResult.DROPPED_SHUTDOWN;
            }
        }
        if (slot == null)
        {
            counters.add(session.copyBlock + Counter.COPY_DROPPED_QUEUE_FULL, 1);
            counters.add(target.copyBlock + Counter.COPY_DROPPED_QUEUE_FULL, 1);
            counters.add(sourceCopyBlock + Counter.COPY_DROPPED_QUEUE_FULL, 1);
            counters.add(session.copyBlock + Counter.COPY_SKIPPED_BYTES, innerLength);
            counters.add(target.copyBlock + Counter.COPY_SKIPPED_BYTES, innerLength);
            counters.add(sourceCopyBlock + Counter.COPY_SKIPPED_BYTES, innerLength);
            return OfferResult.DROPPED_QUEUE_FULL;
        }

        slot.buffer.put(Slot.HEADROOM, frame, offset, innerLength);
        slot.innerLength = innerLength;
        slot.originalLength = length;
        slot.vni = session.vni;
        slot.sessionCopyBlock = session.copyBlock;
        slot.sourceCopyBlock = sourceCopyBlock;
        slot.sessionId = session.sessionId;
        // From the producer's parse of the whole frame, so every copy of a flow leaves from one port whatever the
        // packet length cut, and the sender never parses the copy again.
        slot.flowPort = FlowHash.sourcePort(headers);
        slot.sourceIpv4 = ipv4Addresses.length == 0 ? 0 : ipv4Addresses[0];
        if (innerLength < length)
        {
            counters.add(session.copyBlock + Counter.COPY_TRUNCATED_PACKETS, 1);
            counters.add(target.copyBlock + Counter.COPY_TRUNCATED_PACKETS, 1);
            counters.add(sourceCopyBlock + Counter.COPY_TRUNCATED_PACKETS, 1);
        }
        target.lane(slot.flowPort).offer(slot); // never full: each lane has room for every slot
        return OfferResult.QUEUED;
    }

    /**
     * A lossless producer whose target has no free slot: waits for its sender to return one, spinning briefly,
     * then yielding, then parking for a time that doubles up to {@link #MAX_PARK_NANOS}, so that a producer that
     * outruns its sender leaves the core to it. Gives up (null) when the engine closes, when an update retires the
     * target (after one last look), when the calling thread is interrupted, or after {@code maxWaitNanos}.
     */
    private static Slot awaitSlot(final TargetRuntime target, final MirrorEngine engine, final long maxWaitNanos)
    {
        final long deadline = System.nanoTime() + maxWaitNanos;
        for (int attempt = 0; ; attempt = Math.min(attempt + 1, WAIT_SPINS + WAIT_YIELDS + WAIT_DOUBLINGS))
        {
            final Slot slot = target.free.relaxedPoll();
            if (slot != null)
            {
                return slot;
            }
            if (engine.closing())
            {
                return null;
            }
            if (target.retirement != null)
            {
                return target.free.poll();
            }
            if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted())
            {
                return null;
            }
            if (attempt < WAIT_SPINS)
            {
                Thread.onSpinWait();
            }
            else if (attempt < WAIT_SPINS + WAIT_YIELDS)
            {
                Thread.yield();
            }
            else
            {
                LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, MIN_PARK_NANOS << (attempt - WAIT_SPINS - WAIT_YIELDS)));
            }
        }
    }

    private static void countRule(
        final ThreadCounters counters,
        final SessionPlan session,
        final TrafficDirection direction,
        final int ruleNumber,
        final int length)
    {
        final int block = session.ruleBlock(direction, ruleNumber);
        if (block >= 0)
        {
            counters.add(block + Counter.RULE_HIT_PACKETS, 1);
            counters.add(block + Counter.RULE_HIT_BYTES, length);
        }
    }

    /**
     * Direction from addresses, as docs/semantics.md, "Directions", decides: to one of the interface's addresses is
     * ingress, else from one is egress; frames without IP go by MAC the same way.
     */
    TrafficDirection infer(final PacketHeaders headers)
    {
        if (headers.ipVersion() == 4)
        {
            if (containsIpv4(headers.destinationIpv4()))
            {
                return TrafficDirection.INGRESS;
            }
            return containsIpv4(headers.sourceIpv4()) ? TrafficDirection.EGRESS : null;
        }
        if (headers.ipVersion() == 6)
        {
            if (containsIpv6(headers.destinationIpv6High(), headers.destinationIpv6Low()))
            {
                return TrafficDirection.INGRESS;
            }
            return containsIpv6(headers.sourceIpv6High(), headers.sourceIpv6Low()) ? TrafficDirection.EGRESS : null;
        }
        if (mac != NO_MAC && headers.hasLinkHeader())
        {
            if (headers.destinationMac() == mac)
            {
                return TrafficDirection.INGRESS;
            }
            return headers.sourceMac() == mac ? TrafficDirection.EGRESS : null;
        }
        return null;
    }

    private boolean containsIpv4(final int address)
    {
        for (final int candidate : ipv4Addresses)
        {
            if (candidate == address)
            {
                return true;
            }
        }
        return false;
    }

    private boolean containsIpv6(final long high, final long low)
    {
        for (int i = 0; i < ipv6Addresses.length; i += 2)
        {
            if (ipv6Addresses[i] == high && ipv6Addresses[i + 1] == low)
            {
                return true;
            }
        }
        return false;
    }
}
