package io.trafficmirror.core.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.engine.MetricsSnapshot;
import io.trafficmirror.core.engine.MetricsSnapshot.CloudWatchMetric;
import io.trafficmirror.core.engine.MetricsSnapshot.CopyMetrics;
import io.trafficmirror.core.engine.MetricsSnapshot.EndpointMetrics;
import io.trafficmirror.core.engine.MetricsSnapshot.RuleMetrics;
import io.trafficmirror.core.engine.MetricsSnapshot.SessionMetrics;
import io.trafficmirror.core.engine.MetricsSnapshot.SourceMetrics;
import io.trafficmirror.core.engine.MirrorEngine;
import io.trafficmirror.core.engine.NotMirroredReason;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.TrafficDirection;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds a {@link MirrorEngine}'s counters to Micrometer: {@code new MirrorEngineMetrics(engine).bindTo(registry)}.
 * <p>
 * Every count is a {@link FunctionCounter} (and a target's queue a {@link Gauge}) that reads a {@link MetricsSnapshot}
 * shared by all meters: a snapshot is taken at most once per {@code snapshotAge} (one second by default), so a scrape
 * of every meter costs one snapshot, not one per meter. The meters hold the engine weakly, as Micrometer's function
 * meters do, and this binder strongly.
 * <p>
 * Which meters exist follows the configuration in force: when a snapshot is taken after {@link MirrorEngine#update}
 * changed the configuration, the meters of new sessions, targets and rules are registered and those of removed ones
 * are removed. A removed object that comes back resumes its counts, which the engine keeps, so counters never go
 * back. A scrape registers the new meters while it reads, so they show from the next scrape; {@link #refresh()} does
 * it at once. Sources stay: the engine counts every interface a handle was asked for, configured or not.
 * <p>
 * Names and tags are listed in the README's "Metrics" section. The four per-source meters that carry AWS's
 * CloudWatch metrics have a {@code direction} tag ({@code in} or {@code out}) and a {@code cloudwatch} tag naming the
 * CloudWatch metric, e.g. {@code trafficmirror.source.mirror.bytes{direction=in, cloudwatch=NetworkMirrorIn}}.
 * <p>
 * Micrometer is an optional dependency of mirror-core: only this package uses it, and nothing else loads it.
 */
public final class MirrorEngineMetrics implements MeterBinder
{
    /** How old a snapshot the meters may read by default. */
    public static final Duration DEFAULT_SNAPSHOT_AGE = Duration.ofSeconds(1);

    private static final String PREFIX = "trafficmirror.";
    private static final String PACKETS = "packets";
    private static final String BYTES = "bytes";

    private final MirrorEngine engine;
    private final Tags commonTags;
    private final long snapshotAgeNanos;

    // Guarded by this.
    private final List<Binding> bindings = new ArrayList<>();
    private View view;
    private long takenAtNanos;
    /** The configuration and source count the meters were last matched to. */
    private MirrorConfiguration matchedConfiguration;
    private int matchedSources = -1;
    /** The number of UDP endpoints the meters were last matched to. */
    private int matchedEndpoints = -1;

    /**
     * @param engine the engine to report.
     */
    public MirrorEngineMetrics(final MirrorEngine engine)
    {
        this(engine, Tags.empty(), DEFAULT_SNAPSHOT_AGE);
    }

    /**
     * @param engine      the engine to report.
     * @param tags        tags every meter gets, e.g. to tell engines apart.
     * @param snapshotAge how old a snapshot the meters may read; zero takes one for every meter read.
     */
    public MirrorEngineMetrics(final MirrorEngine engine, final Iterable<Tag> tags, final Duration snapshotAge)
    {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.commonTags = Tags.of(Objects.requireNonNull(tags, "tags"));
        if (snapshotAge.isNegative())
        {
            throw new IllegalArgumentException("snapshotAge = " + snapshotAge + ": must be zero or more");
        }
        this.snapshotAgeNanos = snapshotAge.toNanos();
    }

    @Override
    public synchronized void bindTo(final MeterRegistry registry)
    {
        final Binding binding = new Binding(Objects.requireNonNull(registry, "registry"));
        bindings.add(binding);
        take();
        binding.match(wanted());
    }

    /**
     * Takes a snapshot now and registers or removes meters to match the configuration in force.
     */
    public synchronized void refresh()
    {
        take();
        matchAll();
    }

    /** The snapshot meters read: a fresh one when the last is older than the snapshot age. */
    private synchronized View current()
    {
        if (view == null || System.nanoTime() - takenAtNanos >= snapshotAgeNanos)
        {
            take();
            if (engine.configuration() != matchedConfiguration || view.snapshot.sources().size() != matchedSources ||
                view.snapshot.endpoints().size() != matchedEndpoints)
            {
                matchAll();
            }
        }
        return view;
    }

    private void take()
    {
        view = new View(engine.metrics());
        takenAtNanos = System.nanoTime();
    }

    private void matchAll()
    {
        final Map<String, Spec> wanted = wanted();
        for (final Binding binding : bindings)
        {
            binding.match(wanted);
        }
    }

    /** Every meter the configuration in force and the snapshot's sources call for, by key. */
    private Map<String, Spec> wanted()
    {
        final MirrorConfiguration configuration = engine.configuration();
        matchedConfiguration = configuration;
        matchedSources = view.snapshot.sources().size();
        matchedEndpoints = view.snapshot.endpoints().size();
        final Map<String, Spec> specs = new LinkedHashMap<>();
        for (final String source : view.snapshot.sources().keySet())
        {
            sourceMeters(specs, source);
        }
        for (final MirrorSession session : configuration.sessions())
        {
            sessionMeters(specs, session);
            for (final TrafficDirection direction : TrafficDirection.values())
            {
                for (final FilterRule rule : configuration.filter(session.filterId()).orElseThrow().rules(direction))
                {
                    ruleMeters(specs, session.id(), direction, rule.ruleNumber());
                }
            }
        }
        configuration.sessions().stream().map(MirrorSession::targetId).distinct()
            .forEach(target -> targetMeters(specs, target));
        return specs;
    }

    private void sourceMeters(final Map<String, Spec> specs, final String source)
    {
        final Tags tags = Tags.of("source", source);
        counter(specs, "source.offered.packets", tags, "Packets handed to the source interface", PACKETS,
            source(source, SourceMetrics::offeredPackets));
        counter(specs, "source.offered.bytes", tags, "Bytes handed to the source interface", BYTES,
            source(source, SourceMetrics::offeredBytes));
        counter(specs, "source.not.mirrored.bytes", tags, "Bytes of the packets no session mirrored", BYTES,
            source(source, SourceMetrics::notMirroredBytes));
        for (final NotMirroredReason reason : NotMirroredReason.values())
        {
            counter(specs, "source.not.mirrored.packets", tags.and("reason", tagValue(reason)),
                "Packets no session mirrored, by reason", PACKETS,
                source(source, metrics -> metrics.notMirroredByReason().getOrDefault(reason, 0L)));
        }
        for (final CloudWatchMetric metric : CloudWatchMetric.values())
        {
            final String unit = metric.isPackets() ? PACKETS : BYTES;
            final String description = (metric.isSkip() ?
                "Copies accepted by a filter but not mirrored because the engine could not keep up, in " :
                "Copies mirrored, in ") + unit + "; CloudWatch's " + cloudWatchPair(metric);
            counter(specs, "source." + (metric.isSkip() ? "skip." : "mirror.") + unit,
                tags.and("direction", direction(metric.direction()), "cloudwatch", metric.awsName()), description, unit,
                source(source, metrics -> metrics.cloudWatch().get(metric)));
        }
    }

    private void sessionMeters(final Map<String, Spec> specs, final MirrorSession session)
    {
        final String id = session.id();
        final Tags tags = Tags.of("session", id, "source", session.networkInterfaceId(), "target", session.targetId());
        judged(specs, tags, id, "offered", "judged by the session", SessionMetrics::offeredPackets,
            SessionMetrics::offeredBytes);
        judged(specs, tags, id, "accepted", "the session's filter accepted", SessionMetrics::acceptedPackets,
            SessionMetrics::acceptedBytes);
        judged(specs, tags, id, "rejected", "a reject rule decided", SessionMetrics::rejectedPackets,
            SessionMetrics::rejectedBytes);
        judged(specs, tags, id, "unmatched", "no rule matched", SessionMetrics::unmatchedPackets,
            SessionMetrics::unmatchedBytes);
        judged(specs, tags, id, "excluded", "kept from the rules (AWS exclusions, Amazon DNS, unreadable)",
            SessionMetrics::excludedPackets, SessionMetrics::excludedBytes);
        copyMeters(specs, "session.", tags, false, value -> sessionCopies(id, value));
    }

    private void judged(
        final Map<String, Spec> specs,
        final Tags tags,
        final String id,
        final String what,
        final String description,
        final ToLongFunction<SessionMetrics> packets,
        final ToLongFunction<SessionMetrics> bytes)
    {
        counter(specs, "session." + what + ".packets", tags, "Packets " + description, PACKETS, session(id, packets));
        counter(specs, "session." + what + ".bytes", tags, "Bytes of the packets " + description, BYTES,
            session(id, bytes));
    }

    private void targetMeters(final Map<String, Spec> specs, final String target)
    {
        final Tags tags = Tags.of("target", target);
        copyMeters(specs, "target.", tags, true, value -> targetCopies(target, value));
        for (final EndpointMetrics endpoint : view.snapshot.endpoints())
        {
            if (endpoint.targetId().equals(target))
            {
                final String key = endpointKey(target, endpoint.address());
                counter(specs, "target.endpoint.unreachable", tags.and("endpoint", endpointTag(endpoint.address())),
                    "ICMP port unreachable reports from a UDP endpoint: earlier copies, counted mirrored, that went " +
                    "nowhere because nothing listened", null, endpoint(key));
            }
        }
    }

    private static ToDoubleFunction<View> endpoint(final String key)
    {
        return view ->
        {
            final EndpointMetrics metrics = view.endpoints.get(key);
            return metrics == null ? Double.NaN : metrics.unreachable();
        };
    }

    private static String endpointKey(final String target, final InetSocketAddress address)
    {
        return target + "/" + address;
    }

    /** An endpoint as HOST:PORT, an IPv6 host in brackets. */
    static String endpointTag(final InetSocketAddress address)
    {
        final String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /**
     * What became of a session's or target's copies; {@code of} turns a reading of copies into one of a snapshot.
     */
    private void copyMeters(
        final Map<String, Spec> specs,
        final String prefix,
        final Tags tags,
        final boolean target,
        final Function<ToLongFunction<CopyMetrics>, ToDoubleFunction<View>> of)
    {
        if (target)
        {
            counter(specs, prefix + "accepted.packets", tags, "Copies accepted for sending", PACKETS,
                of.apply(CopyMetrics::acceptedPackets));
            counter(specs, prefix + "accepted.bytes", tags, "Bytes of the copies accepted, as offered", BYTES,
                of.apply(CopyMetrics::acceptedBytes));
            counter(specs, prefix + "failures", tags, "Everything the target's send or close threw", null,
                of.apply(CopyMetrics::failures));
            specs.put(key(prefix + "queued", tags), new Spec(prefix + "queued", tags,
                "Copies queued for the sender", PACKETS, true, of.apply(CopyMetrics::queuedPackets)));
        }
        counter(specs, prefix + "mirrored.packets", tags, "Copies sent", PACKETS, of.apply(CopyMetrics::mirroredPackets));
        counter(specs, prefix + "mirrored.bytes", tags, "Inner bytes sent, after truncation", BYTES,
            of.apply(CopyMetrics::mirroredBytes));
        counter(specs, prefix + "truncated.packets", tags, "Copies cut to the packet length or the MTU", PACKETS,
            of.apply(CopyMetrics::truncatedPackets));
        counter(specs, prefix + "skipped.bytes", tags,
            "Bytes of the copies dropped for a full queue, a send error or a failure, as they would have been sent",
            BYTES, of.apply(CopyMetrics::skippedBytes));
        final String dropped = prefix + "dropped.packets";
        final String description = "Copies dropped, by reason";
        counter(specs, dropped, tags.and("reason", "queue_full"), description, PACKETS,
            of.apply(CopyMetrics::droppedQueueFull));
        counter(specs, dropped, tags.and("reason", "send_error"), description, PACKETS,
            of.apply(CopyMetrics::droppedSendError));
        counter(specs, dropped, tags.and("reason", "failure"), description, PACKETS,
            of.apply(CopyMetrics::droppedFailure));
        counter(specs, dropped, tags.and("reason", "shutdown"), description, PACKETS,
            of.apply(CopyMetrics::droppedShutdown));
    }

    private void ruleMeters(
        final Map<String, Spec> specs, final String session, final TrafficDirection direction, final int ruleNumber)
    {
        final Tags tags = Tags.of("session", session, "direction", direction(direction), "rule",
            Integer.toString(ruleNumber));
        final String key = ruleKey(session, direction, ruleNumber);
        counter(specs, "rule.hits.packets", tags, "Packets the rule decided as first match", PACKETS,
            rule(key, RuleMetrics::hitPackets));
        counter(specs, "rule.hits.bytes", tags, "Bytes of the packets the rule decided", BYTES,
            rule(key, RuleMetrics::hitBytes));
    }

    private static void counter(
        final Map<String, Spec> specs,
        final String name,
        final Tags tags,
        final String description,
        final String unit,
        final ToDoubleFunction<View> value)
    {
        specs.put(key(name, tags), new Spec(name, tags, description, unit, false, value));
    }

    private static ToDoubleFunction<View> source(final String id, final ToLongFunction<SourceMetrics> value)
    {
        return view ->
        {
            final SourceMetrics metrics = view.snapshot.sources().get(id);
            return metrics == null ? Double.NaN : value.applyAsLong(metrics);
        };
    }

    private static ToDoubleFunction<View> session(final String id, final ToLongFunction<SessionMetrics> value)
    {
        return view ->
        {
            final SessionMetrics metrics = view.snapshot.sessions().get(id);
            return metrics == null ? Double.NaN : value.applyAsLong(metrics);
        };
    }

    private static ToDoubleFunction<View> sessionCopies(final String id, final ToLongFunction<CopyMetrics> value)
    {
        return view ->
        {
            final SessionMetrics metrics = view.snapshot.sessions().get(id);
            return metrics == null ? Double.NaN : value.applyAsLong(metrics.copies());
        };
    }

    private static ToDoubleFunction<View> targetCopies(final String id, final ToLongFunction<CopyMetrics> value)
    {
        return view ->
        {
            final CopyMetrics metrics = view.snapshot.targets().get(id);
            return metrics == null ? Double.NaN : value.applyAsLong(metrics);
        };
    }

    private static ToDoubleFunction<View> rule(final String key, final ToLongFunction<RuleMetrics> value)
    {
        return view ->
        {
            final RuleMetrics metrics = view.rules.get(key);
            return metrics == null ? Double.NaN : value.applyAsLong(metrics);
        };
    }

    private static String ruleKey(final String session, final TrafficDirection direction, final int ruleNumber)
    {
        return session + "/" + direction + "/" + ruleNumber;
    }

    private static String key(final String name, final Tags tags)
    {
        return name + tags;
    }

    /** The direction tag's values: in for ingress, out for egress, as CloudWatch's metric names say. */
    static String direction(final TrafficDirection direction)
    {
        return direction == TrafficDirection.INGRESS ? "in" : "out";
    }

    private static String tagValue(final Enum<?> value)
    {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static String cloudWatchPair(final CloudWatchMetric metric)
    {
        final String name = metric.awsName();
        final String stem = name.substring(0, name.length() - (metric.direction() == TrafficDirection.INGRESS ? 2 : 3));
        return stem + "In (direction=in) and " + stem + "Out (direction=out)";
    }

    /** One snapshot, and its rules by key, as the meters read them; immutable. */
    private static final class View
    {
        final MetricsSnapshot snapshot;
        final Map<String, RuleMetrics> rules;
        final Map<String, EndpointMetrics> endpoints;

        View(final MetricsSnapshot snapshot)
        {
            this.snapshot = snapshot;
            final Map<String, RuleMetrics> byKey = new HashMap<>();
            for (final RuleMetrics rule : snapshot.rules())
            {
                byKey.put(ruleKey(rule.sessionId(), rule.direction(), rule.ruleNumber()), rule);
            }
            this.rules = byKey;
            final Map<String, EndpointMetrics> endpointsByKey = new HashMap<>();
            for (final EndpointMetrics endpoint : snapshot.endpoints())
            {
                endpointsByKey.put(endpointKey(endpoint.targetId(), endpoint.address()), endpoint);
            }
            this.endpoints = endpointsByKey;
        }
    }

    /** One meter to be: its id, and what it reads from a snapshot. */
    private static final class Spec
    {
        final String name;
        final Tags tags;
        final String description;
        final String unit;
        final boolean gauge;
        final ToDoubleFunction<View> value;

        Spec(final String name, final Tags tags, final String description, final String unit, final boolean gauge,
            final ToDoubleFunction<View> value)
        {
            this.name = PREFIX + name;
            this.tags = tags;
            this.description = description;
            this.unit = unit;
            this.gauge = gauge;
            this.value = value;
        }
    }

    /** The meters registered in one registry, by key. */
    private final class Binding
    {
        final MeterRegistry registry;
        final Map<String, Meter> meters = new HashMap<>();

        Binding(final MeterRegistry registry)
        {
            this.registry = registry;
        }

        void match(final Map<String, Spec> wanted)
        {
            for (final Iterator<Map.Entry<String, Meter>> it = meters.entrySet().iterator(); it.hasNext(); )
            {
                final Map.Entry<String, Meter> entry = it.next();
                if (!wanted.containsKey(entry.getKey()))
                {
                    registry.remove(entry.getValue());
                    it.remove();
                }
            }
            wanted.forEach((key, spec) -> meters.computeIfAbsent(key, k -> register(spec)));
        }

        private Meter register(final Spec spec)
        {
            final ToDoubleFunction<MirrorEngine> read = ignored -> spec.value.applyAsDouble(current());
            final Tags tags = commonTags.and(spec.tags);
            if (spec.gauge)
            {
                return Gauge.builder(spec.name, engine, read).tags(tags).description(spec.description)
                    .baseUnit(spec.unit).register(registry);
            }
            return FunctionCounter.builder(spec.name, engine, read).tags(tags).description(spec.description)
                .baseUnit(spec.unit).register(registry);
        }
    }
}
