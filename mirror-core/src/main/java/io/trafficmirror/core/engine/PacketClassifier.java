package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.MirrorSource;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.filter.TrafficDirection;
import io.trafficmirror.filter.match.SessionMatch;
import io.trafficmirror.filter.match.Verdict;
import io.trafficmirror.vxlan.packet.PacketHeaders;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A dry run of a configuration: which session of which interface would mirror a packet, by which rule, and how
 * many bytes, decided by the same code as {@link MirrorEngine} but sending nothing. For checking a configuration
 * against a capture before deploying it ({@code mirror explain}). Not thread-safe.
 *
 * <p>Two ways to ask. By interface id, one call per question ({@link #direction(String, ByteBuffer, int, int)},
 * {@link #classify}), each parsing the frame and answering with objects. Or per packet without allocation: resolve
 * each interface to its index once ({@link #sourceIndex}), {@link #parse} the frame once, then for each interface
 * {@link #direction(int)} and {@link #decide} from that one parse, reading {@link #ruleNumber()} and
 * {@link #mirroredBytes()} of the last decision.
 */
public final class PacketClassifier
{
    /** What {@link #ruleNumber()} returns when no rule decided. */
    public static final int NO_RULE = -1;

    private final Map<String, Integer> indexes = new HashMap<>();
    private final SourcePlan[] plans;
    /** Each source's sessions in the plan's order, by ascending session number. */
    private final MirrorSession[][] sessions;
    /** Each source's sessions' most inner bytes: the packet length cut and the target's MTU. */
    private final int[][] limits;
    /** What sets each limit, in words: the packet length (and whence it comes) or the target's MTU. */
    private final String[][] limitReasons;
    private final EngineState state;
    private final PacketHeaders headers = new PacketHeaders();
    private final SessionMatch match;
    private final ThreadCounters scratchCounters;

    private int parsed;
    private int parsedLength;
    private int lastSource;
    private int lastOutcome;
    private int lastVerdict;

    private PacketClassifier(final MirrorConfiguration configuration, final boolean awsExclusions)
    {
        final CounterRegistry registry = new CounterRegistry();
        final SourcePlan.CompiledFilters compiled = new SourcePlan.CompiledFilters();
        final List<MirrorSource> sources = configuration.sources();
        plans = new SourcePlan[sources.size()];
        sessions = new MirrorSession[plans.length][];
        limits = new int[plans.length][];
        limitReasons = new String[plans.length][];
        int mostSessions = 0;
        for (int i = 0; i < plans.length; i++)
        {
            final MirrorSource source = sources.get(i);
            final SourcePlan plan = SourcePlan.compile(configuration, source,
                registry.block("source/" + source.networkInterfaceId(), Counter.SOURCE_WIDTH), awsExclusions,
                compiled, registry, targetId -> null);
            plans[i] = plan;
            indexes.putIfAbsent(source.networkInterfaceId(), i);
            sessions[i] = new MirrorSession[plan.sessions.length];
            limits[i] = new int[plan.sessions.length];
            limitReasons[i] = new String[plan.sessions.length];
            for (int j = 0; j < plan.sessions.length; j++)
            {
                final MirrorSession session = configuration.session(plan.sessions[j].sessionId).orElseThrow();
                final MirrorTarget target = configuration.target(session.targetId()).orElseThrow();
                final int packetLength = configuration.packetLength(session).orElse(Integer.MAX_VALUE);
                final int mtuRoom = target.mtu() - UdpTarget.IPV4_OVERHEAD;
                sessions[i][j] = session;
                limits[i][j] = Math.min(packetLength, mtuRoom);
                limitReasons[i][j] = packetLength <= mtuRoom ?
                    "packet length " + packetLength + (session.packetLength().isPresent() ? "" :
                        " (default for " + target.type() + " targets)") :
                    "MTU " + target.mtu() + " of " + target.id();
            }
            mostSessions = Math.max(mostSessions, plan.sessions.length);
        }
        this.match = new SessionMatch(mostSessions);
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
     * @return how many source interfaces the configuration has; their indexes are 0 up to this, in the
     *         configuration's order of sources.
     */
    public int sourceCount()
    {
        return plans.length;
    }

    /**
     * @param networkInterfaceId an interface of the configuration.
     * @return its index for the per-packet methods.
     * @throws IllegalArgumentException if the configuration has no such interface.
     */
    public int sourceIndex(final String networkInterfaceId)
    {
        final Integer index = indexes.get(networkInterfaceId);
        if (index == null)
        {
            throw new IllegalArgumentException("no network interface " + networkInterfaceId + " in the configuration");
        }
        return index;
    }

    /**
     * @param source a source index.
     * @return its network interface id.
     */
    public String sourceId(final int source)
    {
        return plans[source].networkInterfaceId;
    }

    /**
     * @param source a source index.
     * @return how many sessions mirror it.
     */
    public int sessionCount(final int source)
    {
        return sessions[source].length;
    }

    /**
     * @param source  a source index.
     * @param session a session index as {@link #decide} returns it, 0 up to {@link #sessionCount}.
     * @return the session: a source's sessions are indexed by ascending session number.
     */
    public MirrorSession session(final int source, final int session)
    {
        return sessions[source][session];
    }

    /**
     * Parses a frame's headers once for the per-packet methods that follow, until the next call. Allocates nothing.
     *
     * @param frame  the buffer.
     * @param offset absolute index of the frame.
     * @param length its length.
     */
    public void parse(final ByteBuffer frame, final int offset, final int length)
    {
        parsed = headers.parseEthernet(frame, offset, length);
        parsedLength = length;
    }

    /**
     * The parsed packet's direction at an interface, from its addresses as the engine infers it.
     *
     * @param source a source index.
     * @return ingress, egress, or {@code null} when the packet is not the interface's traffic.
     */
    public TrafficDirection direction(final int source)
    {
        return plans[source].infer(headers);
    }

    /**
     * Decides what the engine would do with the parsed packet at an interface, as {@link #classify} does but
     * without parsing again or allocating.
     *
     * @param source    a source index.
     * @param direction ingress, egress, or {@code null} to infer it.
     * @return the index of the session that mirrors it (see {@link #session}), or a negative number when none does.
     */
    public int decide(final int source, final TrafficDirection direction)
    {
        final SourcePlan plan = plans[source];
        lastSource = source;
        if (plan.sessions.length == 0)
        {
            lastVerdict = 0;
            lastOutcome = -1 - NotMirroredReason.NO_SESSION.ordinal();
            return lastOutcome;
        }
        final long decision = plan.decideParsed(
            state, headers, parsed, match, parsedLength, direction, scratchCounters);
        lastVerdict = SourcePlan.verdict(decision);
        lastOutcome = SourcePlan.outcome(decision);
        return lastOutcome;
    }

    /**
     * @return the number of the rule that decided the last {@link #decide}, for the mirroring session or the last
     *         session asked; {@link #NO_RULE} when no rule decided (Amazon DNS, exclusions, no match).
     */
    public int ruleNumber()
    {
        final int reasonCode = Verdict.reason(lastVerdict);
        return reasonCode == Verdict.REASON_RULE_ACCEPTED || reasonCode == Verdict.REASON_RULE_REJECTED ?
            Verdict.ruleNumber(lastVerdict) : NO_RULE;
    }

    /**
     * @return inner bytes the last {@link #decide} would send: the frame cut to the packet length and the target's
     *         MTU; 0 when not mirrored.
     */
    public int mirroredBytes()
    {
        return lastOutcome < 0 ? 0 : Math.min(parsedLength, limits[lastSource][lastOutcome]);
    }

    /**
     * @return the last {@link #decide} as an object, for words rather than speed.
     */
    public Decision decision()
    {
        if (lastOutcome < 0)
        {
            return new Decision(null, lastVerdict, 0, NotMirroredReason.of(-1 - lastOutcome), null);
        }
        final int bytes = mirroredBytes();
        return new Decision(sessions[lastSource][lastOutcome], lastVerdict, bytes, null,
            bytes < parsedLength ? limitReasons[lastSource][lastOutcome] : null);
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
        final int source = sourceIndex(networkInterfaceId);
        parse(frame, offset, length);
        return Optional.ofNullable(direction(source));
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
        final int source = sourceIndex(networkInterfaceId);
        parse(frame, offset, length);
        decide(source, direction);
        return decision();
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
        final int source = sourceIndex(networkInterfaceId);
        parse(frame, offset, length);
        return explain(source, direction);
    }

    /**
     * Says in words how each session judges the parsed packet, for {@code --verbose}: as
     * {@link #explain(String, ByteBuffer, int, int, TrafficDirection)}, from the one parse.
     *
     * @param source    a source index.
     * @param direction the packet's direction there.
     * @return one line per session asked, until one mirrors it.
     */
    public String explain(final int source, final TrafficDirection direction)
    {
        final SourcePlan plan = plans[source];
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
        return text.length() == 0 ? "no session on " + plan.networkInterfaceId : text.toString();
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
        private final String cutBy;

        Decision(final MirrorSession session, final int verdict, final int mirroredBytes, final NotMirroredReason reason,
            final String cutBy)
        {
            this.session = session;
            this.verdict = verdict;
            this.mirroredBytes = mirroredBytes;
            this.reason = reason;
            this.cutBy = cutBy;
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
         * @return what cut the copy shorter than its frame, in words: the packet length (saying when it is the
         *         target type's default) or the target's MTU; empty when the copy is whole or not mirrored.
         */
        public Optional<String> cutBy()
        {
            return Optional.ofNullable(cutBy);
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
                mirroredBytes + " bytes" + (cutBy == null ? "" : ", cut by the " + cutBy) : "not mirrored: " + reason;
        }
    }
}
