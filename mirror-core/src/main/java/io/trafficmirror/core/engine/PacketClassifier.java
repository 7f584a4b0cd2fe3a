package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.SessionMatch;
import io.trafficmirror.filter.match.Verdict;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A dry run of a configuration: which session of which interface would mirror a packet, by which rule, and how
 * many bytes, decided by the same code as {@link MirrorEngine} but sending nothing. For checking a configuration
 * against a capture before deploying it ({@code mirror explain}). Allocates per call; not thread-safe.
 */
public final class PacketClassifier
{
    private final MirrorConfiguration configuration;
    private final Map<String, SourcePlan> plans = new LinkedHashMap<>();
    private final EngineState state;
    private final PacketHeaders headers = new PacketHeaders();
    private SessionMatch match = new SessionMatch(0);
    private final ThreadCounters scratchCounters;

    private PacketClassifier(final MirrorConfiguration configuration, final boolean awsExclusions)
    {
        this.configuration = configuration;
        final CounterRegistry registry = new CounterRegistry();
        final SourcePlan.CompiledFilters compiled = new SourcePlan.CompiledFilters();
        for (final MirrorSource source : configuration.sources())
        {
            plans.put(source.networkInterfaceId(), SourcePlan.compile(configuration, source,
                registry.block("source/" + source.networkInterfaceId(), Counter.SOURCE_WIDTH), awsExclusions,
                compiled, registry, targetId -> null));
        }
        this.scratchCounters = new ThreadCounters(registry.size());
        this.state = new EngineState(configuration, new SourcePlan[0], false, registry.size(),
            new int[0], new int[0], new long[0], new int[0]);
    }

    /**
     * @param configuration the configuration to try.
     * @return a classifier with the AWS exclusions on.
     */
    public static PacketClassifier of(final MirrorConfiguration configuration)
    {
        return of(configuration, true);
    }

    /**
     * @param configuration the configuration to try.
     * @param awsExclusions whether traffic AWS never mirrors is left out, as the engine's option.
     * @return the classifier.
     */
    public static PacketClassifier of(final MirrorConfiguration configuration, final boolean awsExclusions)
    {
        return new PacketClassifier(configuration, awsExclusions);
    }

    /**
     * The packet's direction at an interface, from its addresses as the engine infers it.
     *
     * @param networkInterfaceId an interface of the configuration.
     * @param frame              the buffer.
     * @param offset             absolute index of the frame.
     * @param length             its length.
     * @return ingress, egress, or empty when the packet is not the interface's traffic.
     */
    public Optional<TrafficDirection> direction(
        final String networkInterfaceId, final ByteBuffer frame, final int offset, final int length)
    {
        final SourcePlan plan = plan(networkInterfaceId);
        headers.parseEthernet(frame, offset, length);
        return Optional.ofNullable(plan.infer(headers));
    }

    /**
     * Decides what the engine would do with a packet at an interface.
     *
     * @param networkInterfaceId an interface of the configuration.
     * @param frame              the buffer.
     * @param offset             absolute index of the frame.
     * @param length             its length.
     * @param direction          ingress, egress, or {@code null} to infer it.
     * @return the decision.
     */
    public Decision classify(final String networkInterfaceId, final ByteBuffer frame, final int offset,
        final int length, final TrafficDirection direction)
    {
        final SourcePlan plan = plan(networkInterfaceId);
        if (match.capacity() < plan.sessions.length)
        {
            match = new SessionMatch(plan.sessions.length);
        }
        final long decision = plan.decide(state, headers, match, frame, offset, length, direction, scratchCounters);
        final int outcome = SourcePlan.outcome(decision);
        final int verdict = SourcePlan.verdict(decision);
        if (outcome < 0)
        {
            return new Decision(null, verdict, 0, NotMirroredReason.of(-1 - outcome));
        }
        final MirrorSession session = configuration.session(plan.sessions[outcome].sessionId).orElseThrow();
        final int mtuLimit = configuration.target(session.targetId()).orElseThrow().mtu() - UdpTarget.IPV4_OVERHEAD;
        final int mirrored = Math.min(length, Math.min(session.packetLength().orElse(Integer.MAX_VALUE), mtuLimit));
        return new Decision(session, verdict, mirrored, null);
    }

    /**
     * Says in words how each session that was asked judged the packet, for {@code --verbose}.
     *
     * @param networkInterfaceId an interface of the configuration.
     * @param frame              the buffer.
     * @param offset             absolute index of the frame.
     * @param length             its length.
     * @param direction          the packet's direction there.
     * @return one line per session asked, until one mirrors it.
     */
    public String explain(final String networkInterfaceId, final ByteBuffer frame, final int offset, final int length,
        final TrafficDirection direction)
    {
        final SourcePlan plan = plan(networkInterfaceId);
        headers.parseEthernet(frame, offset, length);
        final StringBuilder text = new StringBuilder();
        for (final SessionPlan session : plan.sessions)
        {
            text.append(text.length() == 0 ? "" : "; ").append(session.sessionId).append(": ")
                .append(session.filter.explain(headers, direction));
            if (Verdict.isMirrored(session.filter.match(headers, direction)))
            {
                break;
            }
        }
        return text.length() == 0 ? "no session on " + networkInterfaceId : text.toString();
    }

    private SourcePlan plan(final String networkInterfaceId)
    {
        final SourcePlan plan = plans.get(networkInterfaceId);
        if (plan == null)
        {
            throw new IllegalArgumentException("no network interface " + networkInterfaceId + " in the configuration");
        }
        return plan;
    }

    /**
     * What the engine would do with one packet at one interface.
     */
    public static final class Decision
    {
        private final MirrorSession session;
        private final int verdict;
        private final int mirroredBytes;
        private final NotMirroredReason reason;

        Decision(final MirrorSession session, final int verdict, final int mirroredBytes, final NotMirroredReason reason)
        {
            this.session = session;
            this.verdict = verdict;
            this.mirroredBytes = mirroredBytes;
            this.reason = reason;
        }

        /**
         * @return true when a session mirrors the packet.
         */
        public boolean mirrored()
        {
            return session != null;
        }

        /**
         * @return the session that mirrors it.
         */
        public Optional<MirrorSession> session()
        {
            return Optional.ofNullable(session);
        }

        /**
         * @return the number of the rule that decided, for the mirroring session or the last session asked; empty
         *         when no rule decided (Amazon DNS, exclusions, no match).
         */
        public OptionalInt ruleNumber()
        {
            final int reasonCode = Verdict.reason(verdict);
            return reasonCode == Verdict.REASON_RULE_ACCEPTED || reasonCode == Verdict.REASON_RULE_REJECTED ?
                OptionalInt.of(Verdict.ruleNumber(verdict)) : OptionalInt.empty();
        }

        /**
         * @return inner bytes that would be sent: the frame cut to the packet length and the target's MTU; 0 when
         *         not mirrored.
         */
        public int mirroredBytes()
        {
            return mirroredBytes;
        }

        /**
         * @return why it is not mirrored; empty when it is.
         */
        public Optional<NotMirroredReason> reason()
        {
            return Optional.ofNullable(reason);
        }

        @Override
        public String toString()
        {
            return mirrored() ? "mirrored by " + session.id() + " (" + Verdict.toString(verdict) + "), " +
                mirroredBytes + " bytes" : "not mirrored: " + reason;
        }
    }
}
