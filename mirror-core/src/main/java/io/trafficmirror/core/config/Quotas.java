package io.trafficmirror.core.config;

import io.trafficmirror.filter.FieldsText;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violations;

/**
 * The limits a configuration must keep: AWS's quotas by default ({@link #aws()}), or larger ones for an
 * application that embeds the library and is bound only by its own resources ({@link #embedded()}).
 * Immutable.
 */
public final class Quotas
{
    private static final Quotas AWS = new Quotas(10, 3, 10, 10_000, 10_000, 10_000);
    private static final Quotas EMBEDDED = new Quotas(1_000, 100, 10_000, 100_000, 100_000, 100_000);

    private final int rulesPerFilter;
    private final int sessionsPerSource;
    private final int sourcesPerTarget;
    private final int filters;
    private final int targets;
    private final int sessions;

    private Quotas(
        final int rulesPerFilter,
        final int sessionsPerSource,
        final int sourcesPerTarget,
        final int filters,
        final int targets,
        final int sessions)
    {
        this.rulesPerFilter = rulesPerFilter;
        this.sessionsPerSource = sessionsPerSource;
        this.sourcesPerTarget = sourcesPerTarget;
        this.filters = filters;
        this.targets = targets;
        this.sessions = sessions;
    }

    /**
     * AWS's quotas: 10 rules per filter, 3 sessions per source, 10 sources per network-interface target,
     * 10,000 filters, targets and sessions.
     *
     * @return the AWS policy.
     */
    public static Quotas aws()
    {
        return AWS;
    }

    /**
     * Room for an embedding application: 1,000 rules per filter, 100 sessions per source, 10,000 sources per
     * network-interface target, 100,000 filters, targets and sessions.
     *
     * @return the embedded policy.
     */
    public static Quotas embedded()
    {
        return EMBEDDED;
    }

    /**
     * A custom policy; every limit must be at least 1.
     *
     * @param rulesPerFilter    rules of both directions in one filter.
     * @param sessionsPerSource sessions on one source interface.
     * @param sourcesPerTarget  distinct sources mirrored to one network-interface target (load balancer
     *                          targets have no such limit).
     * @param filters           filters in a configuration.
     * @param targets           targets in a configuration.
     * @param sessions          sessions in a configuration.
     * @return the policy.
     * @throws InvalidConfigurationException when a limit is below 1.
     */
    public static Quotas of(
        final int rulesPerFilter,
        final int sessionsPerSource,
        final int sourcesPerTarget,
        final int filters,
        final int targets,
        final int sessions)
    {
        final Violations violations = Violations.withoutErrorCodes();
        violations.checkRange("quotas", "rulesPerFilter", rulesPerFilter, 1, Integer.MAX_VALUE);
        violations.checkRange("quotas", "sessionsPerSource", sessionsPerSource, 1, Integer.MAX_VALUE);
        violations.checkRange("quotas", "sourcesPerTarget", sourcesPerTarget, 1, Integer.MAX_VALUE);
        violations.checkRange("quotas", "filters", filters, 1, Integer.MAX_VALUE);
        violations.checkRange("quotas", "targets", targets, 1, Integer.MAX_VALUE);
        violations.checkRange("quotas", "sessions", sessions, 1, Integer.MAX_VALUE);
        violations.throwIfAny();
        return new Quotas(rulesPerFilter, sessionsPerSource, sourcesPerTarget, filters, targets, sessions);
    }

    /**
     * @return most rules, of both directions, in one filter.
     */
    public int rulesPerFilter()
    {
        return rulesPerFilter;
    }

    /**
     * @return most sessions on one source interface.
     */
    public int sessionsPerSource()
    {
        return sessionsPerSource;
    }

    /**
     * @return most distinct sources mirrored to one network-interface target.
     */
    public int sourcesPerTarget()
    {
        return sourcesPerTarget;
    }

    /**
     * @return most filters in a configuration.
     */
    public int filters()
    {
        return filters;
    }

    /**
     * @return most targets in a configuration.
     */
    public int targets()
    {
        return targets;
    }

    /**
     * @return most sessions in a configuration.
     */
    public int sessions()
    {
        return sessions;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Quotas))
        {
            return false;
        }
        final Quotas that = (Quotas)o;
        return rulesPerFilter == that.rulesPerFilter && sessionsPerSource == that.sessionsPerSource &&
            sourcesPerTarget == that.sourcesPerTarget && filters == that.filters &&
            targets == that.targets && sessions == that.sessions;
    }

    @Override
    public int hashCode()
    {
        int result = rulesPerFilter;
        result = 31 * result + sessionsPerSource;
        result = 31 * result + sourcesPerTarget;
        result = 31 * result + filters;
        result = 31 * result + targets;
        return 31 * result + sessions;
    }

    @Override
    public String toString()
    {
        return new FieldsText("Quotas")
            .add("rulesPerFilter", rulesPerFilter)
            .add("sessionsPerSource", sessionsPerSource)
            .add("sourcesPerTarget", sourcesPerTarget)
            .add("filters", filters)
            .add("targets", targets)
            .add("sessions", sessions)
            .toString();
    }
}
