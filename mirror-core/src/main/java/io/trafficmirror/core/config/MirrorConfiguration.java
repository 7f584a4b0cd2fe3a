package io.trafficmirror.core.config;

import io.trafficmirror.filter.Ec2ErrorCode;
import io.trafficmirror.filter.FieldsText;
import io.trafficmirror.filter.FilterRule;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.MirrorFilter;
import io.trafficmirror.filter.NetworkService;
import io.trafficmirror.filter.Violations;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A whole, validated traffic mirroring configuration: targets, filters, sessions and their source interfaces,
 * checked together against a {@link Quotas} policy.
 * <p>
 * Beyond what each object checks alone, a configuration checks what spans objects: ids unique per kind,
 * sessions naming existing sources, targets and filters, no interface both a source and a target, session
 * numbers unique per source, sessions per source and sources per network-interface target within quota, rules
 * per filter within quota, VNIs unique, and sources of one VPC agreeing on its blocks. Each check costs time
 * linear in the number of objects, however many of them are at fault. Every violation that EC2 would refuse
 * carries the {@link Ec2ErrorCode} EC2 refuses it with. Sessions given without a VNI get a random one that no other session
 * uses; the choice is a function of the VNI seed and the session id, so a seeded configuration is
 * repeatable in tests. The seed is not part of equality.
 * <p>
 * Every modification returns a new configuration and leaves this one as it was. Immutable and therefore
 * safe to publish to other threads.
 */
public final class MirrorConfiguration
{
    private final List<MirrorTarget> targets;
    private final List<MirrorFilter> filters;
    private final List<MirrorSession> sessions;
    private final List<MirrorSource> sources;
    private final Quotas quotas;
    private final long vniSeed;
    private final Map<String, MirrorTarget> targetsById;
    private final Map<String, MirrorFilter> filtersById;
    private final Map<String, MirrorSession> sessionsById;
    private final Map<String, MirrorSource> sourcesById;
    private final Map<String, List<MirrorSession>> sessionsBySource;

    private MirrorConfiguration(final Builder builder, final List<MirrorSession> sessionsWithVnis)
    {
        this.targets = List.copyOf(builder.targets);
        this.filters = List.copyOf(builder.filters);
        this.sessions = List.copyOf(sessionsWithVnis);
        this.sources = List.copyOf(builder.sources);
        this.quotas = builder.quotas;
        this.vniSeed = builder.vniSeed;
        this.targetsById = index(targets, MirrorTarget::id);
        this.filtersById = index(filters, MirrorFilter::id);
        this.sessionsById = index(sessions, MirrorSession::id);
        this.sourcesById = index(sources, MirrorSource::networkInterfaceId);
        this.sessionsBySource = bySource(sessions);
    }

    /**
     * @return a builder with AWS quotas, a random VNI seed and nothing else.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * @return a builder holding this configuration's objects, quotas and seed.
     */
    public Builder toBuilder()
    {
        final Builder builder = new Builder().quotas(quotas).vniSeed(vniSeed);
        builder.targets.addAll(targets);
        builder.filters.addAll(filters);
        builder.sessions.addAll(sessions);
        builder.sources.addAll(sources);
        return builder;
    }

    /**
     * @return the targets, in the order given.
     */
    public List<MirrorTarget> targets()
    {
        return targets;
    }

    /**
     * @return the filters, in the order given.
     */
    public List<MirrorFilter> filters()
    {
        return filters;
    }

    /**
     * @return the sessions, in the order given, each with its VNI.
     */
    public List<MirrorSession> sessions()
    {
        return sessions;
    }

    /**
     * @return the source interfaces, in the order given.
     */
    public List<MirrorSource> sources()
    {
        return sources;
    }

    /**
     * @return the policy the configuration was checked against.
     */
    public Quotas quotas()
    {
        return quotas;
    }

    /**
     * @return the seed from which missing VNIs are drawn.
     */
    public long vniSeed()
    {
        return vniSeed;
    }

    /**
     * @param id a target id.
     * @return the target, when there is one with that id.
     */
    public Optional<MirrorTarget> target(final String id)
    {
        return Optional.ofNullable(targetsById.get(id));
    }

    /**
     * @param id a filter id.
     * @return the filter, when there is one with that id.
     */
    public Optional<MirrorFilter> filter(final String id)
    {
        return Optional.ofNullable(filtersById.get(id));
    }

    /**
     * @param id a session id.
     * @return the session, when there is one with that id.
     */
    public Optional<MirrorSession> session(final String id)
    {
        return Optional.ofNullable(sessionsById.get(id));
    }

    /**
     * @param networkInterfaceId a source interface id.
     * @return the source, when there is one with that id.
     */
    public Optional<MirrorSource> source(final String networkInterfaceId)
    {
        return Optional.ofNullable(sourcesById.get(networkInterfaceId));
    }

    /**
     * @param networkInterfaceId a source interface id.
     * @return the sessions on that source by ascending session number, the order in which they are tried.
     */
    public List<MirrorSession> sessionsOf(final String networkInterfaceId)
    {
        return sessionsBySource.getOrDefault(networkInterfaceId, List.of());
    }

    /**
     * The packet length a session mirrors: its own {@code PacketLength}, or else its target type's default, 8500
     * bytes for a Network Load Balancer. The session itself keeps what was given, so that it is written back as
     * it was read.
     *
     * @param session a session of this configuration.
     * @return bytes mirrored after the VXLAN header, or empty for whole packets.
     */
    public OptionalInt packetLength(final MirrorSession session)
    {
        final OptionalInt own = session.packetLength();
        if (own.isPresent())
        {
            return own;
        }
        final MirrorTarget target = targetsById.get(session.targetId());
        return target == null ? own : target.type().defaultPacketLength();
    }

    /**
     * Adds a target, or replaces the one with the same id.
     *
     * @param target the target.
     * @return the new configuration.
     * @throws InvalidConfigurationException when the result breaks a rule.
     */
    public MirrorConfiguration withTarget(final MirrorTarget target)
    {
        final Builder builder = toBuilder();
        replaceOrAdd(builder.targets, target, MirrorTarget::id);
        return builder.build();
    }

    /**
     * Adds a filter, or replaces the one with the same id.
     *
     * @param filter the filter.
     * @return the new configuration.
     * @throws InvalidConfigurationException when the result breaks a rule.
     */
    public MirrorConfiguration withFilter(final MirrorFilter filter)
    {
        final Builder builder = toBuilder();
        replaceOrAdd(builder.filters, filter, MirrorFilter::id);
        return builder.build();
    }

    /**
     * Adds a session, or replaces the one with the same id.
     *
     * @param session the session.
     * @return the new configuration.
     * @throws InvalidConfigurationException when the result breaks a rule.
     */
    public MirrorConfiguration withSession(final MirrorSession session)
    {
        final Builder builder = toBuilder();
        replaceOrAdd(builder.sessions, session, MirrorSession::id);
        return builder.build();
    }

    /**
     * Adds a source interface, or replaces the one with the same id.
     *
     * @param source the source.
     * @return the new configuration.
     * @throws InvalidConfigurationException when the result breaks a rule.
     */
    public MirrorConfiguration withSource(final MirrorSource source)
    {
        final Builder builder = toBuilder();
        replaceOrAdd(builder.sources, source, MirrorSource::networkInterfaceId);
        return builder.build();
    }

    /**
     * Deletes a target, as {@code DeleteTrafficMirrorTarget}: refused while a session uses it.
     *
     * @param targetId the target id.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such target or a session uses it.
     */
    public MirrorConfiguration withoutTarget(final String targetId)
    {
        requireKnown(targetsById, targetId, Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND,
            "TrafficMirrorTargetId", "the id of a target");
        refuseInUse(targetId, Ec2ErrorCode.TRAFFIC_MIRROR_TARGET_IN_USE, "TrafficMirrorTargetId", "a target",
            MirrorSession::targetId);
        final Builder builder = toBuilder();
        builder.targets.removeIf(t -> t.id().equals(targetId));
        return builder.build();
    }

    /**
     * Deletes a filter, as {@code DeleteTrafficMirrorFilter}: refused while a session uses it.
     *
     * @param filterId the filter id.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such filter or a session uses it.
     */
    public MirrorConfiguration withoutFilter(final String filterId)
    {
        requireKnown(filtersById, filterId, Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND,
            "TrafficMirrorFilterId", "the id of a filter");
        refuseInUse(filterId, Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_IN_USE, "TrafficMirrorFilterId", "a filter",
            MirrorSession::filterId);
        final Builder builder = toBuilder();
        builder.filters.removeIf(f -> f.id().equals(filterId));
        return builder.build();
    }

    /**
     * Deletes a session.
     *
     * @param sessionId the session id.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such session.
     */
    public MirrorConfiguration withoutSession(final String sessionId)
    {
        requireKnown(sessionsById, sessionId, Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_SESSION_NOT_FOUND,
            "TrafficMirrorSessionId", "the id of a session");
        final Builder builder = toBuilder();
        builder.sessions.removeIf(s -> s.id().equals(sessionId));
        return builder.build();
    }

    /**
     * Deletes a source interface and every session on it, as AWS does when a source interface is deleted.
     *
     * @param networkInterfaceId the source id.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such source.
     */
    public MirrorConfiguration withoutSource(final String networkInterfaceId)
    {
        requireKnown(sourcesById, networkInterfaceId, Ec2ErrorCode.INVALID_NETWORK_INTERFACE_ID_NOT_FOUND,
            "NetworkInterfaceId", "the id of a source interface");
        final Builder builder = toBuilder();
        builder.sources.removeIf(s -> s.networkInterfaceId().equals(networkInterfaceId));
        builder.sessions.removeIf(s -> s.networkInterfaceId().equals(networkInterfaceId));
        return builder.build();
    }

    /**
     * Changes a session, as {@code ModifyTrafficMirrorSession}: first the changes, then {@code RemoveFields}.
     * Removing the VNI draws a new random unused one.
     *
     * @param sessionId    the session id.
     * @param changes      changes to apply to a builder holding the session's values.
     * @param removeFields fields to reset to their defaults.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such session or the result breaks a rule.
     */
    public MirrorConfiguration modifySession(
        final String sessionId,
        final UnaryOperator<MirrorSession.Builder> changes,
        final Set<MirrorSession.Field> removeFields)
    {
        final MirrorSession session = requireKnown(sessionsById, sessionId,
            Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_SESSION_NOT_FOUND, "TrafficMirrorSessionId", "the id of a session");
        final MirrorSession.Builder changed = changes.apply(session.toBuilder());
        removeFields.forEach(changed::remove);
        final MirrorSession modified = changed.id(sessionId).build();
        final Builder builder = toBuilder();
        builder.sessions.replaceAll(s -> s.id().equals(sessionId) ? modified : s);
        return builder.build();
    }

    /**
     * Adds a rule to a filter, as {@code CreateTrafficMirrorFilterRule}.
     *
     * @param filterId the filter id.
     * @param rule     the rule.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such filter or the result breaks a rule.
     */
    public MirrorConfiguration addFilterRule(final String filterId, final FilterRule rule)
    {
        final MirrorFilter filter = requireKnown(filtersById, filterId, Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND,
            "TrafficMirrorFilterId", "the id of a filter");
        return withFilter(filter.toBuilder().addRule(rule).build());
    }

    /**
     * Changes a rule, as {@code ModifyTrafficMirrorFilterRule}: first the changes, then {@code RemoveFields}.
     * A rule may change direction; it then moves to the other list.
     *
     * @param ruleId       the rule id.
     * @param changes      changes to apply to a builder holding the rule's values.
     * @param removeFields fields to reset to their defaults.
     * @return the new configuration.
     * @throws InvalidConfigurationException when no filter has such a rule or the result breaks a rule.
     */
    public MirrorConfiguration modifyFilterRule(
        final String ruleId,
        final UnaryOperator<FilterRule.Builder> changes,
        final Set<FilterRule.Field> removeFields)
    {
        final MirrorFilter filter = filterOfRule(ruleId);
        final FilterRule.Builder changed = changes.apply(filter.rule(ruleId).orElseThrow().toBuilder());
        removeFields.forEach(changed::remove);
        final FilterRule modified = changed.id(ruleId).build();
        return withFilter(filter.toBuilder().removeRule(ruleId).addRule(modified).build());
    }

    /**
     * Deletes a rule, as {@code DeleteTrafficMirrorFilterRule}.
     *
     * @param ruleId the rule id.
     * @return the new configuration.
     * @throws InvalidConfigurationException when no filter has such a rule.
     */
    public MirrorConfiguration deleteFilterRule(final String ruleId)
    {
        return withFilter(filterOfRule(ruleId).toBuilder().removeRule(ruleId).build());
    }

    /**
     * Changes a filter's network services, as {@code ModifyTrafficMirrorFilterNetworkServices}.
     *
     * @param filterId the filter id.
     * @param add      services to add.
     * @param remove   services to remove.
     * @return the new configuration.
     * @throws InvalidConfigurationException when there is no such filter.
     */
    public MirrorConfiguration modifyNetworkServices(
        final String filterId, final Set<NetworkService> add, final Set<NetworkService> remove)
    {
        final MirrorFilter filter = requireKnown(filtersById, filterId, Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND,
            "TrafficMirrorFilterId", "the id of a filter");
        final MirrorFilter.Builder builder = filter.toBuilder();
        add.forEach(builder::addNetworkService);
        remove.forEach(builder::removeNetworkService);
        return withFilter(builder.build());
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof MirrorConfiguration))
        {
            return false;
        }
        final MirrorConfiguration that = (MirrorConfiguration)o;
        return targets.equals(that.targets) &&
            filters.equals(that.filters) &&
            sessions.equals(that.sessions) &&
            sources.equals(that.sources) &&
            quotas.equals(that.quotas);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(targets, filters, sessions, sources, quotas);
    }

    @Override
    public String toString()
    {
        return new FieldsText("MirrorConfiguration")
            .add("targets", targets)
            .add("filters", filters)
            .add("sessions", sessions)
            .add("sources", sources)
            .add("quotas", quotas)
            .toString();
    }

    private MirrorFilter filterOfRule(final String ruleId)
    {
        for (final MirrorFilter filter : filters)
        {
            if (filter.rule(ruleId).isPresent())
            {
                return filter;
            }
        }
        new Violations().add(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_RULE_NOT_FOUND, String.valueOf(ruleId),
            "TrafficMirrorFilterRuleId", ruleId,
            "the id of a rule of some filter").throwIfAny();
        throw new IllegalStateException("unreachable");
    }

    private void refuseInUse(
        final String id,
        final Ec2ErrorCode errorCode,
        final String field,
        final String what,
        final Function<MirrorSession, String> reference)
    {
        final List<String> users = new ArrayList<>();
        for (final MirrorSession session : sessions)
        {
            if (reference.apply(session).equals(id))
            {
                users.add(session.id());
            }
        }
        if (!users.isEmpty())
        {
            new Violations().add(errorCode, id, field, id, what + " that no session uses (in use by " + users + ")")
                .throwIfAny();
        }
    }

    private static <T> T requireKnown(
        final Map<String, T> byId, final String id, final Ec2ErrorCode notFound, final String field, final String allowed)
    {
        final T found = byId.get(id);
        if (found == null)
        {
            new Violations().add(notFound, String.valueOf(id), field, id, allowed).throwIfAny();
        }
        return found;
    }

    private static <T> void replaceOrAdd(final List<T> list, final T item, final Function<T, String> id)
    {
        for (int i = 0; i < list.size(); i++)
        {
            if (id.apply(list.get(i)).equals(id.apply(item)))
            {
                list.set(i, item);
                return;
            }
        }
        list.add(item);
    }

    /** Each source's sessions by ascending session number, so that looking up one source costs no scan of all. */
    private static Map<String, List<MirrorSession>> bySource(final List<MirrorSession> sessions)
    {
        final Map<String, List<MirrorSession>> grouped = new HashMap<>();
        for (final MirrorSession session : sessions)
        {
            grouped.computeIfAbsent(session.networkInterfaceId(), k -> new ArrayList<>()).add(session);
        }
        final Map<String, List<MirrorSession>> sorted = new HashMap<>();
        grouped.forEach((source, list) ->
        {
            list.sort(Comparator.comparingInt(MirrorSession::sessionNumber));
            sorted.put(source, List.copyOf(list));
        });
        return Map.copyOf(sorted);
    }

    private static <T> Map<String, T> index(final List<T> items, final Function<T, String> id)
    {
        final Map<String, T> byId = new HashMap<>();
        for (final T item : items)
        {
            byId.putIfAbsent(id.apply(item), item);
        }
        return Map.copyOf(byId);
    }

    /**
     * Builds a {@link MirrorConfiguration}; {@link #build()} checks everything that spans objects and
     * reports every problem at once.
     */
    public static final class Builder
    {
        private final List<MirrorTarget> targets = new ArrayList<>();
        private final List<MirrorFilter> filters = new ArrayList<>();
        private final List<MirrorSession> sessions = new ArrayList<>();
        private final List<MirrorSource> sources = new ArrayList<>();
        private Quotas quotas = Quotas.aws();
        private long vniSeed = ThreadLocalRandom.current().nextLong();

        private Builder()
        {
        }

        /**
         * @param target a target.
         * @return this.
         */
        public Builder addTarget(final MirrorTarget target)
        {
            targets.add(Objects.requireNonNull(target, "target"));
            return this;
        }

        /**
         * @param filter a filter.
         * @return this.
         */
        public Builder addFilter(final MirrorFilter filter)
        {
            filters.add(Objects.requireNonNull(filter, "filter"));
            return this;
        }

        /**
         * @param session a session.
         * @return this.
         */
        public Builder addSession(final MirrorSession session)
        {
            sessions.add(Objects.requireNonNull(session, "session"));
            return this;
        }

        /**
         * @param source a source interface.
         * @return this.
         */
        public Builder addSource(final MirrorSource source)
        {
            sources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /**
         * @param quotas the policy to check against; AWS's by default.
         * @return this.
         */
        public Builder quotas(final Quotas quotas)
        {
            this.quotas = Objects.requireNonNull(quotas, "quotas");
            return this;
        }

        /**
         * @param vniSeed seed for the VNIs of sessions given without one; random by default.
         * @return this.
         */
        public Builder vniSeed(final long vniSeed)
        {
            this.vniSeed = vniSeed;
            return this;
        }

        /**
         * @return the configuration, with a VNI for every session.
         * @throws InvalidConfigurationException listing every problem found.
         */
        public MirrorConfiguration build()
        {
            final Violations violations = new Violations();
            final String configuration = "configuration";
            violations.checkQuota(Ec2ErrorCode.TRAFFIC_MIRROR_TARGET_LIMIT_EXCEEDED, configuration,
                "TrafficMirrorTargets", targets.size(), quotas.targets());
            violations.checkQuota(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_LIMIT_EXCEEDED, configuration,
                "TrafficMirrorFilters", filters.size(), quotas.filters());
            violations.checkQuota(Ec2ErrorCode.TRAFFIC_MIRROR_SESSION_LIMIT_EXCEEDED, configuration,
                "TrafficMirrorSessions", sessions.size(), quotas.sessions());
            checkUnique(violations, targets, MirrorTarget::id, "TrafficMirrorTargetId", "targets");
            checkUnique(violations, filters, MirrorFilter::id, "TrafficMirrorFilterId", "filters");
            checkUnique(violations, sessions, MirrorSession::id, "TrafficMirrorSessionId", "sessions");
            checkUnique(violations, sources, MirrorSource::networkInterfaceId, "NetworkInterfaceId", "sources");
            for (final MirrorFilter filter : filters)
            {
                if (filter.ruleCount() > quotas.rulesPerFilter())
                {
                    violations.add(Ec2ErrorCode.TRAFFIC_MIRROR_FILTER_RULE_LIMIT_EXCEEDED, filter.id(), "FilterRules",
                        filter.ruleCount() + " rules",
                        "at most " + quotas.rulesPerFilter() + " rules per filter (quota)");
                }
            }
            checkSessions(violations);
            checkVpcs(violations);
            final List<MirrorSession> withVnis = assignVnis(violations);
            violations.throwIfAny();
            return new MirrorConfiguration(this, withVnis);
        }

        private void checkSessions(final Violations violations)
        {
            final Set<String> targetIds = ids(targets, MirrorTarget::id);
            final Set<String> filterIds = ids(filters, MirrorFilter::id);
            final Set<String> sourceIds = ids(sources, MirrorSource::networkInterfaceId);
            final Map<String, Map<Integer, String>> numbersBySource = new LinkedHashMap<>();
            final Map<String, Set<String>> sourcesByTarget = new LinkedHashMap<>();
            final Map<String, String> targetOfInterface = new HashMap<>();
            for (final MirrorTarget target : targets)
            {
                if (target.type() == TargetType.NETWORK_INTERFACE)
                {
                    targetOfInterface.putIfAbsent(target.resourceId(), target.id());
                }
            }
            for (final MirrorSession session : sessions)
            {
                if (!sourceIds.contains(session.networkInterfaceId()))
                {
                    violations.add(Ec2ErrorCode.INVALID_NETWORK_INTERFACE_ID_NOT_FOUND, session.id(), "NetworkInterfaceId",
                        session.networkInterfaceId(), "the id of a source in NetworkInterfaces");
                }
                final String targetOfSource = targetOfInterface.get(session.networkInterfaceId());
                if (targetOfSource != null)
                {
                    // AWS: an interface cannot be both a mirror source and a mirror target, of one session or of two.
                    violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, session.id(), "NetworkInterfaceId",
                        session.networkInterfaceId(), "an interface that is not also a mirror target (" +
                        targetOfSource + " is that interface)");
                }
                if (!targetIds.contains(session.targetId()))
                {
                    violations.add(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_TARGET_NOT_FOUND, session.id(),
                        "TrafficMirrorTargetId", session.targetId(), "the id of a target in TrafficMirrorTargets");
                }
                if (!filterIds.contains(session.filterId()))
                {
                    violations.add(Ec2ErrorCode.INVALID_TRAFFIC_MIRROR_FILTER_NOT_FOUND, session.id(),
                        "TrafficMirrorFilterId", session.filterId(), "the id of a filter in TrafficMirrorFilters");
                }
                final Map<Integer, String> numbers =
                    numbersBySource.computeIfAbsent(session.networkInterfaceId(), k -> new HashMap<>());
                final String holder = numbers.putIfAbsent(session.sessionNumber(), session.id());
                if (holder != null)
                {
                    violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, session.id(), "SessionNumber",
                        session.sessionNumber(),
                        "a session number unique on " + session.networkInterfaceId() + " (" + holder + " has it)");
                }
                sourcesByTarget.computeIfAbsent(session.targetId(), k -> new HashSet<>())
                    .add(session.networkInterfaceId());
            }
            numbersBySource.forEach((source, numbers) ->
            {
                if (numbers.size() > quotas.sessionsPerSource())
                {
                    violations.add(Ec2ErrorCode.TRAFFIC_MIRROR_SESSIONS_PER_INTERFACE_LIMIT_EXCEEDED, source,
                        "TrafficMirrorSessions", numbers.size() + " sessions",
                        "at most " + quotas.sessionsPerSource() + " sessions per source interface (quota)");
                }
            });
            for (final MirrorTarget target : targets)
            {
                final Set<String> sourcesOfTarget = sourcesByTarget.getOrDefault(target.id(), Set.of());
                if (target.type() == TargetType.NETWORK_INTERFACE && sourcesOfTarget.size() > quotas.sourcesPerTarget())
                {
                    violations.add(Ec2ErrorCode.TRAFFIC_MIRROR_SOURCES_PER_TARGET_LIMIT_EXCEEDED, target.id(),
                        "NetworkInterfaceId", sourcesOfTarget.size() + " sources",
                        "at most " + quotas.sourcesPerTarget() + " sources per network-interface target (quota)");
                }
            }
        }

        private void checkVpcs(final Violations violations)
        {
            final Map<String, MirrorSource> firstOfVpc = new HashMap<>();
            for (final MirrorSource source : sources)
            {
                if (source.vpcId().isEmpty() || source.vpcCidrBlocks().isEmpty())
                {
                    continue;
                }
                final MirrorSource first = firstOfVpc.putIfAbsent(source.vpcId().get(), source);
                if (first != null && !first.vpcCidrBlocks().equals(source.vpcCidrBlocks()))
                {
                    violations.addWithoutCode(source.networkInterfaceId(), "VpcCidrBlocks", source.vpcCidrBlocks(),
                        "the blocks that " + first.networkInterfaceId() + " gives for " + source.vpcId().get() +
                        ": " + first.vpcCidrBlocks());
                }
            }
        }

        private List<MirrorSession> assignVnis(final Violations violations)
        {
            final Map<Integer, String> used = new HashMap<>();
            for (final MirrorSession session : sessions)
            {
                if (session.virtualNetworkId().isPresent())
                {
                    final String holder = used.putIfAbsent(session.virtualNetworkId().getAsInt(), session.id());
                    if (holder != null)
                    {
                        violations.add(Ec2ErrorCode.INVALID_PARAMETER_VALUE, session.id(), "VirtualNetworkId",
                            session.virtualNetworkId().getAsInt(),
                            "a VNI no other session uses (" + holder + " has it)");
                    }
                }
            }
            final List<MirrorSession> result = new ArrayList<>(sessions.size());
            for (final MirrorSession session : sessions)
            {
                if (session.virtualNetworkId().isPresent())
                {
                    result.add(session);
                    continue;
                }
                if (used.size() > MirrorSession.MAX_VNI)
                {
                    violations.addWithoutCode(session.id(), "VirtualNetworkId", null, "a free VNI, but all are in use");
                    continue;
                }
                final SplittableRandom random = new SplittableRandom(
                    vniSeed ^ session.id().hashCode() * 0x9E3779B97F4A7C15L);
                int vni;
                do
                {
                    vni = random.nextInt(1, MirrorSession.MAX_VNI + 1);
                }
                while (used.containsKey(vni));
                used.put(vni, session.id());
                result.add(session.toBuilder().virtualNetworkId(vni).build());
            }
            return result;
        }

        private static <T> Set<String> ids(final List<T> items, final Function<T, String> id)
        {
            final Set<String> ids = new HashSet<>();
            items.forEach(item -> ids.add(id.apply(item)));
            return ids;
        }

        private static <T> void checkUnique(
            final Violations violations,
            final List<T> items,
            final Function<T, String> id,
            final String field,
            final String kind)
        {
            final Set<String> seen = new HashSet<>();
            for (final T item : items)
            {
                final String itemId = id.apply(item);
                if (!seen.add(itemId))
                {
                    // AWS gives every object its own id, so a repeated id has no EC2 counterpart.
                    violations.addWithoutCode(itemId, field, itemId, "an id used by no other of the " + kind);
                }
            }
        }
    }
}
